// The Node gallery file (src/host/gallery-file.ts) at a million descriptors: enrolment of
// 1,000,000 128-value descriptors (one per person, the most records) in appends of 10,000, each
// one durable write (fsync'd records, then the index renamed over), then a full load by a fresh
// storage, as the GPU index does at open, and one forget. Writes bench/results/gallery-storage.json.
// Usage (after a build with this entry, or bundled alone): node build/bench/gallery-storage.js [folder]
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileGalleryStorage } from '../src/host/gallery-file.js';
import type { PersonDescriptors } from '../src/tasks/face/gallery-index.js';

const TOTAL = 1_000_000;
const BATCH = 10_000;
const DIMS = 128;
const identity = { dims: DIMS, descriptor: 'dlib' };
const parent = process.argv[2] ?? tmpdir();
mkdirSync(parent, { recursive: true });
const dir = mkdtempSync(join(parent, 'gallery-bench-'));

let seed = 1;
const random = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32) - 0.5;
// All descriptors made up front, so that the timing is the storage's alone.
const values = new Float32Array(TOTAL * DIMS);
for (let i = 0; i < values.length; i++) values[i] = random();
const batch = (b: number): PersonDescriptors[] =>
  Array.from({ length: BATCH }, (_, i) => {
    const n = b * BATCH + i;
    return { id: `person-${n}`, descriptors: [values.subarray(n * DIMS, (n + 1) * DIMS)] };
  });

try {
  const writer = fileGalleryStorage(dir);
  await writer.load(identity);
  const batchMs: number[] = [];
  const t0 = performance.now();
  for (let b = 0; b < TOTAL / BATCH; b++) {
    const t = performance.now();
    await writer.append(batch(b));
    batchMs.push(performance.now() - t);
  }
  const appendMs = performance.now() - t0;
  await writer.close();
  const fileBytes = statSync(join(dir, 'descriptors.bin')).size;
  const indexBytes = statSync(join(dir, 'index.json')).size;

  const reader = fileGalleryStorage(dir);
  const t1 = performance.now();
  const people = await reader.load(identity);
  const loadMs = performance.now() - t1;
  if (people.length !== TOTAL) throw new Error(`loaded ${people.length} people, expected ${TOTAL}`);
  const last = people[TOTAL - 1]!;
  if (last.id !== `person-${TOTAL - 1}` || last.descriptors[0]![DIMS - 1] !== values[TOTAL * DIMS - 1]) throw new Error('the last person read back differs');
  const t2 = performance.now();
  await reader.remove('person-500000');
  const forgetMs = performance.now() - t2;
  await reader.close();

  const sorted = [...batchMs].sort((a, b) => a - b);
  const result = {
    descriptors: TOTAL,
    dims: DIMS,
    batch: BATCH,
    appendMs: Math.round(appendMs),
    batchMedianMs: +sorted[sorted.length >> 1]!.toFixed(1),
    batchMaxMs: +sorted[sorted.length - 1]!.toFixed(1),
    loadMs: Math.round(loadMs),
    forgetMs: +forgetMs.toFixed(1),
    fileBytes,
    bytesPerDescriptor: +(fileBytes / TOTAL).toFixed(1),
    indexBytes,
    folder: parent,
  };
  console.log(`append ${TOTAL} descriptors in batches of ${BATCH}: ${result.appendMs} ms (batch median ${result.batchMedianMs} ms, max ${result.batchMaxMs} ms)`);
  console.log(`load: ${result.loadMs} ms; forget one person: ${result.forgetMs} ms`);
  console.log(`descriptors.bin: ${fileBytes} bytes (${result.bytesPerDescriptor} per descriptor), index.json: ${indexBytes} bytes`);
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/gallery-storage.json', JSON.stringify(result, null, 2) + '\n');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
