/**
 * Plain float64 references for the backward kernels. Convolution and pooling are written as
 * the forward's loops visiting every (input, filter, output) triple; the gradients scatter
 * along those same triples (the adjoint), so they share no code path with the GPU's gathers.
 */
import type { RefConvParams } from './conv.js';

type Arr = ArrayLike<number>;
const prod = (v: readonly number[]) => v.reduce((a, b) => a * b, 1);

export function convOutSpatial(p: RefConvParams): number[] {
  return p.inShape.slice(1, -1).map((s, i) => Math.floor((s + p.padBegin[i]! + p.padEnd[i]! - ((p.kernel[i]! - 1) * p.dilations[i]! + 1)) / p.strides[i]!) + 1);
}

/** Calls f(xIndex, wIndex, yIndex) for every product x·w summed into y by the convolution. */
export function forEachConvTerm(p: RefConvParams, f: (xi: number, wi: number, yi: number) => void): void {
  const rank = p.kernel.length;
  const n = p.inShape[0]!;
  const inC = p.inShape[rank + 1]!;
  const spatial = p.inShape.slice(1, 1 + rank);
  const out = convOutSpatial(p);
  const cinG = inC / p.groups;
  const coutG = p.outC / p.groups;
  const outCount = prod(out);
  const inCount = prod(spatial);
  const kCount = prod(p.kernel);
  const oc = new Array<number>(rank).fill(0);
  const kc = new Array<number>(rank).fill(0);
  for (let b = 0; b < n; b++) {
    for (let o = 0; o < outCount; o++) {
      let r = o;
      for (let d = rank - 1; d >= 0; d--) { oc[d] = r % out[d]!; r = Math.floor(r / out[d]!); }
      for (let k = 0; k < kCount; k++) {
        let rk = k;
        for (let d = rank - 1; d >= 0; d--) { kc[d] = rk % p.kernel[d]!; rk = Math.floor(rk / p.kernel[d]!); }
        let inIndex = 0;
        let inside = true;
        for (let d = 0; d < rank; d++) {
          const pos = oc[d]! * p.strides[d]! - p.padBegin[d]! + kc[d]! * p.dilations[d]!;
          if (pos < 0 || pos >= spatial[d]!) { inside = false; break; }
          inIndex = inIndex * spatial[d]! + pos;
        }
        if (!inside) continue;
        for (let co = 0; co < p.outC; co++) {
          const g = Math.floor(co / coutG);
          for (let ci = 0; ci < cinG; ci++) {
            f((b * inCount + inIndex) * inC + g * cinG + ci, (k * cinG + ci) * p.outC + co, (b * outCount + o) * p.outC + co);
          }
        }
      }
    }
  }
}

export function refConv64(x: Arr, w: Arr, p: RefConvParams): Float64Array {
  const y = new Float64Array(p.inShape[0]! * prod(convOutSpatial(p)) * p.outC);
  forEachConvTerm(p, (xi, wi, yi) => { y[yi]! += x[xi]! * w[wi]!; });
  return y;
}

export function refConvInputGrad(dy: Arr, w: Arr, p: RefConvParams): Float64Array {
  const dx = new Float64Array(prod(p.inShape));
  forEachConvTerm(p, (xi, wi, yi) => { dx[xi]! += dy[yi]! * w[wi]!; });
  return dx;
}

export function refConvFilterGrad(x: Arr, dy: Arr, p: RefConvParams): Float64Array {
  const inC = p.inShape[p.inShape.length - 1]!;
  const dw = new Float64Array(prod(p.kernel) * (inC / p.groups) * p.outC);
  forEachConvTerm(p, (xi, wi, yi) => { dw[wi]! += x[xi]! * dy[yi]!; });
  return dw;
}

// ---- activations ------------------------------------------------------------------------------

export type GradActivation = 'relu' | 'relu6' | 'leakyRelu' | 'sigmoid' | 'tanh' | 'hardSwish';

