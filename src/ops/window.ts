import { sizeBucket } from '../gpu/autotune.js';

/**
 * Sliding-window geometry shared by convolution and pooling: strides, dilations, padding
 * (explicit or SAME/VALID) and output sizes, for 1, 2 or 3 spatial dimensions.
 */
import { ShapeError } from '../gpu/errors.js';

/** 'same' pads like TensorFlow (extra padding at the end); 'sameLower' like ONNX SAME_LOWER. */
export type Padding = 'valid' | 'same' | 'sameLower' | readonly number[];

export interface WindowGeometry {
  /** Spatial sizes as 3-D (D, H, W); missing leading dimensions are 1. */
  inSize: [number, number, number];
  outSize: [number, number, number];
  kernel: [number, number, number];
  strides: [number, number, number];
  dilations: [number, number, number];
  padBegin: [number, number, number];
  padEnd: [number, number, number];
}

export function perAxis(value: number | readonly number[] | undefined, rank: number, fallback: number, what: string): number[] {
  if (value === undefined) return Array(rank).fill(fallback);
  if (typeof value === 'number') return Array(rank).fill(value);
  if (value.length !== rank) throw new ShapeError(`${what} needs ${rank} value(s), got [${value}]`);
  return [...value];
}

function to3(v: number[], fill: number): [number, number, number] {
  const padded = [...Array(3 - v.length).fill(fill), ...v];
  return [padded[0]!, padded[1]!, padded[2]!];
}

export function windowGeometry(
  op: string,
  inSpatial: readonly number[],
  kernel: readonly number[],
  opts: { strides?: number | readonly number[]; dilations?: number | readonly number[]; padding?: Padding; ceilMode?: boolean },
): WindowGeometry {
  const rank = inSpatial.length;
  if (rank < 1 || rank > 3) throw new ShapeError(`${op}: 1, 2 or 3 spatial dimensions are supported, got ${rank}`);
  const strides = perAxis(opts.strides, rank, 1, `${op} strides`);
  const dilations = perAxis(opts.dilations, rank, 1, `${op} dilations`);
  const padding = opts.padding ?? 'valid';
  const begin: number[] = [];
  const end: number[] = [];
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const size = inSpatial[i]!;
    const extent = (kernel[i]! - 1) * dilations[i]! + 1;
    if (strides[i]! < 1 || dilations[i]! < 1 || kernel[i]! < 1) throw new ShapeError(`${op}: kernel, strides and dilations must be positive`);
    if (padding === 'same' || padding === 'sameLower') {
      const o = Math.ceil(size / strides[i]!);
      const total = Math.max(0, (o - 1) * strides[i]! + extent - size);
      const small = Math.floor(total / 2);
      begin.push(padding === 'same' ? small : total - small);
      end.push(padding === 'same' ? total - small : small);
    } else if (padding === 'valid') {
      begin.push(0);
      end.push(0);
    } else {
      if (padding.length !== 2 * rank) throw new ShapeError(`${op}: explicit padding needs ${2 * rank} values [begin..., end...], got [${padding}]`);
      begin.push(padding[i]!);
      end.push(padding[rank + i]!);
    }
    const span = size + begin[i]! + end[i]! - extent;
    if (span < 0) throw new ShapeError(`${op}: window ${extent} is larger than the padded input ${size + begin[i]! + end[i]!} along spatial axis ${i}`);
    let o = (opts.ceilMode ? Math.ceil(span / strides[i]!) : Math.floor(span / strides[i]!)) + 1;
    // A ceil-mode window must start inside the input or its leading padding.
    if (opts.ceilMode && (o - 1) * strides[i]! >= size + begin[i]!) o--;
    out.push(o);
  }
  return {
    inSize: to3([...inSpatial], 1),
    outSize: to3(out, 1),
    kernel: to3([...kernel], 1),
    strides: to3(strides, 1),
    dilations: to3(dilations, 1),
    padBegin: to3(begin, 0),
    padEnd: to3(end, 0),
  };
}

/** Output shape [N, ...spatial, C] of a window op with `rank` spatial dimensions. */
export function windowOutputShape(g: WindowGeometry, batch: number, rank: number, channels: number): number[] {
  return [batch, ...g.outSize.slice(3 - rank), channels];
}

/** Uniform values for shaders/common/window.wgsl (conv, conv backward, pooling and its gradients). */
export function windowUniforms(g: WindowGeometry) {
  return {
    inD: g.inSize[0], inH: g.inSize[1], inW: g.inSize[2],
    outD: g.outSize[0], outH: g.outSize[1], outW: g.outSize[2],
    kD: g.kernel[0], kH: g.kernel[1], kW: g.kernel[2],
    strideD: g.strides[0], strideH: g.strides[1], strideW: g.strides[2],
    padD: g.padBegin[0], padH: g.padBegin[1], padW: g.padBegin[2],
    dilD: g.dilations[0], dilH: g.dilations[1], dilW: g.dilations[2],
  };
}

/**
 * The tuner's shape class of a windowed op (src/gpu/autotune.ts): its geometry, how it groups
 * channels, and channels and pixels in power-of-two buckets.
 */
export function windowShapeClass(g: WindowGeometry, rank: number, c: { groups: number; cinPerGroup: number; inC: number; outC: number; pixels: number }): string {
  const grouping = c.groups === 1 ? 'g1' : c.cinPerGroup === 1 ? 'dw' : 'grouped';
  return `${rank}d k${g.kernel.join('x')} s${g.strides.join('x')} d${g.dilations.join('x')} ${grouping} c${sizeBucket(c.inC)}>${sizeBucket(c.outC)} px${sizeBucket(c.pixels)}`;
}

/** The geometry again as conv() takes it for a `rank`-D input (what a tune request carries). */
export function windowOptions(g: WindowGeometry, rank: number): { strides: number[]; dilations: number[]; padding: number[] } {
  return { strides: g.strides.slice(3 - rank), dilations: g.dilations.slice(3 - rank), padding: [...g.padBegin.slice(3 - rank), ...g.padEnd.slice(3 - rank)] };
}
