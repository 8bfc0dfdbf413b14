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
