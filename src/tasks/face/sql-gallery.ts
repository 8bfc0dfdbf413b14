/**
 * A gallery index in PostgreSQL with pgvector: one table per gallery, a `vector(dims)` column, an
 * HNSW index, search by `<->` with the nearest descriptor per person. Only SQL lives here (no
 * driver is imported): the same class runs on a `pg` Pool or Client (src/host/postgres.ts), on
 * PGlite in Node (src/host/pglite.ts) and on a PGlite instance a browser app made itself.
 */
import { GalleryError, type GalleryIdentity, type GalleryIndex, type Match, type PersonDescriptors, type PersonSummary } from './gallery-index.js';

/** What the index needs from a database connection: a `pg` Pool or Client and PGlite all have it. */
export interface SqlQueryable {
  query(text: string, params?: unknown[]): Promise<{ rows: any[] }>;
}

/**
 * A database handle. Transactions go, in order of preference, through `transaction` (PGlite's,
 * or one you write), through `connect()` when it hands out pooled clients (a `pg` Pool: one
 * client for BEGIN … COMMIT, then `release()`), or as BEGIN/COMMIT on the handle itself (a single
 * connection, such as a `pg` Client).
 */
export interface SqlClient extends SqlQueryable {
  transaction?<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T>;
}

interface PooledClient extends SqlQueryable {
  release(err?: Error | boolean): void;
}

export interface SqlGalleryOptions extends GalleryIdentity {
  /** The gallery's table: a lower-case SQL identifier (letters, digits, _), at most 48 characters. Default 'faces'. */
  gallery?: string;
  /** Search by a sequential scan (exact nearest neighbours) instead of the HNSW index. */
  exact?: boolean;
  /**
   * The HNSW index (`USING hnsw (descriptor vector_l2_ops)`), created by open() when missing.
   * false: no index is created (a bulk load builds it afterwards by opening again with it), and
   * search is exact. efSearch: candidates the graph search keeps (pgvector's hnsw.ef_search, default 100).
   */
  hnsw?: false | { m?: number; efConstruction?: number; efSearch?: number };
  /**
   * Runs VACUUM on the table after remove() (default true), so a forgotten person's rows are
   * reclaimed at once rather than when autovacuum gets to them (PGlite has no autovacuum).
   */
  vacuumAfterRemove?: boolean;
  /** Where the database is, for error messages (no password): 'postgres://user@host:5432/db', 'PGlite at ./faces-db'. */
  where?: string;
  /** Writes a descriptor as a query parameter (default: pgvector's text form, '[0.1,0.2,…]'). */
  encodeVector?: (d: Float32Array) => unknown;
  /** Called once by close() (ends a pool this index owns). */
  onClose?: () => Promise<void>;
}

/** Why a database operation failed, for programs: the message says it for people. */
export type GalleryDatabaseFault = 'unreachable' | 'no-database' | 'authentication' | 'no-pgvector' | 'permission' | 'identity' | 'not-a-gallery' | 'sql' | 'closed';

