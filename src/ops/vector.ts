/** Vector operations over flat f32 tensors, in place (axpy, copy, scale, fill, clamp). */
import gridWGSL from '../../shaders/common/grid.wgsl';
import vectorWGSL from '../../shaders/vector.wgsl';
import { shapeCheck } from '../gpu/errors.js';
import { defineKernel } from '../gpu/kernel.js';
import { shaderConstants } from '../gpu/reflect.js';
import type { Tensor } from '../gpu/tensor.js';

const kernel = defineKernel('vector', vectorWGSL, [gridWGSL]);
/** The operation codes (axpy, copy, scale, fill, clamp), read from the shader. */
const OPS = shaderConstants(vectorWGSL, 'VECTOR_');

/** Throws unless every tensor has the same number of elements. */
export function sameSize(op: string, ...ts: Tensor[]): void {
  const n = ts[0]!.size;
  shapeCheck(ts.every((t) => t.size === n), op, `tensors must have the same number of elements, got ${ts.map((t) => `[${t.shape}]`).join(', ')}`);
}

/** y changed in place by the shader's operation `code`; x and coefficient as it reads them. */
function update(op: string, code: string, y: Tensor, uniforms: Partial<Record<'scale' | 'value' | 'lo' | 'hi', number>>, o: { x?: Tensor; coefficient?: Tensor } = {}): void {
  const engine = y.engine;
  engine.dispatch({
    op, kernel, entry: 'update',
    overrides: { OP: OPS.get(code)!, TENSOR_COEFFICIENT: o.coefficient ? 1 : 0 },
    uniforms: { size: y.size, ...uniforms },
    buffers: { y, x: o.x ?? engine.placeholder(), coefficient: o.coefficient ?? engine.placeholder() },
    threads: y.size,
  });
}

/**
 * y += scale·a·x in place. a is a number or a [1] tensor read on the GPU (no read-back); scale
 * (default 1) multiplies it, e.g. −ρ in L-BFGS's two-loop recursion.
 */
export function axpy(a: number | Tensor, x: Tensor, y: Tensor, scale = 1): void {
  const op = 'axpy';
  sameSize(op, x, y);
  if (typeof a === 'number') return update(op, 'axpy', y, { scale: a * scale }, { x });
  shapeCheck(a.size === 1, op, `a tensor coefficient must hold one value, got [${a.shape}]`);
  update(op, 'axpy', y, { scale }, { x, coefficient: a });
}

/** x = clamp(x, lo, hi) in place (e.g. pixels kept in range during style transfer). */
export function clampInPlace(x: Tensor, lo: number, hi: number): void {
  update('clampInPlace', 'clamp', x, { lo, hi });
}

/** dst = src (same element count), in the command stream. */
export function copyInto(src: Tensor, dst: Tensor): void {
  sameSize('copyInto', src, dst);
  update('copyInto', 'copy', dst, {}, { x: src });
}

/** A new tensor with src's shape and values. */
export function clone(src: Tensor): Tensor {
  const t = src.engine.empty(src.shape, 'clone');
  copyInto(src, t);
  return t;
}

/** x *= factor in place. */
export function scaleInPlace(x: Tensor, factor: number): void {
  update('scaleInPlace', 'scale', x, { scale: factor });
}

/** x = value everywhere, in place. */
export function fillInPlace(x: Tensor, value: number): void {
  update('fillInPlace', 'fill', x, { value });
}
