/**
 * The k strongest positions of each chosen unit (channel) of a layer over a stream of activation
 * batches [N, H, W, C], read back from the GPU batch by batch: "which image regions drive this
 * unit most" (Zeiler and Fergus's top-9 patches). At most `maxPerImage` positions per image, so
 * one image's neighbouring positions (nearly the same patch) do not fill a row.
 */

export interface TopActivation {
  /** Index of the image in the whole stream. */
  image: number;
  y: number;
  x: number;
  value: number;
}

/** Stronger first; equal values: earlier image, then earlier position (row-major). */
function before(a: TopActivation, b: TopActivation, width: number): boolean {
  if (a.value !== b.value) return a.value > b.value;
  if (a.image !== b.image) return a.image < b.image;
  return a.y * width + a.x < b.y * width + b.x;
}

/** Inserts `c` into the sorted list `list`, keeping at most `k`. */
function insert(list: TopActivation[], c: TopActivation, k: number, width: number): void {
  if (list.length === k && !before(c, list[k - 1]!, width)) return;
  let i = list.length;
  while (i > 0 && before(c, list[i - 1]!, width)) i--;
  list.splice(i, 0, c);
  if (list.length > k) list.pop();
}

export class TopActivationScan {
  private readonly best: TopActivation[][];
  private width = 0;
  private channels = -1;
  private images = 0;

  constructor(readonly units: readonly number[], readonly k = 9, readonly maxPerImage = 1) {
    if (!(k >= 1 && Number.isInteger(k))) throw new Error(`top activations: k must be a positive integer, got ${k}`);
    if (!(maxPerImage >= 1 && Number.isInteger(maxPerImage))) throw new Error(`top activations: maxPerImage must be a positive integer, got ${maxPerImage}`);
    this.best = units.map(() => []);
  }

  /** Images seen so far. */
  get seen(): number {
    return this.images;
  }

  /** One batch of activations [N, H, W, C] (channels last), the next N images of the stream. */
  add(data: Float32Array, shape: readonly number[]): void {
    if (shape.length !== 4) throw new Error(`top activations: activations must be [N, H, W, C], got [${shape}]`);
    const [n, h, w, c] = shape as [number, number, number, number];
    if (data.length !== n * h * w * c) throw new Error(`top activations: ${data.length} values for shape [${shape}]`);
    if (this.channels < 0) {
      this.channels = c;
      this.width = w;
      for (const u of this.units) if (!(Number.isInteger(u) && u >= 0 && u < c)) throw new Error(`unknown unit ${u}: the layer has ${c} units (0–${c - 1})`);
    } else if (c !== this.channels || w !== this.width) {
      throw new Error(`top activations: batches of different layouts ([…, ${w}, ${c}] after [${this.width}, ${this.channels}])`);
    }
    const per = Math.min(this.maxPerImage, this.k);
    for (let b = 0; b < n; b++) {
      const image = this.images + b;
      const base = b * h * w * c;
      this.units.forEach((u, ui) => {
        const local: TopActivation[] = [];
        for (let y = 0; y < h; y++) {
          for (let x = 0; x < w; x++) {
            const value = data[base + (y * w + x) * c + u]!;
            if (local.length === per && value <= local[per - 1]!.value) continue;
            insert(local, { image, y, x, value }, per, w);
          }
        }
        for (const cand of local) insert(this.best[ui]!, cand, this.k, w);
      });
    }
    this.images += n;
  }

  /** Per unit (in the order given), its strongest positions, strongest first. */
  result(): TopActivation[][] {
    return this.best.map((l) => l.map((t) => ({ ...t })));
  }
}
