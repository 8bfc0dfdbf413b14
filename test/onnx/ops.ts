/**
 * ONNX operators mapped onto the engine. Values live on the CPU between nodes (the graphs are
 * small); each compute node uploads its inputs, runs engine ops and reads the result back.
 *
 * Layout: ONNX images are NCHW / NCDHW with weights [OC, C/groups, ...kernel]; the engine is
 * channels-last with filters [...kernel, C/groups, OC], so conv and pooling transpose on the
 * CPU before upload and after download. Batch norm runs scaleShift on the NCHW tensor
 * directly (axis 1); elementwise ops, softmax and matmul need no transpose.
 */
import type { Engine } from '../../src/gpu/engine.js';
import type { Tensor } from '../../src/gpu/tensor.js';
import { GPUOpError } from '../../src/gpu/errors.js';
import { conv, type ConvOptions } from '../../src/ops/conv.js';
import { convTranspose, type InputGradAlgorithm } from '../../src/ops/conv-backward.js';
import { leakyRelu, prelu, relu, scaleShift } from '../../src/ops/elementwise.js';
import { matmul } from '../../src/ops/matmul.js';
import { softmax } from '../../src/ops/normalize.js';
import { avgPool, globalAvgPool, globalMaxPool, maxPool } from '../../src/ops/pool.js';
import type { Padding } from '../../src/ops/window.js';
import { FLOAT, INT64, NotClaimed, type Attribute, type OnnxNode, type OnnxTensor } from './onnx.js';

export type F32 = OnnxTensor & { dataType: typeof FLOAT };
export type I64 = OnnxTensor & { dataType: typeof INT64 };

export type ConvAlgorithm = NonNullable<ConvOptions['algorithm']> | InputGradAlgorithm;
/** Conv kernel variants forced in turn on every case with a Conv node (besides the automatic choice). */
export const CONV_ALGORITHMS: readonly NonNullable<ConvOptions['algorithm']>[] = ['gemm', 'direct', 'blocked', 'depthwise'];
/** ConvTranspose (input-gradient) kernel variants, forced likewise on cases with a ConvTranspose node. */
export const CONV_TRANSPOSE_ALGORITHMS: readonly InputGradAlgorithm[] = ['direct', 'blocked', 'depthwise', 'matmul'];

export interface OpContext {
  engine: Engine;
  /** Opset of the default ONNX domain. */
  opset: number;
  /** Force this conv kernel; undefined lets the engine choose. */
  convAlgorithm?: ConvAlgorithm;
}

/** A forced conv kernel refused the shape when called: that variant does not apply to the case. */
export class NotApplicable extends Error {
  override name = 'NotApplicable';
}

type Handler = (ctx: OpContext, node: OnnxNode, inputs: (OnnxTensor | undefined)[]) => Promise<OnnxTensor[]>;

const size = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

export const f32 = (dims: number[], data: Float32Array, name = ''): F32 => ({ name, dims, dataType: FLOAT, data });

// ---- layout helpers -------------------------------------------------------------------------

/** out[j...] = x[i...] where out axis k is input axis perm[k]. */
export function permute(data: Float32Array, dims: readonly number[], perm: readonly number[]): { data: Float32Array; dims: number[] } {
  const rank = dims.length;
  const outDims = perm.map((p) => dims[p]!);
  const inStrides = Array<number>(rank);
  for (let i = rank - 1, s = 1; i >= 0; i--) {
    inStrides[i] = s;
    s *= dims[i]!;
  }
  const strides = perm.map((p) => inStrides[p]!);
  const out = new Float32Array(data.length);
  const idx = Array<number>(rank).fill(0);
  let src = 0;
  for (let o = 0; o < out.length; o++) {
    out[o] = data[src]!;
    // Odometer over the output index, tracking the source offset.
    for (let k = rank - 1; k >= 0; k--) {
      idx[k]!++;
      src += strides[k]!;
      if (idx[k]! < outDims[k]!) break;
      src -= strides[k]! * outDims[k]!;
      idx[k] = 0;
    }
  }
  return { data: out, dims: outDims };
}

