/**
 * Node: a face gallery in PostgreSQL with pgvector, through the npm packages `pg` and `pgvector`
 * (optional peer dependencies, imported when a gallery is first made, so that users who never
 * use PostgreSQL need not install them). The SQL is in src/tasks/face/sql-gallery.ts.
 */
import { GalleryError } from '../tasks/face/gallery-index.js';
import { databaseError, SqlGalleryIndex, type SqlClient, type SqlGalleryOptions } from '../tasks/face/sql-gallery.js';

/**
 * What the index uses of a `pg` Pool (declared here so that the published types need no @types/pg):
 * queries, and pooled clients for transactions.
 */
export interface PgPoolLike extends SqlClient {
  connect(): Promise<unknown>;
  readonly idleCount: number;
}

/** The environment variable read for the connection string when no `url` option is given. */
export const DATABASE_URL_ENV = 'WGSL_VISION_DATABASE_URL';

export interface PostgresGalleryOptions extends Omit<SqlGalleryOptions, 'dims' | 'descriptor' | 'where' | 'onClose' | 'encodeVector'> {
  /** 'postgres://user:password@host:5432/database'; default: the WGSL_VISION_DATABASE_URL environment variable. */
  url?: string;
  /** Descriptor size (default 128, dlib's) and network (default 'dlib'). */
  dims?: number;
  descriptor?: string;
  /** A pool of your own (its type parsers are left as they are; close() does not end it). Instead of `url`. */
  pool?: PgPoolLike;
  /** How long to wait for a connection before the database counts as unreachable (default 5000 ms). */
  connectTimeoutMs?: number;
  /** Connections in the pool this index makes (default 4). */
  maxConnections?: number;
}

/** A connection string with its password hidden, for messages. */
export function redactDatabaseURL(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@/]*@/i, '$1:***@').replace(/([?&]password=)[^&]*/i, '$1***');
}

/** user@host:port/database of a connection string, never its password. */
function describeURL(url: string): string {
  try {
    const u = new URL(url);
    const user = u.username ? `${decodeURIComponent(u.username)}@` : '';
    return `${user}${u.hostname || 'localhost'}:${u.port || '5432'}${u.pathname && u.pathname !== '/' ? u.pathname : ''}`;
  } catch {
    return redactDatabaseURL(url);
  }
}

async function importOptional<T>(name: string): Promise<T> {
  const specifier = name; // not a literal: bundles leave the import to run time
  try {
    const mod = (await import(specifier)) as { default?: T } & T;
    return (mod.default ?? mod) as T;
  } catch (e) {
    if ((e as { code?: string })?.code === 'ERR_MODULE_NOT_FOUND' || /Cannot find (module|package)/.test(String((e as Error)?.message))) {
      throw new GalleryError(`a PostgreSQL gallery needs the packages pg and pgvector: npm install pg pgvector (${name} is not installed)`, { cause: e });
    }
    throw e;
  }
}

type PgModule = typeof import('pg');
type PgvectorPg = typeof import('pgvector/pg');
type Pool = InstanceType<PgModule['Pool']>;

/**
 * A gallery index on a PostgreSQL database with pgvector: table `gallery` (default 'faces'),
 * created by open() with the extension and the HNSW index when missing. Not opened yet:
 * FaceGallery (or you) calls open(). GalleryError when there is neither a URL nor a pool.
 */
export async function postgresGalleryIndex(options: PostgresGalleryOptions = {}): Promise<SqlGalleryIndex> {
  const { url: urlOption, pool: given, connectTimeoutMs = 5000, maxConnections = 4, dims = 128, descriptor = 'dlib', ...rest } = options;
  const url = urlOption ?? (given ? undefined : process.env[DATABASE_URL_ENV]);
  if (!given && !url) throw new GalleryError(`no database for the gallery: pass a connection string (url option, --db on the command line) or set ${DATABASE_URL_ENV}`);
  if (url !== undefined && !/^postgres(ql)?:\/\//i.test(url)) {
    throw new GalleryError(`database URL ${JSON.stringify(redactDatabaseURL(url))} is not a postgres:// or postgresql:// URL`);
  }
  const pg = await importOptional<PgModule>('pg');
  const { registerTypes, toSql } = await importOptional<PgvectorPg>('pgvector/pg');
  const where = url ? describeURL(url) : 'the given pool';
  let pool: PgPoolLike;
  const parsers = new Map<number, (value: string) => unknown>();
  if (given) pool = given;
  else {
    const config: ConstructorParameters<PgModule['Pool']>[0] = {
      connectionString: url,
      connectionTimeoutMillis: connectTimeoutMs,
      max: maxConnections,
      // Our own pool's type parsers: pgvector's for vector columns once open() has found its type.
      types: { getTypeParser: ((oid: number, format?: 'text' | 'binary') => parsers.get(oid) ?? pg.types.getTypeParser(oid, format as 'text')) as never },
    };
    const made: Pool = new pg.Pool(config);
    // An idle connection the server drops must not crash the process; the next query reports it.
    made.on('error', () => undefined);
    pool = made;
  }
  const index = new SqlGalleryIndex(pool, {
    ...rest,
    dims,
    descriptor,
    where,
    encodeVector: (d) => toSql(Array.from(d)),
    onClose: given ? undefined : () => (pool as Pool).end(),
  });
  if (!given) {
    const open = index.open.bind(index);
    index.open = async () => {
      await open();
      // The vector type exists now (open() created the extension): parse vector columns with pgvector.
      const holder = { query: (text: string, values?: unknown[]) => pool.query(text, values), setTypeParser: (oid: number, _format: string, parse: (v: string) => unknown) => parsers.set(oid, parse) };
      await registerTypes(holder as never).catch((e: unknown) => {
        throw databaseError(e, where, `opening gallery ${index.gallery}`);
      });
    };
  }
  return index;
}
