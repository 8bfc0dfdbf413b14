/**
 * A learned similarity function on face descriptors (DeepFace's binary classifier on the Siamese pair):
 *   ŷ = σ(Σₖ wₖ·|f(xᵢ)ₖ − f(xⱼ)ₖ| + b), or its chi-square form σ(Σₖ wₖ·(f(xᵢ)ₖ − f(xⱼ)ₖ)²/(f(xᵢ)ₖ + f(xⱼ)ₖ) + b),
 * a same-person probability. Trained by the triplet-training task; loaded here from JSON.
 */
import type { Engine } from '../../gpu/engine.js';
import type { Tensor } from '../../gpu/tensor.js';

export interface SimilarityHeadJSON {
  format: 'wgsl-vision-similarity-head';
  version: 1;
  form: 'absDiff' | 'chiSquare';
  weights: number[];
  bias: number;
  /** Probability at or above which a pair is judged the same person (0.5 by default). */
  threshold?: number;
}

export class SimilarityHead {
  private tensor: Tensor | null = null;

  private constructor(readonly form: 'absDiff' | 'chiSquare', readonly weights: Float32Array, readonly bias: number, readonly threshold: number) {}

  /** Validates and loads a head; every problem is named. */
  static fromJSON(json: unknown, dims = 128): SimilarityHead {
    const h = json as SimilarityHeadJSON;
    const bad = (why: string) => new Error(`wrong similarity head: ${why}`);
    if (!h || h.format !== 'wgsl-vision-similarity-head') throw bad("missing format 'wgsl-vision-similarity-head'");
    if (h.version !== 1) throw bad(`unsupported version ${h.version}`);
    if (h.form !== 'absDiff' && h.form !== 'chiSquare') throw bad(`form must be 'absDiff' or 'chiSquare', got ${JSON.stringify(h.form)}`);
    if (!Array.isArray(h.weights) || h.weights.length !== dims || !h.weights.every(Number.isFinite)) throw bad(`needs ${dims} finite weights, got ${Array.isArray(h.weights) ? h.weights.length : 'none'}`);
    if (!Number.isFinite(h.bias)) throw bad('bias must be a finite number');
    const threshold = h.threshold ?? 0.5;
    if (!(threshold > 0 && threshold < 1)) throw bad(`threshold must be in (0, 1), got ${threshold}`);
    return new SimilarityHead(h.form, Float32Array.from(h.weights), h.bias, threshold);
  }

  toJSON(): SimilarityHeadJSON {
    return { format: 'wgsl-vision-similarity-head', version: 1, form: this.form, weights: Array.from(this.weights), bias: this.bias, threshold: this.threshold };
  }

  /** ŷ for one pair, on the CPU (for 1:1 checks). */
  probability(a: ArrayLike<number>, b: ArrayLike<number>): number {
    let s = this.bias;
    for (let k = 0; k < this.weights.length; k++) {
      const d = a[k]! - b[k]!;
      if (this.form === 'absDiff') s += this.weights[k]! * Math.abs(d);
      else if (Math.abs(a[k]! + b[k]!) > 1e-12) s += (this.weights[k]! * d * d) / (a[k]! + b[k]!);
    }
    return 1 / (1 + Math.exp(-s));
  }

  /** [w…, b] on the GPU, for pairwiseSimilarity over a gallery. */
  deviceTensor(engine: Engine): Tensor {
    if (!this.tensor || this.tensor.engine !== engine || this.tensor.isDisposed) {
      this.tensor = engine.keep(engine.tensor([this.weights.length + 1], [...this.weights, this.bias], 'similarity head'));
    }
    return this.tensor;
  }

  dispose(): void {
    this.tensor?.dispose();
    this.tensor = null;
  }
}
