import gridWGSL from '../../shaders/common/grid.wgsl';
import reduceWGSL from '../../shaders/reduce.wgsl';
import { shapeCheck } from '../gpu/errors.js';
import { defineKernel } from '../gpu/kernel.js';
import { sizeOf, type Tensor } from '../gpu/tensor.js';

/** reduce.wgsl: the axis sums here, and the whole-tensor totals of reduction.ts. */
export const reduceKernel = defineKernel('reduce', reduceWGSL, [gridWGSL]);
const kernel = reduceKernel;

/** Outputs below which a long axis is spread over more threads (two passes, or a tree per output). */
const PARALLEL_OUTPUTS = 2048;
/** Threads the first pass of a long reduction aims for. */
const TARGET_THREADS = 4096;

/**
 * Sums x viewed as [outer, axis, inner] along the middle axis, times `scale`: returns
 * [outer, inner] (as a flat tensor of that size, shaped `outShape`).
 */
export function sumAlongAxis(op: string, x: Tensor, outer: number, axis: number, inner: number, scale: number, outShape: readonly number[]): Tensor {
  const engine = x.engine;
  const run = (entry: string, src: Tensor, parts: number, chunk: number, len: number, s: number, shape: readonly number[]) => {
    const y = engine.empty(shape, op);
    engine.dispatch({
      op,
      kernel,
      entry,
      uniforms: { outer, axis: len, inner, parts, chunk, scale: s },
      buffers: { x: src, y },
      ...(entry === 'reduce_tree' ? { workgroups: outer * inner } : { threads: outer * parts * inner }),
    });
    return y;
  };
  const outputs = outer * inner;
  if (outputs >= PARALLEL_OUTPUTS || axis <= 64) return run('reduce_chunks', x, 1, axis, axis, scale, outShape);
  // Long axis, few outputs: partial sums over chunks of at least 64 values, then a tree per output.
  const parts = Math.min(Math.ceil(TARGET_THREADS / outputs), Math.ceil(axis / 64));
  if (parts <= 1) return run('reduce_tree', x, 1, axis, axis, scale, outShape);
  const chunk = Math.ceil(axis / parts);
  const used = Math.ceil(axis / chunk);
  const partial = run('reduce_chunks', x, used, chunk, axis, 1, [outer * used * inner]);
  const y = run(used > 64 ? 'reduce_tree' : 'reduce_chunks', partial, 1, used, used, scale, outShape);
  partial.dispose();
  return y;
}

function normalizeAxes(op: string, x: Tensor, axes: readonly number[] | undefined): number[] {
  const list = axes ?? [...Array(x.rank).keys()];
  const out = list.map((a) => (a < 0 ? a + x.rank : a));
  for (const [i, a] of out.entries()) {
    shapeCheck(Number.isInteger(a) && a >= 0 && a < x.rank, op, `axis ${list[i]} is out of range for [${x.shape}]`);
  }
  shapeCheck(new Set(out).size === out.length, op, `axes [${list}] repeat an axis`);
  return [...out].sort((a, b) => a - b);
}

function reduce(op: string, x: Tensor, axesArg: readonly number[] | undefined, keepDims: boolean, isMean: boolean): Tensor {
  const axes = normalizeAxes(op, x, axesArg);
  const reduced = new Set(axes);
  const outShape = keepDims ? x.shape.map((d, i) => (reduced.has(i) ? 1 : d)) : x.shape.filter((_, i) => !reduced.has(i));
  const count = sizeOf(axes.map((a) => x.shape[a]!));
  if (axes.length === 0) return x.reshape(outShape);
  // Runs of adjacent axes reduce in one pass each, the last run first so earlier axes keep
  // their positions; each pass keeps its axes as size 1.
  const runs: number[][] = [];
  for (const a of axes) {
    const last = runs[runs.length - 1];
    if (last && last[last.length - 1] === a - 1) last.push(a);
    else runs.push([a]);
  }
  let current = x;
  let shape = [...x.shape];
  for (let r = runs.length - 1; r >= 0; r--) {
    const run = runs[r]!;
    const first = run[0]!;
    const lastAxis = run[run.length - 1]!;
    const outer = sizeOf(shape.slice(0, first));
    const axis = sizeOf(shape.slice(first, lastAxis + 1));
    const inner = sizeOf(shape.slice(lastAxis + 1));
    shape = shape.map((d, i) => (i >= first && i <= lastAxis ? 1 : d));
    const next = sumAlongAxis(op, current, outer, axis, inner, r === 0 && isMean ? 1 / count : 1, shape);
    if (current !== x) current.dispose();
    current = next;
  }
  if (shape.join() === outShape.join()) return current;
  const view = current.reshape(outShape);
  current.dispose();
  return view;
}

/** Sum over the given axes (all by default); keepDims leaves them as size 1. */
export function sum(x: Tensor, axes?: readonly number[], keepDims = false): Tensor {
  return reduce('sum', x, axes, keepDims, false);
}

/** Mean over the given axes (all by default); keepDims leaves them as size 1. */
export function mean(x: Tensor, axes?: readonly number[], keepDims = false): Tensor {
  return reduce('mean', x, axes, keepDims, true);
}

/**
 * Sums x back to `shape`, an operand that was broadcast to x's shape (the backward of
 * broadcasting): leading axes x has in excess and axes where `shape` has 1 are summed.
 */
export function sumToShape(x: Tensor, shape: readonly number[]): Tensor {
  const op = 'sumToShape';
  shapeCheck(shape.length <= x.rank, op, `[${shape}] has more axes than [${x.shape}]`);
  const lead = x.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < x.rank; i++) {
    const target = i < lead ? 1 : shape[i - lead]!;
    const d = x.shape[i]!;
    shapeCheck(target === d || target === 1, op, `[${shape}] does not broadcast to [${x.shape}] (axis ${i}: ${target} vs ${d})`);
    if (i < lead || (target === 1 && d !== 1)) axes.push(i);
  }
  const s = sum(x, axes, true);
  if (s.shape.join() === shape.join()) return s;
  const view = s.reshape(shape);
  s.dispose();
  return view;
}
