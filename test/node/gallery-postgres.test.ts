// The PostgreSQL + pgvector gallery index against a real PostgreSQL wire-protocol server: PGlite
// with pgvector, served on 127.0.0.1 by @electric-sql/pglite-socket, started and stopped here;
// the `pg` backend connects to it over TCP by URL. Then the same index class on an in-process
// PGlite persisted to a folder. Every search is checked against a brute-force CPU ranking.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import type { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import type { Pool } from 'pg';
import { pgliteGalleryIndex } from '../../src/host/pglite.js';
import { DATABASE_URL_ENV, postgresGalleryIndex, redactDatabaseURL } from '../../src/host/postgres.js';
import { FaceGallery } from '../../src/tasks/face/gallery.js';
import { GalleryError, type Match, type PersonDescriptors } from '../../src/tasks/face/gallery-index.js';
import { databaseError, GalleryDatabaseError, SqlGalleryIndex } from '../../src/tasks/face/sql-gallery.js';
import { assert, assertClose, assertEqual, assertRejects } from '../util/assert.js';
import { Rng } from '../util/random.js';

// Imported at run time by name (not bundled): PGlite finds its WebAssembly and data files next to its own module.
const load = <T>(name: string): Promise<T> => import(/* not bundled */ name) as Promise<T>;
type PGliteModule = typeof import('@electric-sql/pglite');
type VectorModule = typeof import('@electric-sql/pglite-pgvector');
type SocketModule = typeof import('@electric-sql/pglite-socket');
type PgModule = typeof import('pg');

const DIMS = 128;

