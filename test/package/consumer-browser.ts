// Type-checked against the shipped declarations (browser entry and components), as an app would be.
import { createEngine, ops, ShapeError, type Engine, type Tensor, type VerifyResult } from 'wgsl-vision';
import { FaceVerify, StyleTransfer } from 'wgsl-vision/components';

export async function double(engine: Engine, values: number[]): Promise<Float32Array> {
  const x: Tensor = engine.tensor([values.length], values);
  return ops.add(x, x).read();
}
export const engine: Promise<Engine> = createEngine();
export const isShapeError = (e: unknown): boolean => e instanceof ShapeError;
const el: FaceVerify | null = document.querySelector('wv-face-verify');
if (el) el.threshold = 0.55;
const st: StyleTransfer = document.createElement('wv-style-transfer');
st.iterations = 40;
export const verdict = (r: VerifyResult): string => (r.match ? `same (${r.distance.toFixed(3)})` : 'different');
