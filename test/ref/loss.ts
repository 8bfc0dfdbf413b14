/** Float64 references for the embedding losses (src/ops/loss.ts) and style-transfer costs (src/ops/style-loss.ts). */

type Arr = ArrayLike<number>;

// ---- style transfer ---------------------------------------------------------------------------

/** G = AᵀA for A = a as (hw)×c. */
export function refGram(a: Arr, hw: number, c: number): Float64Array {
  const g = new Float64Array(c * c);
  for (let r = 0; r < hw; r++)
    for (let i = 0; i < c; i++)
      for (let j = 0; j < c; j++) g[i * c + j]! += a[r * c + i]! * a[r * c + j]!;
  return g;
}

export function refContentLoss(aG: Arr, aC: Arr): { loss: number; grad: Float64Array } {
  const n = aG.length;
  let s = 0;
  const grad = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const d = aC[i]! - aG[i]!;
    s += d * d;
    grad[i] = -d / (2 * n);
  }
  return { loss: s / (4 * n), grad };
}

/** Style cost from the definition; the gradient written out entry by entry (dL/dA = A·(dL/dG + dL/dGᵀ)). */
export function refStyleLoss(aG: Arr, gramS: Arr, hw: number, c: number, weight = 1): { loss: number; grad: Float64Array } {
  const g = refGram(aG, hw, c);
  const k = weight / (4 * c * c * hw * hw);
  let s = 0;
  for (let i = 0; i < c * c; i++) s += (gramS[i]! - g[i]!) ** 2;
  const dG = g.map((v, i) => 2 * k * (v - gramS[i]!));
  const grad = new Float64Array(hw * c);
  for (let r = 0; r < hw; r++)
    for (let j = 0; j < c; j++) {
      let acc = 0;
      for (let i = 0; i < c; i++) acc += aG[r * c + i]! * (dG[i * c + j]! + dG[j * c + i]!);
      grad[r * c + j] = acc;
    }
  return { loss: k * s, grad };
}

/** weight/(N·H·W·C)·Σ squared forward differences down and right; gradient by differentiating each term. */
export function refTotalVariation(x: Arr, shape: readonly number[], weight = 1): { loss: number; grad: Float64Array } {
  const [h, w, c] = shape.slice(-3) as [number, number, number];
  const n = x.length / (h * w * c);
  const k = weight / x.length;
  const grad = new Float64Array(x.length);
  let s = 0;
  const at = (b: number, i: number, j: number, ch: number) => ((b * h + i) * w + j) * c + ch;
  for (let b = 0; b < n; b++)
    for (let i = 0; i < h; i++)
      for (let j = 0; j < w; j++)
        for (let ch = 0; ch < c; ch++) {
          const e = at(b, i, j, ch);
          for (const [di, dj] of [[1, 0], [0, 1]] as const) {
            if (i + di >= h || j + dj >= w) continue;
            const f = at(b, i + di, j + dj, ch);
            const d = x[f]! - x[e]!;
            s += d * d;
            grad[f]! += 2 * k * d;
            grad[e]! -= 2 * k * d;
          }
        }
  return { loss: k * s, grad };
}

// ---- embedding losses -------------------------------------------------------------------------

export type RefDistance = 'squaredEuclidean' | 'euclidean';

function sqd(x: Arr, i: number, y: Arr, j: number, D: number): number {
  let s = 0;
  for (let k = 0; k < D; k++) s += (x[i * D + k]! - y[j * D + k]!) ** 2;
  return s;
}

/** Distance between row i of x and row j of y, and c with ∂d/∂x_i = c·(x_i − y_j). */
function dist(x: Arr, i: number, y: Arr, j: number, D: number, kind: RefDistance): [number, number] {
  const s = sqd(x, i, y, j, D);
  if (kind === 'squaredEuclidean') return [s, 2];
  const d = Math.sqrt(s);
  return [d, d > 0 ? 1 / d : 0];
}

