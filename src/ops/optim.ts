import optimWGSL from '../../shaders/optim.wgsl';
import { shapeCheck } from '../gpu/errors.js';
import { defineKernel } from '../gpu/kernel.js';
import type { Tensor } from '../gpu/tensor.js';
import { flatWorkgroups } from './flat.js';

const kernel = defineKernel('optim', optimWGSL);
/** Threads per reduction workgroup, and the most workgroups one reduction pass uses. */
const RWG = 256;
const MAX_PARTIALS = 256;

function uniforms(size: number, set: Partial<Record<'offset' | 'count' | 'nesterov', number>> & Partial<Record<'lr' | 'momentum' | 'weightDecay' | 'beta1' | 'beta2' | 'epsilon' | 'bc1' | 'bc2' | 'alpha' | 'lo' | 'hi' | 'scale', number>> = {}) {
  return {
    size, offset: 0, count: 0, nesterov: 0, lr: 0, momentum: 0, weightDecay: 0, beta1: 0, beta2: 0,
    epsilon: 0, bc1: 1, bc2: 1, alpha: 0, lo: 0, hi: 0, scale: 1, ...set,
  };
}

function sameSize(op: string, ...ts: Tensor[]): void {
  const n = ts[0]!.size;
  shapeCheck(ts.every((t) => t.size === n), op, `tensors must have the same number of elements, got ${ts.map((t) => `[${t.shape}]`).join(', ')}`);
}

/** SGD update in place (PyTorch semantics, no dampening). velocity is unused when momentum is 0. */
export function sgdStep(param: Tensor, grad: Tensor, velocity: Tensor, o: { lr: number; momentum?: number; weightDecay?: number; nesterov?: boolean }): void {
  const op = 'sgdStep';
  sameSize(op, param, grad, velocity);
  param.engine.dispatch({
    op, kernel, entry: 'sgd_step',
    uniforms: uniforms(param.size, { lr: o.lr, momentum: o.momentum ?? 0, weightDecay: o.weightDecay ?? 0, nesterov: o.nesterov ? 1 : 0 }),
    buffers: { x: param, g: grad, v: velocity },
    workgroups: flatWorkgroups(param.size),
  });
}

/** Adam update in place with bias correction for `step` (1-based); weightDecay is decoupled (AdamW). */
export function adamStep(param: Tensor, grad: Tensor, m: Tensor, v: Tensor, o: { lr: number; step: number; beta1?: number; beta2?: number; epsilon?: number; weightDecay?: number }): void {
  const op = 'adamStep';
  sameSize(op, param, grad, m, v);
  shapeCheck(Number.isInteger(o.step) && o.step >= 1, op, `step must be an integer >= 1, got ${o.step}`);
  const beta1 = o.beta1 ?? 0.9, beta2 = o.beta2 ?? 0.999;
  param.engine.dispatch({
    op, kernel, entry: 'adam_step',
    uniforms: uniforms(param.size, {
      lr: o.lr, beta1, beta2, epsilon: o.epsilon ?? 1e-8, weightDecay: o.weightDecay ?? 0,
      bc1: 1 - beta1 ** o.step, bc2: 1 - beta2 ** o.step,
    }),
    buffers: { x: param, g: grad, m, v },
    workgroups: flatWorkgroups(param.size),
  });
}

export type ReduceMode = 'dot' | 'sumSquares' | 'sumAbs' | 'maxAbs' | 'squaredDistance' | 'sum';
const MODES: Record<ReduceMode, number> = { dot: 0, sumSquares: 1, sumAbs: 2, maxAbs: 3, squaredDistance: 4, sum: 5 };

/**
 * A [1] tensor holding scale·(sqrt?)(combined terms over all parts): each part is (a) or (a, b)
 * by mode (dot and squaredDistance read b). Two passes: per-workgroup partials, then one workgroup.
 */
export function reduceFlat(op: string, mode: ReduceMode, parts: readonly (readonly [Tensor, Tensor?])[], o: { scale?: number; sqrt?: boolean } = {}): Tensor {
  shapeCheck(parts.length > 0, op, 'needs at least one tensor');
  const engine = parts[0]![0].engine;
  const needsB = mode === 'dot' || mode === 'squaredDistance';
  const groups = parts.map(([a]) => Math.max(1, Math.min(MAX_PARTIALS, Math.ceil(a.size / RWG))));
  const total = groups.reduce((x, y) => x + y, 0);
  const partials = engine.empty([total], `${op} partials`);
  const out = engine.empty([1], op);
  let offset = 0;
  parts.forEach(([a, b], i) => {
    if (needsB) shapeCheck(!!b && b.size === a.size, op, `operands must have the same number of elements, got [${a.shape}] and [${b?.shape ?? 'none'}]`);
    engine.dispatch({
      op, kernel, entry: 'reduce_partial',
      overrides: { MODE: MODES[mode] },
      uniforms: uniforms(a.size, { offset }),
      buffers: { a, b: needsB ? b! : engine.placeholder(), partials },
      workgroups: groups[i]!,
    });
    offset += groups[i]!;
  });
  engine.dispatch({
    op, kernel, entry: 'reduce_final',
    overrides: { MODE: MODES[mode], SQRT: o.sqrt ? 1 : 0 },
    uniforms: uniforms(0, { count: total, scale: o.scale ?? 1 }),
    buffers: { partials, out },
    workgroups: 1,
  });
  partials.dispose();
  return out;
}

