/**
 * Threshold calibration on a user's own labelled pairs: ROC curve, AUC, equal-error rate, the
 * threshold for a target false-accept rate and TAR there, accuracy-optimal threshold, LFW-style
 * k-fold accuracy, and a calibrated match confidence P(same | distance) fitted by logistic
 * regression (Platt scaling) — a probability, not a rescaled distance.
 */

export interface LabelledPair {
  distance: number;
  same: boolean;
}

export interface RocPoint {
  threshold: number;
  /** True-accept rate: same-person pairs with distance ≤ threshold. */
  tar: number;
  /** False-accept rate: different-person pairs with distance ≤ threshold. */
  far: number;
}

export interface Calibration {
  roc: RocPoint[];
  auc: number;
  /** Equal-error rate and the threshold where FAR = FRR (interpolated). */
  eer: number;
  eerThreshold: number;
  /** Threshold with the best accuracy over the pairs, and that accuracy. */
  bestThreshold: number;
  bestAccuracy: number;
  /** The largest threshold whose FAR does not exceed `targetFar`. */
  thresholdForFar(targetFar: number): number;
  /** P(same person | distance), from a logistic fit to the pairs. */
  confidence(distance: number): number;
  /** Logistic coefficients: P = σ(slope · distance + intercept). */
  logistic: { slope: number; intercept: number };
}

function split(pairs: readonly LabelledPair[]): { pos: number[]; neg: number[] } {
  const pos = pairs.filter((p) => p.same).map((p) => p.distance).sort((a, b) => a - b);
  const neg = pairs.filter((p) => !p.same).map((p) => p.distance).sort((a, b) => a - b);
  if (!pos.length || !neg.length) throw new Error('calibration needs at least one same-person and one different-person pair');
  return { pos, neg };
}

