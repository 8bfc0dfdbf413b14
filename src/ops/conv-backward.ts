import gridWGSL from '../../shaders/common/grid.wgsl';
import windowWGSL from '../../shaders/common/window.wgsl';
import convBackwardWGSL from '../../shaders/conv_backward.wgsl';
import filterGradSubgroupWGSL from '../../shaders/conv_filter_grad_subgroup.wgsl';
import subgroupWGSL from '../../shaders/common/subgroup.wgsl';
import { GPUOpError, shapeCheck } from '../gpu/errors.js';
import { probedCall, registerTunable, timingInput } from '../gpu/autotune.js';
import { defineKernel } from '../gpu/kernel.js';
import { sizeOf, type Tensor } from '../gpu/tensor.js';
import activationWGSL from '../../shaders/common/activation.wgsl';
import { activationCode, DEFAULT_LEAKY_SLOPE, type Activation } from './activation.js';
import { conv } from './conv.js';
import { hasSubgroupMatmul, matmul } from './matmul.js';
import { sumAlongAxis } from './reduce.js';
import { perAxis, windowGeometry, windowOptions, windowShapeClass, windowUniforms, type Padding, type WindowGeometry } from './window.js';

const kernel = defineKernel('conv_backward', convBackwardWGSL, [activationWGSL, gridWGSL, windowWGSL]);
const filterGradSubgroupKernel = defineKernel('conv_filter_grad_subgroup', filterGradSubgroupWGSL, [gridWGSL, windowWGSL, subgroupWGSL]);

/** The forward convolution's geometry, as conv() takes it. */
export interface ConvGeometry {
  strides?: number | readonly number[];
  dilations?: number | readonly number[];
  padding?: Padding;
  groups?: number;
}

export type InputGradAlgorithm = 'matmul' | 'subgroup' | 'blocked' | 'depthwise' | 'depthwiseScalar' | 'direct';
export type FilterGradAlgorithm = 'matmul' | 'subgroup' | 'blocked' | 'depthwise';

export interface ConvInputGradOptions extends ConvGeometry {
  /** Force a kernel variant (tests); by default chosen from the shape. */
  algorithm?: InputGradAlgorithm;
}

export interface ConvFilterGradOptions extends ConvGeometry {
  /** Force a kernel variant (tests); by default chosen from the shape. */
  algorithm?: FilterGradAlgorithm;
}

/** Threads the filter gradient aims for: the reduction over pixels is split until it has them. */
const FILTER_GRAD_THREADS = 4096;
/** Subgroups the subgroup filter gradient aims for, the same way. */
const FILTER_GRAD_SUBGROUPS = 256;

interface Setup {
  g: WindowGeometry;
  rank: number;
  batch: number;
  inC: number;
  outC: number;
  groups: number;
  cinPerGroup: number;
  coutPerGroup: number;
}

/** Checks x/dy/w shapes against each other and the forward geometry. */
function setup(op: string, inputShape: readonly number[], filterShape: readonly number[], dyShape: readonly number[], o: ConvGeometry): Setup {
  const rank = inputShape.length - 2;
  shapeCheck(rank >= 1 && rank <= 3, op, `input shape must be [N, spatial (1-3 dims), C], got [${inputShape}]`);
  shapeCheck(filterShape.length === rank + 2, op, `filter must be [...kernel (${rank}), C/groups, OC] for a ${rank}-D input, got [${filterShape}]`);
  const groups = o.groups ?? 1;
  const inC = inputShape[rank + 1]!;
  const cinPerGroup = filterShape[rank]!;
  const outC = filterShape[rank + 1]!;
  shapeCheck(Number.isInteger(groups) && groups >= 1, op, `groups must be a positive integer, got ${groups}`);
  shapeCheck(inC % groups === 0 && outC % groups === 0, op, `channels in (${inC}) and out (${outC}) must divide by groups (${groups})`);
  shapeCheck(cinPerGroup * groups === inC, op, `filter [${filterShape}] expects ${cinPerGroup * groups} input channels, input [${inputShape}] has ${inC}`);
  const g = windowGeometry(op, inputShape.slice(1, 1 + rank), filterShape.slice(0, rank), o);
  const expected = [inputShape[0]!, ...g.outSize.slice(3 - rank), outC];
  shapeCheck(dyShape.join() === expected.join(), op, `dy must be [${expected}] for input [${inputShape}] and filter [${filterShape}], got [${dyShape}]`);
  return { g, rank, batch: inputShape[0]!, inC, outC, groups, cinPerGroup, coutPerGroup: outC / groups };
}

