// 1:K identification in SQL: the pgvector gallery index (src/tasks/face/sql-gallery.ts) on PGlite,
// in process (PostgreSQL compiled to WebAssembly, one thread, in memory), at K = 100,000 and
// 1,000,000 random 128-D descriptors, two per person (as bench/gallery-node.ts). For each K: load
// time (the index's add(), multi-row INSERTs, no HNSW index yet), HNSW build time (m 16,
// ef_construction 64, built after the load), then ~200 queries — perturbed enrolled descriptors
// and fresh random ones — searched exactly (a sequential scan) and through HNSW at a few
// ef_search values: recall@1 of HNSW against exact, median query ms of both.
// Writes bench/results/gallery-pgvector.json and prints a table.
// --data random (default): uniform random descriptors, the hardest case for a graph index (no
// structure to follow); clustered: descriptors on a 16-dimensional subspace plus noise, nearer to
// real face descriptors, which occupy far fewer than 128 dimensions. Rows of other K or data are kept.
// Usage: npm run bench:pgvector [-- --k 100000,1000000] [--data random|clustered] [--queries 200] [--ef 40,100,200,400] [--mwm 1GB]
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { pgliteGalleryIndex, type PGliteLike } from '../src/host/pglite.js';
import type { PersonDescriptors } from '../src/tasks/face/gallery-index.js';
import { mulberry32 } from '../src/nn/random.js';
import { list, parseOptions } from './args.js';
import { median } from './stats.js';

const o = parseOptions(process.argv.slice(2), {
  k: { type: 'string', default: '100000,1000000' },
  data: { type: 'string', default: 'random', choices: ['random', 'clustered'] },
  queries: { type: 'number', default: 200 },
  ef: { type: 'string', default: '40,100,200,400' },
  mwm: { type: 'string', default: '1GB' },
}, 'usage: gallery-pgvector [--k 100000,1000000] [--data random|clustered] [--queries 200] [--ef 40,100,200,400] [--mwm 1GB]');
const ks = list(o.k)!.map(Number);
const nQueries = o.queries;
const efs = list(o.ef)!.map(Number);
const maintenanceWorkMem = o.mwm;
const DIMS = 128;
const data = o.data;
const RESULTS = 'bench/results/gallery-pgvector.json';

let next = mulberry32(1);
/** Uniform in [-0.5, 0.5). */
const random = () => next() / 2 ** 32 - 0.5;
const minutes = (ms: number) => `${(ms / 60_000).toFixed(1)} min`;
const LATENT = 16;
let basis: Float32Array[] = [];
/** One descriptor: uniform in [-0.5, 0.5)^128, or a random point of a 16-D subspace plus a little noise. */
const descriptor = (): Float32Array => {
  if (data === 'random') return Float32Array.from({ length: DIMS }, random);
  const z = Array.from({ length: LATENT }, random);
  return Float32Array.from({ length: DIMS }, (_, j) => {
    let v = 0.02 * random();
    for (let l = 0; l < LATENT; l++) v += z[l]! * basis[l]![j]!;
    return v;
  });
};
const load = <T>(name: string): Promise<T> => import(/* not bundled */ name) as Promise<T>;

interface Row {
  k: number;
  data: string;
  people: number;
  loadS: number;
  hnswBuildS: number;
  tableMB: number;
  hnswMB: number;
  exactMs: number;
  hnsw: { efSearch: number; ms: number; recall1: number; recall1Perturbed: number; recall1Random: number }[];
}
const rows: Row[] = [];
const { PGlite } = await load<typeof import('@electric-sql/pglite')>('@electric-sql/pglite');
const { vector } = await load<typeof import('@electric-sql/pglite-pgvector')>('@electric-sql/pglite-pgvector');

