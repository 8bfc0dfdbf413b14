/**
 * Training step benchmark (`npm run bench:train`): one triplet training step of the small
 * encoder (conv16-pool-conv32-pool-conv64-gap-dense64-l2norm) on a 28×28×1 P×K batch with
 * batch-hard mining and Adam — ours (createTrainStepper) against the same loop in TF.js
 * (bench/tfjs/train-step.ts) on its WebGPU backend built on OUR GPUDevice (same adapter and
 * queue), and on its WASM backend for the record. A step ends when its loss is read back.
 * Prints the table and writes bench/results/train.json.
 * Usage: node build/bench/bench-train.js [--steps N] [--persons P] [--per-person K] [--profile] [--out FILE]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import * as wasm from '@tensorflow/tfjs-backend-wasm';
import { createNodeEngine } from '../src/host/node.js';
import { describeEncoder, smallEncoder } from '../src/tasks/training/encoder.js';
import { createTrainStepper } from '../src/tasks/training/stepper.js';
import { profileTrainStep } from '../src/tasks/training/profile.js';
import { createTfjsTrainStep } from './tfjs/train-step.js';
import { shareDawnWithTfjs } from './dawn-for-tfjs.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const steps = option('--steps', 10);
const warmup = 3;
const batch = { persons: option('--persons', 8), perPerson: option('--per-person', 4) };
const profile = args.includes('--profile');
const root = fileURLToPath(new URL('../../', import.meta.url));
const outIndex = args.indexOf('--out');
const outFile = resolve(outIndex >= 0 ? args[outIndex + 1]! : join(root, 'bench/results/train.json'));

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const round = (x: number, d = 2): number => Number(x.toFixed(d));

async function main(): Promise<void> {
  await shareDawnWithTfjs();
  const engine = await createNodeEngine();
  const info = engine.adapterInfo;
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', () => new WebGPUBackend(engine.device, info as unknown as GPUAdapterInfo));
  const require = createRequire(import.meta.url);
  const wasmDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
  wasm.setWasmPaths(wasmDir + '/');
  // TF.js is bundled into this ES module, where the WASM backend's Emscripten loader finds no
  // CommonJS __dirname: give it the package's folder (it only locates its .wasm files with it).
  (globalThis as { __dirname?: string }).__dirname ??= wasmDir;

  const layers = smallEncoder();
  const inputShape = [28, 28, 1] as const;
  const model = describeEncoder(layers);
  const adapter = `${[info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' / ') || 'unknown'} via ${engine.driver}`;
  console.log(`adapter: ${adapter}; Node ${process.version}, ${cpus().length} CPU cores; TF.js ${tf.version_core}`);
  console.log(`model: ${model} on ${inputShape.join('x')}; batch ${batch.persons}x${batch.perPerson} = ${batch.persons * batch.perPerson}; batch-hard triplet loss (margin 0.2, squared euclidean), Adam lr 1e-3`);
  console.log(`timing: ${warmup} warm-up steps each, then ${steps} rounds interleaving ours / tfjs-webgpu / tfjs-wasm; a step ends when its loss is read on the CPU; median reported`);

  const common = { layers, inputShape, batch, margin: 0.2, mining: 'hard' as const, seed: 1 };
  const ours = createTrainStepper(engine, { ...common, optimizer: { kind: 'adam', lr: 1e-3 } });
  await tf.setBackend('webgpu');
  const tfGpu = createTfjsTrainStep({ tf, ...common, learningRate: 1e-3 });
  let tfWasm: ReturnType<typeof createTfjsTrainStep> | null = null;
  let wasmNote = '';
  try {
    if (await tf.setBackend('wasm')) tfWasm = createTfjsTrainStep({ tf, ...common, learningRate: 1e-3 });
  } catch (e) {
    wasmNote = `tfjs-wasm unavailable: ${(e as Error).message}`;
  }
  const runners: { name: string; backend: string | null; step: () => Promise<number> }[] = [
    { name: 'ours', backend: null, step: () => ours.step() },
    { name: 'tfjs-webgpu', backend: 'webgpu', step: () => tfGpu.step() },
    ...(tfWasm ? [{ name: 'tfjs-wasm', backend: 'wasm', step: () => tfWasm!.step() }] : []),
  ];
  const firstLoss: Record<string, number[]> = {};
  const times: Record<string, number[]> = {};
  const timed = async (r: (typeof runners)[number]): Promise<number> => {
    if (r.backend && tf.getBackend() !== r.backend) await tf.setBackend(r.backend);
    const t0 = performance.now();
    const loss = await r.step();
    (firstLoss[r.name] ??= []).push(loss);
    return performance.now() - t0;
  };
  for (const r of [...runners]) {
    try {
      for (let i = 0; i < warmup; i++) await timed(r);
    } catch (e) {
      // TF.js's WASM backend lacks some training kernels (Conv2DBackpropFilter in 4.22).
      if (r.name !== 'tfjs-wasm') throw e;
      wasmNote = `tfjs-wasm cannot run this step: ${(e as Error).message}`;
      runners.splice(runners.indexOf(r), 1);
      tfWasm?.dispose();
      tfWasm = null;
    }
  }
  for (let s = 0; s < steps; s++) {
    for (const r of runners) (times[r.name] ??= []).push(await timed(r));
  }
  const oursMs = median(times.ours!);
  const tfjsMs = median(times['tfjs-webgpu']!);
  const wasmMs = times['tfjs-wasm'] ? median(times['tfjs-wasm']) : null;
  const speedup = tfjsMs / oursMs;
  console.log('');
  console.log('| step | ms (median) | vs ours |');
  console.log('|---|---:|---:|');
  console.log(`| ours (WGSL) | ${oursMs.toFixed(1)} | 1.00x |`);
  console.log(`| TF.js WebGPU, same device | ${tfjsMs.toFixed(1)} | ${speedup.toFixed(2)}x slower |`);
  if (wasmMs !== null) console.log(`| TF.js WASM (1 thread) | ${wasmMs.toFixed(1)} | ${(wasmMs / oursMs).toFixed(2)}x |`);
  if (wasmNote) console.log(wasmNote);
  console.log(`\nspeed-up ours vs TF.js WebGPU: ${speedup.toFixed(2)}x (target >= 2x)`);
  // The losses should fall at similar rates (the same loss, model and batch; different random init).
  console.log(`loss over the steps: ${Object.entries(firstLoss).map(([k, v]) => `${k} ${v[0]!.toFixed(3)} → ${v[v.length - 1]!.toFixed(3)}`).join('; ')}`);

  let phases: Record<string, number> | null = null;
  if (profile || speedup < 2) {
    phases = await profileTrainStep(engine, { ...common, optimizer: { kind: 'adam', lr: 1e-3 } });
    console.log(`\nwhere our step's time goes (each phase synced, median of 5): ${Object.entries(phases).map(([k, v]) => `${k} ${v.toFixed(1)} ms`).join(', ')}`);
  }
  const result = {
    oursMs: round(oursMs),
    tfjsMs: round(tfjsMs),
    speedup: round(speedup),
    tfjsWasmMs: wasmMs === null ? null : round(wasmMs),
    ...(wasmNote ? { tfjsWasmNote: wasmNote } : {}),
    model,
    inputShape,
    batch: { ...batch, size: batch.persons * batch.perPerson },
    loss: 'batch-hard triplet, margin 0.2, squared euclidean',
    optimizer: 'adam lr 1e-3',
    steps,
    warmup,
    adapter,
    tfjs: tf.version_core,
    ...(phases ? { oursPhasesMs: Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, round(v)])) } : {}),
    date: new Date().toISOString(),
  };
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(outFile, JSON.stringify(result, null, 2) + '\n');
  console.log(`wrote ${outFile}`);
  ours.dispose();
  tfGpu.dispose();
  tfWasm?.dispose();
}

// Dawn keeps the event loop alive: exit explicitly either way.
main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e instanceof Error ? e.stack ?? e.message : e);
    process.exit(1);
  },
);
