/**
 * Whole-tensor reductions to one value, left on the GPU as [1] tensors: dot products, norms,
 * sums. Their kernels are reduce.wgsl's totals, beside the axis sums and means of reduce.ts.
 */
import { shapeCheck } from '../gpu/errors.js';
import type { Tensor } from '../gpu/tensor.js';
import { reduceKernel as kernel } from './reduce.js';
/** Threads per workgroup of the totals (the shader's TOTAL_WG), and the most workgroups one pass uses. */
const TOTAL_WG = 256;
const MAX_PARTIALS = 256;

export type ReduceMode = 'dot' | 'sumSquares' | 'sumAbs' | 'maxAbs' | 'squaredDistance' | 'sum';
const MODES: Record<ReduceMode, number> = { dot: 0, sumSquares: 1, sumAbs: 2, maxAbs: 3, squaredDistance: 4, sum: 5 };

/**
 * A [1] tensor holding scale·(sqrt?)(combined terms over all parts): each part is (x) or
 * (x, other) by mode (dot and squaredDistance read other). Two passes: per-workgroup partials,
 * then one workgroup.
 */
export function reduceFlat(op: string, mode: ReduceMode, parts: readonly (readonly [Tensor, Tensor?])[], o: { scale?: number; sqrt?: boolean } = {}): Tensor {
  shapeCheck(parts.length > 0, op, 'needs at least one tensor');
  const engine = parts[0]![0].engine;
  const needsOther = mode === 'dot' || mode === 'squaredDistance';
  const groups = parts.map(([x]) => Math.max(1, Math.min(MAX_PARTIALS, Math.ceil(x.size / TOTAL_WG))));
  const count = groups.reduce((a, b) => a + b, 0);
  const partials = engine.empty([count], `${op} partials`);
  const result = engine.empty([1], op);
  let offset = 0;
  parts.forEach(([x, other], i) => {
    if (needsOther) shapeCheck(!!other && other.size === x.size, op, `operands must have the same number of elements, got [${x.shape}] and [${other?.shape ?? 'none'}]`);
    engine.dispatch({
      op, kernel, entry: 'total_partial',
      overrides: { MODE: MODES[mode] },
      uniforms: { axis: x.size, offset },
      buffers: { x, other: needsOther ? other! : engine.placeholder(), y: partials },
      workgroups: groups[i]!,
    });
    offset += groups[i]!;
  });
  engine.dispatch({
    op, kernel, entry: 'total_final',
    overrides: { MODE: MODES[mode], SQRT: o.sqrt ? 1 : 0 },
    uniforms: { axis: count, scale: o.scale ?? 1 },
    buffers: { x: partials, y: result },
    workgroups: 1,
  });
  partials.dispose();
  return result;
}

/** ‖t₁ ⊕ t₂ ⊕ …‖₂ over all the tensors' elements, as a [1] tensor. */
export function globalNorm(tensors: readonly Tensor[]): Tensor {
  return reduceFlat('globalNorm', 'sumSquares', tensors.map((t) => [t] as const), { sqrt: true });
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
