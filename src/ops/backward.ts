import gridWGSL from '../../shaders/common/grid.wgsl';
import windowWGSL from '../../shaders/common/window.wgsl';
import backwardWGSL from '../../shaders/backward.wgsl';
import { shapeCheck } from '../gpu/errors.js';
import { defineKernel } from '../gpu/kernel.js';
import { axisView, type Tensor } from '../gpu/tensor.js';
import activationWGSL from '../../shaders/common/activation.wgsl';
import { activationCode, DEFAULT_LEAKY_SLOPE, type Activation } from './activation.js';
import { vec4Safe } from './elementwise.js';
import type { PoolOptions } from './pool.js';
import { mean as meanOf, sum } from './reduce.js';
import { windowGeometry, windowOutputShape, windowUniforms, type WindowGeometry } from './window.js';

const kernel = defineKernel('backward', backwardWGSL, [activationWGSL, gridWGSL, windowWGSL]);

type Buffers = Record<string, Tensor | GPUBuffer>;

function elementwise(op: string, entry: string, out: Tensor, buffers: Buffers, uniforms: Record<string, number>, overrides: Record<string, number> = {}): Tensor {
  out.engine.dispatch({ op, kernel, entry, overrides, uniforms: { size: out.size, ...uniforms }, buffers: { ...buffers, y: out }, threads: out.size });
  return out;
}

/** dL/dx of y = f(x) for an activation, given its INPUT x and dy; `slope` is leakyRelu's. */
export function activationGrad(activation: Activation, x: Tensor, dy: Tensor, slope = DEFAULT_LEAKY_SLOPE): Tensor {
  const op = 'activationGrad';
  shapeCheck(x.size === dy.size, op, `x [${x.shape}] and dy [${dy.shape}] must have the same size`);
  const overrides = { ACTIVATION: activationCode(activation) };
  const dx = x.engine.empty(x.shape, op);
  if (!vec4Safe(x, dy, dx)) return elementwise(op, 'activation_grad', dx, { x, dy }, { slope }, overrides);
  const vec4s = Math.ceil(x.size / 4);
  x.engine.dispatch({ op, kernel, entry: 'activation_grad_vec4', overrides, uniforms: { size: vec4s, slope }, buffers: { x4: x, dy4: dy, y4: dx }, threads: vec4s });
  return dx;
}

function poolSetup(op: string, inputShape: readonly number[], dy: Tensor, options: PoolOptions): { g: WindowGeometry; channels: number } {
  const rank = inputShape.length - 2;
  shapeCheck(rank >= 1 && rank <= 3, op, `input must be [N, spatial (1-3 dims), C], got [${inputShape}]`);
  const kernelSize = typeof options.kernel === 'number' ? Array(rank).fill(options.kernel) : [...options.kernel];
  shapeCheck(kernelSize.length === rank, op, `kernel needs ${rank} value(s), got [${kernelSize}]`);
  const g = windowGeometry(op, inputShape.slice(1, 1 + rank), kernelSize, { ...options, strides: options.strides ?? kernelSize });
  const channels = inputShape[rank + 1]!;
  const expected = windowOutputShape(g, inputShape[0]!, rank, channels);
  shapeCheck(dy.shape.join() === expected.join(), op, `dy must be [${expected}] for input [${inputShape}], got [${dy.shape}]`);
  return { g, channels };
}

function poolUniforms(g: WindowGeometry, channels: number, batch: number, countIncludePad: boolean) {
  return { channels, batch, ...windowUniforms(g), padEndD: g.padEnd[0], padEndH: g.padEnd[1], padEndW: g.padEnd[2], countIncludePad: countIncludePad ? 1 : 0 };
}

/** dL/dx of maxPool(x): each window's dy goes to its first maximum in window order. */
export function maxPoolGrad(x: Tensor, dy: Tensor, options: PoolOptions): Tensor {
  const op = 'maxPoolGrad';
  const { g, channels } = poolSetup(op, x.shape, dy, options);
  return elementwise(op, 'max_pool_grad', x.engine.empty(x.shape, op), { x, dy }, poolUniforms(g, channels, x.shape[0]!, false));
}

/** dL/dx of avgPool over an input of inputShape (same options, incl. ceilMode and countIncludePad). */
export function avgPoolGrad(dy: Tensor, inputShape: readonly number[], options: PoolOptions): Tensor {
  const op = 'avgPoolGrad';
  const { g, channels } = poolSetup(op, inputShape, dy, options);
  return elementwise(op, 'avg_pool_grad', dy.engine.empty(inputShape, op), { dy }, poolUniforms(g, channels, inputShape[0]!, options.countIncludePad ?? false));
}

