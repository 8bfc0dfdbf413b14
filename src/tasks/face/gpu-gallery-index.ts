import type { Engine } from '../../gpu/engine.js';
import type { Tensor } from '../../gpu/tensor.js';
import { encodeRow, GALLERY_TILE, MAX_TOP_K, NO_PERSON, searchGallery, tiledWord, type GalleryChunk } from '../../ops/gallery-search.js';
import { GalleryError, type GalleryChange, type GalleryIdentity, type GalleryIndex, type GalleryStorage, type Match, type PersonDescriptors, type PersonSummary } from './gallery-index.js';

/** Rows per GPU chunk once the gallery is large: 65,536 rows of 128 values are 8 MB of codes. */
const CHUNK_ROWS = 65_536;
/** The first chunk starts this small and doubles, so a gallery of a few people holds kilobytes. */
const FIRST_CHUNK_ROWS = 1_024;
/** Candidates the GPU returns beyond k, for the exact re-ranking to choose from. */
const EXTRA_CANDIDATES = 8;

interface Person {
  slot: number;
  rows: number[];
}

/** A chunk with its CPU side: the exact f32 rows (re-ranking, get, export) and the tile span to upload. */
interface Chunk extends GalleryChunk {
  capacity: number;
  exact: Float32Array;
  owners: Uint32Array;
  scaleData: Float32Array;
  codeData: Uint32Array;
  dirtyFrom: number;
  dirtyTo: number;
}

export interface GpuGalleryStats {
  people: number;
  descriptors: number;
  /** GPU bytes: codes, scales and owners of every chunk, and the search's scratch. */
  gpuBytes: number;
  /** CPU bytes: the exact f32 rows and the chunks' CPU copies of what the GPU holds. */
  cpuBytes: number;
  /** Searches whose candidates could not be proven to hold the nearest people, answered by an exact scan. */
  exactScans: number;
}

/**
 * Exact 1:K search on the GPU. Descriptors live in fixed-size chunks of rows (appends fill free
 * rows or the last chunk; a new chunk when it is full: nothing is rebuilt), as 8-bit codes
 * on the GPU and as exact f32 on the CPU. A search finds each person's nearest row on the GPU from
 * the codes and reads back only the best candidates; those are re-ranked with the exact rows,
 * and the answer is checked: every row's code is within `maxError` of the row, so a person
 * outside the candidates is at least (the last candidate's approximate distance − maxError)
 * away. When that does not clear the k-th exact distance the search scans the exact rows
 * instead, so the answer is always the exact one.
 */
export class GpuGalleryIndex implements GalleryIndex {
  readonly dims: number;
  readonly descriptor: string;
  private readonly people = new Map<string, Person>();
  private readonly slotIds: (string | null)[] = [];
  private readonly freeSlots: number[] = [];
  private readonly freeRows: number[] = [];
  private readonly chunks: Chunk[] = [];
  private rowsUsed = 0;
  private descriptors = 0;
  /** Largest ||g − ĝ|| of any row stored since the last clear (a bound, never lowered). */
  private maxError = 0;
  /** Search scratch: a (key, person) pair per row. */
  private rowPairs: GPUBuffer | null = null;
  private query: Tensor | null = null;
  private exactScans = 0;
  private closed = false;

  constructor(readonly engine: Engine, identity: GalleryIdentity, private readonly storage?: GalleryStorage) {
    if (identity.dims % 4 !== 0) throw new GalleryError(`the GPU gallery needs descriptors of a multiple of 4 values, got ${identity.dims}`);
    this.dims = identity.dims;
    this.descriptor = identity.descriptor;
  }

  async open(): Promise<void> {
    const stored = (await this.storage?.load({ dims: this.dims, descriptor: this.descriptor })) ?? [];
    this.reset();
    for (const p of stored) this.insert(p);
  }

  async add(people: readonly PersonDescriptors[]): Promise<void> {
    this.checkOpen();
    this.apply((await this.storage?.append(people)) ?? []);
    for (const p of people) this.insert(p);
  }

  async remove(id: string): Promise<boolean> {
    this.checkOpen();
    const known = this.people.has(id);
    // Storage first, even for an id this process has not seen: another writer may have enrolled it.
    this.apply((await this.storage?.remove(id)) ?? []);
    return this.erase(id) || known;
  }

  async clear(): Promise<void> {
    this.checkOpen();
    this.apply((await this.storage?.clear()) ?? []);
    this.reset();
  }

  async get(id: string): Promise<Float32Array[] | null> {
    const p = this.people.get(id);
    return p ? p.rows.map((r) => this.exactRow(r).slice()) : null;
  }

  async list(): Promise<PersonSummary[]> {
    return [...this.people].map(([id, p]) => ({ id, descriptors: p.rows.length }));
  }

  async count(): Promise<{ people: number; descriptors: number }> {
    return { people: this.people.size, descriptors: this.descriptors };
  }

  async *entries(): AsyncIterable<PersonDescriptors> {
    for (const [id, p] of [...this.people]) yield { id, descriptors: p.rows.map((r) => this.exactRow(r).slice()) };
  }

