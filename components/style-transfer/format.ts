/** How <wv-style-transfer> writes its numbers. */

/** β/α as 2 significant digits, or a power of ten for large ratios. */
export function formatRatio(r: number): string {
  if (r < 1000) return String(Number(r.toPrecision(2)));
  const e = Math.floor(Math.log10(r));
  const m = r / 10 ** e;
  const sup = String(e).replace(/\d/g, (d) => '⁰¹²³⁴⁵⁶⁷⁸⁹'[Number(d)]!);
  return m < 1.05 ? `10${sup}` : `${m.toFixed(1)}·10${sup}`;
}

/** A loss in 3 significant digits, exponential when large or small. */
export function formatLoss(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-2 && v !== 0) ? v.toExponential(2) : v.toPrecision(3);
}
