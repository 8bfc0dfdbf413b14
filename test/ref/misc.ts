/** References for softmax, L2 normalisation, bilinear resize and RGBA preprocessing. */

export function refAlongAxis(x: Float32Array, shape: number[], axis: number, f: (line: number[]) => number[]): Float32Array {
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const len = shape[axis]!;
  const y = new Float32Array(x.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const line = Array.from({ length: len }, (_, k) => x[(o * len + k) * inner + i]!);
      f(line).forEach((v, k) => (y[(o * len + k) * inner + i] = v));
    }
  }
  return y;
}

export const refSoftmax = (line: number[]) => {
  const m = Math.max(...line);
  const e = line.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};

export const refL2 = (eps: number) => (line: number[]) => {
  const s = line.reduce((a, v) => a + v * v, 0);
  return line.map((v) => v / Math.sqrt(Math.max(s, eps)));
};

/** Bilinear sample of x [N, H, W, C] at source coordinates from `map(dst) → src`. */
export function refResize(x: Float32Array, shape: number[], outH: number, outW: number, mapY: (d: number) => number, mapX: (d: number) => number): Float32Array {
  const [n, h, w, c] = shape as [number, number, number, number];
  const y = new Float32Array(n * outH * outW * c);
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < outH; oy++)
      for (let ox = 0; ox < outW; ox++) {
        const sy = Math.min(Math.max(mapY(oy), 0), h - 1);
        const sx = Math.min(Math.max(mapX(ox), 0), w - 1);
        const y0 = Math.floor(sy), x0 = Math.floor(sx);
        const y1 = Math.min(y0 + 1, h - 1), x1 = Math.min(x0 + 1, w - 1);
        const fy = sy - y0, fx = sx - x0;
        for (let ch = 0; ch < c; ch++) {
          const at = (yy: number, xx: number) => x[((b * h + yy) * w + xx) * c + ch]!;
          const top = at(y0, x0) * (1 - fx) + at(y0, x1) * fx;
          const bottom = at(y1, x0) * (1 - fx) + at(y1, x1) * fx;
          y[((b * outH + oy) * outW + ox) * c + ch] = top * (1 - fy) + bottom * fy;
        }
      }
  return y;
}