  stats(): GpuGalleryStats {
    const gpuRow = this.dims + 8 + 4; // codes, (m, ||ĝ||²), owner
    const capacity = this.chunks.reduce((n, c) => n + c.capacity, 0);
    return {
      people: this.people.size,
      descriptors: this.descriptors,
      gpuBytes: capacity * gpuRow + (this.rowPairs?.size ?? 0),
      cpuBytes: capacity * (this.dims * 4 + gpuRow),
      exactScans: this.exactScans,
    };
  }

  async search(query: Float32Array, k: number): Promise<Match[]> {
    this.checkOpen();
    if (this.people.size === 0) return [];
    this.upload();
    const want = Math.min(k, this.people.size);
    let queryNorm2 = 0;
    for (let i = 0; i < query.length; i++) queryNorm2 += query[i]! * query[i]!;
    const q = (this.query ??= this.engine.keep(this.engine.empty([this.dims], 'gallery.query')));
    this.engine.writeBuffer(q.buffer, 0, query);
    // A few candidates beyond k, then as many as the GPU selects, then the exact scan.
    for (const wanted of new Set([Math.min(MAX_TOP_K, want + EXTRA_CANDIDATES), MAX_TOP_K])) {
      const approx = await searchGallery(this.engine, q, queryNorm2, this.chunks, this.rowScratch(), Math.min(wanted, this.people.size));
      const exact = approx.map(({ person }) => this.slotIds[person]).filter((id): id is string => id != null && this.people.has(id)).map((id) => ({ id, distance: this.exactDistance(query, id) }));
      exact.sort((a, b) => a.distance - b.distance);
      // Fewer candidates than asked for: every person with a row was among them.
      if (approx.length < wanted) return exact.slice(0, want);
      // Anyone not among the candidates is at least this far (the codes' error bound, and slack for f32 sums).
      const last = Math.sqrt(approx[approx.length - 1]!.squared);
      const floor = last - this.maxError - 1e-4 * (1 + last);
      if (exact.length >= want && exact[want - 1]!.distance <= floor) return exact.slice(0, want);
    }
    this.exactScans++;
    return this.scan(query, want);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.releaseGPU();
    await this.storage?.close();
  }

  /** The exact answer from the f32 rows (what the checked GPU answer must equal). */
  scan(query: Float32Array, k: number): Match[] {
    return [...this.people.keys()]
      .map((id) => ({ id, distance: this.exactDistance(query, id) }))
      .sort((a, b) => a.distance - b.distance)
      .slice(0, k);
  }

  // ---- memory ----------------------------------------------------------------------------

  private checkOpen(): void {
    if (this.closed) throw new GalleryError('this gallery was closed');
  }

  private apply(changes: readonly GalleryChange[]): void {
    for (const c of changes) {
      if (c.kind === 'clear') this.reset();
      else if (c.kind === 'remove') this.erase(c.id);
      else this.insert(c.person);
    }
  }

  private reset(): void {
    this.releaseGPU();
    this.people.clear();
    this.slotIds.length = 0;
    this.freeSlots.length = 0;
    this.freeRows.length = 0;
    this.chunks.length = 0;
    this.rowsUsed = 0;
    this.descriptors = 0;
    this.maxError = 0;
  }

  private insert(p: PersonDescriptors): void {
    let person = this.people.get(p.id);
    if (!person) {
      const slot = this.freeSlots.pop() ?? this.slotIds.length;
      this.slotIds[slot] = p.id;
      person = { slot, rows: [] };
      this.people.set(p.id, person);
    }
    for (const d of p.descriptors) {
      const row = this.freeRows.pop() ?? this.rowsUsed++;
      this.writeRow(row, d, person.slot);
      person.rows.push(row);
      this.descriptors++;
    }
  }

  /** Forgets a person in memory: rows zeroed (CPU and GPU) and freed, slot freed. */
  private erase(id: string): boolean {
    const person = this.people.get(id);
    if (!person) return false;
    for (const row of person.rows) {
      this.writeRow(row, null, NO_PERSON);
      this.freeRows.push(row);
      this.descriptors--;
    }
    this.people.delete(id);
    this.slotIds[person.slot] = null;
    this.freeSlots.push(person.slot);
    return true;
  }

  private writeRow(row: number, d: Float32Array | null, owner: number): void {
    const chunk = this.chunkFor(row);
    const r = row % CHUNK_ROWS;
    const dims = this.dims;
    if (d) chunk.exact.set(d, r * dims);
    else chunk.exact.fill(0, r * dims, (r + 1) * dims);
    const { words, m, norm2, error } = d ? encodeRow(d) : { words: new Uint32Array(dims / 4), m: 0, norm2: 0, error: 0 };
    for (let j = 0; j < dims / 4; j++) chunk.codeData[tiledWord(r, j, dims)] = words[j]!;
    chunk.scaleData[2 * r] = m;
    chunk.scaleData[2 * r + 1] = norm2;
    chunk.owners[r] = owner;
    chunk.count = Math.max(chunk.count, r + 1);
    chunk.dirtyFrom = Math.min(chunk.dirtyFrom, r);
    chunk.dirtyTo = Math.max(chunk.dirtyTo, r + 1);
    this.maxError = Math.max(this.maxError, error);
  }

