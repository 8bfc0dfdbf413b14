// Must NOT type-check: proves the shipped types are real types, not `any`.
import { createEngine } from 'wgsl-vision';

export async function wrong(): Promise<void> {
  const engine = await createEngine();
  engine.tensor('not a shape', [1]);
}
