/**
 * CPU pixel helpers for style transfer: RGBA ↔ f32 RGB, and colour preservation (Gatys et al.
 * 2016, "luminance-only transfer"): the network sees luminance images, and the result's
 * luminance is recombined with the content's chroma (YIQ).
 */
import type { RGBAImage } from '../../ops/image.js';

/** f32 RGB in [0, 255], [height, width, 3] row-major. */
export interface FloatRGB {
  data: Float32Array;
  width: number;
  height: number;
}

const luma = (r: number, g: number, b: number) => 0.299 * r + 0.587 * g + 0.114 * b;
const chromaI = (r: number, g: number, b: number) => 0.596 * r - 0.274 * g - 0.322 * b;
const chromaQ = (r: number, g: number, b: number) => 0.211 * r - 0.523 * g + 0.312 * b;

export function toRGBA(img: FloatRGB): RGBAImage {
  const n = img.width * img.height;
  const out = new Uint8ClampedArray(n * 4);
  for (let i = 0; i < n; i++) {
    out[4 * i] = Math.round(img.data[3 * i]!);
    out[4 * i + 1] = Math.round(img.data[3 * i + 1]!);
    out[4 * i + 2] = Math.round(img.data[3 * i + 2]!);
    out[4 * i + 3] = 255;
  }
  return { data: out, width: img.width, height: img.height };
}

/** The image as grey RGBA (luminance in all three channels), optionally matched to a target's luminance mean and std. */
export function luminanceImage(img: RGBAImage, matchTo?: { mean: number; std: number }): RGBAImage {
  const n = img.width * img.height;
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) y[i] = luma(img.data[4 * i]!, img.data[4 * i + 1]!, img.data[4 * i + 2]!);
  if (matchTo) {
    const s = luminanceStats(y);
    const k = s.std > 1e-6 ? matchTo.std / s.std : 1;
    for (let i = 0; i < n; i++) y[i] = (y[i]! - s.mean) * k + matchTo.mean;
  }
  const out = new Uint8ClampedArray(n * 4);
  for (let i = 0; i < n; i++) {
    out[4 * i] = out[4 * i + 1] = out[4 * i + 2] = y[i]!;
    out[4 * i + 3] = 255;
  }
  return { data: out, width: img.width, height: img.height };
}

function luminanceStats(y: Float32Array): { mean: number; std: number } {
  let sum = 0;
  for (const v of y) sum += v;
  const mean = sum / y.length;
  let sq = 0;
  for (const v of y) sq += (v - mean) ** 2;
  return { mean, std: Math.sqrt(sq / y.length) };
}

export function imageLuminanceStats(img: RGBAImage): { mean: number; std: number } {
  const n = img.width * img.height;
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) y[i] = luma(img.data[4 * i]!, img.data[4 * i + 1]!, img.data[4 * i + 2]!);
  return luminanceStats(y);
}

/** The result's luminance with the content's chroma (I, Q of YIQ), clamped to [0, 255]. Same sizes. */
export function recombineChroma(result: FloatRGB, content: FloatRGB): FloatRGB {
  const n = result.width * result.height;
  const out = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    const r = result.data, c = content.data;
    const Y = luma(r[3 * i]!, r[3 * i + 1]!, r[3 * i + 2]!);
    const I = chromaI(c[3 * i]!, c[3 * i + 1]!, c[3 * i + 2]!);
    const Q = chromaQ(c[3 * i]!, c[3 * i + 1]!, c[3 * i + 2]!);
    out[3 * i] = clamp255(Y + 0.956 * I + 0.621 * Q);
    out[3 * i + 1] = clamp255(Y - 0.272 * I - 0.647 * Q);
    out[3 * i + 2] = clamp255(Y - 1.106 * I + 1.703 * Q);
  }
  return { data: out, width: result.width, height: result.height };
}

const clamp255 = (v: number) => Math.min(255, Math.max(0, v));

/** YIQ chroma (I, Q) per pixel of an RGBA image, for checks. */
export function chroma(img: RGBAImage): Float32Array {
  const n = img.width * img.height;
  const out = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const [r, g, b] = [img.data[4 * i]!, img.data[4 * i + 1]!, img.data[4 * i + 2]!];
    out[2 * i] = chromaI(r, g, b);
    out[2 * i + 1] = chromaQ(r, g, b);
  }
  return out;
}
