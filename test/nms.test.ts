import { iou, type Box } from '../src/nn/boxes.js';
import { nonMaxSuppression } from '../src/nn/nms.js';
import { assert, assertEqual } from './util/assert.js';
import { Rng } from './util/random.js';

/** IoU written out from corners, the way face-api's SSD computes it ([ymin, xmin, ymax, xmax]). */
function refIou(a: Box, b: Box): number {
  const [ay0, ax0, ay1, ax1] = [a.y, a.x, a.y + a.height, a.x + a.width];
  const [by0, bx0, by1, bx1] = [b.y, b.x, b.y + b.height, b.x + b.width];
  const areaA = (Math.max(ay0, ay1) - Math.min(ay0, ay1)) * (Math.max(ax0, ax1) - Math.min(ax0, ax1));
  const areaB = (Math.max(by0, by1) - Math.min(by0, by1)) * (Math.max(bx0, bx1) - Math.min(bx0, bx1));
  if (areaA <= 0 || areaB <= 0) return 0;
  const ih = Math.max(Math.min(Math.max(ay0, ay1), Math.max(by0, by1)) - Math.max(Math.min(ay0, ay1), Math.min(by0, by1)), 0);
  const iw = Math.max(Math.min(Math.max(ax0, ax1), Math.max(bx0, bx1)) - Math.max(Math.min(ax0, ax1), Math.min(bx0, bx1)), 0);
  return (ih * iw) / (areaA + areaB - ih * iw);
}

/**
 * face-api's tiny-detector suppression, literally: sort ascending, take the last, drop every
 * remaining box whose IoU with it is above the threshold, repeat.
 */
function refNmsPop(boxes: Box[], scores: number[], threshold: number): number[] {
  let order = scores.map((score, i) => ({ score, i })).sort((a, b) => a.score - b.score).map((c) => c.i);
  const pick: number[] = [];
  while (order.length) {
    const cur = order.pop()!;
    pick.push(cur);
    order = order.filter((j) => refIou(boxes[cur]!, boxes[j]!) <= threshold);
  }
  return pick;
}

/** face-api's SSD suppression, literally: score filter, stable descending sort, output limit. */
function refNmsSsd(boxes: Box[], scores: number[], max: number, threshold: number, scoreThreshold: number): number[] {
  const candidates = scores.map((score, i) => ({ score, i })).filter((c) => c.score > scoreThreshold).sort((a, b) => b.score - a.score);
  const selected: number[] = [];
  for (const c of candidates) {
    if (selected.length >= Math.min(max, boxes.length)) break;
    let score = c.score;
    for (let j = selected.length - 1; j >= 0; j--) {
      const o = refIou(boxes[c.i]!, boxes[selected[j]!]!);
      if (o === 0) continue;
      score *= o <= threshold ? 1 : 0;
      if (score <= scoreThreshold) break;
    }
    if (score === c.score) selected.push(c.i);
  }
  return selected;
}

function randomBoxes(rng: Rng, n: number, clustered: boolean): { boxes: Box[]; scores: number[] } {
  const centres = Array.from({ length: 4 }, () => [rng.next() * 100, rng.next() * 100] as const);
  const boxes = Array.from({ length: n }, () => {
    const [cx, cy] = clustered ? rng.pick(centres) : [rng.next() * 100, rng.next() * 100];
    const w = 5 + rng.next() * 30, h = 5 + rng.next() * 30;
    return { x: cx + (rng.next() - 0.5) * 12 - w / 2, y: cy + (rng.next() - 0.5) * 12 - h / 2, width: w, height: h };
  });
  // Coarse scores make ties, which the two orders break differently.
  const scores = boxes.map(() => Math.round(rng.next() * 20) / 20);
  return { boxes, scores };
}

describe('non-maximum suppression', () => {
  it('IoU matches the corner formula, including flipped and empty boxes', () => {
    const rng = new Rng(3);
    for (let i = 0; i < 500; i++) {
      const { boxes } = randomBoxes(rng, 2, true);
      const [a, b] = boxes as [Box, Box];
      if (i % 7 === 0) a.width = -a.width;
      if (i % 11 === 0) b.height = 0;
      const got = iou(a, b);
      const want = refIou(a, b);
      assert(Math.abs(got - want) < 1e-12, `iou ${JSON.stringify([a, b])}: ${got} vs ${want}`);
      assert(Math.abs(got - iou(b, a)) < 1e-12, 'iou is symmetric');
    }
    assertEqual(iou({ x: 0, y: 0, width: 2, height: 2 }, { x: 1, y: 0, width: 2, height: 2 }), 1 / 3, 'half-overlapping squares');
    assertEqual(iou({ x: 0, y: 0, width: 2, height: 2 }, { x: 2, y: 0, width: 2, height: 2 }), 0, 'touching squares');
  });

  it("matches face-api's two suppressions on random boxes (thresholds, limits, ties)", () => {
    const rng = new Rng(17);
    for (let trial = 0; trial < 60; trial++) {
      const n = rng.int(0, 60);
      const { boxes, scores } = randomBoxes(rng, n, trial % 2 === 0);
      const threshold = rng.pick([0.3, 0.4, 0.5, 0.7]);
      assertEqual(nonMaxSuppression(boxes, scores, { iouThreshold: threshold, ties: 'last' }), refNmsPop(boxes, scores, threshold), `tiny-style trial ${trial}`);
      const max = rng.pick([1, 3, 10, 100]);
      const scoreThreshold = rng.pick([0, 0.2, 0.5]);
      assertEqual(
        nonMaxSuppression(boxes, scores, { iouThreshold: threshold, scoreThreshold, maxResults: max, ties: 'first' }),
        refNmsSsd(boxes, scores, max, threshold, scoreThreshold),
        `ssd-style trial ${trial}`,
      );
    }
  });

  it('keeps the best of overlapping boxes and every separate one', () => {
    const boxes = [
      { x: 0, y: 0, width: 10, height: 10 },
      { x: 1, y: 1, width: 10, height: 10 },
      { x: 50, y: 50, width: 10, height: 10 },
      { x: 51, y: 50, width: 10, height: 10 },
    ];
    assertEqual(nonMaxSuppression(boxes, [0.9, 0.95, 0.3, 0.6], { iouThreshold: 0.5 }), [1, 3]);
    assertEqual(nonMaxSuppression(boxes, [0.9, 0.95, 0.3, 0.6], { iouThreshold: 0.5, scoreThreshold: 0.7 }), [1]);
    assertEqual(nonMaxSuppression(boxes, [0.9, 0.95, 0.3, 0.6], { iouThreshold: 0.99 }), [1, 0, 3, 2]);
    assertEqual(nonMaxSuppression(boxes, [0.9, 0.95, 0.3, 0.6], { iouThreshold: 0.99, maxResults: 2 }), [1, 0]);
  });
});
