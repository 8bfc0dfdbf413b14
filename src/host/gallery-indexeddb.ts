/**
 * A face gallery in the browser's IndexedDB: one record per person, so that an enrolment writes
 * that person's record and a forget deletes it, never the whole gallery. Nothing leaves the device.
 *
 * Database `wgsl-vision` (by default), version 2:
 * - `people`, keyed by [gallery, id]: `{ gallery, id, order, count, data }`, `data` a
 *   Float32Array of count × dims values, `order` the enrolment order (index `order` on
 *   [gallery, order]).
 * - `galleryMeta`, keyed by gallery: `{ gallery, format, version, dims, descriptor, next }`,
 *   checked at load (descriptors of another network or size are refused).
 * - `galleries`: version 1's store, one record per gallery holding it all as GalleryJSON (see
 *   src/tasks/face/gallery.ts). Kept readable: the first load moves a gallery found there into
 *   per-person records and deletes the old record, in one transaction.
 *
 * Several galleries can share a database (the `gallery` option). Changes made by other tabs are
 * not reported (writes hand back []): a tab's index learns of them at its next load.
 * Deleted records leave the browser's storage engine when it compacts its files, which is its own.
 */
import { descriptorProblem, GalleryError, type GalleryChange, type GalleryIdentity, type GalleryStorage, type PersonDescriptors } from '../tasks/face/gallery-index.js';

export interface IndexedDBGalleryStorageOptions {
  /** The database; 'wgsl-vision' by default (the one the single-record gallery used). */
  database?: string;
  /** This gallery's name in the database (several can share one); 'gallery' by default, the single-record store's key. */
  gallery?: string;
}

const DB_VERSION = 2;
const PEOPLE = 'people';
const META = 'galleryMeta';
const LEGACY = 'galleries';
const META_FORMAT = 'wgsl-vision-gallery-idb';

interface PersonRecord {
  gallery: string;
  id: string;
  order: number;
  count: number;
  data: Float32Array;
}

interface MetaRecord {
  gallery: string;
  format: typeof META_FORMAT;
  version: 1;
  dims: number;
  descriptor: string;
  /** The next person's `order`. */
  next: number;
}

/** The single-record store's value (GalleryJSON of src/tasks/face/gallery.ts), unchecked. */
interface LegacyGallery {
  format?: unknown;
  version?: unknown;
  dims?: unknown;
  descriptor?: unknown;
  people?: unknown;
}

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

function finished(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new DOMException('the transaction was aborted', 'AbortError'));
  });
}

/** Persons' records of one gallery, as a key range of `people` or of its `order` index. */
const galleryRange = (gallery: string) => IDBKeyRange.bound([gallery], [gallery, []]);

/** Incremental storage of a face gallery in IndexedDB, one record per person. */
export function indexedDBGalleryStorage(options: IndexedDBGalleryStorageOptions = {}): GalleryStorage {
  return new IndexedDBGalleryStorage(options.database ?? 'wgsl-vision', options.gallery ?? 'gallery');
}

class IndexedDBGalleryStorage implements GalleryStorage {
  private db: IDBDatabase | undefined;
  private identity: GalleryIdentity | undefined;
  private closed = false;

  constructor(
    private readonly database: string,
    private readonly gallery: string,
  ) {}

  private get where(): string {
    return `gallery '${this.gallery}' in IndexedDB database '${this.database}'`;
  }

  async load(identity: GalleryIdentity): Promise<PersonDescriptors[]> {
    const db = await this.connect();
    const stores = db.objectStoreNames.contains(LEGACY) ? [META, PEOPLE, LEGACY] : [META, PEOPLE];
    const records = await this.transaction(stores, async (tx) => {
      const metaStore = tx.objectStore(META);
      const people = tx.objectStore(PEOPLE);
      const meta = (await request(metaStore.get(this.gallery))) as MetaRecord | undefined;
      if (meta) this.checkMeta(meta, identity);
      const next: MetaRecord = meta ?? { gallery: this.gallery, format: META_FORMAT, version: 1, dims: identity.dims, descriptor: identity.descriptor, next: 0 };
      const legacy = stores.includes(LEGACY) ? ((await request(tx.objectStore(LEGACY).get(this.gallery))) as LegacyGallery | undefined) : undefined;
      if (legacy !== undefined) {
        // Moved into per-person records and deleted, all in this transaction: an error leaves it as it was.
        const moved = this.fromLegacy(legacy, identity);
        await this.put(people, next, moved);
        tx.objectStore(LEGACY).delete(this.gallery);
      }
      if (!meta || legacy !== undefined) metaStore.put(next);
      return (await request(people.index('order').getAll(galleryRange(this.gallery)))) as PersonRecord[];
    });
    this.identity = identity;
    return records.map((r) => {
      if (!(r.data instanceof Float32Array) || r.data.length !== r.count * identity.dims) {
        throw new GalleryError(`${this.where} is damaged: the record of '${r.id}' holds ${r.data?.length} values for ${r.count} descriptors of ${identity.dims}`);
      }
      return { id: r.id, descriptors: Array.from({ length: r.count }, (_, k) => r.data.subarray(k * identity.dims, (k + 1) * identity.dims)) };
    });
  }

