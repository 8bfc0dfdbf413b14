/** Plain float64 sum over axes of a row-major tensor, keeping the reduced axes as size 1. */
export function refSum(x: ArrayLike<number>, shape: readonly number[], axes: readonly number[]): { data: Float64Array; shape: number[] } {
  const reduced = new Set(axes.map((a) => (a < 0 ? a + shape.length : a)));
  const outShape = shape.map((d, i) => (reduced.has(i) ? 1 : d));
  const out = new Float64Array(outShape.reduce((a, b) => a * b, 1));
  const idx = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < x.length; i++) {
    let r = i;
    for (let d = shape.length - 1; d >= 0; d--) { idx[d] = r % shape[d]!; r = Math.floor(r / shape[d]!); }
    let o = 0;
    for (let d = 0; d < shape.length; d++) o = o * outShape[d]! + (reduced.has(d) ? 0 : idx[d]!);
    out[o]! += x[i]!;
  }
  return { data: out, shape: outShape };
}
