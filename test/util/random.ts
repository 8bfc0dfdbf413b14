import { mulberry32 } from '../../src/nn/random.js';

/** Seeded randomness for tests, so a failing case can be replayed from its printed seed. */
export class Rng {
  private readonly raw: () => number;
  constructor(readonly seed: number) {
    this.raw = mulberry32(seed >>> 0 || 1);
  }
  /** Uniform in [0, 1) (the library's mulberry32). */
  next(): number {
    return this.raw() / 4294967296;
  }
  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  array(n: number, lo = -1, hi = 1): Float32Array {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = lo + (hi - lo) * this.next();
    return a;
  }
}
