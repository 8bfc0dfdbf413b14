/**
 * How good an embedding is, from its vectors alone:
 * - verification: balanced same/different pairs, accuracy at the best distance threshold and
 *   ROC AUC (the face task's calibration helpers);
 * - one-shot: one enrolled example per class, every other example labelled by its nearest
 *   enrolled example (averaged over several random enrolments).
 */
import { calibrate } from '../face/calibration.js';
import { SeededRandom } from './random.js';

export interface EmbeddingScores {
  /** Accuracy of same/different at the best threshold over the pairs. */
  pairAcc: number;
  /** Area under the ROC curve of the pairs. */
  auc: number;
  /** 1-shot nearest-neighbour accuracy. */
  oneShotAcc: number;
  /** The best threshold (euclidean distance). */
  threshold: number;
  /** Pairs scored (half same, half different). */
  pairs: number;
  classes: number;
}

export function euclideanDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(s);
}

/** `count` pairs of indices, half of the same class and half of different classes. */
export function balancedPairs(labels: ArrayLike<number>, count: number, seed = 1): { a: number; b: number; same: boolean }[] {
  const random = new SeededRandom(seed);
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const list = byClass.get(labels[i]!) ?? [];
    list.push(i);
    byClass.set(labels[i]!, list);
  }
  const withPairs = [...byClass.values()].filter((l) => l.length >= 2);
  if (!withPairs.length || byClass.size < 2) throw new Error('verification pairs need two classes and a class with two examples');
  const pairs: { a: number; b: number; same: boolean }[] = [];
  for (let i = 0; i < count; i++) {
    if (i % 2 === 0) {
      const list = withPairs[random.below(withPairs.length)]!;
      const a = random.below(list.length);
      let b = random.below(list.length - 1);
      if (b >= a) b++;
      pairs.push({ a: list[a]!, b: list[b]!, same: true });
    } else {
      let a: number, b: number;
      do {
        a = random.below(labels.length);
        b = random.below(labels.length);
      } while (labels[a] === labels[b]);
      pairs.push({ a, b, same: false });
    }
  }
  return pairs;
}

/** Mean 1-shot nearest-neighbour accuracy over `trials` random choices of the enrolled examples. */
export function oneShotAccuracy(embeddings: readonly ArrayLike<number>[], labels: ArrayLike<number>, trials = 10, seed = 1): number {
  const random = new SeededRandom(seed);
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) byClass.set(labels[i]!, [...(byClass.get(labels[i]!) ?? []), i]);
  let total = 0;
  for (let t = 0; t < trials; t++) {
    const enrolled = [...byClass.entries()].map(([c, list]) => ({ c, i: list[random.below(list.length)]! }));
    const isEnrolled = new Set(enrolled.map((e) => e.i));
    let hits = 0, queries = 0;
    for (let q = 0; q < labels.length; q++) {
      if (isEnrolled.has(q)) continue;
      let best = Infinity, guess = -1;
      for (const e of enrolled) {
        const d = euclideanDistance(embeddings[q]!, embeddings[e.i]!);
        if (d < best) [best, guess] = [d, e.c];
      }
      queries++;
      if (guess === labels[q]) hits++;
    }
    total += queries ? hits / queries : 0;
  }
  return total / trials;
}

/** Verification and one-shot scores of embeddings with their class labels. */
export function scoreEmbeddings(embeddings: readonly ArrayLike<number>[], labels: ArrayLike<number>, options: { pairs?: number; trials?: number; seed?: number } = {}): EmbeddingScores {
  if (embeddings.length !== labels.length) throw new Error(`${embeddings.length} embeddings for ${labels.length} labels`);
  const seed = options.seed ?? 1;
  const pairs = balancedPairs(labels, options.pairs ?? 2000, seed);
  const cal = calibrate(pairs.map((p) => ({ distance: euclideanDistance(embeddings[p.a]!, embeddings[p.b]!), same: p.same })));
  return {
    pairAcc: cal.bestAccuracy,
    auc: cal.auc,
    oneShotAcc: oneShotAccuracy(embeddings, labels, options.trials ?? 10, seed + 1),
    threshold: cal.bestThreshold,
    pairs: pairs.length,
    classes: new Set(Array.from(labels)).size,
  };
}
