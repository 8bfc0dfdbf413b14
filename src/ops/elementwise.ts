import gridWGSL from '../../shaders/common/grid.wgsl';
import elementwiseWGSL from '../../shaders/elementwise.wgsl';
import { ShapeError, shapeCheck } from '../gpu/errors.js';
import { defineKernel } from '../gpu/kernel.js';
import { shaderConstants } from '../gpu/reflect.js';
import type { Tensor } from '../gpu/tensor.js';
import activationWGSL from '../../shaders/common/activation.wgsl';
import { activationCode, DEFAULT_LEAKY_SLOPE, type Activation } from './activation.js';

const kernel = defineKernel('elementwise', elementwiseWGSL, [activationWGSL, gridWGSL]);
const MAX_RANK = 8;

/**
 * Whether the *_vec4 kernels may bind these tensors as vec4 arrays: they read and write up to
 * 3 values past a tensor's end, inside the buffer because pooled buffers are whole multiples of
 * 16 bytes.
 */
export function vec4Safe(...ts: Tensor[]): boolean {
  return ts.every((t) => t.buffer.size % 16 === 0 && t.buffer.size >= Math.ceil(t.size / 4) * 16);
}

/** Elementwise maps beyond the activations (the unary entry's OP codes after them). */
export type UnaryMath = 'affine' | 'abs' | 'square' | 'rsqrt';
const MAP_CODES = shaderConstants(elementwiseWGSL, 'MAP_');

export interface UnaryOptions {
  /** leakyRelu's slope (default DEFAULT_LEAKY_SLOPE). */
  slope?: number;
  /** affine: y = scale·x + shift (defaults 1 and 0). */
  scale?: number;
  shift?: number;
}

/** y = f(x) for an activation or a math map: 'affine' is scale·x + shift, 'rsqrt' is 1/√x. */
export function unary(x: Tensor, activation: Activation | UnaryMath, options: UnaryOptions = {}): Tensor {
  const y = x.engine.empty(x.shape, activation);
  const vec4 = vec4Safe(x, y);
  const threads = vec4 ? Math.ceil(x.size / 4) : x.size;
  x.engine.dispatch({
    op: activation,
    kernel,
    entry: vec4 ? 'unary_vec4' : 'unary',
    overrides: { OP: MAP_CODES.get(activation) ?? activationCode(activation as Activation) },
    uniforms: { size: threads, slope: options.slope ?? DEFAULT_LEAKY_SLOPE, scale: options.scale ?? 1, shift: options.shift ?? 0 },
    buffers: vec4 ? { a4: x, y4: y } : { a: x, y },
    threads,
  });
  return y;
}

export const relu = (x: Tensor) => unary(x, 'relu');
export const relu6 = (x: Tensor) => unary(x, 'relu6');
export const sigmoid = (x: Tensor) => unary(x, 'sigmoid');
export const tanh = (x: Tensor) => unary(x, 'tanh');
export const hardSwish = (x: Tensor) => unary(x, 'hardSwish');
export const leakyRelu = (x: Tensor, slope = DEFAULT_LEAKY_SLOPE) => unary(x, 'leakyRelu', { slope });

/** Numpy-style broadcast of two shapes; returns the output shape and each operand's strides over it. */
export function broadcastShapes(op: string, a: readonly number[], b: readonly number[]): { shape: number[]; aStrides: number[]; bStrides: number[] } {
  const rank = Math.max(a.length, b.length);
  if (rank > MAX_RANK) throw new ShapeError(`${op}: at most ${MAX_RANK} dimensions, got ${rank}`);
  const pa = [...Array(rank - a.length).fill(1), ...a];
  const pb = [...Array(rank - b.length).fill(1), ...b];
  const shape = pa.map((d, i) => {
    const e = pb[i]!;
    if (d !== e && d !== 1 && e !== 1) throw new ShapeError(`${op}: shapes [${a}] and [${b}] do not broadcast (axis ${i}: ${d} vs ${e})`);
    return d === 1 ? e : d;
  });
  const strides = (p: number[]) => {
    const s = Array(rank).fill(0);
    let acc = 1;
    for (let i = rank - 1; i >= 0; i--) {
      s[i] = p[i] === 1 ? 0 : acc;
      acc *= p[i]!;
    }
    return s;
  };
  return { shape, aStrides: strides(pa), bStrides: strides(pb) };
}

export type BinaryOp = 'add' | 'sub' | 'mul' | 'div' | 'max' | 'min' | 'prelu';
const BINARY_CODES = shaderConstants(elementwiseWGSL, 'BINARY_');

/**
 * Merges adjacent axes along which both operands are contiguous (or both broadcast), and drops
 * axes of extent 1: the kernel decomposes each output index with one division per axis, which
 * is most of its cost on CPU-emulated GPUs. Equal shapes become one axis, a per-channel operand
 * two.
 */
