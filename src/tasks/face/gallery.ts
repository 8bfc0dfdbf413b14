import type { Engine } from '../../gpu/engine.js';
import type { Tensor } from '../../gpu/tensor.js';
import { pairwiseDistances, pairwiseSimilarity } from '../../ops/distance.js';
import type { SimilarityHead } from './similarity-head.js';

/** Serialised gallery: what export/import and the stores read and write. */
export interface GalleryJSON {
  format: 'wgsl-vision-gallery';
  version: 1;
  dims: number;
  /** The descriptor network the people were enrolled with ('dlib' when absent: galleries before there was a choice). */
  descriptor?: string;
  people: { id: string; descriptors: number[][] }[];
}

/** What face-api's `FaceMatcher.toJSON()` writes (its `LabeledFaceDescriptors`, one per person). */
export interface FaceMatcherJSON {
  distanceThreshold: number;
  labeledDescriptors: { label: string; descriptors: number[][] }[];
}

/** Where a gallery persists: IndexedDB in browsers, a JSON file in Node (see src/host). */
export interface GalleryStore {
  load(): Promise<GalleryJSON | null>;
  save(json: GalleryJSON): Promise<void>;
}

export interface Match {
  id: string;
  /** Euclidean distance to the person's nearest enrolled descriptor. */
  distance: number;
}

export interface Identification {
  /** The best match within the threshold, or null: "not recognized". */
  id: string | null;
  distance: number;
  threshold: number;
  /** The k nearest people, nearest first. */
  candidates: Match[];
}

export class GalleryError extends Error {
  override name = 'GalleryError';
}

/** Serialised descriptors, checked (`dims` finite numbers each) and as Float32Arrays; `bad` words the error. */
function descriptorsFrom(list: unknown, dims: number, who: string, bad: (why: string) => Error): Float32Array[] {
  if (!Array.isArray(list) || !list.length) throw bad(`${who} has no descriptors`);
  return list.map((d: unknown, j) => {
    if (!Array.isArray(d) || d.length !== dims) throw bad(`${who} has a malformed descriptor: descriptor ${j} has ${Array.isArray(d) ? d.length : 'no'} values, expected ${dims}`);
    const k = d.findIndex((v) => !Number.isFinite(v));
    if (k >= 0) throw bad(`${who} has a malformed descriptor: descriptor ${j} value ${k} is ${String(d[k])}, not a finite number`);
    return Float32Array.from(d as number[]);
  });
}

/**
 * A database of K people's face descriptors. Distances from a query to every enrolled
 * descriptor are one GPU dispatch over a [K, D] tensor kept on the device between searches.
 */
export class FaceGallery {
  private readonly people = new Map<string, Float32Array[]>();
  /** The [K, D] descriptor matrix on the GPU, and for each row the index of its person in `names`. */
  private matrix: { tensor: Tensor; owner: Int32Array; names: string[] } | null = null;

  /** `descriptor`: the network whose descriptors this gallery holds; a gallery of another one is refused. */
  constructor(readonly engine: Engine, readonly dims = 128, private readonly store?: GalleryStore, readonly descriptor = 'dlib') {}

  /** Loads the persisted gallery, if the store has one. */
  async open(): Promise<this> {
    const json = await this.store?.load();
    if (json) this.import(json);
    return this;
  }

  get size(): number {
    return this.people.size;
  }

  list(): { id: string; descriptors: number }[] {
    return [...this.people].map(([id, d]) => ({ id, descriptors: d.length }));
  }

  has(id: string): boolean {
    return this.people.has(id);
  }

  descriptorsOf(id: string): Float32Array[] {
    const d = this.people.get(id);
    if (!d) throw new GalleryError(`'${id}' is not enrolled`);
    return d;
  }

  /** Adds descriptors for a person (several per person are allowed) and persists. */
  async enroll(id: string, descriptors: readonly ArrayLike<number>[]): Promise<void> {
    if (typeof id !== 'string' || !id.trim()) throw new GalleryError('enroll needs a non-empty id');
    if (!descriptors.length) throw new GalleryError(`enroll '${id}': no descriptors (no face found?)`);
    for (const d of descriptors) {
      if (d.length !== this.dims) throw new GalleryError(`enroll '${id}': descriptor has ${d.length} values, the gallery holds ${this.dims}`);
    }
    const list = this.people.get(id) ?? [];
    list.push(...descriptors.map((d) => Float32Array.from(d)));
    this.people.set(id, list);
    this.invalidate();
    await this.persist();
  }