/** Adds w·c·(x_i − y_j) to g at row gi. */
function addDiff(g: Float64Array, gi: number, x: Arr, i: number, y: Arr, j: number, D: number, w: number): void {
  for (let k = 0; k < D; k++) g[gi * D + k]! += w * (x[i * D + k]! - y[j * D + k]!);
}

export function refTripletLoss(a: Arr, p: Arr, n: Arr, B: number, D: number, margin: number, kind: RefDistance = 'squaredEuclidean') {
  const gA = new Float64Array(B * D), gP = new Float64Array(B * D), gN = new Float64Array(B * D);
  let loss = 0;
  for (let b = 0; b < B; b++) {
    const [dp, cp] = dist(a, b, p, b, D, kind), [dn, cn] = dist(a, b, n, b, D, kind);
    const l = dp - dn + margin;
    if (l <= 0) continue;
    loss += l / B;
    addDiff(gA, b, a, b, p, b, D, cp / B);
    addDiff(gA, b, a, b, n, b, D, -cn / B);
    addDiff(gP, b, a, b, p, b, D, -cp / B);
    addDiff(gN, b, a, b, n, b, D, cn / B);
  }
  return { loss, gradA: gA, gradP: gP, gradN: gN };
}

/** Mined triplets (anchor, positive, negative) per the definitions in src/ops/loss.ts, and the normaliser's kind. */
export function refMineTriplets(e: Arr, labels: Arr, B: number, D: number, margin: number, mining: 'all' | 'hard' | 'semihard', kind: RefDistance): { triplets: [number, number, number][]; valid: number } {
  const d = (i: number, j: number) => dist(e, i, e, j, D, kind)[0];
  const triplets: [number, number, number][] = [];
  let valid = 0;
  for (let i = 0; i < B; i++) {
    const pos = [...Array(B).keys()].filter((j) => j !== i && labels[j] === labels[i]);
    const neg = [...Array(B).keys()].filter((k) => labels[k] !== labels[i]);
    if (!neg.length || !pos.length) continue;
    const hardNeg = neg.reduce((best, k) => (d(i, k) < d(i, best) ? k : best));
    if (mining === 'hard') {
      valid++;
      triplets.push([i, pos.reduce((best, j) => (d(i, j) > d(i, best) ? j : best)), hardNeg]);
    } else if (mining === 'all') {
      for (const j of pos) for (const k of neg) { valid++; triplets.push([i, j, k]); }
    } else {
      for (const j of pos) {
        valid++;
        const band = neg.filter((k) => d(i, k) > d(i, j) && d(i, k) < d(i, j) + margin);
        triplets.push([i, j, band.length ? band.reduce((best, k) => (d(i, k) < d(i, best) ? k : best)) : hardNeg]);
      }
    }
  }
  return { triplets, valid };
}

export function refBatchTripletLoss(e: Arr, labels: Arr, B: number, D: number, margin: number, mining: 'all' | 'hard' | 'semihard', kind: RefDistance = 'squaredEuclidean') {
  const { triplets, valid } = refMineTriplets(e, labels, B, D, margin, mining, kind);
  const active = triplets.filter(([i, j, k]) => dist(e, i, e, j, D, kind)[0] - dist(e, i, e, k, D, kind)[0] + margin > 0);
  const n = mining === 'all' ? active.length : valid;
  const grad = new Float64Array(B * D);
  let loss = 0;
  for (const [i, j, k] of active) {
    const [dp, cp] = dist(e, i, e, j, D, kind), [dn, cn] = dist(e, i, e, k, D, kind);
    loss += (dp - dn + margin) / n;
    addDiff(grad, i, e, i, e, j, D, cp / n);
    addDiff(grad, j, e, i, e, j, D, -cp / n);
    addDiff(grad, i, e, i, e, k, D, -cn / n);
    addDiff(grad, k, e, i, e, k, D, cn / n);
  }
  return { loss, activeFraction: valid ? active.length / valid : 0, grad };
}