  async append(people: readonly PersonDescriptors[]): Promise<GalleryChange[]> {
    const identity = this.loaded();
    for (const p of people) {
      for (const d of p.descriptors) if (d.length !== identity.dims) throw new GalleryError(`${this.where}: a descriptor of '${p.id}' has ${d.length} values, the gallery holds ${identity.dims}`);
    }
    if (people.length === 0) return [];
    await this.transaction([META, PEOPLE], async (tx) => {
      const metaStore = tx.objectStore(META);
      const meta = ((await request(metaStore.get(this.gallery))) as MetaRecord | undefined) ?? { gallery: this.gallery, format: META_FORMAT, version: 1, dims: identity.dims, descriptor: identity.descriptor, next: 0 };
      this.checkMeta(meta, identity);
      await this.put(tx.objectStore(PEOPLE), meta, people);
      metaStore.put(meta);
    });
    return [];
  }

  async remove(id: string): Promise<GalleryChange[]> {
    this.loaded();
    await this.transaction([PEOPLE], async (tx) => {
      tx.objectStore(PEOPLE).delete([this.gallery, id]);
    });
    return [];
  }

  async clear(): Promise<GalleryChange[]> {
    this.loaded();
    await this.transaction([PEOPLE], async (tx) => {
      tx.objectStore(PEOPLE).delete(galleryRange(this.gallery));
    });
    return [];
  }

  async close(): Promise<void> {
    this.closed = true;
    this.db?.close();
    this.db = undefined;
  }

  // ---- the machinery ----

  private loaded(): GalleryIdentity {
    if (this.closed) throw new GalleryError(`${this.where}: the storage is closed`);
    if (!this.identity) throw new GalleryError(`${this.where}: load() it before writing`);
    return this.identity;
  }

  /** Adds descriptors to people's records (made for new people, in order), within `tx`. */
  private async put(store: IDBObjectStore, meta: MetaRecord, people: readonly PersonDescriptors[]): Promise<void> {
    const merged = new Map<string, Float32Array[]>();
    for (const p of people) merged.set(p.id, [...(merged.get(p.id) ?? []), ...p.descriptors]);
    const ids = [...merged.keys()];
    const existing = (await Promise.all(ids.map((id) => request(store.get([this.gallery, id]))))) as (PersonRecord | undefined)[];
    ids.forEach((id, i) => {
      const had = existing[i];
      const added = merged.get(id)!;
      const count = (had?.count ?? 0) + added.length;
      const data = new Float32Array(count * meta.dims);
      if (had) data.set(had.data);
      added.forEach((d, k) => data.set(d, ((had?.count ?? 0) + k) * meta.dims));
      const record: PersonRecord = { gallery: this.gallery, id, order: had?.order ?? meta.next++, count, data };
      store.put(record);
    });
  }

  private checkMeta(meta: MetaRecord, identity: GalleryIdentity): void {
    if (meta.format !== META_FORMAT || meta.version !== 1) throw new GalleryError(`${this.where} is not a wgsl-vision gallery of this version (its metadata says ${JSON.stringify({ format: meta.format, version: meta.version })})`);
    if (meta.dims !== identity.dims || meta.descriptor !== identity.descriptor) {
      throw new GalleryError(
        `${this.where} holds ${meta.dims}-value '${meta.descriptor}' descriptors, not the ${identity.dims}-value '${identity.descriptor}' descriptors asked for: ` +
          `descriptors of different networks or sizes cannot be compared (open it with descriptor '${meta.descriptor}', or use another gallery name)`,
      );
    }
  }