/** ‖t₁ ⊕ t₂ ⊕ …‖₂ over all the tensors' elements, as a [1] tensor. */
export function globalNorm(tensors: readonly Tensor[]): Tensor {
  return reduceFlat('globalNorm', 'sumSquares', tensors.map((t) => [t] as const), { sqrt: true });
}

/**
 * Scales every gradient in place by min(1, maxNorm/(norm + 1e-6)) (PyTorch clip_grad_norm_),
 * computed and applied on the GPU. Returns the global norm before clipping, [1].
 */
export function clipByGlobalNorm(grads: readonly Tensor[], maxNorm: number): Tensor {
  const norm = globalNorm(grads);
  for (const t of grads) {
    t.engine.dispatch({
      op: 'clipByGlobalNorm', kernel, entry: 'scale_by_norm',
      uniforms: uniforms(t.size, { hi: maxNorm }),
      buffers: { x: t, s: norm },
      workgroups: flatWorkgroups(t.size),
    });
  }
  return norm;
}

/** Σ a·b over all elements, [1]. */
export function dot(a: Tensor, b: Tensor): Tensor {
  return reduceFlat('dot', 'dot', [[a, b]]);
}

/** Σ |x| ([1]). */
export function sumAbs(x: Tensor): Tensor {
  return reduceFlat('sumAbs', 'sumAbs', [[x]]);
}

/** max |x| ([1]). */
export function maxAbs(x: Tensor): Tensor {
  return reduceFlat('maxAbs', 'maxAbs', [[x]]);
}

/**
 * y += factor·alpha·x in place. alpha is a number or a [1] tensor read on the GPU (no read-back);
 * factor (default 1) scales it, e.g. −ρ in L-BFGS's two-loop recursion.
 */
export function axpy(alpha: number | Tensor, x: Tensor, y: Tensor, factor = 1): void {
  const op = 'axpy';
  sameSize(op, x, y);
  const scalar = typeof alpha !== 'number';
  if (scalar) shapeCheck(alpha.size === 1, op, `a tensor alpha must hold one value, got [${alpha.shape}]`);
  y.engine.dispatch({
    op, kernel, entry: 'axpy',
    overrides: { SCALAR_ALPHA: scalar ? 1 : 0 },
    uniforms: uniforms(y.size, { alpha: scalar ? factor : alpha * factor }),
    buffers: { x: y, a: x, s: scalar ? alpha : y.engine.placeholder() },
    workgroups: flatWorkgroups(y.size),
  });
}

/** x = clamp(x, lo, hi) in place (e.g. pixels kept in range during style transfer). */
export function clampInPlace(x: Tensor, lo: number, hi: number): void {
  x.engine.dispatch({
    op: 'clampInPlace', kernel, entry: 'clamp_values',
    uniforms: uniforms(x.size, { lo, hi }),
    buffers: { x },
    workgroups: flatWorkgroups(x.size),
  });
}

/** dst = src (same element count), in the command stream. */
export function copyInto(src: Tensor, dst: Tensor): void {
  const op = 'copyInto';
  sameSize(op, src, dst);
  dst.engine.dispatch({ op, kernel, entry: 'copy_values', uniforms: uniforms(dst.size), buffers: { x: dst, a: src }, workgroups: flatWorkgroups(dst.size) });
}

/** A new tensor with src's shape and values. */
export function clone(src: Tensor): Tensor {
  const t = src.engine.empty(src.shape, 'clone');
  copyInto(src, t);
  return t;
}

/** x *= factor in place. */
export function scaleInPlace(x: Tensor, factor: number): void {
  x.engine.dispatch({ op: 'scaleInPlace', kernel, entry: 'scale_values', uniforms: uniforms(x.size, { alpha: factor }), buffers: { x }, workgroups: flatWorkgroups(x.size) });
}

/** x = value everywhere, in place. */
export function fillInPlace(x: Tensor, value: number): void {
  x.engine.dispatch({ op: 'fillInPlace', kernel, entry: 'fill_values', uniforms: uniforms(x.size, { alpha: value }), buffers: { x }, workgroups: flatWorkgroups(x.size) });
}