export function collapseAxes(shape: readonly number[], aStrides: readonly number[], bStrides: readonly number[]): { shape: number[]; aStrides: number[]; bStrides: number[] } {
  const out = { shape: [] as number[], aStrides: [] as number[], bStrides: [] as number[] };
  for (let d = 0; d < shape.length; d++) {
    const [n, sa, sb] = [shape[d]!, aStrides[d]!, bStrides[d]!];
    if (n === 1) continue;
    const k = out.shape.length - 1;
    // The previous (outer) kept axis continues this one for both operands: merge.
    if (k >= 0 && out.aStrides[k] === sa * n && out.bStrides[k] === sb * n) {
      out.shape[k]! *= n;
      out.aStrides[k] = sa;
      out.bStrides[k] = sb;
      continue;
    }
    out.shape.push(n);
    out.aStrides.push(sa);
    out.bStrides.push(sb);
  }
  if (out.shape.length === 0) return { shape: [1], aStrides: [0], bStrides: [0] };
  return out;
}

/** How binary() runs a broadcast: the kernel entry, its RANK and the (merged) geometry it gets. */
export interface BinaryPlan {
  entry: 'binary' | 'binary_vec4';
  /** Output shape and operand strides after merging axes; for binary_vec4 the innermost axis counts vec4s. */
  shape: number[];
  aStrides: number[];
  bStrides: number[];
  /** binary_vec4: whether each operand is contiguous along the innermost axis (else one value per vec4). */
  aVec: boolean;
  bVec: boolean;
  /** Threads (one per output value, or per vec4 of them). */
  threads: number;
}

/**
 * Picks the kernel for a broadcast over `shape`: four outputs per thread when the merged
 * innermost axis splits into whole vec4s (or is the only axis: equal shapes, a scalar operand),
 * one otherwise (e.g. an RGB image plus a per-channel [3] vector).
 */
export function planBinary(shape: readonly number[], aStrides: readonly number[], bStrides: readonly number[], allowVec4 = true): BinaryPlan {
  const flat = collapseAxes(shape, aStrides, bStrides);
  const size = shape.reduce((p, d) => p * d, 1);
  const last = flat.shape.length - 1;
  const inner = flat.shape[last]!;
  if (!allowVec4 || (last > 0 && inner % 4 !== 0)) return { entry: 'binary', ...flat, aVec: false, bVec: false, threads: size };
  const quads = Math.ceil(inner / 4);
  const vecShape = [...flat.shape.slice(0, last), quads];
  const scaleInner = (st: number[]) => [...st.slice(0, last), st[last]! * 4];
  return {
    entry: 'binary_vec4',
    shape: vecShape,
    aStrides: scaleInner(flat.aStrides),
    bStrides: scaleInner(flat.bStrides),
    aVec: flat.aStrides[last] !== 0,
    bVec: flat.bStrides[last] !== 0,
    threads: vecShape.reduce((p, d) => p * d, 1),
  };
}

/** y = a (op) b with broadcasting. prelu: a where a >= 0, else a * slope b. */
export function binary(op: BinaryOp, a: Tensor, b: Tensor): Tensor {
  const { shape, aStrides, bStrides } = broadcastShapes(op, a.shape, b.shape);
  const y = a.engine.empty(shape, op);
  if (y.size === 0) return y;
  const pad = (v: number[]) => [...v, ...Array(MAX_RANK - v.length).fill(0)];
  const plan = planBinary(shape, aStrides, bStrides, vec4Safe(a, b, y));
  const vec4 = plan.entry === 'binary_vec4';
  a.engine.dispatch({
    op,
    kernel,
    entry: plan.entry,
    overrides: { OP: BINARY_CODES.get(op)!, RANK: plan.shape.length, ...(vec4 ? { A_VEC: Number(plan.aVec), B_VEC: Number(plan.bVec) } : {}) },
    uniforms: { size: plan.threads, rank: plan.shape.length, outShape: pad(plan.shape), aStrides: pad(plan.aStrides), bStrides: pad(plan.bStrides) },
    buffers: vec4 ? { a4: a, b4: b, y4: y } : { a, b, y },
    threads: plan.threads,
  });
  return y;
}

export const add = (a: Tensor, b: Tensor) => binary('add', a, b);
export const sub = (a: Tensor, b: Tensor) => binary('sub', a, b);
export const mul = (a: Tensor, b: Tensor) => binary('mul', a, b);
export const div = (a: Tensor, b: Tensor) => binary('div', a, b);
export const prelu = (x: Tensor, slope: Tensor) => binary('prelu', x, slope);