/** [N, C, ...S] → [N, ...S, C]. */
function toChannelsLast(t: F32): { data: Float32Array; dims: number[] } {
  const r = t.dims.length;
  return permute(t.data, t.dims, [0, ...Array.from({ length: r - 2 }, (_, i) => i + 2), 1]);
}

/** [N, ...S, C] → [N, C, ...S]. */
function toChannelsFirst(data: Float32Array, dims: readonly number[]): F32 {
  const r = dims.length;
  const p = permute(data, dims, [0, r - 1, ...Array.from({ length: r - 2 }, (_, i) => i + 1)]);
  return f32(p.dims, p.data);
}

// ---- attributes -----------------------------------------------------------------------------

function attrInt(node: OnnxNode, name: string, fallback: number): number {
  return node.attributes.get(name)?.i ?? fallback;
}
function attrFloat(node: OnnxNode, name: string, fallback: number): number {
  return node.attributes.get(name)?.f ?? fallback;
}
function attrInts(node: OnnxNode, name: string): number[] | undefined {
  const a: Attribute | undefined = node.attributes.get(name);
  return a ? a.ints : undefined;
}
function attrString(node: OnnxNode, name: string, fallback: string): string {
  return node.attributes.get(name)?.s ?? fallback;
}

function needF32(node: OnnxNode, inputs: (OnnxTensor | undefined)[], i: number, what: string): F32 {
  const t = inputs[i];
  if (!t) throw new Error(`${node.opType}: missing input ${i} (${what})`);
  if (t.dataType !== FLOAT) throw new NotClaimed(`${node.opType}: ${what} of dtype ${t.dataType} not claimed`);
  return t as F32;
}
function optF32(node: OnnxNode, inputs: (OnnxTensor | undefined)[], i: number, what: string): F32 | undefined {
  return inputs[i] ? needF32(node, inputs, i, what) : undefined;
}

/** ONNX auto_pad / pads → engine padding. ONNX pads are [x1_begin, x2_begin, ..., x1_end, ...], as the engine's. */
function padding(node: OnnxNode, rank: number): Padding {
  const autoPad = attrString(node, 'auto_pad', 'NOTSET');
  switch (autoPad) {
    case 'NOTSET':
    case '':
      return attrInts(node, 'pads') ?? Array(2 * rank).fill(0);
    case 'VALID':
      return 'valid';
    case 'SAME_UPPER':
      return 'same';
    case 'SAME_LOWER':
      return 'sameLower';
    default:
      throw new Error(`${node.opType}: unknown auto_pad '${autoPad}'`);
  }
}

async function readBack(y: Tensor): Promise<{ data: Float32Array; dims: number[] }> {
  return { data: await y.read(), dims: [...y.shape] };
}

// ---- operators ------------------------------------------------------------------------------

