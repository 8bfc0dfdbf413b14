import { mulberry32 } from '../../nn/random.js';

/** Seeded randomness (mulberry32) so a training run and its batches can be replayed. */
export class SeededRandom {
  private readonly raw: () => number;

  constructor(seed = 1) {
    this.raw = mulberry32(seed >>> 0 || 1);
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.raw() / 4294967296;
  }

  /** Integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = 1 - this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** Fisher–Yates shuffle in place. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.below(i + 1);
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  }
}