/** A GalleryError from the database backends; `fault` names the kind. */
export class GalleryDatabaseError extends GalleryError {
  override name = 'GalleryDatabaseError';
  constructor(message: string, readonly fault: GalleryDatabaseFault, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The table that records each gallery's identity (descriptor size and network). */
export const GALLERY_METADATA_TABLE = 'wgsl_vision_galleries';

const NAME = /^[a-z_][a-z0-9_]{0,47}$/;

/** Checks a gallery name (a table name) and returns it; GalleryError when it is not a plain identifier. */
export function galleryTableName(name: string): string {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new GalleryError(`gallery name ${JSON.stringify(name)} is not usable as a table name: use 1 to 48 lower-case letters, digits or _, not starting with a digit`);
  }
  return name;
}

/** pgvector's text form of a descriptor; exact (a float32 printed as a double reads back as itself). */
export function vectorText(d: ArrayLike<number>): string {
  let s = '[';
  for (let i = 0; i < d.length; i++) s += (i ? ',' : '') + d[i]!;
  return s + ']';
}

/** A vector column's value as the driver returns it: text ('[1,2,3]') or, with pgvector's type parser, numbers. */
export function vectorFrom(value: unknown): Float32Array {
  if (typeof value === 'string') {
    const body = value.trim().slice(1, -1);
    return body ? Float32Array.from(body.split(','), Number) : new Float32Array(0);
  }
  if (value instanceof Float32Array) return value.slice();
  if (Array.isArray(value) || ArrayBuffer.isView(value)) return Float32Array.from(value as ArrayLike<number>);
  if (value && typeof (value as { toArray?: unknown }).toArray === 'function') return Float32Array.from((value as { toArray(): number[] }).toArray());
  throw new GalleryDatabaseError(`the database returned a descriptor as ${typeof value}, not a vector`, 'sql');
}

interface DbErrorLike {
  code?: string;
  message?: string;
  errors?: { code?: string; address?: string; port?: number }[];
  address?: string;
  port?: number;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EPIPE', 'ENOENT']);

/**
 * A database or connection error as a GalleryDatabaseError a user understands. `where` names the
 * database (never with a password); `doing` what was being done ('opening gallery faces').
 */
export function databaseError(e: unknown, where: string, doing: string): GalleryError {
  if (e instanceof GalleryError) return e;
  const err = (e ?? {}) as DbErrorLike;
  const message = typeof err.message === 'string' ? err.message : String(e);
  const code = err.code ?? err.errors?.find((x) => x.code)?.code;
  const at = where ? ` at ${where}` : '';
  if (code && NETWORK_CODES.has(code)) return new GalleryDatabaseError(`database unreachable${at}: ${code}${message && !message.includes(code) ? ` (${message})` : ''}`, 'unreachable', { cause: e });
  if (/timeout|timed out/i.test(message) && /connect/i.test(message)) return new GalleryDatabaseError(`database unreachable${at}: ${message}`, 'unreachable', { cause: e });
  if (/Connection terminated|Client has encountered a connection error|not queryable|Connection ended/i.test(message)) {
    return new GalleryDatabaseError(`database connection lost${at} while ${doing}: ${message}`, 'unreachable', { cause: e });
  }
  switch (code) {
    case '3D000': {
      const name = /database "([^"]*)"/.exec(message)?.[1];
      return new GalleryDatabaseError(`database ${name ? `'${name}'` : ''} does not exist${at}`.replace('database  does', 'database does'), 'no-database', { cause: e });
    }
    case '28P01':
    case '28000': {
      const user = /user "([^"]*)"/.exec(message)?.[1];
      return new GalleryDatabaseError(`authentication failed${user ? ` for user '${user}'` : ''}${at}`, 'authentication', { cause: e });
    }
    case '42501':
      return new GalleryDatabaseError(`permission denied${at} while ${doing}: ${message}`, 'permission', { cause: e });
    case '0A000':
    case '58P01':
      if (/extension|vector/i.test(message)) {
        return new GalleryDatabaseError(`the pgvector extension is not installed in this database${at} (${message}); install pgvector on the server, or on PGlite pass extensions: { vector }`, 'no-pgvector', { cause: e });
      }
  }
  if (/type "vector" does not exist/.test(message)) {
    return new GalleryDatabaseError(`the pgvector extension is not installed in this database${at} (${message})`, 'no-pgvector', { cause: e });
  }
  return new GalleryDatabaseError(`database error${at} while ${doing}: ${message}${code ? ` (SQLSTATE ${code})` : ''}`, 'sql', { cause: e });
}

/** Rows per INSERT statement (two parameters each). */
const INSERT_BATCH = 500;
/** People per page of entries(). */
const ENTRIES_PAGE = 500;
/** pgvector's largest hnsw.ef_search. */
const MAX_EF_SEARCH = 1000;

export class SqlGalleryIndex implements GalleryIndex {
  readonly dims: number;
  readonly descriptor: string;
  readonly gallery: string;
  private readonly table: string;
  private readonly where: string;
  private readonly encode: (d: Float32Array) => unknown;
  private hasHnsw = false;
  /** pgvector 0.8 and later: iterative index scans (enough candidates however many rows are deleted or filtered). */
  private iterative = false;
  private closed = false;
  private opened = false;

