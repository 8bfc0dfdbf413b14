/**
 * Optimiser step kernels: SGD and Adam updates in place, and gradient clipping by global norm.
 * They take every hyperparameter they use; the defaults are OPTIMIZER_DEFAULTS in
 * src/nn/optimizers.ts.
 */
import gridWGSL from '../../shaders/common/grid.wgsl';
import optimWGSL from '../../shaders/optim.wgsl';
import { shapeCheck } from '../gpu/errors.js';
import { defineKernel } from '../gpu/kernel.js';
import type { Tensor } from '../gpu/tensor.js';
import { globalNorm } from './reduction.js';
import { sameSize } from './vector.js';

const kernel = defineKernel('optim', optimWGSL, [gridWGSL]);

/**
 * SGD update in place (PyTorch semantics, no dampening). Omitted momentum and weightDecay are 0
 * (none); velocity is neither read nor written when momentum is 0.
 */
export function sgdStep(param: Tensor, grad: Tensor, velocity: Tensor, o: { lr: number; momentum?: number; weightDecay?: number; nesterov?: boolean }): void {
  const op = 'sgdStep';
  sameSize(op, param, grad, velocity);
  param.engine.dispatch({
    op, kernel, entry: 'sgd_step',
    uniforms: { size: param.size, lr: o.lr, momentum: o.momentum ?? 0, weightDecay: o.weightDecay ?? 0, nesterov: o.nesterov ? 1 : 0 },
    buffers: { param, grad, velocity },
    threads: param.size,
  });
}

/**
 * Adam update in place with bias correction for `step` (1-based); weightDecay (0 when omitted)
 * is decoupled (AdamW). moment1 and moment2 are the moving first and second moments.
 */
export function adamStep(param: Tensor, grad: Tensor, moment1: Tensor, moment2: Tensor, o: { lr: number; step: number; beta1: number; beta2: number; epsilon: number; weightDecay?: number }): void {
  const op = 'adamStep';
  sameSize(op, param, grad, moment1, moment2);
  shapeCheck(Number.isInteger(o.step) && o.step >= 1, op, `step must be an integer >= 1, got ${o.step}`);
  const { beta1, beta2 } = o;
  param.engine.dispatch({
    op, kernel, entry: 'adam_step',
    uniforms: {
      size: param.size, lr: o.lr, beta1, beta2, epsilon: o.epsilon, weightDecay: o.weightDecay ?? 0,
      bc1: 1 - beta1 ** o.step, bc2: 1 - beta2 ** o.step,
    },
    buffers: { param, grad, moment1, moment2 },
    threads: param.size,
  });
}

/**
 * Scales every gradient in place by min(1, maxNorm/(norm + 1e-6)) (PyTorch clip_grad_norm_),
 * computed and applied on the GPU. Returns the global norm before clipping, [1].
 */
export function clipByGlobalNorm(grads: readonly Tensor[], maxNorm: number): Tensor {
  const norm = globalNorm(grads);
  for (const t of grads) {
    t.engine.dispatch({
      op: 'clipByGlobalNorm', kernel, entry: 'clip_by_norm',
      uniforms: { size: t.size, maxNorm },
      buffers: { clipped: t, norm },
      threads: t.size,
    });
  }
  return norm;
}
