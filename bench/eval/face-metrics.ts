/**
 * Verification and identification figures for `npm run eval:faces`, on top of the library's
 * calibration helpers. A pair whose image had no detected face has `distance: null`: it is
 * counted WRONG at every threshold (a same-person pair is not accepted, and a different-person
 * pair is not credited as a correct rejection either), and thresholds are chosen only on pairs
 * where both faces were found. `notMatched` figures use the other rule, the one verify()
 * follows (no face → distance Infinity → "no match"), for comparison.
 */
import { mulberry32 } from '../../src/nn/random.js';
import { bestThreshold, type LabelledPair } from '../../src/tasks/face/calibration.js';
import { mean as meanOf, std as stdOf } from '../stats.js';

export interface EvalPair {
  a: number;
  b: number;
  same: boolean;
  /** Euclidean distance of the two descriptors; null when either image had no face. */
  distance: number | null;
}

const valid = (pairs: readonly EvalPair[]): LabelledPair[] =>
  pairs.filter((p) => p.distance !== null).map((p) => ({ distance: p.distance!, same: p.same }));

/** Plain accuracy over all pairs at threshold t (same ⇔ distance ≤ t); no-face pairs count wrong. */
export function strictAccuracy(pairs: readonly EvalPair[], t: number): number {
  let correct = 0;
  for (const p of pairs) if (p.distance !== null && (p.distance <= t) === p.same) correct++;
  return correct / pairs.length;
}

/** Same, but a no-face pair is "not matched": right for different people, wrong for the same person. */
export function notMatchedAccuracy(pairs: readonly EvalPair[], t: number): number {
  let correct = 0;
  for (const p of pairs) if (p.distance === null ? !p.same : (p.distance <= t) === p.same) correct++;
  return correct / pairs.length;
}

/** True-accept rate over all same pairs, true-reject rate over all different pairs (no-face: wrong). */
export function rates(pairs: readonly EvalPair[], t: number): { tar: number; tnr: number; balanced: number } {
  let pos = 0, neg = 0, tp = 0, tn = 0;
  for (const p of pairs) {
    if (p.same) {
      pos++;
      if (p.distance !== null && p.distance <= t) tp++;
    } else {
      neg++;
      if (p.distance !== null && p.distance > t) tn++;
    }
  }
  const tar = pos ? tp / pos : NaN;
  const tnr = neg ? tn / neg : NaN;
  return { tar, tnr, balanced: (tar + tnr) / 2 };
}

/** The threshold with the best plain accuracy (chosen on pairs with both faces). */
export function bestPlain(pairs: readonly EvalPair[]): { threshold: number; accuracy: number; notMatched: number } {
  const { threshold } = bestThreshold(valid(pairs));
  return { threshold, accuracy: strictAccuracy(pairs, threshold), notMatched: notMatchedAccuracy(pairs, threshold) };
}

/** The threshold with the best balanced accuracy (mean of TAR and TNR): a sweep over midpoints. */
export function bestBalanced(pairs: readonly EvalPair[]): { threshold: number; balanced: number; tar: number; tnr: number } {
  const v = valid(pairs);
  const ds = [...new Set(v.map((p) => p.distance))].sort((x, y) => x - y);
  const candidates = [ds[0]! - 1e-6, ...ds.map((d, i) => (i + 1 < ds.length ? (d + ds[i + 1]!) / 2 : d + 1e-6))];
  const posAll = pairs.filter((p) => p.same).length;
  const negAll = pairs.length - posAll;
  const pos = v.filter((p) => p.same).map((p) => p.distance).sort((x, y) => x - y);
  const neg = v.filter((p) => !p.same).map((p) => p.distance).sort((x, y) => x - y);
  let best = { threshold: candidates[0]!, balanced: -1, tar: 0, tnr: 0 };
  let ip = 0, ineg = 0;
  for (const t of candidates) {
    while (ip < pos.length && pos[ip]! <= t) ip++;
    while (ineg < neg.length && neg[ineg]! <= t) ineg++;
    const tar = ip / posAll;
    const tnr = (neg.length - ineg) / negAll;
    const balanced = (tar + tnr) / 2;
    if (balanced > best.balanced) best = { threshold: t, balanced, tar, tnr };
  }
  return best;
}

/** Uniform in [0, 1) from the library's seeded generator, so the sampled pairs are the same on every run. */
export function seededRandom(seed: number): () => number {
  const next = mulberry32(seed);
  return () => next() / 4294967296;
}

export function shuffled<T>(xs: readonly T[], random: () => number): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * LFW-style protocol: every same-person pair and as many different-person pairs drawn with a
 * fixed seed, split into k folds with equal numbers of same and different pairs; in each fold
 * the accuracy-optimal threshold is chosen on the other k−1 folds and the accuracy measured on
 * this one (`score`: no-face pairs wrong by default). Mean and (population) standard deviation
 * over the folds.
 */
export function lfwKFold(pairs: readonly EvalPair[], k = 10, seed = 20240601, score: (pairs: readonly EvalPair[], t: number) => number = strictAccuracy): { k: number; mean: number; std: number; folds: number[]; thresholds: number[]; same: number; different: number } {
  const random = seededRandom(seed);
  const same = shuffled(pairs.filter((p) => p.same), random);
  k = Math.max(2, Math.min(k, same.length)); // a tiny folder: fewer folds, none empty
  const diff = shuffled(pairs.filter((p) => !p.same), random).slice(0, same.length);
  const fold = (i: number) => i % k;
  const labelled = [...same.map((p, i) => ({ p, f: fold(i) })), ...diff.map((p, i) => ({ p, f: fold(i) }))];
  const folds: number[] = [];
  const thresholds: number[] = [];
  for (let f = 0; f < k; f++) {
    const train = labelled.filter((x) => x.f !== f).map((x) => x.p);
    const test = labelled.filter((x) => x.f === f).map((x) => x.p);
    const t = bestThreshold(valid(train)).threshold;
    thresholds.push(t);
    folds.push(score(test, t));
  }
  return { k, mean: meanOf(folds), std: stdOf(folds), folds, thresholds, same: same.length, different: diff.length };
}
