/**
 * A face gallery in PGlite (PostgreSQL compiled to WebAssembly, npm `@electric-sql/pglite`) with
 * its pgvector extension: the same SQL as the PostgreSQL backend, embedded, without a server.
 * No Node module is imported here, so the file is safe in browser bundles:
 * - Node: `pgliteGalleryIndex({ dataDir: './faces-db' })` makes the database (persisted to that
 *   folder; in memory without dataDir), importing PGlite and its vector extension at run time.
 * - Browsers: make the database yourself, so that your bundler sees the imports, and pass it:
 *   `pgliteGalleryIndex({ db: await PGlite.create('idb://faces', { extensions: { vector } }) })`.
 * One PGlite database belongs to one process (one tab): several processes sharing a gallery use PostgreSQL.
 */
import { GalleryError } from '../tasks/face/gallery-index.js';
import { SqlGalleryIndex, type SqlClient, type SqlGalleryOptions } from '../tasks/face/sql-gallery.js';

/** What the index uses of a PGlite instance (`PGlite` and `PGliteWorker` have it). */
export interface PGliteLike extends SqlClient {
  close?(): Promise<void>;
  readonly dataDir?: string;
}

export interface PGliteGalleryOptions extends Omit<SqlGalleryOptions, 'dims' | 'descriptor' | 'where' | 'onClose'> {
  /** A PGlite instance of your own, made with the vector extension (close() leaves it open). */
  db?: PGliteLike;
  /** Without db: where the database made here persists ('./faces-db' in Node, 'idb://faces' in browsers, 'memory://' or absent: in memory). */
  dataDir?: string;
  /** Descriptor size (default 128, dlib's) and network (default 'dlib'). */
  dims?: number;
  descriptor?: string;
}

async function importOptional(names: string[]): Promise<Record<string, unknown>> {
  let first: unknown;
  for (const name of names) {
    const specifier = name; // not a literal: bundles leave the import to run time
    try {
      return (await import(/* @vite-ignore */ specifier)) as Record<string, unknown>;
    } catch (e) {
      first ??= e;
      const missing = (e as { code?: string })?.code === 'ERR_MODULE_NOT_FOUND' || /Cannot find (module|package)|Failed to resolve/.test(String((e as Error)?.message));
      if (!missing) throw e;
    }
  }
  throw new GalleryError(`a PGlite gallery needs the package ${names[0]}: npm install @electric-sql/pglite @electric-sql/pglite-pgvector (in browsers, pass your own PGlite instance as db)`, { cause: first });
}

/**
 * A gallery index on PGlite: table `gallery` (default 'faces') with an HNSW index, created by
 * open() when missing. Not opened yet: FaceGallery (or you) calls open().
 */
export async function pgliteGalleryIndex(options: PGliteGalleryOptions = {}): Promise<SqlGalleryIndex> {
  const { db: given, dataDir, dims = 128, descriptor = 'dlib', ...rest } = options;
  let db = given;
  if (!db) {
    const { PGlite } = (await importOptional(['@electric-sql/pglite'])) as { PGlite: { create(dataDir?: string, options?: object): Promise<PGliteLike> } };
    // PGlite 0.5 ships pgvector as its own package; earlier versions as @electric-sql/pglite/vector.
    const { vector } = await importOptional(['@electric-sql/pglite-pgvector', '@electric-sql/pglite/vector']);
    try {
      db = await PGlite.create(dataDir, { extensions: { vector } });
    } catch (e) {
      throw new GalleryError(`PGlite could not open its database ${dataDir ?? 'in memory'}: ${(e as Error)?.message ?? String(e)}`, { cause: e });
    }
  }
  const own = db;
  return new SqlGalleryIndex(db, {
    ...rest,
    dims,
    descriptor,
    where: `PGlite ${dataDir ?? db.dataDir ?? 'in memory'}`,
    onClose: given ? undefined : () => own.close?.() ?? Promise.resolve(),
  });
}