  constructor(private readonly db: SqlClient, private readonly options: SqlGalleryOptions) {
    if (!Number.isInteger(options.dims) || options.dims < 1 || options.dims > 16000) throw new GalleryError(`descriptor size ${options.dims} is not a whole number from 1 to 16000`);
    if (typeof options.descriptor !== 'string' || !options.descriptor) throw new GalleryError('the gallery needs the name of its descriptor network');
    this.dims = options.dims;
    this.descriptor = options.descriptor;
    this.gallery = galleryTableName(options.gallery ?? 'faces');
    this.table = `"${this.gallery}"`;
    this.where = options.where ?? '';
    this.encode = options.encodeVector ?? vectorText;
    const h = options.hnsw;
    if (h) for (const [key, v, lo, hi] of [['m', h.m, 2, 100], ['efConstruction', h.efConstruction, 4, 1000], ['efSearch', h.efSearch, 1, MAX_EF_SEARCH]] as const) {
      if (v !== undefined && !(Number.isInteger(v) && v >= lo && v <= hi)) throw new GalleryError(`hnsw.${key} must be a whole number from ${lo} to ${hi}, not ${v}`);
    }
  }

  /** Runs `fn` in one transaction (BEGIN … COMMIT; ROLLBACK when it throws). */
  private async tx<T>(doing: string, fn: (q: SqlQueryable) => Promise<T>): Promise<T> {
    this.check();
    const db = this.db as SqlClient & { connect?: () => Promise<unknown>; idleCount?: unknown };
    try {
      if (typeof db.transaction === 'function') return await db.transaction(fn);
      if (typeof db.connect === 'function' && typeof db.idleCount === 'number') {
        const client = (await db.connect()) as PooledClient;
        let broken: Error | undefined;
        try {
          return await inTransaction(client, fn);
        } catch (e) {
          // A connection fault (no SQLSTATE): do not pool this client again.
          if (!(e instanceof GalleryError) && !/^[0-9A-Z]{5}$/.test(String((e as { code?: unknown })?.code))) broken = e as Error;
          throw e;
        } finally {
          client.release(broken);
        }
      }
      return await inTransaction(db, fn);
    } catch (e) {
      throw databaseError(e, this.where, doing);
    }
  }

  private async q(doing: string, text: string, params?: unknown[]): Promise<any[]> {
    this.check();
    try {
      return (await this.db.query(text, params)).rows;
    } catch (e) {
      throw databaseError(e, this.where, doing);
    }
  }

  private check(): void {
    if (this.closed) throw new GalleryDatabaseError(`gallery ${this.gallery} is closed`, 'closed');
  }

  private mismatch(dims: number | null, descriptor: string | null): GalleryError {
    const held = `${dims ?? 'unknown-size'}-value ${descriptor ? `'${descriptor}'` : '(network not recorded)'}`;
    return new GalleryDatabaseError(`gallery table ${this.gallery} holds ${held} descriptors, this recognizer computes ${this.dims}-value '${this.descriptor}' ones${this.where ? ` (${this.where})` : ''}`, 'identity');
  }

