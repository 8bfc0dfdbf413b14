import type { Engine } from '../gpu/engine.js';
import type { Tensor } from '../gpu/tensor.js';
import type { WeightMap } from './weights.js';

/**
 * A network's weights uploaded to the GPU once, by name. The tensors live outside any scope
 * until `dispose()`, so a model can run many times without re-uploading.
 */
export class GpuParams {
  private readonly tensors = new Map<string, Tensor>();

  constructor(readonly engine: Engine, readonly weights: WeightMap) {}

  /** The named weight as a GPU tensor (uploaded on first use); `shape` checks it, `as` reshapes it. */
  get(name: string, shape?: readonly number[], as?: readonly number[]): Tensor {
    const key = as ? `${name}@${as.join('x')}` : name;
    let t = this.tensors.get(key);
    if (!t) {
      const w = this.weights.get(name, shape);
      t = this.engine.keep(this.engine.tensor(as ?? w.shape, w.data, name));
      this.tensors.set(key, t);
    }
    return t;
  }

  dispose(): void {
    for (const t of this.tensors.values()) t.dispose();
    this.tensors.clear();
  }
}