function people(rng: Rng, n: number, perPerson: number, prefix: string, dims = DIMS): PersonDescriptors[] {
  return Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}`, descriptors: Array.from({ length: perPerson }, () => rng.array(dims, -0.3, 0.3)) }));
}

function perturbed(rng: Rng, d: Float32Array, amount: number): Float32Array {
  return Float32Array.from(d, (v) => v + rng.uniform(-amount, amount));
}

/** The k nearest people by their nearest descriptor, in float64 over the stored float32 values. */
function bruteForce(gallery: PersonDescriptors[], query: Float32Array, k: number): Match[] {
  const best = gallery.map(({ id, descriptors }) => {
    let min = Infinity;
    for (const d of descriptors) {
      let s = 0;
      for (let j = 0; j < d.length; j++) s += (d[j]! - query[j]!) ** 2;
      min = Math.min(min, s);
    }
    return { id, distance: Math.sqrt(min) };
  });
  return best.sort((a, b) => a.distance - b.distance || (a.id < b.id ? -1 : 1)).slice(0, k);
}

function assertSameRanking(actual: Match[], expected: Match[], what: string): void {
  assertEqual(actual.map((m) => m.id), expected.map((m) => m.id), `${what}: ids`);
  assertClose(actual.map((m) => m.distance), expected.map((m) => m.distance), { atol: 1e-4, rtol: 1e-4 }, `${what}: distances`);
}

/** A TCP port on 127.0.0.1 that nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

async function collect(index: SqlGalleryIndex): Promise<PersonDescriptors[]> {
  const out: PersonDescriptors[] = [];
  for await (const p of index.entries()) out.push(p);
  return out;
}

function assertSamePeople(actual: PersonDescriptors[], expected: PersonDescriptors[], what: string): void {
  assertEqual(actual.map((p) => [p.id, p.descriptors.length]), expected.map((p) => [p.id, p.descriptors.length]), `${what}: people`);
  for (let i = 0; i < expected.length; i++) {
    for (let j = 0; j < expected[i]!.descriptors.length; j++) {
      // Bit for bit: pgvector stores float32, and its text form reads back as the same float32.
      assertEqual(Array.from(actual[i]!.descriptors[j]!), Array.from(expected[i]!.descriptors[j]!), `${what}: ${expected[i]!.id} descriptor ${j}`);
    }
  }
}

describe('face gallery in PostgreSQL + pgvector (pg over TCP to PGlite on pglite-socket)', function () {
  this.timeout(120_000);
  let db: PGlite;
  let server: PGLiteSocketServer;
  let url: string;
  let sql: Pool;
  const open: SqlGalleryIndex[] = [];
  const index = async (options: Parameters<typeof postgresGalleryIndex>[0] = {}): Promise<SqlGalleryIndex> => {
    const i = await postgresGalleryIndex({ url, ...options });
    open.push(i);
    await i.open();
    return i;
  };
  const rows = async (table: string, where = 'true', params: unknown[] = []): Promise<number> =>
    Number((await sql.query(`SELECT count(*)::int AS n FROM "${table}" WHERE ${where}`, params)).rows[0].n);

  before(async () => {
    const { PGlite } = await load<PGliteModule>('@electric-sql/pglite');
    const { vector } = await load<VectorModule>('@electric-sql/pglite-pgvector');
    const { PGLiteSocketServer } = await load<SocketModule>('@electric-sql/pglite-socket');
    db = await PGlite.create({ extensions: { vector } });
    server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 16 });
    await server.start();
    url = `postgres://postgres:sekrit@${server.getServerConn()}/postgres`;
    const pg = await load<PgModule>('pg');
    sql = new (pg.default ?? pg).Pool({ connectionString: url, max: 2 });
  });

  afterEach(async () => {
    for (const i of open.splice(0)) await i.close();
  });

  after(async () => {
    await sql?.end();
    await server?.stop();
    await db?.close();
  });

  it('enrols people and searches exactly like a brute-force nearest-per-person ranking', async () => {
    const rng = new Rng(11);
    const gallery = people(rng, 40, 3, 'p');
    const g = await index({ gallery: 'exact_faces', exact: true });
    await g.add(gallery.slice(0, 25));
    await g.add(gallery.slice(25));
    assertEqual(await g.count(), { people: 40, descriptors: 120 }, 'count');
    assertEqual(await g.list(), gallery.map((p) => ({ id: p.id, descriptors: 3 })), 'list in enrolment order');
    for (let q = 0; q < 30; q++) {
      const query = q % 2 ? rng.array(DIMS, -0.3, 0.3) : perturbed(rng, rng.pick(gallery).descriptors[rng.int(0, 2)]!, 0.05);
      assertSameRanking(await g.search(query, 5), bruteForce(gallery, query, 5), `query ${q}`);
    }
    // More descriptors for someone already enrolled: they join that person, in order.
    const more = rng.array(DIMS, -0.3, 0.3);
    await g.add([{ id: 'p3', descriptors: [more] }]);
    gallery[3]!.descriptors.push(more);
    assertSamePeople(await collect(g), gallery, 'entries');
    assertEqual(Array.from((await g.get('p3'))!.at(-1)!), Array.from(more), 'get p3');
    assertEqual(await g.get('nobody'), null, 'get unknown');
  });

  it('finds the nearest person through the HNSW index (recall@1 = 1 on a few hundred perturbed queries)', async () => {
    const rng = new Rng(12);
    const gallery = people(rng, 300, 2, 'h');
    const g = await index({ gallery: 'hnsw_faces' });
    await g.add(gallery);
    const scans = async () => Number((await sql.query(`SELECT coalesce(sum(idx_scan), 0)::int AS n FROM pg_stat_user_indexes WHERE indexrelname = 'hnsw_faces_hnsw'`)).rows[0].n);
    const plan = (await sql.query(`EXPLAIN SELECT person FROM hnsw_faces ORDER BY descriptor <-> $1::vector LIMIT 40`, [`[${Array(DIMS).fill(0).join(',')}]`])).rows.map((r) => Object.values(r)[0]).join('\n');
    assert(/hnsw_faces_hnsw/.test(plan), `the planner does not use the HNSW index:\n${plan}`);
    const before = await scans();
    let hits = 0;
    const queries = 300;
    for (let q = 0; q < queries; q++) {
      const who = gallery[q % gallery.length]!;
      const query = perturbed(rng, who.descriptors[q % 2]!, 0.02);
      const expected = bruteForce(gallery, query, 3);
      const got = await g.search(query, 3);
      if (got[0]?.id === expected[0]!.id) hits++;
      assertClose([got[0]!.distance], [bruteForce(gallery, query, 1).find((m) => m.id === got[0]!.id)?.distance ?? NaN], { atol: 1e-4 }, `query ${q}: distance of the match`);
    }
    assertEqual(hits, queries, 'recall@1 hits');
    // The server flushes its statistics at most once a second: wait, and one more search flushes them.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await g.search(gallery[0]!.descriptors[0]!, 1);
    const after = await scans();
    // Where the statistics are collected, they show the searches went through the index.
    assert(after === 0 || after - before >= queries, `HNSW index scans went from ${before} to ${after} over ${queries} searches`);
    // A person with more descriptors than the candidates the index returns is still found whole.
    const crowd: PersonDescriptors = { id: 'crowd', descriptors: Array.from({ length: 60 }, () => perturbed(rng, gallery[0]!.descriptors[0]!, 0.001)) };
    await g.add([crowd]);
    const query = perturbed(rng, gallery[0]!.descriptors[0]!, 0.001);
    assertSameRanking(await g.search(query, 3), bruteForce([...gallery, crowd], query, 3), 'search past a crowd');
  });

  it('forgets a removed person: their rows leave the table', async () => {
    const rng = new Rng(13);
    const gallery = people(rng, 10, 2, 'r');
    const g = await index({ gallery: 'remove_faces', exact: true });
    await g.add(gallery);
    assertEqual(await rows('remove_faces', 'person = $1', ['r4']), 2, 'rows of r4 before');
    assertEqual(await g.remove('r4'), true, 'remove r4');
    assertEqual(await rows('remove_faces', 'person = $1', ['r4']), 0, 'rows of r4 after');
    assertEqual(await rows('remove_faces'), 18, 'rows left');
    assertEqual(await g.remove('r4'), false, 'remove r4 again');
    assertEqual(await g.get('r4'), null, 'get r4');
    const kept = gallery.filter((p) => p.id !== 'r4');
    const query = gallery[4]!.descriptors[0]!;
    assertSameRanking(await g.search(query, 9), bruteForce(kept, query, 9), 'search after remove');
    await g.clear();
    assertEqual(await rows('remove_faces'), 0, 'rows after clear');
    assertEqual(await g.count(), { people: 0, descriptors: 0 }, 'count after clear');
  });

  it('reopens to the same people, bit for bit, and ids with quotes are only ever parameters', async () => {
    const rng = new Rng(14);
    const gallery = people(rng, 12, 2, 'o');
    gallery.push({ id: `o'brien"); DROP TABLE reopen_faces; --`, descriptors: [rng.array(DIMS)] });
    const first = await index({ gallery: 'reopen_faces' });
    await first.add(gallery);
    await first.close();
    const again = await index({ gallery: 'reopen_faces' });
    assertSamePeople(await collect(again), gallery, 'reopened');
    const query = rng.array(DIMS, -0.3, 0.3);
    assertSameRanking(await again.search(query, 4), bruteForce(gallery, query, 4), 'search after reopening');
    // On a pool of the caller's (vector columns come back as text, transactions on pooled clients).
    const onPool = await postgresGalleryIndex({ pool: sql, gallery: 'reopen_faces' });
    open.push(onPool);
    await onPool.open();
    assertSamePeople(await collect(onPool), gallery, 'on a given pool');
    const extra = { id: 'o-extra', descriptors: [rng.array(DIMS, -0.3, 0.3)] };
    await onPool.add([extra]);
    assertSameRanking(await onPool.search(extra.descriptors[0]!, 2), bruteForce([...gallery, extra], extra.descriptors[0]!, 2), 'search on a given pool');
  });

  it('refuses a gallery of another descriptor size or network, naming both, and keeps its rows', async () => {
    const rng = new Rng(15);
    const g = await index({ gallery: 'identity_faces' });
    await g.add(people(rng, 5, 2, 'i'));
    const size = await assertRejects(() => index({ gallery: 'identity_faces', dims: 256, descriptor: 'mobileface' }), /GalleryDatabaseError: gallery table identity_faces holds 128-value 'dlib' descriptors, this recognizer computes 256-value 'mobileface' ones/, 'open with 256 values');
    assert(size instanceof GalleryError, 'a GalleryError');
    await assertRejects(() => index({ gallery: 'identity_faces', descriptor: 'faceres' }), /holds 128-value 'dlib' descriptors, this recognizer computes 128-value 'faceres' ones/, 'open with another network');
    assertEqual(await rows('identity_faces'), 10, 'rows kept');
    assertEqual((await g.list()).length, 5, 'people kept');
    // Other sizes work in their own table.
    const wide = await index({ gallery: 'wide_faces', dims: 1024, descriptor: 'faceres' });
    const widePeople = people(rng, 4, 2, 'w', 1024);
    await wide.add(widePeople);
    const query = rng.array(1024, -0.3, 0.3);
    assertSameRanking(await wide.search(query, 2), bruteForce(widePeople, query, 2), '1024-value search');
    // A table of the same name that is not a gallery is refused, not altered.
    await sql.query('CREATE TABLE not_a_gallery (id int)');
    await assertRejects(() => index({ gallery: 'not_a_gallery' }), /table not_a_gallery exists and is not a wgsl-vision gallery/, 'foreign table');
  });

  it('stores all of an add or none of it', async () => {
    const rng = new Rng(16);
    const g = await index({ gallery: 'atomic_faces' });
    await g.add(people(rng, 3, 1, 'a'));
    const batch = people(rng, 700, 1, 'b');
    batch[650]!.descriptors[0] = rng.array(DIMS - 1); // past the first INSERT of 500 rows; FaceGallery would have refused it
    await assertRejects(() => g.add(batch), /GalleryDatabaseError: database error .* while adding to gallery atomic_faces/, 'add with a bad row');
    assertEqual(await rows('atomic_faces'), 3, 'rows after the failed add');
  });

  it('keeps both of two concurrent enrolments from two pools', async () => {
    const rng = new Rng(17);
    const a = await index({ gallery: 'concurrent_faces' });
    const b = await index({ gallery: 'concurrent_faces' });
    const fromA = people(rng, 60, 2, 'ca');
    const fromB = people(rng, 60, 2, 'cb');
    await Promise.all([
      (async () => { for (let i = 0; i < fromA.length; i += 10) await a.add(fromA.slice(i, i + 10)); })(),
      (async () => { for (let i = 0; i < fromB.length; i += 10) await b.add(fromB.slice(i, i + 10)); })(),
    ]);
    assertEqual(await rows('concurrent_faces'), 240, 'rows');
    const ids = new Set((await a.list()).map((p) => p.id));
    for (const p of [...fromA, ...fromB]) assert(ids.has(p.id), `${p.id} enrolled`);
    const query = fromB[7]!.descriptors[1]!;
    assertEqual((await a.search(query, 1))[0]!.id, 'cb7', 'A finds what B enrolled');
  });

  it('serves FaceGallery: enrol, identify, forget', async () => {
    const rng = new Rng(18);
    const gallery = people(rng, 20, 2, 'g');
    const faces = await new FaceGallery(await index({ gallery: 'facegallery_faces' })).open();
    for (const p of gallery) await faces.enroll(p.id, p.descriptors);
    const query = perturbed(rng, gallery[9]!.descriptors[1]!, 0.01);
    const expected = bruteForce(gallery, query, 3);
    const found = await faces.identify(query, { threshold: 100, topK: 3 });
    assertEqual(found.id, expected[0]!.id, 'identified');
    assertSameRanking(found.candidates, expected, 'candidates');
    assertEqual(await faces.forget('g9'), true, 'forget g9');
    assertEqual(await rows('facegallery_faces', 'person = $1', ['g9']), 0, 'rows of g9');
    await assertRejects(() => faces.enroll('bad', [new Float32Array(64)]), /GalleryError: enroll 'bad': descriptor has 64 values, the gallery holds 128/, 'wrong size');
  });

  it('says the database is unreachable, quickly, without the password', async () => {
    const port = await closedPort();
    const started = performance.now();
    const g = await postgresGalleryIndex({ url: `postgres://ada:sekrit@127.0.0.1:${port}/faces`, connectTimeoutMs: 2000 });
    const e = await assertRejects(() => g.open(), new RegExp(`GalleryDatabaseError: database unreachable at ada@127\\.0\\.0\\.1:${port}/faces: ECONNREFUSED`), 'open on a closed port');
    await g.close();
    assert(performance.now() - started < 3000, `took ${(performance.now() - started).toFixed(0)} ms`);
    assert(!e.message.includes('sekrit'), `the message shows the password: ${e.message}`);
    assertEqual((e as GalleryDatabaseError).fault, 'unreachable', 'fault');
  });

  it('takes the URL from WGSL_VISION_DATABASE_URL, and says so when there is none', async () => {
    const saved = process.env[DATABASE_URL_ENV];
    try {
      delete process.env[DATABASE_URL_ENV];
      await assertRejects(() => postgresGalleryIndex(), /GalleryError: no database for the gallery: .*WGSL_VISION_DATABASE_URL/, 'no URL');
      await assertRejects(() => postgresGalleryIndex({ url: 'mysql://ada:sekrit@host/db' }), /is not a postgres:\/\/ or postgresql:\/\/ URL/, 'not a postgres URL');
      process.env[DATABASE_URL_ENV] = url;
      const g = await postgresGalleryIndex({ gallery: 'env_faces' });
      open.push(g);
      await g.open();
      assertEqual(await g.count(), { people: 0, descriptors: 0 }, 'count through the environment URL');
    } finally {
      if (saved === undefined) delete process.env[DATABASE_URL_ENV];
      else process.env[DATABASE_URL_ENV] = saved;
    }
  });

  it('refuses gallery names that are not plain identifiers', async () => {
    for (const name of ['faces"; DROP TABLE hnsw_faces; --', 'Faces', '1faces', '', 'a'.repeat(49), 'fa ces']) {
      await assertRejects(() => postgresGalleryIndex({ url, gallery: name }), /GalleryError: gallery name .* is not usable as a table name/, `name ${JSON.stringify(name)}`);
    }
    assertEqual(await rows('hnsw_faces'), 660, 'hnsw_faces untouched');
  });
});