const Conv: Handler = async ({ engine, convAlgorithm }, node, inputs) => {
  if (convAlgorithm && !(CONV_ALGORITHMS as readonly string[]).includes(convAlgorithm)) throw new NotApplicable(`'${convAlgorithm}' is not a Conv kernel`);
  const x = needF32(node, inputs, 0, 'X');
  const w = needF32(node, inputs, 1, 'W');
  const b = optF32(node, inputs, 2, 'B');
  const rank = x.dims.length - 2;
  if (w.dims.length !== rank + 2) throw new Error(`Conv: W [${w.dims}] does not match X [${x.dims}]`);
  const kernel = w.dims.slice(2);
  const kernelShape = attrInts(node, 'kernel_shape');
  if (kernelShape && kernelShape.join() !== kernel.join()) throw new Error(`Conv: kernel_shape [${kernelShape}] differs from W [${w.dims}]`);
  const xl = toChannelsLast(x);
  // [OC, C/g, ...k] → [...k, C/g, OC]
  const wl = permute(w.data, w.dims, [...Array.from({ length: rank }, (_, i) => i + 2), 1, 0]);
  const y = await engine.scope(async () => {
    const options: ConvOptions = {
      strides: attrInts(node, 'strides') ?? 1,
      dilations: attrInts(node, 'dilations') ?? 1,
      padding: padding(node, rank),
      groups: attrInt(node, 'group', 1),
      bias: b ? engine.tensor([b.data.length], b.data, 'B') : undefined,
      algorithm: convAlgorithm as ConvOptions['algorithm'],
    };
    const tx = engine.tensor(xl.dims, xl.data, 'X');
    const tw = engine.tensor(wl.dims, wl.data, 'W');
    let t: Tensor;
    try {
      t = conv(tx, tw, options);
    } catch (e) {
      // Only a forced kernel may decline a shape (e.g. blocked needs OC/groups divisible by 8).
      if (convAlgorithm && e instanceof GPUOpError) throw new NotApplicable(e.message);
      throw e;
    }
    return readBack(t);
  });
  return [toChannelsFirst(y.data, y.dims)];
};

/**
 * ONNX ConvTranspose: X [N, C, ...S], W [C, OC/group, ...k] → the engine's channels-last
 * x [N, ...S, C] and w [...k, OC/group, C]. output_shape (spatial sizes) sets the pads unless
 * auto_pad does; SAME_UPPER/SAME_LOWER give output = input x stride.
 */
const ConvTranspose: Handler = async ({ engine, convAlgorithm }, node, inputs) => {
  if (convAlgorithm && !(CONV_TRANSPOSE_ALGORITHMS as readonly string[]).includes(convAlgorithm)) throw new NotApplicable(`'${convAlgorithm}' is not a ConvTranspose kernel`);
  const x = needF32(node, inputs, 0, 'X');
  const w = needF32(node, inputs, 1, 'W');
  const b = optF32(node, inputs, 2, 'B');
  const rank = x.dims.length - 2;
  if (w.dims.length !== rank + 2) throw new Error(`ConvTranspose: W [${w.dims}] does not match X [${x.dims}]`);
  const kernelShape = attrInts(node, 'kernel_shape');
  if (kernelShape && kernelShape.join() !== w.dims.slice(2).join()) throw new Error(`ConvTranspose: kernel_shape [${kernelShape}] differs from W [${w.dims}]`);
  const xl = toChannelsLast(x);
  // [C, OC/g, ...k] → [...k, OC/g, C]
  const wl = permute(w.data, w.dims, [...Array.from({ length: rank }, (_, i) => i + 2), 1, 0]);
  const outputShape = attrInts(node, 'output_shape');
  const autoPad = attrString(node, 'auto_pad', 'NOTSET');
  const y = await engine.scope(async () => {
    let t: Tensor;
    try {
      t = convTranspose(engine.tensor(xl.dims, xl.data, 'X'), engine.tensor(wl.dims, wl.data, 'W'), {
        strides: attrInts(node, 'strides') ?? 1,
        dilations: attrInts(node, 'dilations') ?? 1,
        groups: attrInt(node, 'group', 1),
        // With output_shape and no auto_pad the pads follow from the shape.
        padding: outputShape && (autoPad === 'NOTSET' || autoPad === '') ? undefined : padding(node, rank),
        outputPadding: attrInts(node, 'output_padding'),
        outputShape: outputShape ? outputShape.slice(-rank) : undefined,
        bias: b ? engine.tensor([b.data.length], b.data, 'B') : undefined,
        algorithm: convAlgorithm as InputGradAlgorithm | undefined,
      });
    } catch (e) {
      if (convAlgorithm && e instanceof GPUOpError) throw new NotApplicable(e.message);
      throw e;
    }
    return readBack(t);
  });
  return [toChannelsFirst(y.data, y.dims)];
};