/** Count of sorted values ≤ t. */
function countAtMost(sorted: number[], t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function rocCurve(pairs: readonly LabelledPair[]): RocPoint[] {
  const { pos, neg } = split(pairs);
  const thresholds = [...new Set([...pos, ...neg])].sort((a, b) => a - b);
  const points: RocPoint[] = [{ threshold: thresholds[0]! - 1e-9, tar: 0, far: 0 }];
  for (const t of thresholds) points.push({ threshold: t, tar: countAtMost(pos, t) / pos.length, far: countAtMost(neg, t) / neg.length });
  return points;
}

/** The accuracy-optimal threshold (midpoint between neighbouring distances) and its accuracy. */
export function bestThreshold(pairs: readonly LabelledPair[]): { threshold: number; accuracy: number } {
  const { pos, neg } = split(pairs);
  const all = [...new Set([...pos, ...neg])].sort((a, b) => a - b);
  const candidates = [all[0]! - 1e-6, ...all.map((d, i) => (i + 1 < all.length ? (d + all[i + 1]!) / 2 : d + 1e-6))];
  let best = { threshold: candidates[0]!, accuracy: -1 };
  for (const t of candidates) {
    const accuracy = (countAtMost(pos, t) + neg.length - countAtMost(neg, t)) / (pos.length + neg.length);
    if (accuracy > best.accuracy) best = { threshold: t, accuracy };
  }
  return best;
}

/** Accuracy at a fixed threshold: same ⇔ distance ≤ threshold. */
export function accuracyAt(pairs: readonly LabelledPair[], threshold: number): number {
  return pairs.filter((p) => (p.distance <= threshold) === p.same).length / pairs.length;
}

/** LFW protocol: in each of k folds, choose the threshold on the other k−1, measure on this one. */
export function kFoldAccuracy(pairs: readonly LabelledPair[], k = 10): CrossValidation {
  return crossValidate(Array.from({ length: k }, (_, f) => pairs.filter((_, i) => i % k === f)));
}

export interface CrossValidation {
  /** Mean and (population) standard deviation of the folds' accuracies. */
  mean: number;
  std: number;
  folds: number[];
  /** The threshold each fold was tested at, chosen on the others. */
  thresholds: number[];
}

/** Cross-validation over given folds (LFW View 2's ten): each fold tested at the threshold best on the rest. */
export function crossValidate(folds: readonly (readonly LabelledPair[])[]): CrossValidation {
  const thresholds = folds.map((_, f) => bestThreshold(folds.filter((_, g) => g !== f).flat()).threshold);
  const accuracies = folds.map((fold, f) => accuracyAt(fold, thresholds[f]!));
  const mean = accuracies.reduce((a, b) => a + b, 0) / folds.length;
  const std = Math.sqrt(accuracies.reduce((a, b) => a + (b - mean) ** 2, 0) / folds.length);
  return { mean, std, folds: accuracies, thresholds };
}

/** Area under the ROC curve by trapezoids: P(a same-person pair is closer than a different-person one), ties counting half. */
export function rocAuc(roc: readonly RocPoint[]): number {
  let auc = 0;
  for (let i = 1; i < roc.length; i++) auc += ((roc[i]!.far - roc[i - 1]!.far) * (roc[i]!.tar + roc[i - 1]!.tar)) / 2;
  return auc + 1 - roc[roc.length - 1]!.far; // the curve ends at (1, 1)
}

/** Equal-error rate: where the false-reject rate 1 − TAR meets FAR, interpolated between ROC points, and its threshold. */
export function equalErrorRate(roc: readonly RocPoint[]): { eer: number; threshold: number } {
  for (let i = 1; i < roc.length; i++) {
    const a = roc[i - 1]!, b = roc[i]!;
    const da = 1 - a.tar - a.far, db = 1 - b.tar - b.far;
    if (db <= 0) {
      const t = da === db ? 0 : da / (da - db);
      // A step to an infinite threshold (pairs without a face) is not interpolated.
      const threshold = t === 0 ? a.threshold : t === 1 ? b.threshold : a.threshold + t * (b.threshold - a.threshold);
      return { eer: a.far + t * (b.far - a.far), threshold };
    }
  }
  return { eer: 0.5, threshold: roc[roc.length - 1]!.threshold };
}

/**
 * The true-accept rate at the largest threshold whose FAR does not exceed `targetFar`, with that
 * threshold and the FAR reached. With N different-person pairs FAR moves in steps of 1/N: a
 * target below 1/N is TAR at zero false accepts.
 */
export function tarAtFar(roc: readonly RocPoint[], targetFar: number): RocPoint {
  let best = roc[0]!;
  for (const p of roc) if (p.far <= targetFar + 1e-12 && p.tar >= best.tar) best = p;
  return best;
}

/** Logistic regression of `same` on distance by Newton's method (with a tiny ridge for separable data). */
export function fitLogistic(pairs: readonly LabelledPair[]): { slope: number; intercept: number } {
  // Standardise the distance so Newton steps are well conditioned.
  const n = pairs.length;
  const mean = pairs.reduce((a, p) => a + p.distance, 0) / n;
  const sd = Math.sqrt(pairs.reduce((a, p) => a + (p.distance - mean) ** 2, 0) / n) || 1;
  let w = 0;
  let b = 0;
  const ridge = 1e-3;
  for (let iter = 0; iter < 50; iter++) {
    let gw = ridge * w, gb = 0, hww = ridge, hwb = 0, hbb = 1e-9;
    for (const p of pairs) {
      const x = (p.distance - mean) / sd;
      const prob = 1 / (1 + Math.exp(-(w * x + b)));
      const r = prob - (p.same ? 1 : 0);
      const s = prob * (1 - prob);
      gw += r * x; gb += r; hww += s * x * x; hwb += s * x; hbb += s;
    }
    const det = hww * hbb - hwb * hwb;
    const dw = (hbb * gw - hwb * gb) / det;
    const db = (hww * gb - hwb * gw) / det;
    w -= dw;
    b -= db;
    if (Math.abs(dw) + Math.abs(db) < 1e-10) break;
  }
  return { slope: w / sd, intercept: b - (w * mean) / sd };
}

export function calibrate(pairs: readonly LabelledPair[]): Calibration {
  const { pos, neg } = split(pairs);
  const roc = rocCurve(pairs);
  const auc = rocAuc(roc);
  const { eer, threshold: eerThreshold } = equalErrorRate(roc);
  const best = bestThreshold(pairs);
  const logistic = fitLogistic(pairs);
  return {
    roc, auc, eer, eerThreshold,
    bestThreshold: best.threshold,
    bestAccuracy: best.accuracy,
    logistic,
    thresholdForFar(targetFar: number): number {
      const allowed = Math.floor(targetFar * neg.length);
      const all = [...pos, ...neg];
      if (allowed >= neg.length) return Math.max(...all);
      // Halfway between the (allowed+1)-th smallest impostor distance and the distance below it.
      const limit = neg[allowed]!;
      const below = all.filter((d) => d < limit);
      return below.length ? (Math.max(...below) + limit) / 2 : limit - 1e-6;
    },
    confidence: (distance: number) => 1 / (1 + Math.exp(-(logistic.slope * distance + logistic.intercept))),
  };
}
