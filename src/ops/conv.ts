import gridWGSL from '../../shaders/common/grid.wgsl';
import windowWGSL from '../../shaders/common/window.wgsl';
import convCommonWGSL from '../../shaders/common/conv.wgsl';
import convWGSL from '../../shaders/conv.wgsl';
import convSubgroupWGSL from '../../shaders/conv_subgroup.wgsl';
import subgroupWGSL from '../../shaders/common/subgroup.wgsl';
import { GPUOpError, shapeCheck } from '../gpu/errors.js';
import { probedCall, registerTunable, timingInput } from '../gpu/autotune.js';
import { defineKernel } from '../gpu/kernel.js';
import type { Tensor } from '../gpu/tensor.js';
import activationWGSL from '../../shaders/common/activation.wgsl';
import { activationCode, DEFAULT_LEAKY_SLOPE, type Activation } from './activation.js';
import { hasSubgroupMatmul, matmul } from './matmul.js';
import { windowGeometry, windowOptions, windowOutputShape, windowShapeClass, windowUniforms, type Padding } from './window.js';

const kernel = defineKernel('conv', convWGSL, [activationWGSL, gridWGSL, windowWGSL, convCommonWGSL]);
const subgroupKernel = defineKernel('conv_subgroup', convSubgroupWGSL, [activationWGSL, gridWGSL, windowWGSL, convCommonWGSL, subgroupWGSL]);

export interface ConvOptions {
  strides?: number | readonly number[];
  dilations?: number | readonly number[];
  /** 'valid', 'same' (TensorFlow), 'sameLower' (ONNX) or explicit [begin..., end...]. */
  padding?: Padding;
  groups?: number;
  /** Per output channel, shape [OC]. */
  bias?: Tensor;
  activation?: Activation;
  /** Slope of leakyRelu (default DEFAULT_LEAKY_SLOPE). */
  slope?: number;
  /** Force a kernel variant (tests); by default chosen from the shape. */
  algorithm?: ConvAlgorithm;
}

export type ConvAlgorithm = 'gemm' | 'direct' | 'blocked' | 'subgroup' | 'depthwise' | 'depthwiseScalar' | 'matmul';

/** The kernels that can run a convolution of this kind, for the tuner to time. */
function convVariants(c: { pointwise: boolean; subgroupFits: boolean; outC: number; coutPerGroup: number; cinPerGroup: number }): ConvAlgorithm[] {
  const list: ConvAlgorithm[] = [];
  if (c.pointwise && c.outC % 8 === 0) list.push('matmul');
  if (c.subgroupFits) list.push('subgroup');
  if (c.coutPerGroup % 8 === 0) list.push('blocked');
  if (c.cinPerGroup === 1) list.push('depthwise');
  // The others would be timed for nothing where a register-blocked kernel applies: 2-15x slower.
  if (list.length === 0 || c.coutPerGroup >= 16) list.push('gemm');
  if (list.length === 0 || c.coutPerGroup < 16) list.push('direct');
  return list;
}

// How the tuner times conv's variants: inputs of the request's shapes.
registerTunable('conv', (engine, shape) => {
  const s = shape as { input: number[]; filter: number[]; strides: number[]; dilations: number[]; padding: number[]; groups: number };
  const x = timingInput(engine, s.input);
  const w = timingInput(engine, s.filter);
  const geometry = { strides: s.strides, dilations: s.dilations, padding: s.padding, groups: s.groups };
  return probedCall(engine, [x, w], (variant) => conv(x, w, { ...geometry, algorithm: variant as ConvAlgorithm | undefined }));
});

/**
 * N-D convolution (1-D, 2-D or 3-D) of channels-last input x [N, ...spatial, C] with filters
 * w [...kernel, C / groups, OC]. Returns [N, ...outSpatial, OC].
 */
