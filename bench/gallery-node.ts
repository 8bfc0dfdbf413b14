// 1:K identification speed: one query against K enrolled 128-D descriptors (K = 1k, 10k, 100k),
// our GPU gallery (one distance dispatch + read-back + per-person reduction) vs a plain
// JavaScript scan on the CPU. Writes bench/results/gallery-node.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createNodeEngine } from '../src/host/node.js';
import { FaceGallery } from '../src/tasks/face/gallery.js';

const engine = await createNodeEngine();
let seed = 1;
const random = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32) - 0.5;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const rows: { k: number; oursMs: number; cpuMs: number; speedup: number }[] = [];
console.log(`adapter: ${engine.adapterInfo.description || engine.adapterInfo.vendor} via ${engine.driver}`);
console.log('K        ours ms (GPU)   JS scan ms   speed-up   (median of 7 after 2 warm-ups; same nearest id checked)');
for (const k of [1_000, 10_000, 100_000]) {
  const gallery = new FaceGallery(engine, 128);
  const all: Float32Array[] = [];
  const ids: string[] = [];
  const people = new Map<string, Float32Array[]>();
  for (let i = 0; i < k; i++) {
    const d = Float32Array.from({ length: 128 }, random);
    const id = `person-${i >> 1}`; // two descriptors per person
    all.push(d);
    ids.push(id);
    people.set(id, [...(people.get(id) ?? []), d]);
  }
  gallery.import({ format: 'wgsl-vision-gallery', version: 1, dims: 128, people: [...people].map(([id, ds]) => ({ id, descriptors: ds.map((d) => Array.from(d)) })) });
  const query = Float32Array.from({ length: 128 }, random);
  const cpuScan = () => {
    let best = Infinity;
    let who = '';
    for (let i = 0; i < all.length; i++) {
      const d = all[i]!;
      let s = 0;
      for (let j = 0; j < 128; j++) s += (d[j]! - query[j]!) ** 2;
      if (s < best) (best = s), (who = ids[i]!);
    }
    return who;
  };
  const ours: number[] = [];
  const cpu: number[] = [];
  let oursId = '';
  for (let i = 0; i < 9; i++) {
    let t = performance.now();
    oursId = (await gallery.identify(query, { threshold: 100 })).id!;
    if (i >= 2) ours.push(performance.now() - t);
    t = performance.now();
    const cpuId = cpuScan();
    if (i >= 2) cpu.push(performance.now() - t);
    if (cpuId !== oursId) throw new Error(`K=${k}: GPU says ${oursId}, CPU scan says ${cpuId}`);
  }
  const row = { k, oursMs: +median(ours).toFixed(2), cpuMs: +median(cpu).toFixed(2), speedup: +(median(cpu) / median(ours)).toFixed(2) };
  rows.push(row);
  console.log(`${String(k).padEnd(8)} ${String(row.oursMs).padStart(13)} ${String(row.cpuMs).padStart(12)} ${(row.speedup + 'x').padStart(10)}`);
  gallery.dispose();
}
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/gallery-node.json', JSON.stringify(rows, null, 2));
process.exit(0);
