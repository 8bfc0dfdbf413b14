import gridWGSL from '../../shaders/common/grid.wgsl';
import lossWGSL from '../../shaders/loss.wgsl';
import { shapeCheck } from '../gpu/errors.js';
import { defineKernel } from '../gpu/kernel.js';
import type { Tensor } from '../gpu/tensor.js';
import { pairwiseDistances } from './distance.js';
import { reduceFlat } from './reduction.js';

const kernel = defineKernel('loss', lossWGSL, [gridWGSL]);

export type EmbeddingDistance = 'squaredEuclidean' | 'euclidean';
const DIST: Record<EmbeddingDistance, number> = { squaredEuclidean: 0, euclidean: 1 };
const MINING = { all: 0, hard: 1, semihard: 2 } as const;

function batchDims(op: string, ...ts: Tensor[]): [number, number] {
  const [first] = ts;
  shapeCheck(first!.rank === 2, op, `embeddings must be [B, D], got [${first!.shape}]`);
  const [B, D] = first!.shape as [number, number];
  shapeCheck(ts.every((t) => t.rank === 2 && t.shape[0] === B && t.shape[1] === D), op, `embeddings must all be [${B}, ${D}], got ${ts.map((t) => `[${t.shape}]`).join(', ')}`);
  return [B, D];
}

function rowLabels(op: string, labels: Tensor, B: number, what: string): void {
  shapeCheck(labels.size === B, op, `${what} must hold ${B} values (one per row), got [${labels.shape}]`);
}

/** The batch mean of per-row losses, [1]. */
function meanRows(op: string, rowLoss: Tensor): Tensor {
  const loss = reduceFlat(op, 'sum', [[rowLoss]], { scale: 1 / rowLoss.size });
  rowLoss.dispose();
  return loss;
}

/**
 * Triplet loss mean_b max(d(a,p) − d(a,n) + margin, 0) over explicit triplets [B, D], with d the
 * squared euclidean distance (FaceNet's, the default) or the euclidean one; gradients of that mean.
 */
export function tripletLoss(a: Tensor, p: Tensor, n: Tensor, o: { margin: number; distance?: EmbeddingDistance }): { loss: Tensor; gradA: Tensor; gradP: Tensor; gradN: Tensor } {
  const op = 'tripletLoss';
  const [B, D] = batchDims(op, a, p, n);
  const engine = a.engine;
  const gradA = engine.empty([B, D], op), gradP = engine.empty([B, D], op), gradN = engine.empty([B, D], op);
  const rowLoss = engine.empty([B], op);
  engine.dispatch({
    op, kernel, entry: 'triplet_rows',
    overrides: { DIST: DIST[o.distance ?? 'squaredEuclidean'] },
    uniforms: { rows: B, dims: D, margin: o.margin },
    buffers: { anchor: a, positive: p, negative: n, gradAnchor: gradA, gradPositive: gradP, gradNegative: gradN, rowLoss },
    threads: B,
  });
  return { loss: meanRows(op, rowLoss), gradA, gradP, gradN };
}

/**
 * Triplet loss with online mining over a batch emb [B, D] with labels [B] (integer class ids as
 * floats), from the batch's pairwise distance matrix:
 * - 'all': every valid triplet (a, p, n) (a ≠ p same class, n another class); the loss is the
 *   mean over the triplets with positive loss; activeFraction = positive / valid triplets;
 * - 'hard': per anchor the farthest positive and the closest negative; mean over anchors that
 *   have both; activeFraction = anchors with positive loss / those anchors;
 * - 'semihard' (FaceNet): per anchor-positive pair the closest negative farther than the positive
 *   but within the margin, else the closest negative; mean over such pairs.
 * grad is the gradient of the loss w.r.t. emb (selections held fixed).
 */
export function batchTripletLoss(emb: Tensor, labels: Tensor, o: { margin: number; mining: 'all' | 'hard' | 'semihard'; distance?: EmbeddingDistance }): { loss: Tensor; activeFraction: Tensor; grad: Tensor } {
  const op = 'batchTripletLoss';
  const [B, D] = batchDims(op, emb);
  rowLabels(op, labels, B, 'labels');
  shapeCheck(o.mining in MINING, op, `mining must be 'all', 'hard' or 'semihard', got ${JSON.stringify(o.mining)}`);
  const engine = emb.engine;
  const distance = o.distance ?? 'squaredEuclidean';
  const overrides = { DIST: DIST[distance], MINING: MINING[o.mining] };
  const uniforms = { rows: B, dims: D, margin: o.margin };
  const dist = pairwiseDistances(emb, emb, distance);
  const uses = engine.empty([B, B], `${op} triplet uses`);
  const stats = engine.empty([B, 3], `${op} stats`);
  engine.dispatch({ op, kernel, entry: 'mine_rows', overrides, uniforms, buffers: { labels, dist, uses, stats }, threads: B });
  const loss = engine.empty([1], op), activeFraction = engine.empty([1], op), norm = engine.empty([1], op);
  engine.dispatch({ op, kernel, entry: 'mining_finish', overrides, uniforms, buffers: { stats, loss, activeFraction, norm }, workgroups: 1 });
  const grad = engine.empty([B, D], op);
  engine.dispatch({ op, kernel, entry: 'embedding_grad', overrides, uniforms, buffers: { embeddings: emb, norm, dist, uses, grad }, threads: B * D });
  for (const t of [dist, uses, stats, norm]) t.dispose();
  return { loss, activeFraction, grad };
}