describe('face gallery in PGlite, in process', function () {
  this.timeout(120_000);

  it('persists to a folder: close, reopen, the same people and searches', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pglite-gallery-'));
    try {
      const rng = new Rng(21);
      const gallery = people(rng, 50, 2, 'f');
      const first = await pgliteGalleryIndex({ dataDir: dir, gallery: 'faces' });
      await first.open();
      await first.add(gallery);
      assertEqual(await first.remove('f7'), true, 'remove f7');
      await first.close();
      const kept = gallery.filter((p) => p.id !== 'f7');
      const again = await pgliteGalleryIndex({ dataDir: dir, gallery: 'faces' });
      await again.open();
      assertSamePeople(await collect(again), kept, 'reopened');
      for (let q = 0; q < 20; q++) {
        const query = perturbed(rng, rng.pick(kept).descriptors[0]!, 0.05);
        assertSameRanking(await again.search(query, 3), bruteForce(kept, query, 3), `query ${q}`);
      }
      await again.close();
      const other = await pgliteGalleryIndex({ dataDir: dir, gallery: 'faces', dims: 192, descriptor: 'mobilefacenet' });
      await assertRejects(() => other.open(), /gallery table faces holds 128-value 'dlib' descriptors, this recognizer computes 192-value 'mobilefacenet' ones/, 'another identity');
      await other.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says when the pgvector extension is missing', async () => {
    const { PGlite } = await load<PGliteModule>('@electric-sql/pglite');
    const bare = await PGlite.create();
    try {
      const g = new SqlGalleryIndex(bare, { dims: 128, descriptor: 'dlib', where: 'PGlite without vector' });
      await assertRejects(() => g.open(), /GalleryDatabaseError: the pgvector extension is not installed in this database at PGlite without vector/, 'open');
    } finally {
      await bare.close();
    }
  });
});

