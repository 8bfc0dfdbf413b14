/**
 * The figures every benchmark and evaluation reports: median (the middle pair averaged for an even
 * count), mean, minimum, population standard deviation, rounding, and the relative error the
 * suite's checks compare outputs with. Nothing here touches Node or DOM APIs.
 */

/** The middle value of the sorted numbers; for an even count, the mean of the middle pair. NaN for none. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** The arithmetic mean; NaN for none. */
export function mean(xs: readonly number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
}

/** The population standard deviation (divided by n, not n − 1). */
export function std(xs: readonly number[]): number {
  const m = mean(xs);
  return Math.sqrt(mean(xs.map((x) => (x - m) ** 2)));
}

/** `x` to `digits` decimals as a number; null and non-finite values become null. */
export function round(x: number | null, digits: number): number | null {
  return x === null || !Number.isFinite(x) ? null : Number(x.toFixed(digits));
}

/** max |a − ref| / max |ref|: the error relative to the output's scale (Infinity for a length or NaN mismatch). */
export function relativeError(a: Float32Array, ref: Float32Array): number {
  if (a.length !== ref.length) return Infinity;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - ref[i]!);
    if (Number.isNaN(d)) return Infinity;
    diff = Math.max(diff, d);
    scale = Math.max(scale, Math.abs(ref[i]!));
  }
  return diff / Math.max(scale, 1e-30);
}
