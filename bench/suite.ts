/**
 * The kernel benchmark shared by both hosts: our conv2d / matmul against TF.js's WebGPU backend
 * (on our engine's own GPUDevice, so the same adapter) and TF.js's WASM SIMD backend, plus an
 * FMA-only peak kernel. Hosts pass in the engine and the TF.js modules; nothing here touches
 * Node or DOM APIs.
 */
import type * as TF from '@tensorflow/tfjs-core';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import peakWGSL from '../shaders/peak.wgsl';
import type { Engine } from '../src/gpu/engine.js';
import { defineKernel } from '../src/gpu/kernel.js';
import type { Tensor } from '../src/gpu/tensor.js';
import { conv } from '../src/ops/conv.js';
import { matmul } from '../src/ops/matmul.js';
import { convCases, convOutput, flopsOf, matmulCases, quickCases, shapeOf, type BenchCase } from './shapes.js';
import { formatTable, type BenchRow } from './table.js';

export type { BenchRow } from './table.js';

export interface TfModules {
  tf: typeof TF;
  WebGPUBackend: typeof WebGPUBackend;
  /** From @tensorflow/tfjs-backend-wasm (importing it registers the 'wasm' backend). */
  wasm: { setWasmPaths(prefix: string): void; setThreadsCount(n: number): void; getThreadsCount(): number; version_wasm: string };
}

export interface SuiteOptions {
  host: 'node' | 'chromium';
  engine: Engine;
  /** How the host describes its adapter and environment (printed above the table). */
  environment: string[];
  tfjs: TfModules;
  /** Where the .wasm binaries are: a directory path (Node) or URL (browser), ending in '/'. */
  wasmPath: string;
  quick?: boolean;
  /** Ask TF.js WASM for this many threads (it needs cross-origin isolation; its default here is 1). */
  wasmThreads?: number;
  /** Skip a case whose predicted time would take the run past this many seconds. */
  budgetS?: number;
  log?: (line: string) => void;
}

export interface BenchReport {
  host: string;
  header: string[];
  rows: BenchRow[];
  notes: string[];
  /** The header, the table and the notes, ready to print. */
  text: string;
  seconds: number;
}

const WARMUP = 2;
const peakKernel = defineKernel('peak', peakWGSL);
/** FMA peak kernel settings. */
const ITERATIONS = 1024;
const WG = 64;
const TOLERANCE = 1e-3;
/** TF.js registers its WebGPU kernels under this name, so our backend takes it over. */
const TFJS_BACKEND = 'webgpu';

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** Deterministic uniform values in [-scale, scale] (mulberry32). */
export function randomData(n: number, seed: number, scale = 1): Float32Array {
  const out = new Float32Array(n);
  let a = seed >>> 0;
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1) * scale;
  }
  return out;
}

/** max |a - ref| / max |ref|: the error relative to the output's scale. */
export function relativeError(a: Float32Array, ref: Float32Array): number {
  if (a.length !== ref.length) return Infinity;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - ref[i]!);
    if (Number.isNaN(d)) return Infinity;
    diff = Math.max(diff, d);
    scale = Math.max(scale, Math.abs(ref[i]!));
  }
  return diff / Math.max(scale, 1e-30);
}

const now = (): number => performance.now();

/** One backend's work for one case: `run` does the op once and waits for its values. */
interface Runner {
  /** Untimed set-up before each run (TF.js: make its backend the active one). */
  activate(): Promise<void>;
  run(): Promise<Float32Array>;
  dispose(): void;
}

const round = (x: number, digits: number): number => Number(x.toFixed(digits));