function uniforms(s: Setup, extra: { slope?: number; wBlocks?: number; parts?: number; chunk?: number } = {}) {
  return {
    batch: s.batch, inC: s.inC, outC: s.outC, cinPerGroup: s.cinPerGroup, coutPerGroup: s.coutPerGroup,
    ...extra, slope: extra.slope ?? DEFAULT_LEAKY_SLOPE, ...windowUniforms(s.g),
  };
}

const isPointwise = (s: Setup) =>
  s.groups === 1 && s.g.kernel.every((k) => k === 1) && s.g.strides.every((v) => v === 1) && s.g.padBegin.every((v) => v === 0) && s.g.padEnd.every((v) => v === 0);

interface Epilogue { bias?: Tensor; activation?: Activation; slope?: number }

/**
 * The filter gradient's reduction over `pixels` split into parts of >= 64 pixels, until `wanted`
 * units of work (threads or subgroups, `perPart` in each part) keep the device busy.
 */
function pixelChunks(pixels: number, wanted: number, perPart: number): { chunk: number; parts: number } {
  const split = Math.max(1, Math.min(Math.ceil(wanted / perPart), Math.ceil(pixels / 64)));
  const chunk = Math.max(1, Math.ceil(pixels / split));
  return { chunk, parts: Math.max(1, Math.ceil(pixels / chunk)) };
}

/** Whether dw can run on conv_filter_grad_subgroup (one group, vec4s of dy). */
const filterGradSubgroupFits = (s: Setup, engine: Tensor['engine']) => s.groups === 1 && s.outC % 4 === 0 && hasSubgroupMatmul(engine);

/** Whether dx can run as a forward convolution on conv_subgroup (stride 1, one group, as that kernel needs). */
const subgroupFits = (s: Setup, engine: Tensor['engine']) =>
  s.groups === 1 && s.inC % 4 === 0 && s.g.dilations[2] === 1 && s.g.strides.every((v) => v === 1) && hasSubgroupMatmul(engine) &&
  s.g.kernel.every((k, a) => s.g.padBegin[a]! <= (k - 1) * s.g.dilations[a]! && s.g.padEnd[a]! <= (k - 1) * s.g.dilations[a]!);

/**
 * dx of a stride-1 convolution as the forward convolution of dy with the filter flipped in space
 * and its channels swapped, padded by what the forward window leaves on the other side.
 */
function inputGradAsConv(op: string, s: Setup, dy: Tensor, w: Tensor, epi: Epilogue): Tensor {
  const engine = dy.engine;
  const axes = s.g.kernel.map((_, a) => a).slice(3 - s.rank);
  const flipped = engine.empty([...w.shape.slice(0, s.rank), s.outC, s.inC], op);
  engine.dispatch({ op, kernel, entry: 'flip_filter', uniforms: uniforms(s), buffers: { w, result: flipped }, threads: flipped.size });
  const reach = (a: number) => (s.g.kernel[a]! - 1) * s.g.dilations[a]!;
  try {
    return conv(dy, flipped, {
      padding: [...axes.map((a) => reach(a) - s.g.padBegin[a]!), ...axes.map((a) => reach(a) - s.g.padEnd[a]!)],
      dilations: axes.map((a) => s.g.dilations[a]!),
      algorithm: 'subgroup',
      bias: epi.bias, activation: epi.activation, slope: epi.slope,
    });
  } finally {
    flipped.dispose();
  }
}

/** The tuner's shape class of a gradient: as the forward conv's, over the input's pixels. */
function shapeClass(s: Setup): string {
  return windowShapeClass(s.g, s.rank, { ...s, pixels: s.batch * s.g.inSize[0] * s.g.inSize[1] * s.g.inSize[2] });
}