  async remove(id: string): Promise<boolean> {
    const removed = this.people.delete(id);
    if (removed) {
      this.invalidate();
      await this.persist();
    }
    return removed;
  }

  async clear(): Promise<void> {
    this.people.clear();
    this.invalidate();
    await this.persist();
  }

  /** Distances from the query to every enrolled descriptor, then the nearest per person. */
  async identify(descriptor: ArrayLike<number>, options: { threshold?: number; topK?: number } = {}): Promise<Identification> {
    const threshold = options.threshold ?? 0.6;
    const topK = options.topK ?? 5;
    if (descriptor.length !== this.dims) throw new GalleryError(`identify: descriptor has ${descriptor.length} values, the gallery holds ${this.dims}`);
    if (this.people.size === 0) return { id: null, distance: Infinity, threshold, candidates: [] };
    const { tensor, owner, names } = this.deviceMatrix();
    const squared = await this.readOnce(() => pairwiseDistances(this.query(descriptor), tensor));
    const nearest = new Float32Array(names.length).fill(Infinity);
    for (let i = 0; i < squared.length; i++) if (squared[i]! < nearest[owner[i]!]!) nearest[owner[i]!] = squared[i]!;
    const best = names.map((id, i) => [id, nearest[i]!] as const);
    const candidates = best
      .map(([id, d]) => ({ id, distance: Math.sqrt(Math.max(0, d)) }))
      .sort((a, b) => a.distance - b.distance)
      .slice(0, topK);
    const top = candidates[0]!;
    return { id: top.distance <= threshold ? top.id : null, distance: top.distance, threshold, candidates };
  }

  /**
   * 1:K with the learned similarity head instead of a distance threshold: ŷ against every
   * enrolled descriptor in one GPU dispatch, the highest per person; a person matches when
   * ŷ ≥ the head's threshold.
   */
  async identifyWithHead(descriptor: ArrayLike<number>, head: SimilarityHead, options: { topK?: number } = {}): Promise<{ id: string | null; probability: number; candidates: { id: string; probability: number }[] }> {
    if (descriptor.length !== this.dims) throw new GalleryError(`identify: descriptor has ${descriptor.length} values, the gallery holds ${this.dims}`);
    if (this.people.size === 0) return { id: null, probability: 0, candidates: [] };
    const { tensor, owner, names } = this.deviceMatrix();
    const probs = await this.readOnce(() => pairwiseSimilarity(this.query(descriptor), tensor, head.deviceTensor(this.engine), head.form));
    const highest = new Float32Array(names.length).fill(-1);
    for (let i = 0; i < probs.length; i++) if (probs[i]! > highest[owner[i]!]!) highest[owner[i]!] = probs[i]!;
    const best = names.map((id, i) => [id, highest[i]!] as const);
    const candidates = best.map(([id, probability]) => ({ id, probability })).sort((a, b) => b.probability - a.probability).slice(0, options.topK ?? 5);
    const top = candidates[0]!;
    return { id: top.probability >= head.threshold ? top.id : null, probability: top.probability, candidates };
  }

  export(): GalleryJSON {
    return {
      format: 'wgsl-vision-gallery',
      version: 1,
      dims: this.dims,
      descriptor: this.descriptor,
      people: [...this.people].map(([id, ds]) => ({ id, descriptors: ds.map((d) => Array.from(d)) })),
    };
  }

