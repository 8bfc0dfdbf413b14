import elementwiseWGSL from '../../shaders/elementwise.wgsl';
import { ShapeError, shapeCheck } from '../gpu/errors.js';
import { defineKernel } from '../gpu/kernel.js';
import type { Tensor } from '../gpu/tensor.js';
import { activationCode, type Activation } from './activation.js';
import { flatWorkgroups } from './flat.js';

const kernel = defineKernel('elementwise', elementwiseWGSL);
const MAX_RANK = 8;

function baseUniforms(size: number) {
  const zeros = Array(MAX_RANK).fill(0);
  return { size, rank: 0, channels: 1, inner: 1, alpha: 0, beta: 0, outShape: zeros, aStrides: zeros, bStrides: zeros, aShape: zeros, bShape: zeros };
}

/** y = f(x) for an activation; 'none' with alpha/beta set gives the affine map alpha * x + beta. */
export function unary(x: Tensor, activation: Activation | 'affine', options: { alpha?: number; beta?: number } = {}): Tensor {
  const y = x.engine.empty(x.shape, activation);
  x.engine.dispatch({
    op: activation,
    kernel,
    entry: 'unary',
    overrides: { OP: activation === 'affine' ? 7 : activationCode(activation) },
    uniforms: { ...baseUniforms(x.size), alpha: options.alpha ?? (activation === 'leakyRelu' ? 0.01 : 1), beta: options.beta ?? 0 },
    buffers: { a: x, y },
    workgroups: flatWorkgroups(x.size),
  });
  return y;
}

export const relu = (x: Tensor) => unary(x, 'relu');
export const relu6 = (x: Tensor) => unary(x, 'relu6');
export const sigmoid = (x: Tensor) => unary(x, 'sigmoid');
export const tanh = (x: Tensor) => unary(x, 'tanh');
export const hardSwish = (x: Tensor) => unary(x, 'hardSwish');
export const leakyRelu = (x: Tensor, alpha = 0.01) => unary(x, 'leakyRelu', { alpha });

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

const BINARY_CODES = { add: 0, sub: 1, mul: 2, div: 3, max: 4, min: 5, prelu: 6 } as const;
export type BinaryOp = keyof typeof BINARY_CODES;

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

/** y = a (op) b with broadcasting. prelu: a where a >= 0, else a * slope b. */
export function binary(op: BinaryOp, a: Tensor, b: Tensor): Tensor {
  const { shape, aStrides, bStrides } = broadcastShapes(op, a.shape, b.shape);
  const y = a.engine.empty(shape, op);
  const pad = (v: number[]) => [...v, ...Array(MAX_RANK - v.length).fill(0)];
  const flat = collapseAxes(shape, aStrides, bStrides);
  a.engine.dispatch({
    op,
    kernel,
    entry: 'binary',
    overrides: { OP: BINARY_CODES[op] },
    uniforms: { ...baseUniforms(y.size), rank: flat.shape.length, outShape: pad(flat.shape), aStrides: pad(flat.aStrides), bStrides: pad(flat.bStrides) },
    buffers: { a, b, y },
    workgroups: flatWorkgroups(y.size),
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
  alpha?: number;
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
  x.engine.dispatch({
    op,
    kernel,
    entry: 'scale_shift',
    overrides: { OP: activationCode(options.activation) },
    uniforms: { ...baseUniforms(x.size), channels, inner, alpha: options.alpha ?? 0.01 },
    buffers: { a: x, b: scale, c: shift, y },
    workgroups: flatWorkgroups(x.size),
  });
  return y;
}

export interface AddPaddedOptions {
  activation?: Activation;
  /** Slope of leakyRelu. */
  alpha?: number;
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
  a.engine.dispatch({
    op,
    kernel,
    entry: 'add_padded',
    overrides: { OP: activationCode(options.activation) },
    uniforms: {
      ...baseUniforms(y.size), rank: shape.length, alpha: options.alpha ?? 0.01,
      outShape: pad(shape), aShape: pad(a.shape), bShape: pad(b.shape), aStrides: pad(strides(a.shape)), bStrides: pad(strides(b.shape)),
    },
    buffers: { a, b, y },
    workgroups: flatWorkgroups(y.size),
  });
  return y;
}