export function conv(x: Tensor, w: Tensor, options: ConvOptions = {}): Tensor {
  const op = 'conv';
  const rank = x.rank - 2;
  shapeCheck(rank >= 1 && rank <= 3, op, `input must be [N, spatial (1-3 dims), C], got [${x.shape}]`);
  shapeCheck(w.rank === rank + 2, op, `filter must be [...kernel (${rank}), C/groups, OC] for a ${rank}-D input, got [${w.shape}]`);
  const groups = options.groups ?? 1;
  const inC = x.shape[x.rank - 1]!;
  const cinPerGroup = w.shape[rank]!;
  const outC = w.shape[rank + 1]!;
  shapeCheck(Number.isInteger(groups) && groups >= 1, op, `groups must be a positive integer, got ${groups}`);
  shapeCheck(inC % groups === 0 && outC % groups === 0, op, `channels in (${inC}) and out (${outC}) must divide by groups (${groups})`);
  shapeCheck(cinPerGroup * groups === inC, op, `filter expects ${cinPerGroup * groups} input channels (${cinPerGroup} per group x ${groups} groups), input has ${inC}`);
  if (options.bias) shapeCheck(options.bias.size === outC, op, `bias must have ${outC} values, got [${options.bias.shape}]`);

  const g = windowGeometry(op, x.shape.slice(1, 1 + rank), w.shape.slice(0, rank), options);
  const batch = x.shape[0]!;
  const coutPerGroup = outC / groups;
  const pointwise = groups === 1 && g.kernel.every((k) => k === 1) && g.strides.every((v) => v === 1) &&
    g.padBegin.every((v) => v === 0) && g.padEnd.every((v) => v === 0);
  // A 1x1 convolution is the product [pixels, C]·[C, OC]: matmul_blocked8 runs it 1.3-2x faster
  // than conv_blocked on CPU Vulkan. Otherwise, on adapters with subgroups of 4 or 8 (CPU
  // drivers), the subgroup implicit GEMM (1-2.4x conv_blocked on lavapipe over the face ResNet's
  // and the style network's shapes); else the register-blocked kernel where it applies (2-4x
  // conv_gemm on CPU Vulkan); one input channel per group (depthwise) takes its own
  // register-blocked kernel; other groups with few channels the direct one.
  const subgroupFits = groups === 1 && outC % 4 === 0 && g.dilations[2] === 1 && hasSubgroupMatmul(x.engine);
  const handSet = pointwise && outC % 8 === 0 ? 'matmul' : subgroupFits ? 'subgroup' : coutPerGroup % 8 === 0 ? 'blocked' : cinPerGroup === 1 ? 'depthwise' : coutPerGroup >= 16 ? 'gemm' : 'direct';
  const rows = batch * g.outSize[0] * g.outSize[1] * g.outSize[2];
  const algorithm = options.algorithm ?? (x.engine.tuner.choose(
    op,
    windowShapeClass(g, rank, { groups, cinPerGroup, inC, outC, pixels: rows }),
    convVariants({ pointwise, subgroupFits, outC, coutPerGroup, cinPerGroup }),
    handSet,
    () => ({ op, shape: { input: x.shape, filter: w.shape, ...windowOptions(g, rank), groups } }),
  ) as ConvAlgorithm);
  if (algorithm === 'matmul') {
    if (!pointwise) throw new GPUOpError(op, 'the matmul path needs a 1x1 convolution with stride 1, no padding and one group');
    const x2 = x.reshape([x.size / inC, inC]);
    const w2 = w.reshape([inC, outC]);
    const b1 = options.bias?.reshape([outC]);
    const y2 = matmul(x2, w2, { bias: b1, activation: options.activation, slope: options.slope });
    const y = y2.reshape(windowOutputShape(g, batch, rank, outC));
    for (const t of [x2, w2, b1, y2]) t?.dispose();
    return y;
  }
  const y = x.engine.empty(windowOutputShape(g, batch, rank, outC), op);
  const common = {
    op,
    kernel,
    uniforms: { batch, inC, outC, cinPerGroup, coutPerGroup, slope: options.slope ?? DEFAULT_LEAKY_SLOPE, ...windowUniforms(g) },
    buffers: { x, w, bias: options.bias ?? x.engine.placeholder(), y },
  };
  const fused = { HAS_BIAS: options.bias ? 1 : 0, ACTIVATION: activationCode(options.activation) };
  if (algorithm === 'gemm') {
    const WG_N = coutPerGroup <= 32 ? 8 : 16;
    const WG_M = 16;
    x.engine.dispatch({
      ...common,
      entry: 'conv_gemm',
      overrides: { ...fused, WG_M, WG_N, TK: 16 },
      threads: [Math.ceil(coutPerGroup / 4), Math.ceil(rows / 4), groups],
    });
  } else if (algorithm === 'blocked') {
    if (coutPerGroup % 8 !== 0) throw new GPUOpError(op, `the blocked kernel needs output channels per group divisible by 8, got ${coutPerGroup}`);
    // 64 threads; as many across channels (8 each) as there are, the rest along pixels (4 each).
    const WG_BX = Math.min(8, 2 ** Math.floor(Math.log2(coutPerGroup / 8)));
    const WG_BY = 64 / WG_BX;
    x.engine.dispatch({
      ...common,
      entry: 'conv_blocked',
      overrides: { ...fused, WG_BX, WG_BY, FLAT_TAPS: groups === 1 && g.dilations[2] === 1 && inC < 16 ? 1 : 0 },
      threads: [Math.ceil(coutPerGroup / 8), Math.ceil(rows / 4), groups],
    });
  } else if (algorithm === 'subgroup') {
    if (groups !== 1 || outC % 4 !== 0 || g.dilations[2] !== 1) throw new GPUOpError(op, `the subgroup kernel needs one group, output channels divisible by 4 and no horizontal dilation (groups ${groups}, ${outC} channels, dilation ${g.dilations[2]})`);
    if (!hasSubgroupMatmul(x.engine)) throw new GPUOpError(op, `the subgroup kernel needs subgroups of size 4 or 8 (this device: ${x.engine.subgroupSize || 'none'})`);
    // One subgroup per 16 pixels and 4 channels per lane, up to 4 subgroups stacked in a workgroup.
    const lanes = x.engine.subgroupSize;
    const tiles = Math.ceil(rows / 16);
    x.engine.dispatch({
      ...common,
      kernel: subgroupKernel,
      entry: `conv_sg${lanes}`,
      buffers: { x, w4: w, bias: common.buffers.bias, y },
      overrides: { ...fused, TILES_M: Math.min(4, tiles) },
      threads: [Math.ceil(outC / (4 * lanes)) * lanes, tiles],
    });
  } else if (algorithm === 'depthwise' || algorithm === 'depthwiseScalar') {
    if (cinPerGroup !== 1) throw new GPUOpError(op, `the depthwise kernel needs one input channel per group, got ${cinPerGroup}`);
    // 64 threads: up to 8 across blocks of 4 channels, the rest across blocks of 4 pixels along W.
    const WG_BX = Math.min(8, 2 ** Math.floor(Math.log2(Math.ceil(outC / 4))));
    const WG_BY = 64 / WG_BX;
    const pixelBlocks = batch * g.outSize[0] * g.outSize[1] * Math.ceil(g.outSize[2] / 4);
    // Multiplier 1 and whole vec4s of channels: one vec4 load per pixel and tap.
    const vec4 = coutPerGroup === 1 && outC % 4 === 0 && algorithm === 'depthwise';
    x.engine.dispatch({
      ...common,
      entry: vec4 ? 'conv_depthwise_vec4' : 'conv_depthwise',
      buffers: vec4 ? { x4: x, w4: w, bias: common.buffers.bias, y4: y } : common.buffers,
      overrides: { ...fused, WG_BX, WG_BY },
      threads: [Math.ceil(outC / 4), pixelBlocks],
    });
  } else if (algorithm === 'direct') {
    x.engine.dispatch({ ...common, entry: 'conv_direct', overrides: fused, threads: rows * outC });
  } else {
    throw new GPUOpError(op, `unknown algorithm '${algorithm}'`);
  }
  return y;
}