  /** The single-record gallery's people, checked (an earlier version wrote it; it may be anything). */
  private fromLegacy(g: LegacyGallery, identity: GalleryIdentity): PersonDescriptors[] {
    const bad = (why: string) => new GalleryError(`${this.where}: the gallery record kept by an earlier version (object store '${LEGACY}') cannot be moved: ${why}; it is left as it was`);
    if (typeof g !== 'object' || g === null || g.format !== 'wgsl-vision-gallery') throw bad("no format 'wgsl-vision-gallery'");
    if (g.version !== 1) throw bad(`unsupported version ${String(g.version)}`);
    const descriptor = typeof g.descriptor === 'string' ? g.descriptor : 'dlib';
    if (g.dims !== identity.dims || descriptor !== identity.descriptor) {
      throw new GalleryError(
        `${this.where} (the record kept by an earlier version) holds ${String(g.dims)}-value '${descriptor}' descriptors, not the ${identity.dims}-value '${identity.descriptor}' descriptors asked for: ` +
          `descriptors of different networks or sizes cannot be compared (open it with descriptor '${descriptor}'); it is left as it was`,
      );
    }
    if (!Array.isArray(g.people)) throw bad("no 'people'");
    return g.people.map((p: { id?: unknown; descriptors?: unknown }, i) => {
      if (typeof p?.id !== 'string') throw bad(`person ${i} has no id`);
      if (!Array.isArray(p.descriptors)) throw bad(`'${p.id}' has no descriptors`);
      return {
        id: p.id,
        descriptors: p.descriptors.map((d: unknown, k) => {
          const problem = Array.isArray(d) ? descriptorProblem(d as number[], identity.dims) : 'not an array';
          if (problem) throw bad(`descriptor ${k} of '${p.id}': ${problem}`);
          return Float32Array.from(d as number[]);
        }),
      };
    });
  }

  private connect(): Promise<IDBDatabase> {
    if (this.closed) return Promise.reject(new GalleryError(`${this.where}: the storage is closed`));
    if (this.db) return Promise.resolve(this.db);
    return new Promise((resolve, reject) => {
      let r: IDBOpenDBRequest;
      try {
        r = indexedDB.open(this.database, DB_VERSION);
      } catch (e) {
        reject(new GalleryError(`cannot open IndexedDB database '${this.database}': ${String(e)}`));
        return;
      }
      r.onupgradeneeded = () => {
        const db = r.result;
        // Version 1's 'galleries' store stays, for the first load to move its gallery out of it.
        if (!db.objectStoreNames.contains(PEOPLE)) db.createObjectStore(PEOPLE, { keyPath: ['gallery', 'id'] }).createIndex('order', ['gallery', 'order']);
        if (!db.objectStoreNames.contains(META)) db.createObjectStore(META, { keyPath: 'gallery' });
      };
      r.onsuccess = () => {
        const db = r.result;
        // Another tab upgrading the database: let it (this storage opens it again when next used).
        db.onversionchange = () => {
          db.close();
          if (this.db === db) this.db = undefined;
        };
        this.db = db;
        resolve(db);
      };
      r.onerror = () => reject(new GalleryError(`cannot open IndexedDB database '${this.database}': ${r.error?.name}: ${r.error?.message}`));
    });
  }

  /** Runs `work` in one transaction, all or nothing; a failure aborts it. */
  private async transaction<T>(stores: string[], work: (tx: IDBTransaction) => Promise<T>): Promise<T> {
    const db = await this.connect();
    const tx = db.transaction(stores, 'readwrite');
    const done = finished(tx);
    try {
      const result = await work(tx);
      await done;
      return result;
    } catch (e) {
      done.catch(() => {});
      try {
        tx.abort();
      } catch {
        // finished or aborted already
      }
      if (e instanceof GalleryError) throw e;
      const error = e as DOMException | null;
      if (error?.name === 'QuotaExceededError') throw new GalleryError(`${this.where}: the browser's storage for this site is full; nothing was stored (${error.message})`);
      throw new GalleryError(`${this.where}: ${error?.name ?? 'error'}: ${error?.message ?? String(e)}`);
    }
  }
}
