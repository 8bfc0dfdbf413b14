import type { Engine } from '../../gpu/engine.js';
import type { Tensor } from '../../gpu/tensor.js';
import { pairwiseSimilarity } from '../../ops/distance.js';
import { MAX_TOP_K } from '../../ops/gallery-search.js';
import { descriptorProblem, GalleryError, type GalleryIdentity, type GalleryIndex, type GalleryStorage, type Match, type PersonDescriptors, type PersonSummary } from './gallery-index.js';
import { GpuGalleryIndex } from './gpu-gallery-index.js';
import type { SimilarityHead } from './similarity-head.js';

export { GalleryError, type GalleryChange, type GalleryIdentity, type GalleryIndex, type GalleryStorage, type Match, type PersonDescriptors, type PersonSummary } from './gallery-index.js';

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

export interface Identification {
  /** The best match within the threshold, or null: "not recognized". */
  id: string | null;
  distance: number;
  threshold: number;
  /** The k nearest people, nearest first. */
  candidates: Match[];
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
 * People from serialised (id, descriptors) entries, all checked. Errors name an entry by its place
 * (`where(i)`) or by whom it holds (`who(i, id)`). An id given twice is refused, or its
 * descriptors merged (face-api's matchers repeat labels).
 */
function peopleFrom(entries: readonly { id: unknown; descriptors: unknown }[], dims: number, where: (i: number) => string, who: (i: number, id: string) => string, bad: (why: string) => Error, duplicates: 'refuse' | 'merge' = 'refuse'): PersonDescriptors[] {
  const seen = new Map<string, { at: number; person: PersonDescriptors }>();
  entries.forEach((e, i) => {
    if (typeof e?.id !== 'string' || !e.id.trim()) throw bad(`${where(i)} has no ${duplicates === 'merge' ? 'label' : 'id'}`);
    const descriptors = descriptorsFrom(e.descriptors, dims, who(i, e.id), bad);
    const before = seen.get(e.id);
    if (!before) seen.set(e.id, { at: i, person: { id: e.id, descriptors } });
    else if (duplicates === 'merge') before.person.descriptors.push(...descriptors);
    else throw bad(`duplicate id '${e.id}' (${where(before.at)} and ${where(i)})`);
  });
  return [...seen.values()].map((s) => s.person);
}

export interface ImportOptions {
  /**
   * 'add' (default): new people only, an id already enrolled is refused; 'merge': descriptors of
   * enrolled ids are added to theirs; 'replace': everyone enrolled is forgotten first.
   */
  mode?: 'add' | 'merge' | 'replace';
}

/**
 * 1:K face recognition over a gallery index (the GPU index by default; PostgreSQL, PGlite): checks
 * every descriptor before it is stored, so bad input loses nothing, and turns nearest people into
 * "recognized" or "not recognized" by a distance threshold.
 */
export class FaceGallery {
  /** The f32 [K, D] matrix for the learned-head search, built on first use after a change. */
  private headMatrix: { tensor: Tensor; owner: Int32Array; names: string[] } | null = null;

  /** `engine`: where the learned-head search runs (the GPU index's own engine by default). */
  constructor(readonly index: GalleryIndex, private readonly engine?: Engine) {}

  /** A gallery searched on the GPU, in memory or persisted through `storage`. */
  static onGPU(engine: Engine, identity: Partial<GalleryIdentity> = {}, storage?: GalleryStorage): FaceGallery {
    return new FaceGallery(new GpuGalleryIndex(engine, { dims: identity.dims ?? 128, descriptor: identity.descriptor ?? 'dlib' }, storage), engine);
  }

  get dims(): number {
    return this.index.dims;
  }

  /** The network whose descriptors this gallery holds; a gallery of another one is refused. */
  get descriptor(): string {
    return this.index.descriptor;
  }

  /** Loads the persisted gallery or connects to its database. */
  async open(): Promise<this> {
    await this.index.open();
    return this;
  }

  count(): Promise<{ people: number; descriptors: number }> {
    return this.index.count();
  }

  list(): Promise<PersonSummary[]> {
    return this.index.list();
  }

  async has(id: string): Promise<boolean> {
    return (await this.index.get(id)) !== null;
  }

  async descriptorsOf(id: string): Promise<Float32Array[]> {
    const d = await this.index.get(id);
    if (!d) throw new GalleryError(`'${id}' is not enrolled`);
    return d;
  }

  /** Adds descriptors for a person (several per person are allowed; enrolling an id again adds to it). */
  async enroll(id: string, descriptors: readonly ArrayLike<number>[]): Promise<void> {
    await this.changed(this.index.add([this.checked(id, descriptors)]));
  }

  /** Enrols many people in one write (all checked first; an id given twice is refused). */
  async enrollMany(people: readonly { id: string; descriptors: readonly ArrayLike<number>[] }[]): Promise<void> {
    const at = new Map<string, number>();
    const checked = people.map((p, i) => {
      const before = at.get(p.id);
      if (before !== undefined) throw new GalleryError(`enroll: duplicate id '${p.id}' (entry ${before} and entry ${i})`);
      at.set(p.id, i);
      return this.checked(p.id, p.descriptors);
    });
    await this.changed(this.index.add(checked));
  }

  /** A person's descriptors as the index stores them, or a GalleryError naming what is wrong. */
  private checked(id: string, descriptors: readonly ArrayLike<number>[]): PersonDescriptors {
    if (typeof id !== 'string' || !id.trim()) throw new GalleryError('enroll needs a non-empty id');
    if (!descriptors.length) throw new GalleryError(`enroll '${id}': no descriptors (no face found?)`);
    return {
      id,
      descriptors: descriptors.map((d) => {
        const why = descriptorProblem(d, this.dims);
        if (why) throw new GalleryError(`enroll '${id}': ${why}`);
        return Float32Array.from(d);
      }),
    };
  }

  /** Forgets a person: their descriptors are erased from the index and its storage. False if not enrolled. */
  async forget(id: string): Promise<boolean> {
    return this.changed(this.index.remove(id));
  }

  /** Forgets everyone. */
  async clear(): Promise<void> {
    await this.changed(this.index.clear());
  }

  /** The nearest people to a descriptor; the nearest is recognized when within the threshold. */
  async identify(descriptor: ArrayLike<number>, options: { threshold?: number; topK?: number } = {}): Promise<Identification> {
    const threshold = options.threshold ?? 0.6;
    const topK = options.topK ?? 5;
    const why = descriptorProblem(descriptor, this.dims);
    if (why) throw new GalleryError(`identify: ${why}`);
    if (!(Number.isInteger(topK) && topK >= 1 && topK <= MAX_TOP_K)) throw new GalleryError(`identify: topK must be an integer from 1 to ${MAX_TOP_K}, got ${topK}`);
    const candidates = await this.index.search(Float32Array.from(descriptor), topK);
    const top = candidates[0];
    if (!top) return { id: null, distance: Infinity, threshold, candidates: [] };
    return { id: top.distance <= threshold ? top.id : null, distance: top.distance, threshold, candidates };
  }

  /**
   * 1:K with the learned similarity head instead of a distance threshold: ŷ against every
   * enrolled descriptor in one GPU dispatch, the highest per person; a person matches when
   * ŷ ≥ the head's threshold.
   */
  async identifyWithHead(descriptor: ArrayLike<number>, head: SimilarityHead, options: { topK?: number } = {}): Promise<{ id: string | null; probability: number; candidates: { id: string; probability: number }[] }> {
    const why = descriptorProblem(descriptor, this.dims);
    if (why) throw new GalleryError(`identify: ${why}`);
    const matrix = await this.matrixForHead();
    if (!matrix) return { id: null, probability: 0, candidates: [] };
    const { tensor, owner, names } = matrix;
    const engine = tensor.engine;
    const out = engine.tidy(() => pairwiseSimilarity(engine.tensor([1, this.dims], Float32Array.from(descriptor), 'query'), tensor, head.deviceTensor(engine), head.form));
    let probs: Float32Array;
    try {
      probs = await out.read();
    } finally {
      out.dispose();
    }
    const highest = new Float32Array(names.length).fill(-1);
    for (let i = 0; i < probs.length; i++) if (probs[i]! > highest[owner[i]!]!) highest[owner[i]!] = probs[i]!;
    const candidates = names.map((id, i) => ({ id, probability: highest[i]! })).sort((a, b) => b.probability - a.probability).slice(0, options.topK ?? 5);
    const top = candidates[0]!;
    return { id: top.probability >= head.threshold ? top.id : null, probability: top.probability, candidates };
  }

  async export(): Promise<GalleryJSON> {
    const people: GalleryJSON['people'] = [];
    for await (const p of this.index.entries()) people.push({ id: p.id, descriptors: p.descriptors.map((d) => Array.from(d)) });
    return { format: 'wgsl-vision-gallery', version: 1, dims: this.dims, descriptor: this.descriptor, people };
  }

  /** Enrols the people of a gallery exported earlier; all of it is checked first, so bad input changes nothing. */
  async import(json: unknown, options: ImportOptions = {}): Promise<{ people: number; descriptors: number }> {
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
    const people = peopleFrom(g.people, this.dims, (i) => `people[${i}]`, (_, id) => `person '${id}'`, bad);
    return this.addAll(people, options.mode ?? 'add');
  }

  /**
   * Enrols the people of a face-api FaceMatcher (its `toJSON()` output), added to those
   * enrolled already (descriptors of a known label join theirs); all of it is checked first, so
   * bad input changes nothing. The matcher's distanceThreshold comes back as `threshold`, for
   * the recognizer's (face-api's default is this model's 0.6 too).
   */
  async importFaceMatcher(json: unknown): Promise<{ people: number; descriptors: number; threshold: number }> {
    const m = json as FaceMatcherJSON;
    const bad = (why: string) => new GalleryError(`not a face-api FaceMatcher JSON: ${why}`);
    if (!m || typeof m !== 'object') throw bad('not an object');
    if (this.descriptor !== 'dlib') throw new GalleryError(`a face-api FaceMatcher holds face-api's 'dlib' descriptors; this gallery holds '${this.descriptor}' ones: they cannot be compared`);
    if (!(typeof m.distanceThreshold === 'number' && m.distanceThreshold > 0)) throw bad(`distanceThreshold ${String(m.distanceThreshold)} is not a positive number`);
    if (!Array.isArray(m.labeledDescriptors)) throw bad("missing 'labeledDescriptors'");
    const people = peopleFrom(m.labeledDescriptors.map((ld) => ({ id: ld?.label, descriptors: ld?.descriptors })), this.dims, (i) => `labeledDescriptors[${i}]`, (i, id) => `label '${id}' (labeledDescriptors[${i}])`, bad, 'merge');
    return { ...(await this.addAll(people, 'merge')), threshold: m.distanceThreshold };
  }

  /** Releases the index's GPU memory, files and connections. */
  async close(): Promise<void> {
    this.dropHeadMatrix();
    await this.index.close();
  }

  private async addAll(people: PersonDescriptors[], mode: 'add' | 'merge' | 'replace'): Promise<{ people: number; descriptors: number }> {
    if (mode === 'add') {
      for (const p of people) if (await this.index.get(p.id)) throw new GalleryError(`'${p.id}' is already enrolled (forget them first, or import with mode 'merge' or 'replace')`);
    }
    if (mode === 'replace') await this.changed(this.index.clear());
    await this.changed(this.index.add(people));
    return { people: people.length, descriptors: people.reduce((n, p) => n + p.descriptors.length, 0) };
  }

  /** Every change goes through here: the head's matrix is stale after it. */
  private async changed<T>(work: Promise<T>): Promise<T> {
    try {
      return await work;
    } finally {
      this.dropHeadMatrix();
    }
  }

  private dropHeadMatrix(): void {
    this.headMatrix?.tensor.dispose();
    this.headMatrix = null;
  }

  private async matrixForHead(): Promise<{ tensor: Tensor; owner: Int32Array; names: string[] } | null> {
    if (!this.headMatrix) {
      const people: PersonDescriptors[] = [];
      for await (const p of this.index.entries()) people.push(p);
      if (!people.length) return null;
      const rows = people.reduce((n, p) => n + p.descriptors.length, 0);
      const data = new Float32Array(rows * this.dims);
      const owner = new Int32Array(rows);
      let r = 0;
      people.forEach((p, i) => {
        for (const d of p.descriptors) (data.set(d, r * this.dims), (owner[r++] = i));
      });
      const engine = this.engine ?? (this.index instanceof GpuGalleryIndex ? this.index.engine : null);
      if (!engine) throw new GalleryError('the learned-head search runs on the GPU: create the FaceGallery with an engine');
      this.headMatrix = { tensor: engine.keep(engine.tensor([rows, this.dims], data, 'gallery')), owner, names: people.map((p) => p.id) };
    }
    return this.headMatrix;
  }
}