function tuneRequest(op: string, s: Setup, inputShape: readonly number[], filterShape: readonly number[], dyShape: readonly number[]) {
  return { op, shape: { input: [...inputShape], filter: [...filterShape], dy: [...dyShape], ...windowOptions(s.g, s.rank), groups: s.groups } };
}

// How the tuner times the gradients' variants: tensors of the request's shapes.
for (const op of ['convInputGrad', 'convFilterGrad'] as const) {
  registerTunable(op, (engine, shape) => {
    const t = shape as { input: number[]; filter: number[]; dy: number[]; strides: number[]; dilations: number[]; padding: number[]; groups: number };
    const dy = timingInput(engine, t.dy);
    const other = timingInput(engine, op === 'convInputGrad' ? t.filter : t.input);
    const geometry = { strides: t.strides, dilations: t.dilations, padding: t.padding, groups: t.groups };
    return probedCall(engine, [dy, other], (algorithm) => (op === 'convInputGrad'
      ? convInputGrad(dy, other, t.input, { ...geometry, algorithm: algorithm as InputGradAlgorithm | undefined })
      : convFilterGrad(other, dy, t.filter, { ...geometry, algorithm: algorithm as FilterGradAlgorithm | undefined })));
  });
}

/** The input gradient with an optional fused bias and activation (ConvTranspose shares it). */
function inputGrad(op: string, dy: Tensor, w: Tensor, inputShape: readonly number[], o: ConvInputGradOptions, epi: Epilogue = {}): Tensor {
  const s = setup(op, inputShape, w.shape, dy.shape, o);
  const engine = dy.engine;
  // With stride 1 on adapters with subgroups of 4 or 8, the forward's subgroup implicit GEMM on the
  // flipped filter (1.1-2.7x input_grad_blocked on lavapipe, the most on large maps); else the
  // register-blocked kernels (the direct one is for reference and tests).
  const handSet: InputGradAlgorithm = isPointwise(s) ? 'matmul' : subgroupFits(s, engine) ? 'subgroup' : s.cinPerGroup === 1 ? 'depthwise' : 'blocked';
  const eligible: InputGradAlgorithm[] = [...(isPointwise(s) ? ['matmul' as const] : []), ...(subgroupFits(s, engine) ? ['subgroup' as const] : []), ...(s.cinPerGroup === 1 ? ['depthwise' as const] : []), 'blocked'];
  const algorithm = o.algorithm ?? (engine.tuner.choose('convInputGrad', shapeClass(s), eligible, handSet, () => tuneRequest('convInputGrad', s, inputShape, w.shape, dy.shape)) as InputGradAlgorithm);
  if (algorithm === 'matmul') {
    if (!isPointwise(s)) throw new GPUOpError(op, 'the matmul path needs a 1x1 convolution with stride 1, no padding and one group');
    // dx = dy · wᵀ with dy as [pixels, OC] and w as [C, OC].
    const rows = sizeOf(dy.shape) / s.outC;
    const dy2 = dy.reshape([rows, s.outC]);
    const w2 = w.reshape([s.inC, s.outC]);
    const dx = matmul(dy2, w2, { transposeB: true, bias: epi.bias, activation: epi.activation, slope: epi.slope });
    dy2.dispose();
    w2.dispose();
    const view = dx.reshape(inputShape);
    dx.dispose();
    return view;
  }
  if (algorithm === 'subgroup') {
    if (!subgroupFits(s, engine)) throw new GPUOpError(op, `the subgroup path needs stride 1, one group, input channels divisible by 4, no horizontal dilation and subgroups of 4 or 8 (strides ${s.g.strides}, groups ${s.groups}, ${s.inC} channels, subgroups of ${engine.subgroupSize || 'none'})`);
    return inputGradAsConv(op, s, dy, w, epi);
  }
  const dx = engine.empty(inputShape, op);
  const common = {
    op,
    kernel,
    overrides: { HAS_BIAS: epi.bias ? 1 : 0, ACTIVATION: activationCode(epi.activation) },
    buffers: { dy, w, bias: epi.bias ?? engine.placeholder(), result: dx },
  };
  const [inD, inH, inW] = s.g.inSize;
  const strideW = s.g.strides[2];
  // Blocks of 4 pixels of one residue mod the stride along W.
  const wBlocks = Math.ceil(Math.ceil(inW / strideW) / 4);
  const pixelBlocks = s.batch * inD * inH * strideW * wBlocks;
  if (algorithm === 'direct') {
    engine.dispatch({ ...common, entry: 'input_grad_direct', uniforms: uniforms(s, { slope: epi.slope }), threads: dx.size });
  } else if (algorithm === 'blocked') {
    const blocks = Math.ceil(s.cinPerGroup / 8);
    const WG_BX = Math.min(8, 2 ** Math.floor(Math.log2(blocks)));
    const WG_BY = 64 / WG_BX;
    engine.dispatch({
      ...common,
      entry: 'input_grad_blocked',
      overrides: { ...common.overrides, WG_BX, WG_BY },
      uniforms: uniforms(s, { slope: epi.slope, wBlocks }),
      threads: [blocks, pixelBlocks, s.groups],
    });
  } else if (algorithm === 'depthwise' || algorithm === 'depthwiseScalar') {
    if (s.cinPerGroup !== 1) throw new GPUOpError(op, `the depthwise kernel needs one input channel per group, got ${s.cinPerGroup}`);
    const blocks = Math.ceil(s.inC / 4);
    const WG_BX = Math.min(8, 2 ** Math.floor(Math.log2(blocks)));
    const WG_BY = 64 / WG_BX;
    // Multiplier 1 and whole vec4s of channels: one vec4 load per source pixel and tap.
    const vec4 = s.coutPerGroup === 1 && s.inC % 4 === 0 && algorithm === 'depthwise';
    engine.dispatch({
      ...common,
      entry: vec4 ? 'input_grad_depthwise_vec4' : 'input_grad_depthwise',
      buffers: vec4 ? { dy4: dy, w4: w, bias: common.buffers.bias, result4: dx } : common.buffers,
      overrides: { ...common.overrides, WG_BX, WG_BY, ...(vec4 ? {} : { DEPTH_MULTIPLIER: s.coutPerGroup === 1 ? 1 : 0 }) },
      uniforms: uniforms(s, { slope: epi.slope, wBlocks }),
      threads: [blocks, pixelBlocks],
    });
  } else {
    throw new GPUOpError(op, `unknown algorithm '${algorithm}'`);
  }
  return dx;
}

