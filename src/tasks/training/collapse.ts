/**
 * Collapse detection, the most common failure of triplet training: the encoder maps every
 * input to (nearly) the same point, all distances go to zero, and the triplet loss sits at the
 * margin α (d(a,p) − d(a,n) + α = α) with gradients that cannot separate classes.
 */

export interface CollapseOptions {
  /** Mean pairwise embedding distance below which embeddings count as collapsed. */
  distance?: number;
  /** |loss − margin| ≤ lossTolerance·margin counts as "stuck at the margin" (triplet loss). */
  lossTolerance?: number;
  /** Consecutive collapsed checks before warning. */
  patience?: number;
}

export interface CollapseWarning {
  kind: 'collapse';
  message: string;
  /** What to try, one suggestion per line. */
  advice: string[];
  loss: number;
  meanDistance: number;
  epoch: number;
  step: number;
}

/** Mean euclidean distance over all pairs of rows of a [n, dim] batch. */
export function meanPairwiseDistance(embeddings: Float32Array, n: number): number {
  const dim = embeddings.length / n;
  let sum = 0, count = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let s = 0;
      for (let k = 0; k < dim; k++) s += (embeddings[i * dim + k]! - embeddings[j * dim + k]!) ** 2;
      sum += Math.sqrt(s);
      count++;
    }
  }
  return count ? sum / count : 0;
}

export class CollapseDetector {
  private streak = 0;
  private warned = false;
  readonly distance: number;
  readonly lossTolerance: number;
  readonly patience: number;

  constructor(readonly loss: 'triplet' | 'contrastive', readonly margin: number, o: CollapseOptions = {}) {
    this.distance = o.distance ?? 0.02;
    this.lossTolerance = o.lossTolerance ?? 0.05;
    this.patience = o.patience ?? 3;
  }

  /** Whether one check (a recent mean loss, a batch's mean distance) looks collapsed. */
  collapsed(loss: number, meanDistance: number): boolean {
    const nearZero = meanDistance < this.distance;
    // Contrastive loss at collapse depends on the pair mix; the distances alone decide there.
    const stuck = this.loss === 'contrastive' || Math.abs(loss - this.margin) <= this.lossTolerance * this.margin;
    return nearZero && stuck;
  }

  /** Feeds one check; returns a warning the first time `patience` checks in a row are collapsed. */
  check(loss: number, meanDistance: number, at: { epoch: number; step: number }): CollapseWarning | null {
    this.streak = this.collapsed(loss, meanDistance) ? this.streak + 1 : 0;
    if (this.warned || this.streak < this.patience) return null;
    this.warned = true;
    const lossPart = this.loss === 'triplet'
      ? `the loss has stayed at the margin (${loss.toFixed(4)} ≈ α = ${this.margin})`
      : `the loss has stopped falling (${loss.toFixed(4)})`;
    return {
      kind: 'collapse',
      message:
        `embeddings have collapsed: ${lossPart} and the mean distance between embeddings in a batch is ` +
        `${meanDistance.toExponential(2)} — the encoder maps every input to nearly the same point, so ` +
        `no triplet can be separated and training has stalled.`,
      advice: [
        'lower the learning rate (e.g. by 10x) or add gradient clipping (optimizer clipNorm)',
        "use semi-hard or batch-all mining: batch-hard picks the worst triplets, which early in training (or with noisy labels) pull everything together",
        'use a smaller margin, or more images per class (perPerson) so positives are not all outliers',
        'check that labels match images (a shuffled label array looks exactly like this) and that inputs are normalised',
        'restart from the last good weights (resumeFrom) rather than continuing from a collapsed state',
      ],
      loss,
      meanDistance,
      ...at,
    };
  }
}
