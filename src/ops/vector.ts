/** Vector operations over flat f32 tensors, in place (axpy, copy, scale, fill, clamp). */
import gridWGSL from '../../shaders/common/grid.wgsl';
import vectorWGSL from '../../shaders/vector.wgsl';
import { shapeCheck } from '../gpu/errors.js';
import { defineKernel } from '../gpu/kernel.js';
import type { Tensor } from '../gpu/tensor.js';

const kernel = defineKernel('vector', vectorWGSL, [gridWGSL]);

/** Throws unless every tensor has the same number of elements. */
export function sameSize(op: string, ...ts: Tensor[]): void {
  const n = ts[0]!.size;
  shapeCheck(ts.every((t) => t.size === n), op, `tensors must have the same number of elements, got ${ts.map((t) => `[${t.shape}]`).join(', ')}`);
}

/**
 * y += scale·a·x in place. a is a number or a [1] tensor read on the GPU (no read-back); scale
 * (default 1) multiplies it, e.g. −ρ in L-BFGS's two-loop recursion.
 */
export function axpy(a: number | Tensor, x: Tensor, y: Tensor, scale = 1): void {
  const op = 'axpy';
  sameSize(op, x, y);
  const onGpu = typeof a !== 'number';
  if (onGpu) shapeCheck(a.size === 1, op, `a tensor coefficient must hold one value, got [${a.shape}]`);
  y.engine.dispatch({
    op, kernel, entry: 'axpy',
    overrides: { TENSOR_COEFFICIENT: onGpu ? 1 : 0 },
    uniforms: { size: y.size, scale: onGpu ? scale : a * scale },
    buffers: { y, x, coefficient: onGpu ? a : y.engine.placeholder() },
    threads: y.size,
  });
}

/** x = clamp(x, lo, hi) in place (e.g. pixels kept in range during style transfer). */
export function clampInPlace(x: Tensor, lo: number, hi: number): void {
  x.engine.dispatch({ op: 'clampInPlace', kernel, entry: 'clamp_values', uniforms: { size: x.size, lo, hi }, buffers: { y: x }, threads: x.size });
}

/** dst = src (same element count), in the command stream. */
export function copyInto(src: Tensor, dst: Tensor): void {
  const op = 'copyInto';
  sameSize(op, src, dst);
  dst.engine.dispatch({ op, kernel, entry: 'copy_values', uniforms: { size: dst.size }, buffers: { y: dst, x: src }, threads: dst.size });
}

/** A new tensor with src's shape and values. */
export function clone(src: Tensor): Tensor {
  const t = src.engine.empty(src.shape, 'clone');
  copyInto(src, t);
  return t;
}

/** x *= factor in place. */
export function scaleInPlace(x: Tensor, factor: number): void {
  x.engine.dispatch({ op: 'scaleInPlace', kernel, entry: 'scale_values', uniforms: { size: x.size, scale: factor }, buffers: { y: x }, threads: x.size });
}

/** x = value everywhere, in place. */
export function fillInPlace(x: Tensor, value: number): void {
  x.engine.dispatch({ op: 'fillInPlace', kernel, entry: 'fill_values', uniforms: { size: x.size, value }, buffers: { y: x }, threads: x.size });
}