/**
 * dL/dx of y = conv(x, w) (same geometry options as conv()): a transposed convolution of dy
 * [N, ...outSpatial, OC] with w [...kernel, C/groups, OC]. Returns inputShape [N, ...spatial, C].
 */
export function convInputGrad(dy: Tensor, w: Tensor, inputShape: readonly number[], options: ConvInputGradOptions = {}): Tensor {
  return inputGrad('convInputGrad', dy, w, inputShape, options);
}

/** dL/dw of y = conv(x, w) given x and dy. Returns filterShape [...kernel, C/groups, OC]. */
export function convFilterGrad(x: Tensor, dy: Tensor, filterShape: readonly number[], options: ConvFilterGradOptions = {}): Tensor {
  const op = 'convFilterGrad';
  const s = setup(op, x.shape, filterShape, dy.shape, options);
  const engine = x.engine;
  const handSet: FilterGradAlgorithm = s.cinPerGroup === 1 && s.groups > 1 ? 'depthwise' : filterGradSubgroupFits(s, engine) ? 'subgroup' : 'blocked';
  const eligible: FilterGradAlgorithm[] = [...(isPointwise(s) ? ['matmul' as const] : []), ...(filterGradSubgroupFits(s, engine) ? ['subgroup' as const] : []), ...(s.cinPerGroup === 1 && s.groups > 1 ? ['depthwise' as const] : []), 'blocked'];
  const algorithm = options.algorithm ?? (engine.tuner.choose(op, shapeClass(s), eligible, handSet, () => tuneRequest(op, s, x.shape, filterShape, dy.shape)) as FilterGradAlgorithm);
  const rows = sizeOf(dy.shape) / s.outC;
  if (algorithm === 'matmul') {
    if (!isPointwise(s)) throw new GPUOpError(op, 'the matmul path needs a 1x1 convolution with stride 1, no padding and one group');
    // dw = xᵀ · dy with x as [pixels, C] and dy as [pixels, OC].
    const x2 = x.reshape([rows, s.inC]);
    const dy2 = dy.reshape([rows, s.outC]);
    const dw = matmul(x2, dy2, { transposeA: true });
    x2.dispose();
    dy2.dispose();
    const view = dw.reshape(filterShape);
    dw.dispose();
    return view;
  }
  if (algorithm === 'subgroup') {
    if (!filterGradSubgroupFits(s, engine)) throw new GPUOpError(op, `the subgroup kernel needs one group, output channels divisible by 4 and subgroups of 4 or 8 (groups ${s.groups}, ${s.outC} channels, subgroups of ${engine.subgroupSize || 'none'})`);
    return filterGradSubgroup(op, s, x, dy, filterShape, rows);
  }
  if (algorithm === 'depthwise' && s.cinPerGroup !== 1) throw new GPUOpError(op, `the depthwise kernel needs one input channel per group, got ${s.cinPerGroup}`);
  if (algorithm !== 'blocked' && algorithm !== 'depthwise') throw new GPUOpError(op, `unknown algorithm '${algorithm}'`);
  const taps = s.g.kernel[0] * s.g.kernel[1] * s.g.kernel[2];
  const threadsPerPart = algorithm === 'depthwise'
    ? taps * Math.ceil(s.outC / 4)
    : s.groups * taps * Math.ceil(s.cinPerGroup / 4) * Math.ceil(s.coutPerGroup / 8);
  const { chunk, parts } = pixelChunks(rows, FILTER_GRAD_THREADS, threadsPerPart);
  const filterSize = sizeOf(filterShape);
  const partial = engine.empty(parts === 1 ? filterShape : [parts * filterSize], op);
  engine.dispatch({
    op,
    kernel,
    entry: algorithm === 'depthwise' ? 'filter_grad_depthwise' : 'filter_grad',
    uniforms: uniforms(s, { parts, chunk }),
    buffers: { dy, x, result: partial },
    threads: parts * threadsPerPart,
  });
  if (parts === 1) return partial;
  const dw = sumAlongAxis(op, partial, 1, parts, filterSize, 1, filterShape);
  partial.dispose();
  return dw;
}