export interface ScaleShiftOptions {
  /** The channel axis; -1 (channels last) by default. */
  axis?: number;
  activation?: Activation;
  /** Slope of leakyRelu (default DEFAULT_LEAKY_SLOPE). */
  slope?: number;
}

/** y = f(x * scale[c] + shift[c]) per channel: inference batch norm folded to scale and shift. */
export function scaleShift(x: Tensor, scale: Tensor, shift: Tensor, options: ScaleShiftOptions = {}): Tensor {
  const op = 'scaleShift';
  const axis = (options.axis ?? -1) < 0 ? x.rank + (options.axis ?? -1) : options.axis!;
  shapeCheck(axis >= 0 && axis < x.rank, op, `axis ${options.axis} is out of range for [${x.shape}]`);
  const channels = x.shape[axis]!;
  shapeCheck(scale.size === channels && shift.size === channels, op, `scale and shift need ${channels} values, got [${scale.shape}] and [${shift.shape}]`);
  const inner = x.shape.slice(axis + 1).reduce((p, d) => p * d, 1);
  const y = x.engine.empty(x.shape, op);
  if (y.size === 0) return y;
  // Four values per thread: four consecutive channels (channels last, C % 4 == 0) or four
  // values of one channel (inner % 4 == 0, e.g. NCHW with H·W % 4 == 0).
  const shared = inner % 4 === 0;
  const vec4 = (shared || (inner === 1 && channels % 4 === 0)) && vec4Safe(x, scale, shift, y);
  const threads = vec4 ? x.size / 4 : x.size;
  x.engine.dispatch({
    op,
    kernel,
    entry: vec4 ? 'scale_shift_vec4' : 'scale_shift',
    overrides: { OP: activationCode(options.activation), ...(vec4 ? { SHARED_CHANNEL: Number(shared) } : {}) },
    uniforms: { size: threads, channels: vec4 && !shared ? channels / 4 : channels, inner: vec4 && shared ? inner / 4 : inner, slope: options.slope ?? DEFAULT_LEAKY_SLOPE },
    buffers: vec4 ? { a4: x, channelScale4: scale, channelShift4: shift, y4: y } : { a: x, channelScale: scale, channelShift: shift, y },
    threads,
  });
  return y;
}

export interface AddPaddedOptions {
  activation?: Activation;
  /** Slope of leakyRelu (default DEFAULT_LEAKY_SLOPE). */
  slope?: number;
}

/**
 * y = f(a' + b') for two tensors of the same rank, where the output has the larger size along
 * each axis and a' and b' are a and b extended with zeros at the end of every axis. Covers
 * ResNet shortcuts that double the channels or lose a border row (dlib's face recognition net),
 * and with equal shapes is a plain add fused with an activation.
 */
export function addPadded(a: Tensor, b: Tensor, options: AddPaddedOptions = {}): Tensor {
  const op = 'addPadded';
  shapeCheck(a.rank === b.rank, op, `operands must have the same rank, got [${a.shape}] and [${b.shape}]`);
  shapeCheck(a.rank <= MAX_RANK, op, `at most ${MAX_RANK} dimensions, got ${a.rank}`);
  const shape = a.shape.map((d, i) => Math.max(d, b.shape[i]!));
  const strides = (s: readonly number[]) => {
    const out = Array<number>(s.length).fill(0);
    for (let i = s.length - 1, acc = 1; i >= 0; acc *= s[i]!, i--) out[i] = acc;
    return out;
  };
  const pad = (v: readonly number[]) => [...v, ...Array(MAX_RANK - v.length).fill(0)];
  const y = a.engine.empty(shape, op);
  if (y.size === 0) return y;
  if (a.shape.every((d, i) => d === b.shape[i]) && vec4Safe(a, b, y)) {
    // Equal shapes: a flat add and activation, four values per thread.
    const threads = Math.ceil(y.size / 4);
    a.engine.dispatch({
      op,
      kernel,
      entry: 'add_act_vec4',
      overrides: { OP: activationCode(options.activation) },
      uniforms: { size: threads, slope: options.slope ?? DEFAULT_LEAKY_SLOPE },
      buffers: { a4: a, b4: b, y4: y },
      threads,
    });
    return y;
  }
  a.engine.dispatch({
    op,
    kernel,
    entry: 'add_padded',
    overrides: { OP: activationCode(options.activation) },
    uniforms: {
      size: y.size, rank: shape.length, slope: options.slope ?? DEFAULT_LEAKY_SLOPE,
      outShape: pad(shape), aShape: pad(a.shape), bShape: pad(b.shape), aStrides: pad(strides(a.shape)), bStrides: pad(strides(b.shape)),
    },
    buffers: { a, b, y },
    threads: y.size,
  });
  return y;
}
