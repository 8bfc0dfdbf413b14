import gridWGSL from '../../shaders/common/grid.wgsl';
import distanceWGSL from '../../shaders/distance.wgsl';
import { shapeCheck } from '../gpu/errors.js';
import { defineKernel } from '../gpu/kernel.js';
import type { Tensor } from '../gpu/tensor.js';

const kernel = defineKernel('distance', distanceWGSL, [gridWGSL]);

export type DistanceMetric = 'squaredEuclidean' | 'euclidean';
export type SimilarityHead = 'absDiff' | 'chiSquare';
const METRIC = { squaredEuclidean: 0, euclidean: 1, absDiff: 2, chiSquare: 3 } as const;

function run(op: string, queries: Tensor, gallery: Tensor, metric: number, head?: Tensor): Tensor {
  shapeCheck(queries.rank === 2 && gallery.rank === 2, op, `queries and gallery must be [Q, D] and [K, D], got [${queries.shape}] and [${gallery.shape}]`);
  const [Q, D] = queries.shape as [number, number];
  const [K, D2] = gallery.shape as [number, number];
  shapeCheck(D === D2, op, `descriptor sizes differ: ${D} vs ${D2}`);
  if (head) shapeCheck(head.size === D + 1, op, `the similarity head needs ${D} weights and a bias (${D + 1} values), got [${head.shape}]`);
  const out = queries.engine.empty([Q, K], op);
  if (K === 0) return out;
  queries.engine.dispatch({
    op,
    kernel,
    entry: 'distances',
    overrides: { METRIC: metric },
    uniforms: { queries: Q, gallery: K, dims: D },
    buffers: { q: queries, g: gallery, head: head ?? queries.engine.placeholder(), out },
    threads: Q * Math.ceil(K / 4),
  });
  return out;
}

/** Distances from each query [Q, D] to each gallery row [K, D] → [Q, K]. */
export function pairwiseDistances(queries: Tensor, gallery: Tensor, metric: DistanceMetric = 'squaredEuclidean'): Tensor {
  return run('pairwiseDistances', queries, gallery, METRIC[metric]);
}

/**
 * The learned same-person probability ŷ = σ(Σ w_k·|q_k − g_k| + b) (or its chi-square form
 * σ(Σ w_k·(q_k − g_k)²/(q_k + g_k) + b)) for each query and gallery row → [Q, K].
 * `head` holds w (D values) then b.
 */
export function pairwiseSimilarity(queries: Tensor, gallery: Tensor, head: Tensor, form: SimilarityHead = 'absDiff'): Tensor {
  return run('pairwiseSimilarity', queries, gallery, METRIC[form], head);
}
