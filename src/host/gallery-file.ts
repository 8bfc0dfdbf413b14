/**
 * A face gallery on disk for Node: a folder holding an append-only binary file of float32
 * descriptors and a small JSON index that is the commit point. Each enrolment is one append and
 * one index rename, never a rewrite of the gallery; a crash at any moment leaves the previous
 * gallery intact; forgetting a person overwrites their descriptors in the file; processes sharing
 * the folder take turns through a lock file and learn each other's changes.
 *
 * The folder:
 * - `descriptors.bin`: a 16-byte header (the magic `wgslvgal`, u32 format version 1, u32 dims),
 *   then records `[u32 body length][u32 CRC-32 of the body][body]`, all little-endian, each body
 *   a multiple of 4 bytes (so the floats are 4-byte aligned):
 *   - add:    u32 1, u32 id length, the id (UTF-8, zero-padded to 4), u32 count, count × dims float32
 *   - remove: u32 2, u32 n, n × u64 offsets of the person's add records (no id: the name is gone too)
 *   - erased: u32 3, zeros to the length of the add record it replaced
 * - `index.json`: `{ format: 'wgsl-vision-gallery-index', version: 1, dims, descriptor,
 *   generation, committed, scrub }`, replaced by an fsync'd temporary file renamed over it.
 *   `committed` is how many bytes of descriptors.bin are valid: bytes past it are an interrupted
 *   write, ignored and then truncated. `generation` changes on clear (it starts at a random
 *   number, so a folder deleted and made again is not taken for the old one). `scrub` lists
 *   records ([offset, length]) that a forget still has to overwrite: whoever holds the lock next
 *   finishes it.
 * - `lock`: exists while a process reads or writes; holds its pid. A lock whose process is gone
 *   is taken over. (Process ids are of this machine: not for folders shared over a network.)
 *   `lock.waiting` and `lock.break` come and go with it (turns, taking over a stale lock).
 *
 * Durability is what the file system gives fsync and rename; overwritten bytes may survive in
 * copy-on-write file systems, SSD remapping and backups, which no program can reach.
 */