export function refActivation64(a: GradActivation, v: number, alpha: number): number {
  switch (a) {
    case 'relu': return Math.max(v, 0);
    case 'relu6': return Math.min(Math.max(v, 0), 6);
    case 'leakyRelu': return v >= 0 ? v : alpha * v;
    case 'sigmoid': return 1 / (1 + Math.exp(-v));
    case 'tanh': return Math.tanh(v);
    case 'hardSwish': return (v * Math.min(Math.max(v + 3, 0), 6)) / 6;
  }
}

/** f'(x) (the one-sided value the kernels use at kinks: relu' (0) = 0, leakyRelu' (0) = 1). */
export function refActivationDerivative(a: GradActivation, v: number, alpha: number): number {
  switch (a) {
    case 'relu': return v > 0 ? 1 : 0;
    case 'relu6': return v > 0 && v < 6 ? 1 : 0;
    case 'leakyRelu': return v >= 0 ? 1 : alpha;
    case 'sigmoid': { const s = 1 / (1 + Math.exp(-v)); return s * (1 - s); }
    case 'tanh': { const t = Math.tanh(v); return 1 - t * t; }
    case 'hardSwish': return v <= -3 ? 0 : v >= 3 ? 1 : (2 * v + 3) / 6;
  }
}

// ---- pooling ---------------------------------------------------------------------------------

export interface RefPoolParams {
  inShape: number[];
  kernel: number[];
  strides: number[];
  dilations: number[];
  padBegin: number[];
  padEnd: number[];
  outSpatial: number[];
  countIncludePad: boolean;
}

/** Calls f(outIndex, inIndices in window order, padded count) for every window and channel. */
function forEachWindow(p: RefPoolParams, f: (yi: number, xs: number[], padded: number) => void): void {
  const rank = p.kernel.length;
  const C = p.inShape[rank + 1]!;
  const spatial = p.inShape.slice(1, 1 + rank);
  const outCount = prod(p.outSpatial);
  const inCount = prod(spatial);
  const kCount = prod(p.kernel);
  for (let b = 0; b < p.inShape[0]!; b++) {
    for (let oi = 0; oi < outCount; oi++) {
      const oc: number[] = [];
      let r = oi;
      for (let d = rank - 1; d >= 0; d--) { oc[d] = r % p.outSpatial[d]!; r = Math.floor(r / p.outSpatial[d]!); }
      for (let c = 0; c < C; c++) {
        const xs: number[] = [];
        let padded = 0;
        for (let k = 0; k < kCount; k++) {
          const kc: number[] = [];
          let rk = k;
          for (let d = rank - 1; d >= 0; d--) { kc[d] = rk % p.kernel[d]!; rk = Math.floor(rk / p.kernel[d]!); }
          let idx = 0;
          let ok = true;
          let inPad = true;
          for (let d = 0; d < rank; d++) {
            const pos = oc[d]! * p.strides[d]! - p.padBegin[d]! + kc[d]! * p.dilations[d]!;
            if (pos < -p.padBegin[d]! || pos >= spatial[d]! + p.padEnd[d]!) inPad = false;
            if (pos < 0 || pos >= spatial[d]!) ok = false;
            idx = idx * spatial[d]! + pos;
          }
          if (inPad) padded++;
          if (ok) xs.push((b * inCount + idx) * C + c);
        }
        f((b * outCount + oi) * C + c, xs, padded);
      }
    }
  }
}

export function refMaxPool64(x: Arr, p: RefPoolParams): Float64Array {
  const y = new Float64Array(p.inShape[0]! * prod(p.outSpatial) * p.inShape[p.inShape.length - 1]!);
  forEachWindow(p, (yi, xs) => { y[yi] = Math.max(...xs.map((i) => x[i]!)); });
  return y;
}

export function refAvgPool64(x: Arr, p: RefPoolParams): Float64Array {
  const y = new Float64Array(p.inShape[0]! * prod(p.outSpatial) * p.inShape[p.inShape.length - 1]!);
  forEachWindow(p, (yi, xs, padded) => { y[yi] = xs.reduce((s, i) => s + x[i]!, 0) / Math.max(1, p.countIncludePad ? padded : xs.length); });
  return y;
}