  async open(): Promise<void> {
    const doing = `opening gallery ${this.gallery}`;
    const t = this.table;
    const hnsw = this.options.hnsw;
    this.hasHnsw = await this.tx(doing, async (q) => {
      // One opener at a time (two processes creating the same gallery, or the extension, at once).
      await q.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`wgsl-vision gallery ${this.gallery}`]);
      await q.query('CREATE EXTENSION IF NOT EXISTS vector');
      await q.query(`CREATE TABLE IF NOT EXISTS ${GALLERY_METADATA_TABLE} (gallery text PRIMARY KEY, dims integer NOT NULL, descriptor text NOT NULL, created timestamptz NOT NULL DEFAULT now())`);
      const meta = (await q.query(`SELECT dims, descriptor FROM ${GALLERY_METADATA_TABLE} WHERE gallery = $1`, [this.gallery])).rows[0] as { dims: number; descriptor: string } | undefined;
      if (meta && (Number(meta.dims) !== this.dims || meta.descriptor !== this.descriptor)) throw this.mismatch(Number(meta.dims), meta.descriptor);
      const columns = (await q.query(
        `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type FROM pg_attribute a WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped`,
        [t],
      )).rows as { name: string; type: string }[];
      if (columns.length) {
        const type = new Map(columns.map((c) => [c.name, c.type]));
        const vec = /^vector\((\d+)\)$/.exec(type.get('descriptor') ?? '');
        if (!vec || type.get('person') !== 'text' || !type.has('seq')) {
          throw new GalleryDatabaseError(`table ${this.gallery} exists and is not a wgsl-vision gallery (it needs columns seq, person text, descriptor vector(n)); choose another gallery name`, 'not-a-gallery');
        }
        if (Number(vec[1]) !== this.dims) throw this.mismatch(Number(vec[1]), meta?.descriptor ?? null);
      } else {
        await q.query(`CREATE TABLE ${t} (seq bigserial PRIMARY KEY, person text NOT NULL, descriptor vector(${this.dims}) NOT NULL)`);
        await q.query(`CREATE INDEX ${this.gallery}_person ON ${t} (person, seq)`);
      }
      if (!meta) await q.query(`INSERT INTO ${GALLERY_METADATA_TABLE} (gallery, dims, descriptor) VALUES ($1, $2, $3)`, [this.gallery, this.dims, this.descriptor]);
      if (hnsw !== false) {
        const m = hnsw?.m ?? 16;
        const ef = hnsw?.efConstruction ?? 64;
        await q.query(`CREATE INDEX IF NOT EXISTS ${this.gallery}_hnsw ON ${t} USING hnsw (descriptor vector_l2_ops) WITH (m = ${m}, ef_construction = ${ef})`);
      }
      const idx = (await q.query(`SELECT 1 FROM pg_indexes WHERE tablename = $1 AND indexname = $2`, [this.gallery, `${this.gallery}_hnsw`])).rows;
      const version = String((await q.query(`SELECT extversion FROM pg_extension WHERE extname = 'vector'`)).rows[0]?.extversion ?? '0');
      const [major = 0, minor = 0] = version.split('.').map(Number);
      this.iterative = major > 0 || minor >= 8;
      return idx.length > 0;
    });
    this.opened = true;
  }

  private ready(): void {
    this.check();
    if (!this.opened) throw new GalleryDatabaseError(`gallery ${this.gallery} is not open: call open() first`, 'closed');
  }

  async add(people: readonly PersonDescriptors[]): Promise<void> {
    this.ready();
    const rows: [string, Float32Array][] = [];
    for (const p of people) for (const d of p.descriptors) rows.push([p.id, d]);
    if (!rows.length) return;
    await this.tx(`adding to gallery ${this.gallery}`, async (q) => {
      for (let at = 0; at < rows.length; at += INSERT_BATCH) {
        const batch = rows.slice(at, at + INSERT_BATCH);
        const params: unknown[] = [];
        const values = batch.map(([id, d], i) => {
          params.push(id, this.encode(d));
          return `($${2 * i + 1}, $${2 * i + 2}::vector)`;
        });
        await q.query(`INSERT INTO ${this.table} (person, descriptor) VALUES ${values.join(', ')}`, params);
      }
    });
  }

  async remove(id: string): Promise<boolean> {
    this.ready();
    const rows = await this.q(`removing from gallery ${this.gallery}`, `WITH gone AS (DELETE FROM ${this.table} WHERE person = $1 RETURNING 1) SELECT count(*)::int AS n FROM gone`, [id]);
    const removed = Number(rows[0]?.n ?? 0) > 0;
    if (removed && this.options.vacuumAfterRemove !== false) await this.q(`vacuuming gallery ${this.gallery}`, `VACUUM ${this.table}`);
    return removed;
  }

  async clear(): Promise<void> {
    this.ready();
    await this.q(`clearing gallery ${this.gallery}`, `TRUNCATE ${this.table}`);
  }

  async get(id: string): Promise<Float32Array[] | null> {
    this.ready();
    const rows = await this.q(`reading gallery ${this.gallery}`, `SELECT descriptor FROM ${this.table} WHERE person = $1 ORDER BY seq`, [id]);
    return rows.length ? rows.map((r) => vectorFrom(r.descriptor)) : null;
  }

  async list(): Promise<PersonSummary[]> {
    this.ready();
    const rows = await this.q(`listing gallery ${this.gallery}`, `SELECT person, count(*)::int AS n FROM ${this.table} GROUP BY person ORDER BY min(seq)`);
    return rows.map((r) => ({ id: String(r.person), descriptors: Number(r.n) }));
  }

  async count(): Promise<{ people: number; descriptors: number }> {
    this.ready();
    const rows = await this.q(`counting gallery ${this.gallery}`, `SELECT count(DISTINCT person)::int AS people, count(*)::int AS descriptors FROM ${this.table}`);
    return { people: Number(rows[0]?.people ?? 0), descriptors: Number(rows[0]?.descriptors ?? 0) };
  }

  async search(query: Float32Array, k: number): Promise<Match[]> {
    this.ready();
    if (!(Number.isInteger(k) && k >= 1)) throw new GalleryError(`k must be a whole number of at least 1, not ${k}`);
    if (query.length !== this.dims) throw new GalleryError(`query has ${query.length} values, the gallery holds ${this.dims}`);
    const v = this.encode(query);
    const doing = `searching gallery ${this.gallery}`;
    const exact = async () => this.q(doing, `SELECT person, min(descriptor <-> $1::vector) AS distance FROM ${this.table} GROUP BY person ORDER BY distance, person LIMIT $2`, [v, k]);
    let rows: any[];
    if (this.options.exact || !this.hasHnsw) rows = await exact();
    else {
      // The nearest `limit` rows through the HNSW index, then the nearest row per person. A person
      // with many descriptors can fill the candidates: then more candidates, then an exact scan.
      const efSearch = (this.options.hnsw || undefined)?.efSearch ?? 100;
      let limit = Math.max(4 * k, 40);
      for (;;) {
        if (limit > MAX_EF_SEARCH) {
          rows = await exact();
          break;
        }
        const ef = Math.max(efSearch, limit);
        const found = await this.tx(doing, async (q) => {
          const iterative = this.iterative ? `, set_config('hnsw.iterative_scan', 'strict_order', true)` : '';
          await q.query(`SELECT set_config('hnsw.ef_search', $1, true), set_config('enable_seqscan', 'off', true)${iterative}`, [String(ef)]);
          return (await q.query(
            `SELECT person, min(distance) AS distance, count(*) OVER ()::int AS people, sum(count(*)) OVER ()::int AS candidates FROM (SELECT person, descriptor <-> $1::vector AS distance FROM ${this.table} ORDER BY descriptor <-> $1::vector LIMIT $2) c GROUP BY person ORDER BY distance, person`,
            [v, limit],
          )).rows;
        });
        const candidates = Number(found[0]?.candidates ?? 0);
        if (found.length >= k || candidates < limit) {
          rows = found.slice(0, k);
          break;
        }
        limit *= 4;
      }
    }
    return rows.map((r) => ({ id: String(r.person), distance: Number(r.distance) }));
  }

  async *entries(): AsyncIterable<PersonDescriptors> {
    this.ready();
    const doing = `reading gallery ${this.gallery}`;
    const ids = (await this.q(doing, `SELECT person FROM ${this.table} GROUP BY person ORDER BY min(seq)`)).map((r) => String(r.person));
    for (let at = 0; at < ids.length; at += ENTRIES_PAGE) {
      const page = ids.slice(at, at + ENTRIES_PAGE);
      const marks = page.map((_, i) => `$${i + 1}`).join(', ');
      const rows = await this.q(doing, `SELECT person, descriptor FROM ${this.table} WHERE person IN (${marks}) ORDER BY seq`, page);
      const byId = new Map<string, Float32Array[]>(page.map((id) => [id, []]));
      for (const r of rows) byId.get(String(r.person))?.push(vectorFrom(r.descriptor));
      for (const [id, descriptors] of byId) if (descriptors.length) yield { id, descriptors };
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.options.onClose?.();
  }
}

async function inTransaction<T>(c: SqlQueryable, fn: (q: SqlQueryable) => Promise<T>): Promise<T> {
  await c.query('BEGIN');
  try {
    const out = await fn(c);
    await c.query('COMMIT');
    return out;
  } catch (e) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}