export async function runSuite(options: SuiteOptions): Promise<BenchReport> {
  const { engine, tfjs, host } = options;
  const { tf } = tfjs;
  const log = options.log ?? ((line: string) => console.log(line));
  const budgetS = options.budgetS ?? Infinity;
  const start = now();
  const elapsedS = (): number => (now() - start) / 1000;
  const notes: string[] = [];

  // ---- TF.js backends ------------------------------------------------------------------------
  // TF.js's WebGPU backend is constructed on our engine's device: same adapter, same queue. Its
  // own factory (registered on import where navigator.gpu exists) would request another device.
  const info = engine.adapterInfo;
  if (tf.findBackendFactory(TFJS_BACKEND)) tf.removeBackend(TFJS_BACKEND);
  tf.registerBackend(TFJS_BACKEND, () => new tfjs.WebGPUBackend(engine.device, info as unknown as GPUAdapterInfo));
  tfjs.wasm.setWasmPaths(options.wasmPath);
  if (options.wasmThreads) tfjs.wasm.setThreadsCount(options.wasmThreads);
  if (!(await tf.setBackend('wasm'))) throw new Error('TF.js WASM backend failed to initialise');
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const wasmThreads = tfjs.wasm.getThreadsCount();
  if (!(await tf.setBackend(TFJS_BACKEND))) throw new Error('TF.js WebGPU backend failed to initialise');
  const wasmHasThreadsSupport = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');

  const peakSizes = options.quick ? [16384, 65536] : [4096, 16384, 65536, 262144];
  const header = [
    `host: ${host}`,
    ...options.environment,
    `TF.js ${tf.version_core}: WebGPU backend on our engine's GPUDevice (same adapter and queue); WASM backend ${tfjs.wasm.version_wasm}, SIMD ${simd ? 'on' : 'OFF'}, ${wasmThreads} thread${wasmThreads === 1 ? '' : 's'}` +
      (wasmHasThreadsSupport
        ? ` (multithreaded build; TF.js defaults to logical cores / 2, clamped to 1..4${options.wasmThreads ? `; asked for ${options.wasmThreads}` : ''})`
        : ' (single-threaded: threads need a cross-origin isolated page, and TF.js has none in Node)'),
    `timing: per shape ${WARMUP} warm-up runs per backend (pipeline compilation), then N timed repeats ` +
      `interleaved ours/tfjs/wasm; a repeat = run the op once and wait for its values on the CPU ` +
      `(ours: await y.read(), tfjs: await y.data()), outputs disposed each repeat; median reported. ` +
      `N = 5 if a warm round of all three took < 1 s, 3 if < 4 s, else 2${options.quick ? ' (quick: N = 2)' : ''}.`,
    `check: ours vs TF.js WebGPU and vs TF.js WASM on the first run, max|diff| / max|ref| <= ${TOLERANCE}.`,
    `speed-up = tfjs ms / ours ms (> 1: ours faster); GFLOP/s and % of peak are ours; peak = best GFLOP/s of ` +
      `shaders/peak.wgsl (FMA only, ${ITERATIONS} iterations, WG ${WG}) over ${peakSizes.join('/')} threads, each the fastest of ${options.quick ? 3 : 5} runs after ${WARMUP} warm-ups (same read-back included).`,
  ];
  for (const line of header) log(line);

  const rows: BenchRow[] = [];

  // ---- FMA peak -----------------------------------------------------------------------------
  const { peak, rows: peakRows } = await measurePeak(engine, peakSizes, options.quick ? 3 : 5, log);
  rows.push(...peakRows);

  // ---- conv and matmul ----------------------------------------------------------------------
  const cases: BenchCase[] = options.quick ? quickCases : [...convCases, ...matmulCases];
  // Seconds per GFLOP of one warm round (ours + tfjs + wasm) so far, by kind: predicts a case's cost.
  const secPerGflop: Partial<Record<BenchCase['kind'], number>> = {};
  let seed = 1;
  for (const c of cases) {
    const flops = flopsOf(c);
    const shape = shapeOf(c);
    const rate = secPerGflop[c.kind];
    if (rate !== undefined && Number.isFinite(budgetS)) {
      const predicted = rate * (flops / 1e9) * (WARMUP + 2);
      if (elapsedS() + predicted > budgetS) {
        const note = `skipped ${c.name} (${shape}): predicted ~${predicted.toFixed(0)} s would pass this host's ${budgetS} s budget`;
        notes.push(note);
        log(note);
        continue;
      }
    }
    log(`${c.name} (${shape}), ${(flops / 1e6).toFixed(1)} MFLOP`);

    // Same input data for every backend.
    let xShape: number[];
    let wShape: number[];
    if (c.kind === 'conv') {
      xShape = c.input;
      wShape = c.filter;
    } else {
      xShape = [c.m, c.k];
      wShape = [c.k, c.n];
    }
    const fanIn = c.kind === 'conv' ? c.filter[0] * c.filter[1] * c.filter[2] : c.k;
    const xData = randomData(xShape.reduce((a, b) => a * b, 1), seed++);
    const wData = randomData(wShape.reduce((a, b) => a * b, 1), seed++, 1 / Math.sqrt(fanIn));

    // Ours.
    const x = engine.tensor(xShape, xData, 'x');
    const w = engine.tensor(wShape, wData, 'w');
    const ours: Runner = {
      async activate() {},
      async run() {
        const y: Tensor = c.kind === 'conv' ? conv(x, w, { strides: c.stride, padding: 'same' }) : matmul(x, w);
        try {
          return await y.read();
        } finally {
          y.dispose();
        }
      },
      dispose() {
        x.dispose();
        w.dispose();
      },
    };

    // TF.js, one runner per backend; tensors live on the backend active when they are made.
    const tfRunner = async (backend: string): Promise<Runner> => {
      await tf.setBackend(backend);
      const tx = tf.tensor(xData, xShape);
      const tw = tf.tensor(wData, wShape);
      return {
        async activate() {
          if (tf.getBackend() !== backend) await tf.setBackend(backend);
        },
        async run() {
          const y = c.kind === 'conv'
            ? tf.conv2d(tx as TF.Tensor4D, tw as TF.Tensor4D, c.stride, 'same')
            : tf.matMul(tx as TF.Tensor2D, tw as TF.Tensor2D);
          try {
            return (await y.data()) as Float32Array;
          } finally {
            y.dispose();
          }
        },
        dispose() {
          tx.dispose();
          tw.dispose();
        },
      };
    };
    const tfGPU = await tfRunner(TFJS_BACKEND);
    const tfWasm = await tfRunner('wasm');
    const runners = [ours, tfGPU, tfWasm];

    // Warm-up; the first outputs are checked against each other.
    const firsts: Float32Array[] = [];
    let roundMs = 0;
    for (let i = 0; i < WARMUP; i++) {
      roundMs = 0;
      for (const [j, r] of runners.entries()) {
        await r.activate();
        const t0 = now();
        const out = await r.run();
        roundMs += now() - t0;
        if (i === 0) firsts[j] = out;
      }
    }
    const expected = c.kind === 'conv' ? convOutput(c).reduce((a, b) => a * b, 1) : c.m * c.n;
    const errGPU = firsts[0]!.length === expected ? relativeError(firsts[0]!, firsts[1]!) : Infinity;
    const errWasm = firsts[0]!.length === expected ? relativeError(firsts[0]!, firsts[2]!) : Infinity;
    const worst = Math.max(errGPU, errWasm);
    const check = worst <= TOLERANCE
      ? `ok ${worst === 0 ? '(bit-exact)' : worst.toExponential(0)}`
      : `MISMATCH ${errGPU > TOLERANCE ? `tfjs ${errGPU.toExponential(1)} ` : ''}${errWasm > TOLERANCE ? `wasm ${errWasm.toExponential(1)}` : ''}`.trim();
    secPerGflop[c.kind] = Math.max(secPerGflop[c.kind] ?? 0, roundMs / 1000 / (flops / 1e9));

    const reps = options.quick ? 2 : roundMs < 1000 ? 5 : roundMs < 4000 ? 3 : 2;
    const times: number[][] = [[], [], []];
    for (let i = 0; i < reps; i++) {
      for (const [j, r] of runners.entries()) {
        await r.activate();
        const t0 = now();
        await r.run();
        times[j]!.push(now() - t0);
      }
    }
    for (const r of runners) r.dispose();
    await tf.setBackend(TFJS_BACKEND);

    const [oursMs, tfjsMs, wasmMs] = times.map(median) as [number, number, number];
    const gflops = flops / oursMs / 1e6;
    const row: BenchRow = {
      name: c.name,
      shape,
      oursMs: round(oursMs, 3),
      tfjsMs: round(tfjsMs, 3),
      wasmMs: round(wasmMs, 3),
      speedup: round(tfjsMs / oursMs, 2),
      gflops: round(gflops, 2),
      peakPct: round((gflops / peak) * 100, 1),
      check,
    };
    rows.push(row);
    log(`  ours ${oursMs.toFixed(2)} ms, tfjs ${tfjsMs.toFixed(2)} ms, wasm ${wasmMs.toFixed(2)} ms (${reps} repeats), ${gflops.toFixed(2)} GFLOP/s, ${check}`);
  }

  const seconds = round(elapsedS(), 1);
  notes.push(`${host} benchmark took ${seconds} s`);
  const text = [...header, '', formatTable(rows), '', ...notes].join('\n');
  return { host, header, rows, notes, text, seconds };
}