/** dw on conv_filter_grad_subgroup: 16 filter rows x 4·SG channels per subgroup, over chunks of the pixels. */
function filterGradSubgroup(op: string, s: Setup, x: Tensor, dy: Tensor, filterShape: readonly number[], pixels: number): Tensor {
  const engine = x.engine;
  const lanes = engine.subgroupSize;
  const filterSize = sizeOf(filterShape);
  const tiles = Math.ceil(filterSize / s.outC / 16);
  const colBlocks = Math.ceil(s.outC / (4 * lanes));
  const { chunk, parts } = pixelChunks(pixels, FILTER_GRAD_SUBGROUPS, tiles * colBlocks);
  const partial = engine.empty(parts === 1 ? filterShape : [parts * filterSize], op);
  engine.dispatch({
    op,
    kernel: filterGradSubgroupKernel,
    entry: `filter_grad_sg${lanes}`,
    uniforms: { batch: s.batch, inC: s.inC, outC: s.outC, parts, chunk, ...windowUniforms(s.g) },
    buffers: { x, dy4: dy, result: partial },
    overrides: { TILES_M: Math.min(4, tiles) },
    threads: [parts * colBlocks * lanes, tiles],
  });
  if (parts === 1) return partial;
  const dw = sumAlongAxis(op, partial, 1, parts, filterSize, 1, filterShape);
  partial.dispose();
  return dw;
}