/**
 * Contrastive loss (Hadsell et al.), batch mean. euclidean (default): y·d² + (1 − y)·max(m − d, 0)²;
 * squaredEuclidean: y·s + (1 − y)·max(m − s, 0) with s = ‖e1 − e2‖². same: [B], 1 same / 0 different.
 */
export function contrastiveLoss(e1: Tensor, e2: Tensor, same: Tensor, o: { margin: number; distance?: EmbeddingDistance }): { loss: Tensor; grad1: Tensor; grad2: Tensor } {
  const op = 'contrastiveLoss';
  const [B, D] = batchDims(op, e1, e2);
  rowLabels(op, same, B, 'same');
  const engine = e1.engine;
  const grad1 = engine.empty([B, D], op), grad2 = engine.empty([B, D], op), rowLoss = engine.empty([B], op);
  engine.dispatch({
    op, kernel, entry: 'contrastive_rows',
    overrides: { DIST: DIST[o.distance ?? 'euclidean'] },
    uniforms: { rows: B, dims: D, margin: o.margin },
    buffers: { left: e1, right: e2, labels: same, gradLeft: grad1, gradRight: grad2, rowLoss },
    threads: B,
  });
  return { loss: meanRows(op, rowLoss), grad1, grad2 };
}

/**
 * Logistic loss of the pair classifier ŷ = σ(Σ_k w_k·f_k + b), f = |e1 − e2| ('absDiff') or
 * (e1 − e2)²/(e1 + e2) ('chiSquare', 0 where e1 + e2 = 0); labels [B] 1 same / 0 different.
 * Returns the batch-mean loss, ŷ [B] and the gradients of the mean w.r.t. w, b, e1 and e2.
 */
export function pairLogisticLoss(e1: Tensor, e2: Tensor, labels: Tensor, w: Tensor, b: Tensor, o: { form?: 'absDiff' | 'chiSquare' } = {}): { loss: Tensor; prob: Tensor; gradW: Tensor; gradB: Tensor; grad1: Tensor; grad2: Tensor } {
  const op = 'pairLogisticLoss';
  const [B, D] = batchDims(op, e1, e2);
  rowLabels(op, labels, B, 'labels');
  shapeCheck(w.size === D && b.size === 1, op, `w must hold ${D} values and b one, got [${w.shape}] and [${b.shape}]`);
  const engine = e1.engine;
  const overrides = { FORM: o.form === 'chiSquare' ? 1 : 0 };
  const uniforms = { rows: B, dims: D };
  const grad1 = engine.empty([B, D], op), grad2 = engine.empty([B, D], op), prob = engine.empty([B], op);
  const rowLoss = engine.empty([B], op), residual = engine.empty([B], `${op} residuals`);
  engine.dispatch({
    op, kernel, entry: 'pair_rows', overrides, uniforms,
    buffers: { left: e1, right: e2, weights: w, bias: b, labels, gradLeft: grad1, gradRight: grad2, prob, rowLoss, residual },
    threads: B,
  });
  const gradW = engine.empty([D], op);
  engine.dispatch({ op, kernel, entry: 'pair_weight_grad', overrides, uniforms, buffers: { left: e1, right: e2, residual, gradWeights: gradW }, threads: D });
  const gradB = reduceFlat(op, 'sum', [[residual]]);
  residual.dispose();
  return { loss: meanRows(op, rowLoss), prob, gradW, gradB, grad1, grad2 };
}

/**
 * Softmax cross-entropy for classification: the batch mean of logsumexp(z) − z_y over logits
 * [B, classes] with class ids y [B] (as floats, 0..classes−1), and its gradient w.r.t. the logits.
 */
export function softmaxCrossEntropy(logits: Tensor, labels: Tensor): { loss: Tensor; grad: Tensor } {
  const op = 'softmaxCrossEntropy';
  shapeCheck(logits.rank === 2 && logits.shape[1]! >= 2, op, `logits must be [B, classes] with at least 2 classes, got [${logits.shape}]`);
  const [B, classes] = logits.shape as [number, number];
  rowLabels(op, labels, B, 'labels');
  const engine = logits.engine;
  const grad = engine.empty([B, classes], op), rowLoss = engine.empty([B], op);
  engine.dispatch({ op, kernel, entry: 'softmax_ce_rows', uniforms: { rows: B, dims: classes }, buffers: { embeddings: logits, labels, grad, rowLoss }, threads: B });
  return { loss: meanRows(op, rowLoss), grad };
}