for (const k of ks) {
  next = mulberry32(k);
  if (data === 'clustered') basis = Array.from({ length: LATENT }, () => Float32Array.from({ length: DIMS }, () => random() * 0.5));
  const started = performance.now();
  const db = (await PGlite.create({ extensions: { vector } })) as unknown as PGliteLike & { close(): Promise<void> };
  await db.query(`SET maintenance_work_mem = '${maintenanceWorkMem}'`);
  // Load without the HNSW index (built once afterwards, much faster than row by row).
  const loader = await pgliteGalleryIndex({ db, gallery: 'bench', hnsw: false });
  await loader.open();
  const samples: Float32Array[] = [];
  const nPeople = Math.ceil(k / 2);
  const sampled = new Set(Array.from({ length: nQueries >> 1 }, (_, j) => Math.floor((j * nPeople) / (nQueries >> 1))));
  const BATCH = 10_000;
  let t = performance.now();
  for (let at = 0; at < k; at += BATCH) {
    const batch: PersonDescriptors[] = [];
    for (let i = at; i < Math.min(k, at + BATCH); i += 2) {
      const ds = [descriptor(), descriptor()];
      if (sampled.has(i >> 1)) samples.push(ds[(i >> 1) & 1]!);
      batch.push({ id: `person-${i >> 1}`, descriptors: ds.slice(0, Math.min(2, k - i)) });
    }
    await loader.add(batch);
    if ((at / BATCH) % 10 === 9) console.log(`  K=${k}: loaded ${at + BATCH} rows in ${minutes(performance.now() - t)}`);
  }
  const loadMs = performance.now() - t;
  await loader.close();
  console.log(`K=${k}: loaded in ${(loadMs / 1000).toFixed(1)} s; building the HNSW index (maintenance_work_mem ${maintenanceWorkMem}) …`);
  t = performance.now();
  const approximate = await pgliteGalleryIndex({ db, gallery: 'bench' }); // open() builds the missing HNSW index
  await approximate.open();
  const buildMs = performance.now() - t;
  console.log(`K=${k}: HNSW built in ${(buildMs / 1000).toFixed(1)} s`);
  const exact = await pgliteGalleryIndex({ db, gallery: 'bench', exact: true });
  await exact.open();
  const size = async (rel: string) => Number((await db.query(`SELECT pg_total_relation_size($1::regclass)::float8 / 1048576 AS mb`, [rel])).rows[0].mb);
  const tableMB = (await size('bench')) - (await size('bench_hnsw'));
  const hnswMB = await size('bench_hnsw');

  // Half perturbed enrolled descriptors (another photo of an enrolled person), half fresh random ones (a stranger).
  const queries = [
    ...samples.map((d) => ({ kind: 'perturbed' as const, q: Float32Array.from(d, (v) => v + 0.1 * random()) })),
    ...Array.from({ length: nQueries - samples.length }, () => ({ kind: 'random' as const, q: descriptor() })),
  ];
  const truth: string[] = [];
  const exactTimes: number[] = [];
  for (const { q } of queries) {
    const t0 = performance.now();
    truth.push((await exact.search(q, 1))[0]!.id);
    exactTimes.push(performance.now() - t0);
  }
  const row: Row = { k, data, people: nPeople, loadS: +(loadMs / 1000).toFixed(1), hnswBuildS: +(buildMs / 1000).toFixed(1), tableMB: +tableMB.toFixed(0), hnswMB: +hnswMB.toFixed(0), exactMs: +median(exactTimes).toFixed(2), hnsw: [] };
  for (const efSearch of efs) {
    const index = await pgliteGalleryIndex({ db, gallery: 'bench', hnsw: { efSearch } });
    await index.open();
    for (const { q } of queries.slice(0, 3)) await index.search(q, 1); // warm-up
    const times: number[] = [];
    const hits = { perturbed: 0, random: 0 };
    for (let i = 0; i < queries.length; i++) {
      const t0 = performance.now();
      const got = (await index.search(queries[i]!.q, 1))[0]?.id;
      times.push(performance.now() - t0);
      if (got === truth[i]) hits[queries[i]!.kind]++;
    }
    const nPerturbed = samples.length;
    const nRandom = queries.length - nPerturbed;
    row.hnsw.push({
      efSearch,
      ms: +median(times).toFixed(2),
      recall1: +((hits.perturbed + hits.random) / queries.length).toFixed(3),
      recall1Perturbed: +(hits.perturbed / nPerturbed).toFixed(3),
      recall1Random: +(hits.random / nRandom).toFixed(3),
    });
  }
  rows.push(row);
  await db.close();
  console.log(`K=${k}: done in ${minutes(performance.now() - started)}`);
  mkdirSync('bench/results', { recursive: true });
  // Re-read: another run (another K or data) may have written since this one started.
  const previous = existsSync(RESULTS) ? (JSON.parse(readFileSync(RESULTS, 'utf8')) as { rows?: Row[] }).rows ?? [] : [];
  const kept = previous.filter((p) => !rows.some((r) => r.k === p.k && r.data === (p.data ?? 'random')));
  const all = [...kept, ...rows].sort((a, b) => (a.data ?? 'random').localeCompare(b.data ?? 'random') || a.k - b.k);
  writeFileSync(RESULTS, JSON.stringify({ engine: 'PGlite (PostgreSQL 18, WebAssembly, in process, in memory), pgvector HNSW m 16 ef_construction 64', queries: nQueries, rows: all }, null, 2));
}

console.log(`\n${data} descriptors, ${nQueries} queries per K (half perturbed enrolled descriptors, half fresh ones); recall@1 = HNSW's nearest person is exact search's`);
console.log('K          load s   HNSW build s   table MB   HNSW MB   exact ms   ef_search   HNSW ms   recall@1 (perturbed / random)');
for (const r of rows) {
  for (const [i, h] of r.hnsw.entries()) {
    const head = i === 0
      ? `${String(r.k).padEnd(10)} ${String(r.loadS).padStart(6)} ${String(r.hnswBuildS).padStart(14)} ${String(r.tableMB).padStart(10)} ${String(r.hnswMB).padStart(9)} ${String(r.exactMs).padStart(10)}`
      : ' '.repeat(64);
    console.log(`${head} ${String(h.efSearch).padStart(11)} ${String(h.ms).padStart(9)}   ${h.recall1.toFixed(3)} (${h.recall1Perturbed.toFixed(3)} / ${h.recall1Random.toFixed(3)})`);
  }
}
process.exit(0);
