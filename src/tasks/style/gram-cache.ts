/**
 * Style Gram matrices, computed once per (style image, network, size, layers) and kept on the
 * GPU: a run with the same style (another content image, other weights α/β) reuses them.
 */
import type { Engine } from '../../gpu/engine.js';
import type { Tensor } from '../../gpu/tensor.js';
import type { RGBAImage } from '../../ops/image.js';

interface Entry {
  key: string;
  grams: Tensor[];
}

export class GramCache {
  hits = 0;
  misses = 0;
  private readonly byImage = new WeakMap<RGBAImage, Entry[]>();
  private readonly all = new Set<Entry>();

  constructor(readonly maxEntries = 8) {}

  /** The cached Gram matrices for this style image and settings, or computes (and keeps) them. */
  get(style: RGBAImage, key: string, compute: () => Tensor[]): Tensor[] {
    const list = this.byImage.get(style) ?? [];
    const found = list.find((e) => e.key === key && e.grams.every((g) => !g.isDisposed));
    if (found) {
      this.hits++;
      return found.grams;
    }
    this.misses++;
    const grams = compute();
    for (const g of grams) g.engine.keep(g);
    const entry = { key, grams };
    list.push(entry);
    this.byImage.set(style, list);
    this.all.add(entry);
    // Oldest first: drop entries past the limit (their style images may still be alive).
    while (this.all.size > this.maxEntries) {
      const oldest = this.all.values().next().value!;
      this.all.delete(oldest);
      for (const g of oldest.grams) g.dispose();
    }
    return grams;
  }

  /** Frees every cached matrix. */
  clear(): void {
    for (const e of this.all) for (const g of e.grams) g.dispose();
    this.all.clear();
  }

  get size(): number {
    return this.all.size;
  }
}

const perEngine = new WeakMap<Engine, GramCache>();

/** The engine's shared cache (used when styleTransfer is given none). */
export function styleGramCache(engine: Engine): GramCache {
  let c = perEngine.get(engine);
  if (!c) perEngine.set(engine, (c = new GramCache()));
  return c;
}