import { randomInt } from 'node:crypto';
import { endianness } from 'node:os';
import { mkdir, open, readFile, rename, stat, unlink, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import * as zlib from 'node:zlib';
import { GalleryError, type GalleryChange, type GalleryIdentity, type GalleryStorage, type PersonDescriptors } from '../tasks/face/gallery-index.js';

export interface FileGalleryStorageOptions {
  /** How long an operation waits for another process's lock before failing; 10 s by default. */
  lockTimeoutMs?: number;
}

const MAGIC = Buffer.from('wgslvgal', 'latin1');
const FILE_VERSION = 1;
const HEADER = 16;
const INDEX_FORMAT = 'wgsl-vision-gallery-index';
const INDEX_VERSION = 1;
const ADD = 1;
const REMOVE = 2;
const ERASED = 3;
/** Bytes read from descriptors.bin at a time while loading. */
const READ_CHUNK = 16 << 20;
/** Bytes built and written at a time while appending (a batch is still one commit). */
const WRITE_CHUNK = 32 << 20;
/** The largest add record's body: a person with more descriptors gets several records. */
const MAX_BODY = 64 << 20;
const LITTLE_ENDIAN = endianness() === 'LE';

interface IndexFile {
  format: typeof INDEX_FORMAT;
  version: typeof INDEX_VERSION;
  dims: number;
  descriptor: string;
  generation: number;
  committed: number;
  scrub: [number, number][];
}

/** A record as read back: adds carry their descriptors (count × dims floats, copied out of the file). */
type Decoded =
  | { kind: typeof ADD; offset: number; id: string; count: number; data: Float32Array }
  | { kind: typeof REMOVE; offset: number; offsets: number[] }
  | { kind: typeof ERASED; offset: number };

// CRC-32 (IEEE): zlib's where Node has it (20.15+), a table otherwise.
let crcTable: Int32Array | undefined;
function crc32(data: Uint8Array): number {
  if (typeof zlib.crc32 === 'function') return zlib.crc32(data) >>> 0;
  if (!crcTable) {
    crcTable = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c;
    }
  }
  let c = -1;
  for (let i = 0; i < data.length; i++) c = crcTable[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

const pad4 = (n: number) => n + ((4 - (n % 4)) % 4);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const codeOf = (e: unknown) => (e as NodeJS.ErrnoException | undefined)?.code;
const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

async function syncDir(dir: string): Promise<void> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch {
    // Folders cannot be opened or synced on some systems (Windows): the rename is what there is.
  } finally {
    await fh?.close().catch(() => {});
  }
}

async function readFully(fh: FileHandle, at: number, length: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await fh.read(buf, got, length - got, at + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got === length ? buf : buf.subarray(0, got);
}

async function writeFully(fh: FileHandle, buf: Uint8Array, at: number): Promise<void> {
  let done = 0;
  while (done < buf.length) {
    const { bytesWritten } = await fh.write(buf, done, buf.length - done, at + done);
    done += bytesWritten;
  }
}

/** Whether process `pid` runs on this machine (a process of another user counts). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return codeOf(e) !== 'ESRCH';
  }
}

/** Locks (paths) that another process waited for when we last released them. */
const contended = new Set<string>();
/** Locks this process holds: a lock with our pid that is not one of them is a previous process's (a container's pid 1). */
const held = new Set<string>();

/**
 * Takes `path` as a lock (created exclusively, holding our pid); waits with backoff while a
 * live process holds it, takes it over when its process is gone. Gives up when one holder keeps
 * it for `timeoutMs` (a lock taken again and again by busy writers is not stuck). Returns the release.
 *
 * Turns under contention: a waiter leaves `<lock>.waiting`; a holder that finds it at release
 * lets its next attempt wait a little, so that a process writing in a loop lets others in.
 */
async function lock(path: string, timeoutMs: number, what: string): Promise<() => Promise<void>> {
  const waiting = `${path}.waiting`;
  if (contended.delete(path)) await sleep(25);
  let deadline = Date.now() + timeoutMs;
  let holding = '';
  let wait = 1;
  for (;;) {
    try {
      const fh = await open(path, 'wx');
      held.add(path);
      try {
        await fh.writeFile(String(process.pid));
      } catch (e) {
        held.delete(path);
        await unlink(path).catch(() => {});
        throw e;
      } finally {
        await fh.close();
      }
      return async () => {
        held.delete(path);
        await unlink(path).catch(() => {});
        if (await unlink(waiting).then(() => true, () => false)) contended.add(path);
      };
    } catch (e) {
      if (codeOf(e) !== 'EEXIST') throw new GalleryError(`cannot create the lock file ${path} of ${what}: ${messageOf(e)}`);
    }
    await writeFile(waiting, String(process.pid)).catch(() => {});
    const holder = await lockHolder(path);
    if (holder === 'gone') continue;
    if (holder.stale) {
      await breakStaleLock(path);
      continue;
    }
    if (holder.key !== holding) {
      holding = holder.key;
      deadline = Date.now() + timeoutMs;
    }
    if (Date.now() >= deadline) {
      throw new GalleryError(`${what} is locked by process ${holder.pid ?? '(unknown: the lock file is empty)'} (${path}); gave up after ${timeoutMs} ms (if no process uses the gallery, delete the lock file)`);
    }
    await sleep(wait + Math.random() * wait);
    wait = Math.min(wait * 2, 8);
  }
}

async function lockHolder(path: string): Promise<'gone' | { pid: number | null; stale: boolean; key: string }> {
  let text: string;
  let age: number;
  let key: string;
  try {
    text = await readFile(path, 'utf8');
    const s = await stat(path);
    age = Date.now() - s.mtimeMs;
    key = `${text}:${s.ino}:${s.mtimeMs}`;
  } catch (e) {
    if (codeOf(e) === 'ENOENT') return 'gone';
    throw new GalleryError(`cannot read the lock file ${path}: ${messageOf(e)}`);
  }
  const pid = /^\d+$/.test(text.trim()) ? Number(text.trim()) : null;
  // A lock without a pid is being created (open, then write): stale only once it is old.
  const stale = pid === null ? age > 5000 : pid === process.pid ? !held.has(path) : !alive(pid);
  return { pid, stale, key };
}

/**
 * Removes a lock whose process is gone. Under a second lock, so that two processes that both
 * saw it stale cannot remove a fresh lock taken by one of them in between.
 */
async function breakStaleLock(path: string): Promise<void> {
  const breaker = `${path}.break`;
  let fh: FileHandle;
  try {
    fh = await open(breaker, 'wx');
  } catch (e) {
    if (codeOf(e) !== 'EEXIST') throw new GalleryError(`cannot create ${breaker}: ${messageOf(e)}`);
    // Another process is breaking it; a breaker left by a crash is cleared after a while.
    const age = await stat(breaker).then((s) => Date.now() - s.mtimeMs, () => 0);
    if (age > 10_000) await unlink(breaker).catch(() => {});
    await sleep(5);
    return;
  }
  try {
    await fh.close();
    const holder = await lockHolder(path);
    if (holder !== 'gone' && holder.stale) await unlink(path).catch(() => {});
  } finally {
    await unlink(breaker).catch(() => {});
  }
}

/** Incremental storage of a face gallery in the folder `dir` (made when missing). */
export function fileGalleryStorage(dir: string, options: FileGalleryStorageOptions = {}): GalleryStorage {
  return new FileGalleryStorage(dir, options.lockTimeoutMs ?? 10_000);
}

class FileGalleryStorage implements GalleryStorage {
  private readonly binPath: string;
  private readonly indexPath: string;
  private readonly lockPath: string;
  private identity: GalleryIdentity | undefined;
  /** The index as this storage last read or wrote it. */
  private index: IndexFile | undefined;
  /** File offsets of each person's add records, in enrolment order: what a forget overwrites. */
  private records = new Map<string, Entry>();
  /** Other writers' changes read but not yet handed back (the write that read them failed). */
  private pending: GalleryChange[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly dir: string,
    private readonly lockTimeoutMs: number,
  ) {
    this.binPath = join(dir, 'descriptors.bin');
    this.indexPath = join(dir, 'index.json');
    this.lockPath = join(dir, 'lock');
  }

  load(identity: GalleryIdentity): Promise<PersonDescriptors[]> {
    return this.serial(async () => {
      const isFile = await stat(this.dir).then((s) => !s.isDirectory(), () => false);
      if (isFile) throw new GalleryError(`gallery ${this.dir} is a file, not a gallery folder`);
      try {
        await mkdir(this.dir, { recursive: true });
      } catch (e) {
        throw new GalleryError(`cannot make the gallery folder ${this.dir}: ${messageOf(e)}`);
      }
      return this.locked(() =>
        this.loadLocked(identity).catch((e: unknown) => {
          throw e instanceof GalleryError ? e : new GalleryError(`could not read gallery ${this.dir}: ${messageOf(e)}`);
        }),
      );
    });
  }

  private async loadLocked(identity: GalleryIdentity): Promise<PersonDescriptors[]> {
    let index = (await this.readIndex(true)) ?? (await this.create(identity));
    this.checkIdentity(index, identity);
    const fh = await this.openBin(index);
    try {
      const scrub = await this.checkScrub(fh, index);
      const { records, people } = await this.readAll(fh, index, scrub);
      // Everything checked (a refusal above changed nothing): now finish what a crash interrupted.
      index = await this.repair(fh, index);
      this.identity = identity;
      this.index = index;
      this.records = records;
      this.pending = [];
      return people;
    } finally {
      await fh.close();
    }
  }

  append(people: readonly PersonDescriptors[]): Promise<GalleryChange[]> {
    return this.write(async (fh, index) => {
      const dims = index.dims;
      for (const p of people) {
        if (typeof p.id !== 'string') throw new GalleryError(`gallery ${this.dir}: person id ${JSON.stringify(p.id)} is not a string`);
        for (const d of p.descriptors) {
          if (d.length !== dims) throw new GalleryError(`gallery ${this.dir}: a descriptor of '${p.id}' has ${d.length} values, the gallery holds ${dims}`);
        }
      }
      // Records (people with very many descriptors split over several), gathered into chunks.
      const perRecord = Math.max(1, Math.floor((MAX_BODY - 1024) / (dims * 4)));
      type Piece = { id: string; idBytes: Buffer; from: number; to: number; descriptors: readonly Float32Array[]; size: number };
      const pieces: Piece[] = [];
      for (const p of people) {
        const idBytes = Buffer.from(p.id, 'utf8');
        if (idBytes.length > MAX_BODY) throw new GalleryError(`gallery ${this.dir}: person id of ${idBytes.length} bytes is too long`);
        for (let from = 0; from === 0 || from < p.descriptors.length; from += perRecord) {
          const to = Math.min(p.descriptors.length, from + perRecord);
          pieces.push({ id: p.id, idBytes, from, to, descriptors: p.descriptors, size: 8 + 12 + pad4(idBytes.length) + (to - from) * dims * 4 });
        }
      }
      let at = index.committed;
      const added: [string, number][] = [];
      for (let i = 0; i < pieces.length; ) {
        let size = 0;
        let j = i;
        while (j < pieces.length && (j === i || size + pieces[j]!.size <= WRITE_CHUNK)) size += pieces[j++]!.size;
        const buf = Buffer.alloc(size);
        let pos = 0;
        for (; i < j; i++) {
          const piece = pieces[i]!;
          const body = pos + 8;
          buf.writeUInt32LE(piece.size - 8, pos);
          buf.writeUInt32LE(ADD, body);
          buf.writeUInt32LE(piece.idBytes.length, body + 4);
          piece.idBytes.copy(buf, body + 8);
          let p = body + 8 + pad4(piece.idBytes.length);
          buf.writeUInt32LE(piece.to - piece.from, p);
          p += 4;
          for (let k = piece.from; k < piece.to; k++) {
            const d = piece.descriptors[k]!;
            if (LITTLE_ENDIAN) buf.set(new Uint8Array(d.buffer, d.byteOffset, dims * 4), p);
            else for (let v = 0; v < dims; v++) buf.writeFloatLE(d[v]!, p + v * 4);
            p += dims * 4;
          }
          buf.writeUInt32LE(crc32(buf.subarray(body, pos + piece.size)), pos + 4);
          added.push([piece.id, at + pos]);
          pos += piece.size;
        }
        await writeFully(fh, buf, at);
        at += size;
      }
      if (at === index.committed) return index; // nothing to store
      await fh.datasync();
      const next = await this.commit({ ...index, committed: at });
      for (const [id, offset] of added) addOffset(this.records, id, offset);
      return next;
    });
  }

  remove(id: string): Promise<GalleryChange[]> {
    return this.write(async (fh, index) => {
      const known = this.records.get(id);
      if (known === undefined) return index;
      const offsets = typeof known.offsets === 'number' ? [known.offsets] : known.offsets;
      const scrub: [number, number][] = [];
      for (const offset of offsets) scrub.push([offset, (await readFully(fh, offset, 4)).readUInt32LE(0) + 8]);
      // The remove record (offsets, not the id), committed with the records still to overwrite…
      const body = 8 + 8 * offsets.length;
      const buf = Buffer.alloc(8 + body);
      buf.writeUInt32LE(body, 0);
      buf.writeUInt32LE(REMOVE, 8);
      buf.writeUInt32LE(offsets.length, 12);
      offsets.forEach((o, k) => {
        buf.writeUInt32LE(o % 2 ** 32, 16 + 8 * k);
        buf.writeUInt32LE(Math.floor(o / 2 ** 32), 20 + 8 * k);
      });
      buf.writeUInt32LE(crc32(buf.subarray(8)), 4);
      await writeFully(fh, buf, index.committed);
      await fh.datasync();
      const next = await this.commit({ ...index, committed: index.committed + buf.length, scrub });
      this.records.delete(id);
      // …then overwritten: a crash from here on leaves the scrub list for the next one to finish.
      return this.finishScrub(fh, next);
    });
  }

  clear(): Promise<GalleryChange[]> {
    return this.write(async (fh, index) => {
      const next = await this.commit({ ...index, committed: HEADER, generation: index.generation + 1, scrub: [] });
      this.records = new Map();
      // Committed first: a crash before the truncation leaves a tail that the next one truncates.
      await fh.truncate(HEADER);
      await fh.datasync();
      return next;
    });
  }

  close(): Promise<void> {
    const done = this.queue.then(() => {});
    this.closed = true;
    return done;
  }

  // ---- the machinery ----

  /** Runs operations of this storage one at a time, in call order. */
  private serial<T>(work: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new GalleryError(`gallery ${this.dir} is closed`));
    const run = this.queue.then(work);
    this.queue = run.catch(() => {});
    return run;
  }

  private async locked<T>(work: () => Promise<T>): Promise<T> {
    const release = await lock(this.lockPath, this.lockTimeoutMs, `gallery ${this.dir}`);
    try {
      return await work();
    } finally {
      await release();
    }
  }

  /**
   * A write: under the lock, catch up with what other processes committed (handed back), finish
   * interrupted work, then `work`, which returns the index it committed.
   */
  private write(work: (fh: FileHandle, index: IndexFile) => Promise<IndexFile>): Promise<GalleryChange[]> {
    return this.serial(() => {
      if (!this.identity || !this.index) return Promise.reject(new GalleryError(`gallery ${this.dir}: load() it before writing`));
      const identity = this.identity;
      return this.locked(async () => {
        let index = await this.readIndex(false);
        if (!index) throw new GalleryError(`gallery index ${this.indexPath} is missing (the folder was deleted?)`);
        this.checkIdentity(index, identity);
        const fh = await this.openBin(index);
        try {
          const scrub = await this.checkScrub(fh, index);
          this.pending.push(...(await this.catchUp(fh, index, scrub)));
          this.index = index; // caught up: our offsets now match this index
          this.index = index = await this.repair(fh, index);
          this.index = await work(fh, index);
          const changes = this.pending;
          this.pending = [];
          return changes;
        } catch (e) {
          if (e instanceof GalleryError) throw e;
          throw new GalleryError(`could not write gallery ${this.dir}: ${messageOf(e)}`);
        } finally {
          await fh.close();
        }
      });
    });
  }

  /** What others changed since our last view, applied to our record offsets. */
  private async catchUp(fh: FileHandle, index: IndexFile, scrub: Map<number, number>): Promise<GalleryChange[]> {
    const seen = this.index!;
    const dims = index.dims;
    const split = (r: Extract<Decoded, { kind: typeof ADD }>): PersonDescriptors => ({
      id: r.id,
      descriptors: Array.from({ length: r.count }, (_, k) => r.data.subarray(k * dims, (k + 1) * dims)),
    });
    if (index.generation !== seen.generation) {
      // Cleared (or made again) since: everything there is now.
      const { records, people } = await this.readAll(fh, index, scrub);
      this.records = records;
      return [{ kind: 'clear' }, ...people.map((person) => ({ kind: 'add' as const, person }))];
    }
    if (index.committed < seen.committed) {
      throw new GalleryError(`gallery index ${this.indexPath} says ${index.committed} bytes, fewer than the ${seen.committed} read before, without a clear: it was replaced or damaged`);
    }
    if (index.committed === seen.committed) return [];
    const decoded: Decoded[] = [];
    await this.scan(fh, index, seen.committed, index.committed, scrub, (r) => decoded.push(r));
    const changes: GalleryChange[] = [];
    let byFirst: Map<number, string> | undefined;
    for (const r of decoded) {
      if (r.kind === ADD) {
        const isNew = !this.records.has(r.id);
        addOffset(this.records, r.id, r.offset);
        if (isNew && byFirst) byFirst.set(r.offset, r.id);
        changes.push({ kind: 'add', person: split(r) });
      } else if (r.kind === REMOVE) {
        if (!byFirst) {
          byFirst = new Map();
          for (const [id, e] of this.records) byFirst.set(firstOffset(e), id);
        }
        const id = r.offsets.map((o) => byFirst!.get(o)).find((x) => x !== undefined);
        // Unknown here: added and forgotten since our last view (its adds are erased), nothing to tell.
        if (id === undefined) continue;
        byFirst.delete(firstOffset(this.records.get(id)!));
        this.records.delete(id);
        changes.push({ kind: 'remove', id });
      }
    }
    return changes;
  }

  /** The index, checked; null when there is none and `mayBeNew` (a new gallery). */
  private async readIndex(mayBeNew: boolean): Promise<IndexFile | null> {
    let text: string;
    try {
      text = await readFile(this.indexPath, 'utf8');
    } catch (e) {
      if (codeOf(e) === 'ENOENT' && mayBeNew) return null;
      throw new GalleryError(`cannot read the gallery index ${this.indexPath}: ${messageOf(e)}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new GalleryError(`gallery index ${this.indexPath} is not valid JSON (damaged?): ${messageOf(e)}`);
    }
    const x = json as Partial<IndexFile> | null;
    if (typeof x !== 'object' || x === null || x.format !== INDEX_FORMAT) {
      throw new GalleryError(`${this.indexPath} is not a wgsl-vision gallery index (no format '${INDEX_FORMAT}')`);
    }
    if (x.version !== INDEX_VERSION) throw new GalleryError(`gallery index ${this.indexPath} has version ${String(x.version)}; this version of wgsl-vision reads version ${INDEX_VERSION}`);
    const int = (v: unknown, min: number) => Number.isSafeInteger(v) && (v as number) >= min;
    const bad = (field: string) => new GalleryError(`gallery index ${this.indexPath} is damaged: bad '${field}'`);
    if (!int(x.dims, 1)) throw bad('dims');
    if (typeof x.descriptor !== 'string') throw bad('descriptor');
    if (!int(x.generation, 0)) throw bad('generation');
    if (!int(x.committed, HEADER) || x.committed! % 4 !== 0) throw bad('committed');
    if (!Array.isArray(x.scrub) || !x.scrub.every((s) => Array.isArray(s) && s.length === 2 && int(s[0], HEADER) && int(s[1], 12) && s[0] % 4 === 0 && s[0] + s[1] <= x.committed!)) throw bad('scrub');
    return x as IndexFile;
  }

  private checkIdentity(index: IndexFile, identity: GalleryIdentity): void {
    if (index.dims !== identity.dims || index.descriptor !== identity.descriptor) {
      throw new GalleryError(
        `gallery ${this.dir} holds ${index.dims}-value '${index.descriptor}' descriptors, not the ${identity.dims}-value '${identity.descriptor}' descriptors asked for: ` +
          `descriptors of different networks or sizes cannot be compared (open it with descriptor '${index.descriptor}', or use another folder)`,
      );
    }
  }

  /** A new gallery: the file's header, then the index (the commit point). */
  private async create(identity: GalleryIdentity): Promise<IndexFile> {
    const size = await stat(this.binPath).then((s) => s.size, (e) => (codeOf(e) === 'ENOENT' ? 0 : Promise.reject(e)));
    // Bigger than a header without an index: not ours to overwrite (a deleted index.json?).
    if (size > HEADER) throw new GalleryError(`gallery ${this.dir} has ${this.binPath} (${size} bytes) but no index.json: left as it is; restore index.json or use another folder`);
    const header = Buffer.alloc(HEADER);
    MAGIC.copy(header, 0);
    header.writeUInt32LE(FILE_VERSION, 8);
    header.writeUInt32LE(identity.dims, 12);
    const fh = await open(this.binPath, 'w');
    try {
      await writeFully(fh, header, 0);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await syncDir(this.dir);
    return this.commit({ format: INDEX_FORMAT, version: INDEX_VERSION, dims: identity.dims, descriptor: identity.descriptor, generation: randomInt(2 ** 40), committed: HEADER, scrub: [] });
  }

  /** descriptors.bin, opened for writing, with its header and length checked against the index. */
  private async openBin(index: IndexFile): Promise<FileHandle> {
    let fh: FileHandle;
    try {
      fh = await open(this.binPath, 'r+');
    } catch (e) {
      if (codeOf(e) === 'ENOENT') throw new GalleryError(`gallery file ${this.binPath} is missing (index.json says ${index.committed} bytes)`);
      throw new GalleryError(`cannot open the gallery file ${this.binPath}: ${messageOf(e)}`);
    }
    try {
      const size = (await fh.stat()).size;
      if (size < index.committed) throw new GalleryError(`gallery file ${this.binPath} is truncated: index.json says ${index.committed} bytes, the file has ${size}`);
      const header = await readFully(fh, 0, HEADER);
      if (!header.subarray(0, 8).equals(MAGIC)) throw new GalleryError(`${this.binPath} is not a wgsl-vision descriptor file (its first bytes are not '${MAGIC.toString('latin1')}')`);
      const version = header.readUInt32LE(8);
      if (version !== FILE_VERSION) throw new GalleryError(`gallery file ${this.binPath} has format version ${version}; this version of wgsl-vision reads version ${FILE_VERSION}`);
      const dims = header.readUInt32LE(12);
      if (dims !== index.dims) throw new GalleryError(`gallery file ${this.binPath} is damaged at byte 12: its header says ${dims} values per descriptor, index.json ${index.dims}`);
      return fh;
    } catch (e) {
      await fh.close();
      throw e;
    }
  }

  /** Everyone stored, in enrolment order, with their records' offsets. */
  private async readAll(fh: FileHandle, index: IndexFile, scrub: Map<number, number>): Promise<{ records: Map<string, Entry>; people: PersonDescriptors[] }> {
    const dims = index.dims;
    const records = new Map<string, Entry>();
    await this.scan(fh, index, HEADER, index.committed, scrub, (r) => {
      if (r.kind !== ADD) return; // a forgotten person's records are erased already
      let e = records.get(r.id);
      if (e === undefined) records.set(r.id, (e = { offsets: r.offset, descriptors: [] }));
      else if (typeof e.offsets === 'number') e.offsets = [e.offsets, r.offset];
      else e.offsets.push(r.offset);
      if (r.count === 1) e.descriptors!.push(r.data);
      else for (let k = 0; k < r.count; k++) e.descriptors!.push(r.data.subarray(k * dims, (k + 1) * dims));
    });
    const people: PersonDescriptors[] = [];
    for (const [id, e] of records) {
      people.push({ id, descriptors: e.descriptors! });
      e.descriptors = undefined; // the caller's now: this storage keeps offsets only
    }
    return { records, people };
  }

  /** The scrub list's records (offset → length), each checked to be a whole record. */
  private async checkScrub(fh: FileHandle, index: IndexFile): Promise<Map<number, number>> {
    const scrub = new Map<number, number>();
    for (const [offset, length] of index.scrub) {
      // The length field is the same before and after the overwrite: readable even if it was torn.
      const body = (await readFully(fh, offset, 4)).readUInt32LE(0);
      if (body + 8 !== length) throw new GalleryError(`gallery file ${this.binPath} is damaged at byte ${offset}: index.json lists a ${length}-byte record to erase there, the file has one of ${body + 8}`);
      scrub.set(offset, length);
    }
    return scrub;
  }

  /** Finishes a forget that a crash interrupted and cuts off an interrupted write. */
  private async repair(fh: FileHandle, index: IndexFile): Promise<IndexFile> {
    if (index.scrub.length > 0) index = await this.finishScrub(fh, index);
    if ((await fh.stat()).size > index.committed) {
      await fh.truncate(index.committed);
      await fh.datasync();
    }
    return index;
  }

  /** Overwrites the scrub list's records with erased ones, then commits an empty list. */
  private async finishScrub(fh: FileHandle, index: IndexFile): Promise<IndexFile> {
    for (const [offset, length] of index.scrub) {
      const buf = Buffer.alloc(length);
      buf.writeUInt32LE(length - 8, 0);
      buf.writeUInt32LE(ERASED, 8);
      buf.writeUInt32LE(crc32(buf.subarray(8)), 4);
      await writeFully(fh, buf, offset);
    }
    await fh.datasync();
    return this.commit({ ...index, scrub: [] });
  }

  /** Replaces index.json: a temporary file, fsync'd, renamed over it, the folder fsync'd. */
  private async commit(index: IndexFile): Promise<IndexFile> {
    const tmp = `${this.indexPath}.tmp`;
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(JSON.stringify(index));
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, this.indexPath);
    await syncDir(this.dir);
    return index;
  }

  /** Reads the records in [from, to), checking each; records in `scrub` count as erased. */
  private async scan(fh: FileHandle, index: IndexFile, from: number, to: number, scrub: Map<number, number>, visit: (r: Decoded) => void): Promise<void> {
    const dims = index.dims;
    const damaged = (at: number, why: string) => new GalleryError(`gallery file ${this.binPath} is damaged at byte ${at}: ${why}`);
    let buf: Buffer = Buffer.alloc(0);
    let start = from; // file offset of buf[0]
    const need = async (at: number, n: number) => {
      if (at - start + n <= buf.length) return;
      const length = Math.min(Math.max(n, READ_CHUNK), to - at);
      buf = await readFully(fh, at, length);
      start = at;
      if (buf.length < length) throw new GalleryError(`gallery file ${this.binPath} is truncated: index.json says ${to} bytes, the file ends at ${at + buf.length}`);
    };
    let at = from;
    while (at < to) {
      if (to - at < 12) throw damaged(at, `${to - at} bytes where a record should start`);
      await need(at, 8);
      const bodyLength = buf.readUInt32LE(at - start);
      if (bodyLength < 4 || bodyLength % 4 !== 0 || at + 8 + bodyLength > to) throw damaged(at, `a record of ${bodyLength} bytes does not fit (committed end ${to})`);
      const erasing = scrub.get(at);
      if (erasing !== undefined) {
        visit({ kind: ERASED, offset: at });
        at += erasing;
        continue;
      }
      await need(at, 8 + bodyLength);
      const b = at - start + 8; // the body, in buf
      if (crc32(new Uint8Array(buf.buffer, buf.byteOffset + b, bodyLength)) !== buf.readUInt32LE(b - 4)) throw damaged(at, 'checksum mismatch');
      const kind = buf.readUInt32LE(b);
      if (kind === ADD) {
        const idLength = bodyLength >= 12 ? buf.readUInt32LE(b + 4) : -1;
        const countAt = 8 + pad4(idLength);
        if (idLength < 0 || countAt + 4 > bodyLength) throw damaged(at, 'malformed add record');
        const count = buf.readUInt32LE(b + countAt);
        if (countAt + 4 + count * dims * 4 !== bodyLength) throw damaged(at, `an add record of ${count} descriptors of ${dims} values cannot be ${bodyLength} bytes`);
        // A view of the chunk read (no copy: a million small arrays would cost seconds) where
        // the bytes are the floats as they are; a copy on big-endian machines.
        const floatsAt = buf.byteOffset + b + countAt + 4;
        let data: Float32Array;
        if (LITTLE_ENDIAN && floatsAt % 4 === 0) data = new Float32Array(buf.buffer, floatsAt, count * dims);
        else {
          data = new Float32Array(count * dims);
          for (let v = 0; v < data.length; v++) data[v] = buf.readFloatLE(b + countAt + 4 + v * 4);
        }
        visit({ kind: ADD, offset: at, id: buf.toString('utf8', b + 8, b + 8 + idLength), count, data });
      } else if (kind === REMOVE) {
        const n = bodyLength >= 8 ? buf.readUInt32LE(b + 4) : -1;
        if (n < 0 || 8 + 8 * n !== bodyLength) throw damaged(at, 'malformed remove record');
        const offsets = Array.from({ length: n }, (_, k) => buf.readUInt32LE(b + 8 + 8 * k) + buf.readUInt32LE(b + 12 + 8 * k) * 2 ** 32);
        visit({ kind: REMOVE, offset: at, offsets });
      } else if (kind === ERASED) {
        visit({ kind: ERASED, offset: at });
      } else {
        throw damaged(at, `unknown record kind ${kind}`);
      }
      at += 8 + bodyLength;
    }
  }
}

/** Where a person's add records are (one number for the common one record); descriptors while loading. */
interface Entry {
  offsets: number | number[];
  descriptors?: Float32Array[] | undefined;
}

function firstOffset(e: Entry): number {
  return typeof e.offsets === 'number' ? e.offsets : e.offsets[0]!;
}

function addOffset(records: Map<string, Entry>, id: string, offset: number): void {
  const e = records.get(id);
  if (e === undefined) records.set(id, { offsets: offset });
  else if (typeof e.offsets === 'number') e.offsets = [e.offsets, offset];
  else e.offsets.push(offset);
}
