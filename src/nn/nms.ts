/** Greedy non-maximum suppression on the CPU (detectors read their few candidates back first). */
import { iou, type Box } from './boxes.js';

export interface NmsOptions {
  /** A box is dropped when its IoU with an already kept box is above this. */
  iouThreshold: number;
  /** Only boxes scoring above this are considered (default: all). */
  scoreThreshold?: number;
  /** Stop after this many boxes (default: no limit). */
  maxResults?: number;
  /**
   * Which of equally scored boxes is taken first: 'first' (the lower index, as face-api's SSD
   * and tf.image.nonMaxSuppression) or 'last' (the higher index, as face-api's tiny detector).
   */
  ties?: 'first' | 'last';
}

/**
 * Indices of the kept boxes, best first: boxes are visited by descending score and kept unless
 * they overlap a kept box by more than `iouThreshold` (IoU from `iou`, 0 for boxes without area).
 */
export function nonMaxSuppression(boxes: readonly Box[], scores: ArrayLike<number>, options: NmsOptions): number[] {
  if (boxes.length !== scores.length) throw new Error(`nonMaxSuppression: ${boxes.length} boxes but ${scores.length} scores`);
  const { iouThreshold, scoreThreshold = -Infinity, maxResults = Infinity, ties = 'first' } = options;
  const order: number[] = [];
  for (let i = 0; i < boxes.length; i++) if (scores[i]! > scoreThreshold) order.push(i);
  order.sort((a, b) => scores[b]! - scores[a]! || (ties === 'first' ? a - b : b - a));
  const kept: number[] = [];
  for (const i of order) {
    if (kept.length >= maxResults) break;
    if (kept.every((k) => !(iou(boxes[i]!, boxes[k]!) > iouThreshold))) kept.push(i);
  }
  return kept;
}