function poolHandler(kind: 'max' | 'avg'): Handler {
  return async ({ engine }, node, inputs) => {
    const x = needF32(node, inputs, 0, 'X');
    const rank = x.dims.length - 2;
    if (node.outputs.filter(Boolean).length > 1) throw new NotClaimed('MaxPool second output Indices not claimed');
    const kernel = attrInts(node, 'kernel_shape');
    if (!kernel) throw new Error(`${node.opType}: kernel_shape is required`);
    const xl = toChannelsLast(x);
    const y = await engine.scope(async () => {
      const t = engine.tensor(xl.dims, xl.data, 'X');
      const opts = {
        kernel,
        // ONNX strides default to 1 (the engine's to the window size).
        strides: attrInts(node, 'strides') ?? 1,
        dilations: attrInts(node, 'dilations') ?? 1,
        padding: padding(node, rank),
        ceilMode: attrInt(node, 'ceil_mode', 0) !== 0,
        countIncludePad: attrInt(node, 'count_include_pad', 0) !== 0,
      };
      return readBack(kind === 'max' ? maxPool(t, opts) : avgPool(t, opts));
    });
    return [toChannelsFirst(y.data, y.dims)];
  };
}

function globalPoolHandler(kind: 'max' | 'avg'): Handler {
  return async ({ engine }, node, inputs) => {
    const x = needF32(node, inputs, 0, 'X');
    const xl = toChannelsLast(x);
    const y = await engine.scope(async () => {
      const t = engine.tensor(xl.dims, xl.data, 'X');
      return readBack(kind === 'max' ? globalMaxPool(t) : globalAvgPool(t));
    });
    return [toChannelsFirst(y.data, y.dims)];
  };
}

/** A GPU op on one tensor that keeps the ONNX layout. */
async function onGPU(engine: Engine, inputs: F32[], f: (...t: Tensor[]) => Tensor, outDims?: number[]): Promise<F32> {
  const y = await engine.scope(async () => readBack(f(...inputs.map((t, i) => engine.tensor(t.dims, t.data, `input ${i}`)))));
  return f32(outDims ?? y.dims, y.data);
}

const Relu: Handler = async ({ engine }, node, inputs) => [await onGPU(engine, [needF32(node, inputs, 0, 'X')], relu)];

const LeakyRelu: Handler = async ({ engine }, node, inputs) => {
  const alpha = attrFloat(node, 'alpha', 0.01);
  return [await onGPU(engine, [needF32(node, inputs, 0, 'X')], (x) => leakyRelu(x, alpha))];
};

const PRelu: Handler = async ({ engine, opset }, node, inputs) => {
  const x = needF32(node, inputs, 0, 'X');
  let slope = needF32(node, inputs, 1, 'slope');
  // Before opset 7 a 1-D slope of C values applies along the channel axis 1.
  if (opset < 7 && slope.dims.length === 1 && slope.data.length > 1 && x.dims.length > 2) {
    slope = f32([slope.data.length, ...Array(x.dims.length - 2).fill(1)], slope.data);
  }
  return [await onGPU(engine, [x, slope], prelu)];
};

const Gemm: Handler = async ({ engine }, node, inputs) => {
  const a = needF32(node, inputs, 0, 'A');
  const b = needF32(node, inputs, 1, 'B');
  const c = optF32(node, inputs, 2, 'C');
  if (a.dims.length !== 2 || b.dims.length !== 2) throw new Error(`Gemm: A [${a.dims}] and B [${b.dims}] must be 2-D`);
  const list = c ? [a, b, c] : [a, b];
  return [await onGPU(engine, list, (ta, tb, tc) => matmul(ta!, tb!, {
    transposeA: attrInt(node, 'transA', 0) !== 0,
    transposeB: attrInt(node, 'transB', 0) !== 0,
    scale: attrFloat(node, 'alpha', 1),
    biasScale: attrFloat(node, 'beta', 1),
    bias: tc,
  }))];
};