// PGlite accepts any database name, user and password, so these two faults cannot be reproduced
// here: this checks only how the server's errors (PostgreSQL's own wording and SQLSTATE) are told.
describe('database error messages (mapping only)', () => {
  it('words a missing database and failed authentication, without the password', () => {
    const where = 'ada@db.example:5432/faces';
    const missing = databaseError(Object.assign(new Error('database "faces" does not exist'), { code: '3D000' }), where, 'opening gallery faces');
    assertEqual(`${missing.name}: ${missing.message}`, "GalleryDatabaseError: database 'faces' does not exist at ada@db.example:5432/faces", 'missing database');
    const auth = databaseError(Object.assign(new Error('password authentication failed for user "ada"'), { code: '28P01' }), where, 'opening gallery faces');
    assertEqual(`${auth.name}: ${auth.message}`, "GalleryDatabaseError: authentication failed for user 'ada' at ada@db.example:5432/faces", 'authentication');
    assertEqual(redactDatabaseURL('postgres://ada:sekrit@db.example/faces'), 'postgres://ada:***@db.example/faces', 'redacted URL');
    assertEqual(redactDatabaseURL('postgres://db.example/faces?password=sekrit&x=1'), 'postgres://db.example/faces?password=***&x=1', 'redacted query password');
  });
});
