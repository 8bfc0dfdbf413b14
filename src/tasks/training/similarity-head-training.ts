/**
 * Trains the Siamese pair classifier (Koch et al.'s weighted-L1 head) on descriptors:
 * ŷ = σ(Σₖ wₖ·|aₖ − bₖ| + b) (or the chi-square feature (aₖ − bₖ)²/(aₖ + bₖ)) with the logistic
 * loss (pairLogisticLoss) and Adam, on the GPU.
 * Same-person pairs are rare among all pairs, so every epoch uses all of them and as many
 * different-person pairs drawn afresh. The result is the SimilarityHead JSON the face pipeline
 * loads, with the probability threshold that is most accurate on the (balanced) training pairs.
 */
import type { Engine } from '../../gpu/engine.js';
import { Adam } from '../../nn/optimizers.js';
import { pairLogisticLoss } from '../../ops/loss.js';
import { bestThreshold, fitLogistic } from '../face/calibration.js';
import { SimilarityHead, type SimilarityHeadJSON } from '../face/similarity-head.js';
import { SeededRandom } from './random.js';

export interface DescriptorPair {
  a: ArrayLike<number>;
  b: ArrayLike<number>;
  same: boolean;
}

export interface TrainHeadOptions {
  pairs: readonly DescriptorPair[];
  form?: 'absDiff' | 'chiSquare';
  epochs?: number;
  /** Adam learning rate (0.02 by default). */
  lr?: number;
  /** AdamW weight decay (0 by default). */
  weightDecay?: number;
  /** Starting weights and bias (zeros by default), e.g. a logistic fit on the L1 distance. */
  initial?: { weights: ArrayLike<number>; bias: number };
  seed?: number;
  signal?: AbortSignal;
  onProgress?: (p: { epoch: number; loss: number }) => void;
}

export interface TrainHeadResult {
  head: SimilarityHeadJSON;
  history: { epoch: number; loss: number }[];
  /** Balanced accuracy of the head on the training pairs at its threshold. */
  trainAccuracy: number;
  stopped: boolean;
}

/**
 * A starting point equal to a logistic fit on the L1 distance Σₖ|aₖ − bₖ| (every weight the
 * same): training then only has to learn how the dimensions differ.
 */
export function l1Initial(pairs: readonly DescriptorPair[]): { weights: number[]; bias: number } {
  const dims = pairs[0]?.a.length ?? 0;
  const l1 = (p: DescriptorPair) => {
    let s = 0;
    for (let k = 0; k < dims; k++) s += Math.abs(p.a[k]! - p.b[k]!);
    return s;
  };
  const fit = fitLogistic(pairs.map((p) => ({ distance: l1(p), same: p.same })));
  return { weights: new Array(dims).fill(fit.slope), bias: fit.intercept };
}

export async function trainSimilarityHead(engine: Engine, o: TrainHeadOptions): Promise<TrainHeadResult> {
  const form = o.form ?? 'absDiff';
  const epochs = o.epochs ?? 300;
  const dims = o.pairs[0]?.a.length ?? 0;
  const same = o.pairs.filter((p) => p.same);
  const different = o.pairs.filter((p) => !p.same);
  if (!same.length || !different.length) throw new Error('trainSimilarityHead needs same-person and different-person pairs');
  if (o.pairs.some((p) => p.a.length !== dims || p.b.length !== dims)) throw new Error(`trainSimilarityHead: every descriptor must have ${dims} values`);
  const random = new SeededRandom(o.seed ?? 1);
  const perEpoch = Math.min(same.length, different.length);
  const n = 2 * perEpoch;
  if (o.initial && o.initial.weights.length !== dims) throw new Error(`trainSimilarityHead: initial weights need ${dims} values, got ${o.initial.weights.length}`);
  const w = engine.keep(engine.tensor([dims], o.initial ? Float32Array.from(o.initial.weights) : new Float32Array(dims), 'head weights'));
  const b = engine.keep(engine.tensor([1], [o.initial?.bias ?? 0], 'head bias'));
  const adam = new Adam({ lr: o.lr ?? 0.02, weightDecay: o.weightDecay });
  const history: { epoch: number; loss: number }[] = [];
  let stopped = false;
  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      if (o.signal?.aborted) {
        stopped = true;
        break;
      }
      // All same pairs (or a sample when they outnumber the different ones) + as many different ones.
      const chosen = [...random.shuffle([...same]).slice(0, perEpoch), ...random.shuffle([...different]).slice(0, perEpoch)];
      const left = new Float32Array(n * dims), right = new Float32Array(n * dims), labels = new Float32Array(n);
      chosen.forEach((p, i) => {
        left.set(p.a, i * dims);
        right.set(p.b, i * dims);
        labels[i] = p.same ? 1 : 0;
      });
      const loss = await engine.scope(async () => {
        const r = pairLogisticLoss(engine.tensor([n, dims], left), engine.tensor([n, dims], right), engine.tensor([n], labels), w, b, { form });
        adam.step([w, b], [r.gradW, r.gradB]);
        return (await r.loss.read())[0]!;
      });
      if (!Number.isFinite(loss)) throw new Error(`trainSimilarityHead: the loss became ${loss} at epoch ${epoch}; lower lr`);
      history.push({ epoch, loss });
      o.onProgress?.({ epoch, loss });
    }
    const weights = Array.from(await w.read());
    const bias = (await b.read())[0]!;
    // Threshold on P(same): the most accurate one on balanced training pairs (scored as distances 1 − p).
    const probe = SimilarityHead.fromJSON({ format: 'wgsl-vision-similarity-head', version: 1, form, weights, bias }, dims);
    const balanced = [...same.slice(0, perEpoch), ...random.shuffle([...different]).slice(0, perEpoch)];
    const best = bestThreshold(balanced.map((p) => ({ distance: 1 - probe.probability(p.a, p.b), same: p.same })));
    const threshold = Math.min(0.999, Math.max(0.001, 1 - best.threshold));
    return { head: { format: 'wgsl-vision-similarity-head', version: 1, form, weights, bias, threshold }, history, trainAccuracy: best.accuracy, stopped };
  } finally {
    adam.dispose();
    w.dispose();
    b.dispose();
  }
}