/** numpy.matmul: 1-D operands are promoted and the added axis removed; batch axes broadcast. */
const MatMul: Handler = async ({ engine }, node, inputs) => {
  const a = needF32(node, inputs, 0, 'A');
  const b = needF32(node, inputs, 1, 'B');
  if (!a.dims.length || !b.dims.length) throw new Error('MatMul: scalar operands are not allowed');
  const aDims = a.dims.length === 1 ? [1, a.dims[0]!] : a.dims;
  const bDims = b.dims.length === 1 ? [b.dims[0]!, 1] : b.dims;
  const batchA = aDims.slice(0, -2);
  const batchB = bDims.slice(0, -2);
  // Broadcast batch shape (numpy rules).
  const rank = Math.max(batchA.length, batchB.length);
  const pa = [...Array(rank - batchA.length).fill(1), ...batchA];
  const pb = [...Array(rank - batchB.length).fill(1), ...batchB];
  const batch = pa.map((d, i) => {
    const e = pb[i]!;
    if (d !== e && d !== 1 && e !== 1) throw new Error(`MatMul: batch dims [${batchA}] and [${batchB}] do not broadcast`);
    return Math.max(d, e);
  });
  // The engine shares an operand without batch (or with a batch of one) across the other's
  // batch, or pairs equal batches; anything else needs a general broadcast it does not have.
  const same = pa.every((d, i) => d === pb[i]);
  if (!same && size(batchA) !== 1 && size(batchB) !== 1) {
    throw new Error(`MatMul: batch dims [${batchA}] x [${batchB}] need a general N-D broadcast, which engine matmul lacks`);
  }
  const M = aDims[aDims.length - 2]!;
  const N = bDims[bDims.length - 1]!;
  const outDims = [...batch, ...(a.dims.length === 1 ? [] : [M]), ...(b.dims.length === 1 ? [] : [N])];
  const A = f32(same ? pa.concat(aDims.slice(-2)) : size(batchA) === 1 ? aDims.slice(-2) : aDims, a.data);
  const B = f32(same ? pb.concat(bDims.slice(-2)) : size(batchB) === 1 ? bDims.slice(-2) : bDims, b.data);
  return [await onGPU(engine, [A, B], (ta, tb) => matmul(ta!, tb!), outDims)];
};

const Softmax: Handler = async ({ engine, opset }, node, inputs) => {
  const x = needF32(node, inputs, 0, 'X');
  const r = x.dims.length;
  if (opset >= 13) {
    const axis = attrInt(node, 'axis', -1);
    return [await onGPU(engine, [x], (t) => softmax(t, axis))];
  }
  // Opset < 13: coerce to 2-D [prod(dims[:axis]), prod(dims[axis:])] and normalise each row.
  let axis = attrInt(node, 'axis', 1);
  if (axis < 0) axis += r;
  if (axis < 0 || axis > r) throw new Error(`Softmax: axis ${attrInt(node, 'axis', 1)} out of range for [${x.dims}]`);
  const view = f32([size(x.dims.slice(0, axis)), size(x.dims.slice(axis))], x.data);
  return [await onGPU(engine, [view], (t) => softmax(t, -1), [...x.dims])];
};

