/**
 * Builds small tfjs graph models in tests: model.json (modelTopology.node + weightsManifest)
 * and the weights binary, from nodes described as in TensorFlow's GraphDef JSON.
 */
import { loadWeights, type WeightMap } from '../../src/nn/weights.js';
import type { RefTensor } from '../ref/tfjs-graph.js';
import type { Rng } from './random.js';

type Attr = Record<string, unknown>;
export interface ModelNode { name: string; op: string; input?: string[]; attr?: Record<string, Attr> }

export const ints = (v: number[]) => ({ list: { i: v.map(String) } });
export const str = (s: string) => ({ s: btoa(s) });
export const fused = (ops: string[]) => ({ list: { s: ops.map((o) => btoa(o)) } });
export const conv = (strides = 1, padding = 'SAME', extra: Record<string, Attr> = {}) => ({
  strides: ints([1, strides, strides, 1]), padding: str(padding), data_format: str('NHWC'), dilations: ints([1, 1, 1, 1]), ...extra,
});

export class TfjsModelBuilder {
  readonly nodes: ModelNode[] = [];
  readonly consts: Record<string, RefTensor> = {};
  private readonly weights: { name: string; shape: number[]; dtype: string; data: Float32Array | Int32Array }[] = [];

  constructor(private readonly rng: Rng) {}

  placeholder(name: string, shape: number[]): string {
    this.nodes.push({ name, op: 'Placeholder', attr: { shape: { shape: { dim: shape.map((d) => ({ size: String(d) })) } }, dtype: { type: 'DT_FLOAT' } } });
    return name;
  }

  /** A float constant: given values, or uniform random in [lo, hi]. */
  constant(name: string, shape: number[], values?: number[] | [number, number]): string {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = values && values.length === n ? Float32Array.from(values) : this.rng.array(n, values?.[0] ?? -0.5, values?.[1] ?? 0.5);
    this.weights.push({ name, shape, dtype: 'float32', data });
    this.consts[name] = { shape, data: Float64Array.from(data) };
    this.nodes.push({ name, op: 'Const', attr: { dtype: { type: 'DT_FLOAT' }, value: { tensor: { dtype: 'DT_FLOAT', tensorShape: {} } } } });
    return name;
  }

  intConstant(name: string, values: number[]): string {
    this.weights.push({ name, shape: [values.length], dtype: 'int32', data: Int32Array.from(values) });
    this.consts[name] = { shape: [values.length], data: Float64Array.from(values) };
    this.nodes.push({ name, op: 'Const', attr: { dtype: { type: 'DT_INT32' } } });
    return name;
  }

  op(name: string, op: string, input: string[], attr: Record<string, Attr> = {}): string {
    this.nodes.push({ name, op, input, attr });
    return name;
  }

  /** The model.json object, its weights binary, and the WeightMap loadWeights reads from them. */
  async build(): Promise<{ model: { modelTopology: { node: ModelNode[] }; weightsManifest: unknown[]; format: string }; bin: Uint8Array; weights: WeightMap }> {
    const total = this.weights.reduce((a, w) => a + w.data.byteLength, 0);
    const bin = new Uint8Array(total);
    let at = 0;
    for (const w of this.weights) {
      bin.set(new Uint8Array(w.data.buffer, w.data.byteOffset, w.data.byteLength), at);
      at += w.data.byteLength;
    }
    const weightsManifest = [{ paths: ['model.bin'], weights: this.weights.map(({ name, shape, dtype }) => ({ name, shape, dtype })) }];
    const model = { format: 'graph-model', modelTopology: { node: this.nodes }, weightsManifest };
    const weights = await loadWeights(weightsManifest, async () => bin, { source: 'test model' });
    return { model, bin, weights };
  }
}