  /** Replaces the contents with a gallery exported earlier (validated first: nothing is lost on bad input). */
  import(json: unknown): void {
    const g = json as GalleryJSON;
    const bad = (why: string) => new GalleryError(`not a wgsl-vision gallery: ${why}`);
    if (!g || g.format !== 'wgsl-vision-gallery') throw bad("missing format 'wgsl-vision-gallery'");
    if (g.version !== 1) throw bad(`unsupported version ${g.version}`);
    const enrolledWith = g.descriptor ?? 'dlib';
    if (enrolledWith !== this.descriptor) {
      throw new GalleryError(`this gallery was enrolled with the '${enrolledWith}' descriptor and this recognizer computes '${this.descriptor}': descriptors of different networks cannot be compared (use descriptor: '${enrolledWith}', or enrol the people again)`);
    }
    if (g.dims !== this.dims) throw bad(`descriptors have ${g.dims} values, this gallery holds ${this.dims}`);
    if (!Array.isArray(g.people)) throw bad("missing 'people'");
    const next = new Map<string, Float32Array[]>();
    for (const p of g.people) {
      if (typeof p?.id !== 'string') throw bad(`person ${JSON.stringify(p?.id)} has no descriptors`);
      next.set(p.id, [...(next.get(p.id) ?? []), ...descriptorsFrom(p.descriptors, this.dims, `person '${p.id}'`, bad)]);
    }
    this.people.clear();
    for (const [id, d] of next) this.people.set(id, d);
    this.invalidate();
  }

  /**
   * Enrols the people of a face-api FaceMatcher (its `toJSON()` output), added to those
   * enrolled already; all of it is checked first, so bad input changes nothing. The matcher's
   * distanceThreshold comes back as `threshold`, for the recognizer's (face-api's default is
   * this model's 0.6 too).
   */
  async importFaceMatcher(json: unknown): Promise<{ people: number; descriptors: number; threshold: number }> {
    const m = json as FaceMatcherJSON;
    const bad = (why: string) => new GalleryError(`not a face-api FaceMatcher JSON: ${why}`);
    if (!m || typeof m !== 'object') throw bad('not an object');
    if (this.descriptor !== 'dlib') throw new GalleryError(`a face-api FaceMatcher holds face-api's 'dlib' descriptors; this gallery holds '${this.descriptor}' ones: they cannot be compared`);
    if (!(typeof m.distanceThreshold === 'number' && m.distanceThreshold > 0)) throw bad(`distanceThreshold ${String(m.distanceThreshold)} is not a positive number`);
    if (!Array.isArray(m.labeledDescriptors)) throw bad("missing 'labeledDescriptors'");
    const next = new Map<string, Float32Array[]>();
    m.labeledDescriptors.forEach((ld, i) => {
      if (typeof ld?.label !== 'string' || !ld.label.trim()) throw bad(`labeledDescriptors[${i}] has no label`);
      next.set(ld.label, [...(next.get(ld.label) ?? []), ...descriptorsFrom(ld.descriptors, this.dims, `label '${ld.label}' (labeledDescriptors[${i}])`, bad)]);
    });
    for (const [id, d] of next) this.people.set(id, [...(this.people.get(id) ?? []), ...d]);
    this.invalidate();
    await this.persist();
    return { people: next.size, descriptors: [...next.values()].reduce((n, d) => n + d.length, 0), threshold: m.distanceThreshold };
  }

  /** Releases the gallery's GPU memory (it is rebuilt on the next search). */
  dispose(): void {
    this.invalidate();
  }

  private deviceMatrix(): { tensor: Tensor; owner: Int32Array; names: string[] } {
    if (!this.matrix) {
      const names = [...this.people.keys()];
      const rows = [...this.people.values()].reduce((n, ds) => n + ds.length, 0);
      const data = new Float32Array(rows * this.dims);
      const owner = new Int32Array(rows);
      let r = 0;
      names.forEach((id, p) => {
        for (const d of this.people.get(id)!) (data.set(d, r * this.dims), (owner[r++] = p));
      });
      this.matrix = { tensor: this.engine.keep(this.engine.tensor([rows, this.dims], data, 'gallery')), owner, names };
    }
    return this.matrix;
  }

  private query(descriptor: ArrayLike<number>): Tensor {
    return this.engine.tensor([1, this.dims], Float32Array.from(descriptor), 'query');
  }

  /**
   * Records `work` in a synchronous scope and reads its result. No async scope stays open across
   * the read, so searches may run concurrently with other GPU work.
   */
  private async readOnce(work: () => Tensor): Promise<Float32Array> {
    const out = this.engine.tidy(work);
    try {
      return await out.read();
    } finally {
      out.dispose();
    }
  }

  private invalidate(): void {
    this.matrix?.tensor.dispose();
    this.matrix = null;
  }

  private async persist(): Promise<void> {
    await this.store?.save(this.export());
  }
}