/** Each window's gradient goes to its first maximum in window order. */
export function refMaxPoolGrad(x: Arr, dy: Arr, p: RefPoolParams): Float64Array {
  const dx = new Float64Array(prod(p.inShape));
  forEachWindow(p, (yi, xs) => {
    let best = -1;
    for (const i of xs) if (best < 0 || x[i]! > x[best]!) best = i;
    if (best >= 0) dx[best]! += dy[yi]!;
  });
  return dx;
}

export function refAvgPoolGrad(dy: Arr, p: RefPoolParams): Float64Array {
  const dx = new Float64Array(prod(p.inShape));
  forEachWindow(p, (yi, xs, padded) => {
    const count = Math.max(1, p.countIncludePad ? padded : xs.length);
    for (const i of xs) dx[i]! += dy[yi]! / count;
  });
  return dx;
}

// ---- normalisation ---------------------------------------------------------------------------

/** y = x / sqrt(max(Σx², eps)) along the last axis of rows of length D. */
export function refL2Normalize64(x: Arr, D: number, eps: number): Float64Array {
  const y = new Float64Array(x.length);
  for (let r = 0; r < x.length / D; r++) {
    let s = 0;
    for (let i = 0; i < D; i++) s += x[r * D + i]! ** 2;
    const inv = 1 / Math.sqrt(Math.max(s, eps));
    for (let i = 0; i < D; i++) y[r * D + i] = x[r * D + i]! * inv;
  }
  return y;
}

export function refL2NormalizeGrad(x: Arr, dy: Arr, D: number, eps: number): Float64Array {
  const dx = new Float64Array(x.length);
  for (let r = 0; r < x.length / D; r++) {
    let s = 0;
    let xdy = 0;
    for (let i = 0; i < D; i++) { s += x[r * D + i]! ** 2; xdy += x[r * D + i]! * dy[r * D + i]!; }
    const clamped = s < eps;
    const n = Math.sqrt(Math.max(s, eps));
    for (let i = 0; i < D; i++) {
      dx[r * D + i] = dy[r * D + i]! / n - (clamped ? 0 : (x[r * D + i]! * xdy) / (n * n * n));
    }
  }
  return dx;
}

/** Training batch norm over rows of C channels: biased variance, as the GPU. */
export function refBatchNormTrain(x: Arr, gamma: Arr, beta: Arr, C: number, eps: number): { y: Float64Array; mean: Float64Array; invStd: Float64Array } {
  const rows = x.length / C;
  const mean = new Float64Array(C);
  const invStd = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    let s = 0;
    for (let r = 0; r < rows; r++) s += x[r * C + c]!;
    const m = s / rows;
    let v = 0;
    for (let r = 0; r < rows; r++) v += (x[r * C + c]! - m) ** 2;
    mean[c] = m;
    invStd[c] = 1 / Math.sqrt(v / rows + eps);
  }
  const y = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) { const c = i % C; y[i] = gamma[c]! * (x[i]! - mean[c]!) * invStd[c]! + beta[c]!; }
  return { y, mean, invStd };
}

export function refBatchNormGrad(x: Arr, dy: Arr, gamma: Arr, C: number, eps: number): { dx: Float64Array; dGamma: Float64Array; dBeta: Float64Array } {
  const rows = x.length / C;
  const { mean, invStd } = refBatchNormTrain(x, gamma, new Float64Array(C), C, eps);
  const dGamma = new Float64Array(C);
  const dBeta = new Float64Array(C);
  for (let i = 0; i < x.length; i++) {
    const c = i % C;
    dBeta[c]! += dy[i]!;
    dGamma[c]! += dy[i]! * (x[i]! - mean[c]!) * invStd[c]!;
  }
  const dx = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const c = i % C;
    const xhat = (x[i]! - mean[c]!) * invStd[c]!;
    dx[i] = (gamma[c]! * invStd[c]! / rows) * (rows * dy[i]! - dBeta[c]! - xhat * dGamma[c]!);
  }
  return { dx, dGamma, dBeta };
}
