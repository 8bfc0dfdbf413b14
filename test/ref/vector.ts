/** Float64 references for the vector kernels (src/ops/vector.ts): each returns the new y. */

export function refAxpy(a: number, x: ArrayLike<number>, y: ArrayLike<number>, scale = 1): number[] {
  return Array.from(y, (v, i) => v + scale * a * x[i]!);
}

export function refClamp(y: ArrayLike<number>, lo: number, hi: number): number[] {
  return Array.from(y, (v) => Math.min(hi, Math.max(lo, v)));
}

export function refScale(y: ArrayLike<number>, factor: number): number[] {
  return Array.from(y, (v) => v * factor);
}