/** dL/dx of globalAvgPool: dy [N, 1.., C] spread evenly over the spatial positions of inputShape. */
export function globalAvgPoolGrad(dy: Tensor, inputShape: readonly number[]): Tensor {
  const op = 'globalAvgPoolGrad';
  const rank = inputShape.length - 2;
  shapeCheck(rank >= 1 && rank <= 3, op, `input must be [N, spatial (1-3 dims), C], got [${inputShape}]`);
  const channels = inputShape[rank + 1]!;
  shapeCheck(dy.size === inputShape[0]! * channels, op, `dy must hold [${inputShape[0]}, ${channels}] values, got [${dy.shape}]`);
  const spatial = [...Array(3 - rank).fill(1), ...inputShape.slice(1, 1 + rank)];
  return elementwise(op, 'global_avg_pool_grad', dy.engine.empty(inputShape, op), { dy }, { channels, inD: spatial[0], inH: spatial[1], inW: spatial[2] });
}

/** dL/dx of l2Normalize(x, axis, epsilon). */
export function l2NormalizeGrad(x: Tensor, dy: Tensor, axisArg = -1, epsilon = 1e-12): Tensor {
  const op = 'l2NormalizeGrad';
  shapeCheck(x.shape.join() === dy.shape.join(), op, `x [${x.shape}] and dy [${dy.shape}] must have the same shape`);
  const { outer, length, inner } = axisView(op, x.shape, axisArg);
  const dx = x.engine.empty(x.shape, op);
  x.engine.dispatch({
    op, kernel, entry: 'l2_normalize_grad',
    uniforms: { size: x.size, outer, axis: length, inner, epsilon },
    buffers: { x, dy, y: dx },
    workgroups: outer * inner,
  });
  return dx;
}

function channelsOf(op: string, x: Tensor, ...perChannel: Tensor[]): number {
  shapeCheck(x.rank >= 2, op, `x must be [..., C] with at least one row axis, got [${x.shape}]`);
  const C = x.shape[x.rank - 1]!;
  for (const t of perChannel) shapeCheck(t.size === C, op, `per-channel tensors need ${C} values, got [${t.shape}]`);
  return C;
}

/**
 * Training-mode batch norm over all axes but the last (channels): batch mean, biased variance.
 * Returns y = γ·(x − mean)·invStd + β with the mean and invStd = 1/sqrt(var + ε), both [C].
 */
export function batchNormTrain(x: Tensor, gamma: Tensor, beta: Tensor, epsilon = 1e-3): { y: Tensor; mean: Tensor; invStd: Tensor } {
  const op = 'batchNormTrain';
  const C = channelsOf(op, x, gamma, beta);
  const engine = x.engine;
  const rowAxes = [...Array(x.rank - 1).keys()];
  const mu = meanOf(x, rowAxes);
  const sq = elementwise(op, 'bn_centered_square', engine.empty(x.shape, op), { x, mean: mu }, { channels: C });
  const variance = meanOf(sq, rowAxes);
  sq.dispose();
  const invStd = elementwise(op, 'inv_std', engine.empty([C], op), { x: variance }, { epsilon });
  variance.dispose();
  const y = elementwise(op, 'bn_forward', engine.empty(x.shape, op), { x, gamma, beta, mean: mu, invStd }, { channels: C });
  return { y, mean: mu, invStd };
}

/** Gradients of batchNormTrain given its x, dy, γ and the mean and invStd it returned. */
export function batchNormGrad(x: Tensor, dy: Tensor, gamma: Tensor, mu: Tensor, invStd: Tensor): { dx: Tensor; dGamma: Tensor; dBeta: Tensor } {
  const op = 'batchNormGrad';
  const C = channelsOf(op, x, gamma, mu, invStd);
  shapeCheck(x.shape.join() === dy.shape.join(), op, `x [${x.shape}] and dy [${dy.shape}] must have the same shape`);
  const engine = x.engine;
  const rowAxes = [...Array(x.rank - 1).keys()];
  const rows = x.size / C;
  const dBeta = sum(dy, rowAxes);
  const dyXhat = elementwise(op, 'bn_dy_xhat', engine.empty(x.shape, op), { x, dy, mean: mu, invStd }, { channels: C });
  const dGamma = sum(dyXhat, rowAxes);
  dyXhat.dispose();
  const coefficients = engine.empty([3 * C], op);
  engine.dispatch({
    op, kernel, entry: 'bn_grad_coefficients',
    uniforms: { size: C, channels: C, rows },
    buffers: { dGamma, dBeta, gamma, mean: mu, invStd, y: coefficients },
    threads: C,
  });
  const dx = elementwise(op, 'bn_grad_input', engine.empty(x.shape, op), { x, dy, coef: coefficients }, { channels: C });
  coefficients.dispose();
  return { dx, dGamma, dBeta };
}