  /**
   * The chunk holding `row` (row / CHUNK_ROWS: the first chunk reaches CHUNK_ROWS before a second
   * is made), grown or created as rows are used in order.
   */
  private chunkFor(row: number): Chunk {
    const i = Math.floor(row / CHUNK_ROWS);
    if (i === this.chunks.length) this.chunks.push(this.newChunk(i === 0 ? FIRST_CHUNK_ROWS : CHUNK_ROWS, i * CHUNK_ROWS));
    const chunk = this.chunks[i]!;
    const r = row % CHUNK_ROWS;
    if (r >= chunk.capacity) {
      let capacity = chunk.capacity;
      while (capacity <= r) capacity *= 2;
      this.chunks[i] = this.grown(chunk, Math.min(CHUNK_ROWS, capacity));
    }
    return this.chunks[i]!;
  }

  private newChunk(capacity: number, base: number): Chunk {
    const dims = this.dims;
    return {
      capacity,
      base,
      count: 0,
      exact: new Float32Array(capacity * dims),
      codeData: new Uint32Array((capacity * dims) / 4),
      scaleData: new Float32Array(capacity * 2),
      owners: new Uint32Array(capacity).fill(NO_PERSON),
      codes: this.engine.rawBuffer(capacity * dims, 'gallery.codes'),
      scales: this.engine.rawBuffer(capacity * 8, 'gallery.scales'),
      owner: this.engine.rawBuffer(capacity * 4, 'gallery.owner'),
      dirtyFrom: capacity,
      dirtyTo: 0,
    };
  }

  /** The first chunk doubles while small: its rows are copied on the GPU, not uploaded again. */
  private grown(chunk: Chunk, capacity: number): Chunk {
    const bigger = this.newChunk(capacity, chunk.base);
    bigger.exact.set(chunk.exact);
    bigger.codeData.set(chunk.codeData); // whole tiles: the old ones are the new ones' prefix
    bigger.scaleData.set(chunk.scaleData);
    bigger.owners.set(chunk.owners);
    this.engine.copyBuffer(chunk.codes, bigger.codes, chunk.capacity * this.dims);
    this.engine.copyBuffer(chunk.scales, bigger.scales, chunk.capacity * 8);
    this.engine.copyBuffer(chunk.owner, bigger.owner, chunk.capacity * 4);
    for (const b of [chunk.codes, chunk.scales, chunk.owner]) this.engine.releaseStorage(b);
    // Rows not uploaded yet stay to be uploaded; rows past `count` are never read.
    return { ...bigger, count: chunk.count, dirtyFrom: chunk.dirtyFrom, dirtyTo: chunk.dirtyTo };
  }

  /** Sends each chunk's changed rows (whole tiles) to the GPU. */
  private upload(): void {
    const dims = this.dims;
    for (const c of this.chunks) {
      if (c.dirtyTo <= c.dirtyFrom) continue;
      const from = Math.floor(c.dirtyFrom / GALLERY_TILE) * GALLERY_TILE;
      const to = Math.min(c.capacity, Math.ceil(c.dirtyTo / GALLERY_TILE) * GALLERY_TILE);
      const words = (dims / 4) * GALLERY_TILE;
      this.engine.writeBuffer(c.codes, (from / GALLERY_TILE) * words * 4, c.codeData.subarray((from / GALLERY_TILE) * words, (to / GALLERY_TILE) * words));
      this.engine.writeBuffer(c.scales, from * 8, c.scaleData.subarray(2 * from, 2 * to));
      this.engine.writeBuffer(c.owner, from * 4, c.owners.subarray(from, to));
      c.dirtyFrom = c.capacity;
      c.dirtyTo = 0;
    }
  }

  private rowScratch(): GPUBuffer {
    const need = Math.max(1, this.rowsUsed) * 8;
    if (!this.rowPairs || this.rowPairs.size < need) {
      if (this.rowPairs) this.engine.releaseStorage(this.rowPairs);
      this.rowPairs = this.engine.rawBuffer(Math.max(need, 2 * (this.rowPairs?.size ?? 0)), 'gallery.rowPairs');
    }
    return this.rowPairs;
  }

  private releaseGPU(): void {
    for (const c of this.chunks) for (const b of [c.codes, c.scales, c.owner]) this.engine.releaseStorage(b);
    if (this.rowPairs) this.engine.releaseStorage(this.rowPairs);
    this.rowPairs = null;
    this.query?.dispose();
    this.query = null;
  }

  private exactRow(row: number): Float32Array {
    const r = row % CHUNK_ROWS;
    return this.chunks[Math.floor(row / CHUNK_ROWS)]!.exact.subarray(r * this.dims, (r + 1) * this.dims);
  }

  private exactDistance(query: Float32Array, id: string): number {
    let best = Infinity;
    for (const row of this.people.get(id)!.rows) {
      const g = this.exactRow(row);
      let s = 0;
      for (let k = 0; k < g.length; k++) s += (g[k]! - query[k]!) ** 2;
      best = Math.min(best, s);
    }
    return Math.sqrt(best);
  }
}