const BatchNormalization: Handler = async ({ engine }, node, inputs) => {
  if (attrInt(node, 'training_mode', 0) !== 0 || node.outputs.filter(Boolean).length > 1) {
    throw new NotClaimed('BatchNormalization training mode not claimed');
  }
  if (attrInt(node, 'spatial', 1) !== 1) throw new NotClaimed('BatchNormalization spatial=0 not claimed');
  const x = needF32(node, inputs, 0, 'X');
  const scale = needF32(node, inputs, 1, 'scale');
  const bias = needF32(node, inputs, 2, 'B');
  const mean = needF32(node, inputs, 3, 'mean');
  const variance = needF32(node, inputs, 4, 'var');
  const epsilon = attrFloat(node, 'epsilon', 1e-5);
  const C = x.dims[1] ?? 1;
  for (const [what, t] of [['scale', scale], ['B', bias], ['mean', mean], ['var', variance]] as const) {
    if (t.data.length !== C) throw new Error(`BatchNormalization: ${what} has ${t.data.length} values, X [${x.dims}] has ${C} channels`);
  }
  // Fold on the CPU (in double): y = x * s + (B - mean * s), s = scale / sqrt(var + epsilon).
  const s = new Float32Array(C);
  const shift = new Float32Array(C);
  for (let c = 0; c < C; c++) {
    const k = scale.data[c]! / Math.sqrt(variance.data[c]! + epsilon);
    s[c] = k;
    shift[c] = bias.data[c]! - mean.data[c]! * k;
  }
  return [await onGPU(engine, [x, f32([C], s), f32([C], shift)], (t, ts, tb) => scaleShift(t, ts!, tb!, { axis: 1 }))];
};

// ---- shape ops, on the CPU ------------------------------------------------------------------

const Identity: Handler = async (_ctx, _node, inputs) => {
  if (!inputs[0]) throw new Error('Identity: missing input');
  return [inputs[0]];
};

const Flatten: Handler = async (_ctx, node, inputs) => {
  const x = inputs[0];
  if (!x) throw new Error('Flatten: missing input');
  let axis = attrInt(node, 'axis', 1);
  if (axis < 0) axis += x.dims.length;
  return [{ ...x, dims: [size(x.dims.slice(0, axis)), size(x.dims.slice(axis))] }];
};

const Reshape: Handler = async ({ opset }, node, inputs) => {
  const x = inputs[0];
  if (!x) throw new Error('Reshape: missing input');
  let target: number[];
  if (opset < 5) target = attrInts(node, 'shape') ?? [];
  else {
    const s = inputs[1];
    if (!s || s.dataType !== INT64) throw new Error('Reshape: shape must be an int64 tensor');
    target = s.data as number[];
  }
  const allowZero = attrInt(node, 'allowzero', 0) !== 0;
  const dims = target.map((d, i) => (d === 0 && !allowZero ? x.dims[i]! : d));
  const known = size(dims.filter((d) => d !== -1));
  const resolved = dims.map((d) => (d === -1 ? size(x.dims) / known : d));
  if (size(resolved) !== size(x.dims) || !resolved.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new Error(`Reshape: cannot view [${x.dims}] as [${target}]`);
  }
  return [{ ...x, dims: resolved }];
};

/** Compute ops the engine claims; a conformance case is in scope when it uses one of them. */
export const COMPUTE_OPS: Record<string, Handler> = {
  Conv,
  ConvTranspose,
  MaxPool: poolHandler('max'),
  AveragePool: poolHandler('avg'),
  GlobalAveragePool: globalPoolHandler('avg'),
  GlobalMaxPool: globalPoolHandler('max'),
  Relu,
  LeakyRelu,
  PRelu,
  Gemm,
  MatMul,
  Softmax,
  BatchNormalization,
};

/** Plain shape ops run on the CPU when a case needs them. */
export const SHAPE_OPS: Record<string, Handler> = { Identity, Flatten, Reshape };

export const HANDLERS: Record<string, Handler> = { ...COMPUTE_OPS, ...SHAPE_OPS };

export async function runNode(ctx: OpContext, node: OnnxNode, inputs: (OnnxTensor | undefined)[]): Promise<OnnxTensor[]> {
  const handler = node.domain === '' || node.domain === 'ai.onnx' ? HANDLERS[node.opType] : undefined;
  if (!handler) throw new NotClaimed(`${node.domain ? `${node.domain}.` : ''}${node.opType} not claimed`);
  return handler(ctx, node, inputs);
}
