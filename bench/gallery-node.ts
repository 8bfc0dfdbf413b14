// 1:K identification at scale (Node, Dawn): K enrolled 128-D descriptors (two per person), one
// query at a time. Ours: the GPU exact index (8-bit codes searched on the GPU, k candidates read
// back, exact re-rank with a proof, see src/tasks/face/gpu-gallery-index.ts). Against: a plain
// JavaScript scan of one contiguous Float32Array (nearest per person, then the k nearest).
// Both must return the same people; measured interleaved, medians after 2 warm-ups (39 queries
// up to K = 100,000, 9 above).
// Also per K: enrolment into a gallery folder (fileGalleryStorage: the append-only file, fsync'd,
// batches of 10,000), opening that folder again (read, checked, uploaded), memory and file size.
// Usage: npm run bench:gallery [-- --k 1000,10000,100000,1000000]. Writes bench/results/gallery-node.json.
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileGalleryStorage } from '../src/host/gallery-file.js';
import { createNodeEngine } from '../src/host/node.js';
import { FaceGallery } from '../src/tasks/face/gallery.js';
import { GpuGalleryIndex } from '../src/tasks/face/gpu-gallery-index.js';
import { mulberry32 } from '../src/nn/random.js';
import { list, parseOptions } from './args.js';
import { median } from './stats.js';

const o = parseOptions(process.argv.slice(2), { k: { type: 'string', default: '1000,10000,100000,1000000' } }, 'usage: gallery-node [--k 1000,10000,…]');
const sizes = list(o.k)!.map(Number);
const dims = 128;
const topK = 5;
const engine = await createNodeEngine();
const next = mulberry32(1);
/** Uniform in [-0.5, 0.5). */
const random = () => next() / 2 ** 32 - 0.5;

/** The k nearest people by a scan of every row; row r belongs to person r >> 1. */
function jsScan(rows: Float32Array, query: Float32Array, k: number): number[] {
  const people = rows.length / dims / 2;
  const nearest = new Float32Array(people).fill(Infinity);
  for (let r = 0, o = 0; o < rows.length; r++, o += dims) {
    let s = 0;
    for (let j = 0; j < dims; j++) {
      const d = rows[o + j]! - query[j]!;
      s += d * d;
    }
    if (s < nearest[r >> 1]!) nearest[r >> 1] = s;
  }
  const top: number[] = [];
  for (let p = 0; p < people; p++) {
    if (top.length === k && nearest[p]! >= nearest[top[k - 1]!]!) continue;
    let i = Math.min(top.length, k - 1);
    top[i] = p;
    while (i > 0 && nearest[top[i]!]! < nearest[top[i - 1]!]!) [top[i], top[i - 1]] = [top[i - 1]!, top[i]!], i--;
  }
  return top;
}

console.log(`adapter: ${engine.adapterInfo.description || engine.adapterInfo.vendor} via ${engine.driver}`);
console.log('K          enrol s   open s   file MB   GPU ms   JS scan ms   speed-up   GPU MB   CPU MB   exact scans');
const rows: Record<string, number>[] = [];
for (const k of sizes) {
  const data = new Float32Array(k * dims);
  for (let i = 0; i < data.length; i++) data[i] = random();
  const folder = mkdtempSync(join(tmpdir(), 'wv-gallery-bench-'));
  const identity = { dims, descriptor: 'dlib' };
  const writer = await new FaceGallery(new GpuGalleryIndex(engine, identity, fileGalleryStorage(folder))).open();
  let t = performance.now();
  for (let from = 0; from < k; from += 10_000) {
    const batch = [];
    for (let r = from; r < Math.min(k, from + 10_000); r += 2) batch.push({ id: `person-${r >> 1}`, descriptors: [data.subarray(r * dims, (r + 1) * dims), data.subarray((r + 1) * dims, (r + 2) * dims)] });
    await writer.enrollMany(batch);
  }
  const enrolSeconds = (performance.now() - t) / 1000;
  await writer.close();
  const fileMB = statSync(join(folder, 'descriptors.bin')).size / 2 ** 20;
  t = performance.now();
  const index = new GpuGalleryIndex(engine, identity, fileGalleryStorage(folder));
  const gallery = await new FaceGallery(index).open();
  await gallery.identify(data.subarray(0, dims)); // the first search uploads the rows
  const openSeconds = (performance.now() - t) / 1000;
  const ours: number[] = [];
  const scan: number[] = [];
  // Small galleries answer in milliseconds: more queries there, so the medians hold still.
  const queries = k <= 100_000 ? 41 : 11;
  for (let i = 0; i < queries; i++) {
    // Half the queries near an enrolled descriptor (someone enrolled), half anywhere (a stranger).
    const near = Math.floor(Math.abs(random()) * 2 * k);
    const query = Float32Array.from({ length: dims }, (_, j) => (i % 2 ? random() : data[near * dims + j]! + random() * 0.05));
    t = performance.now();
    const found = await gallery.identify(query, { topK, threshold: 100 });
    if (i >= 2) ours.push(performance.now() - t);
    t = performance.now();
    const want = jsScan(data, query, topK).map((p) => `person-${p}`);
    if (i >= 2) scan.push(performance.now() - t);
    const got = found.candidates.map((c) => c.id);
    if (got.join() !== want.join()) throw new Error(`K=${k}: the GPU index says ${got}, the scan says ${want}`);
  }
  const stats = index.stats();
  const row = { k, enrolSeconds: +enrolSeconds.toFixed(2), openSeconds: +openSeconds.toFixed(2), fileMB: +fileMB.toFixed(1), gpuMs: +median(ours).toFixed(2), scanMs: +median(scan).toFixed(2), speedup: +(median(scan) / median(ours)).toFixed(2), gpuMB: +(stats.gpuBytes / 2 ** 20).toFixed(1), cpuMB: +(stats.cpuBytes / 2 ** 20).toFixed(1), exactScans: stats.exactScans };
  rows.push(row);
  console.log(`${String(k).padEnd(10)} ${String(row.enrolSeconds).padStart(7)} ${String(row.openSeconds).padStart(8)} ${String(row.fileMB).padStart(9)} ${String(row.gpuMs).padStart(8)} ${String(row.scanMs).padStart(12)} ${(row.speedup + 'x').padStart(10)} ${String(row.gpuMB).padStart(8)} ${String(row.cpuMB).padStart(8)} ${String(row.exactScans).padStart(13)}`);
  await gallery.close();
  rmSync(folder, { recursive: true });
}
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/gallery-node.json', JSON.stringify({ adapter: engine.adapterInfo.description, topK, rows }, null, 2) + '\n');
process.exit(0);