/**
 * The adapter's FMA peak: shaders/peak.wgsl (FMA only, ITERATIONS iterations, WG 64) at each
 * thread count, each the fastest of `repeats` runs after WARMUP warm-ups (read-back included).
 * Returns the best GFLOP/s and one row per size.
 */
export async function measurePeak(engine: Engine, sizes: readonly number[], repeats: number, log: (line: string) => void = () => {}): Promise<{ peak: number; rows: BenchRow[] }> {
  let peak = 0;
  const peakRows: BenchRow[] = [];
  for (const threads of sizes) {
    const flops = threads * ITERATIONS * 8 * 4 * 2;
    const y = engine.empty([threads], 'peak');
    const once = async (): Promise<number> => {
      const t0 = now();
      engine.dispatch({
        op: 'fmaPeak',
        kernel: peakKernel,
        entry: 'fma_peak',
        overrides: { WG, ITERATIONS },
        uniforms: { seed: 1 },
        buffers: { y },
        workgroups: threads / WG,
      });
      await y.read();
      return now() - t0;
    };
    let warm = 0;
    for (let i = 0; i < WARMUP; i++) warm = await once();
    const times: number[] = [];
    for (let i = 0; i < repeats; i++) times.push(await once());
    y.dispose();
    const ms = Math.min(...times); // a peak: the best run, not the median
    const gflops = flops / ms / 1e6;
    peak = Math.max(peak, gflops);
    peakRows.push({ name: 'fma peak', shape: `${threads} threads x ${ITERATIONS} it (WG ${WG})`, oursMs: round(ms, 3), tfjsMs: null, wasmMs: null, speedup: null, gflops: round(gflops, 2), peakPct: 0, check: 'n/a' });
    log(`  fma peak ${threads} threads: ${ms.toFixed(2)} ms, ${gflops.toFixed(2)} GFLOP/s`);
    if (warm > 3000) break; // bigger sizes only take longer on this device
  }
  for (const r of peakRows) r.peakPct = round((r.gflops / peak) * 100, 1);
  return { peak, rows: peakRows };
}