export function refContrastiveLoss(e1: Arr, e2: Arr, same: Arr, B: number, D: number, margin: number, kind: RefDistance = 'euclidean') {
  const g1 = new Float64Array(B * D), g2 = new Float64Array(B * D);
  let loss = 0;
  for (let b = 0; b < B; b++) {
    const y = same[b]!;
    const [d, c] = dist(e1, b, e2, b, D, kind);
    const gap = Math.max(margin - d, 0);
    let dl: number;
    if (kind === 'euclidean') {
      loss += (y * d * d + (1 - y) * gap * gap) / B;
      dl = 2 * y * d - 2 * (1 - y) * gap;
    } else {
      loss += (y * d + (1 - y) * gap) / B;
      dl = y - (1 - y) * (gap > 0 ? 1 : 0);
    }
    // For euclidean positive pairs, d·(1/d) = 1 even where d = 0.
    const coef = kind === 'euclidean' ? 2 * y - 2 * (1 - y) * gap * c : dl * c;
    addDiff(g1, b, e1, b, e2, b, D, coef / B);
    addDiff(g2, b, e1, b, e2, b, D, -coef / B);
  }
  return { loss, grad1: g1, grad2: g2 };
}

export function refPairLogisticLoss(e1: Arr, e2: Arr, labels: Arr, w: Arr, b: number, B: number, D: number, form: 'absDiff' | 'chiSquare' = 'absDiff') {
  const feature = (x: number, y: number) => (form === 'absDiff' ? Math.abs(x - y) : Math.abs(x + y) > 1e-12 ? (x - y) ** 2 / (x + y) : 0);
  const dFeature = (x: number, y: number): [number, number] => {
    const d = x - y, s = x + y;
    if (form === 'absDiff') return [Math.sign(d), -Math.sign(d)];
    if (Math.abs(s) <= 1e-12) return [0, 0];
    return [2 * d / s - d * d / (s * s), -2 * d / s - d * d / (s * s)];
  };
  const prob = new Float64Array(B), gradW = new Float64Array(D), grad1 = new Float64Array(B * D), grad2 = new Float64Array(B * D);
  let loss = 0, gradB = 0;
  for (let r = 0; r < B; r++) {
    let z = b;
    for (let k = 0; k < D; k++) z += w[k]! * feature(e1[r * D + k]!, e2[r * D + k]!);
    const y = labels[r]!;
    prob[r] = 1 / (1 + Math.exp(-z));
    loss += (Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))) - y * z) / B;
    const res = (prob[r]! - y) / B;
    gradB += res;
    for (let k = 0; k < D; k++) {
      const x1 = e1[r * D + k]!, x2 = e2[r * D + k]!;
      gradW[k]! += res * feature(x1, x2);
      const [d1, d2] = dFeature(x1, x2);
      grad1[r * D + k] = res * w[k]! * d1;
      grad2[r * D + k] = res * w[k]! * d2;
    }
  }
  return { loss, prob, gradW, gradB, grad1, grad2 };
}

// ---- classification -----------------------------------------------------------------------------

/** Batch-mean softmax cross-entropy of logits [B, C] with class ids, and its gradient. */
export function refSoftmaxCrossEntropy(z: Arr, labels: Arr, B: number, C: number): { loss: number; grad: Float64Array } {
  const grad = new Float64Array(B * C);
  let loss = 0;
  for (let r = 0; r < B; r++) {
    const row = Array.from({ length: C }, (_, k) => z[r * C + k]!);
    const top = Math.max(...row);
    const total = row.reduce((s, v) => s + Math.exp(v - top), 0);
    loss += (Math.log(total) + top - row[labels[r]!]!) / B;
    row.forEach((v, k) => { grad[r * C + k] = (Math.exp(v - top) / total - (k === labels[r] ? 1 : 0)) / B; });
  }
  return { loss, grad };
}