export interface ConvTransposeOptions extends ConvGeometry {
  /** Extra size at the end of each spatial axis of the output (ONNX output_padding); below the stride. */
  outputPadding?: readonly number[];
  /** Output spatial shape (or the full [N, ...spatial, OC]); pads follow from it unless given explicitly. */
  outputShape?: readonly number[];
  /** Per output channel, shape [OC]. */
  bias?: Tensor;
  activation?: Activation;
  /** Slope of leakyRelu (default DEFAULT_LEAKY_SLOPE). */
  slope?: number;
  /** Force a kernel variant (tests). */
  algorithm?: InputGradAlgorithm;
}

/**
 * Transposed convolution (ONNX ConvTranspose, tf.conv2dTranspose), channels-last: x
 * [N, ...spatial, IC], w [...kernel, OC/groups, IC] → [N, ...outSpatial, OC]. It is the input
 * gradient of the convolution with the same geometry that maps the output back to x.
 */
export function convTranspose(x: Tensor, w: Tensor, options: ConvTransposeOptions = {}): Tensor {
  const op = 'convTranspose';
  const rank = x.rank - 2;
  shapeCheck(rank >= 1 && rank <= 3, op, `input must be [N, spatial (1-3 dims), IC], got [${x.shape}]`);
  shapeCheck(w.rank === rank + 2, op, `filter must be [...kernel (${rank}), OC/groups, IC] for a ${rank}-D input, got [${w.shape}]`);
  const groups = options.groups ?? 1;
  const inC = x.shape[rank + 1]!;
  shapeCheck(w.shape[rank + 1] === inC, op, `filter [${w.shape}] expects ${w.shape[rank + 1]} input channels, input [${x.shape}] has ${inC}`);
  const outC = w.shape[rank]! * groups;
  if (options.bias) shapeCheck(options.bias.size === outC, op, `bias must have ${outC} values, got [${options.bias.shape}]`);
  const kernelSize = w.shape.slice(0, rank);
  const strides = perAxis(options.strides, rank, 1, `${op} strides`);
  const dilations = perAxis(options.dilations, rank, 1, `${op} dilations`);
  const outputPadding = options.outputPadding ?? Array(rank).fill(0);
  shapeCheck(outputPadding.length === rank, op, `outputPadding needs ${rank} values, got [${outputPadding}]`);
  const inSpatial = x.shape.slice(1, 1 + rank);
  const extent = kernelSize.map((k, i) => (k - 1) * dilations[i]! + 1);
  // Size before padding is taken off: stride·(in − 1) + extent + output padding.
  const full = inSpatial.map((n, i) => strides[i]! * (n - 1) + extent[i]! + outputPadding[i]!);
  let padding: Padding = options.padding ?? 'valid';
  let outSpatial: number[];
  if (options.outputShape) {
    const given = options.outputShape.length === rank + 2 ? options.outputShape.slice(1, 1 + rank) : [...options.outputShape];
    shapeCheck(given.length === rank, op, `outputShape needs ${rank} spatial sizes (or [N, ...spatial, OC]), got [${options.outputShape}]`);
    outSpatial = given;
    if (options.padding === undefined) {
      // ONNX: total padding follows from the requested size; the odd one goes at the end.
      const total = full.map((f, i) => Math.max(0, f - outSpatial[i]!));
      padding = [...total.map((t) => Math.floor(t / 2)), ...total.map((t) => t - Math.floor(t / 2))];
    }
  } else if (padding === 'same' || padding === 'sameLower') {
    outSpatial = inSpatial.map((n, i) => n * strides[i]! + outputPadding[i]!);
  } else if (padding === 'valid') {
    outSpatial = full;
  } else {
    shapeCheck(padding.length === 2 * rank, op, `explicit padding needs ${2 * rank} values [begin..., end...], got [${padding}]`);
    const pads = padding;
    outSpatial = full.map((f, i) => f - pads[i]! - pads[rank + i]!);
  }
  shapeCheck(outSpatial.every((v) => v > 0), op, `output size [${outSpatial}] is not positive`);
  // With output padding the matching forward conv has pads that make it cover the extra rows.
  return inputGrad(op, x, w, [x.shape[0]!, ...outSpatial, outC], { strides, dilations, padding, groups, algorithm: options.algorithm }, options);
}
