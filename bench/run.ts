/**
 * Runs the suite on one host: the adapter's FMA peak, then every case of the chosen size, ours
 * against each TF.js backend the host has. One definition for the Node host, the Chromium host
 * and the demo page's Benchmark section.
 */
import * as tf from '@tensorflow/tfjs';
import * as wasm from '@tensorflow/tfjs-backend-wasm';
import { measurePeak, PEAK_ITERATIONS } from './cases/peak.js';
import { median, relativeError, round } from './stats.js';
import { selectCases } from './suite.js';
import { tfjsWebGPUOnEngine } from './tfjs/backends.js';
import type { BenchCase, BenchContext, BenchHost, BenchProgress, BenchReport, BenchResult, BenchSize, Runner, RunSelection, TfBackendName } from './types.js';

/** What to run (see RunSelection) and where its progress and results go. */
export interface RunOptions extends RunSelection {
  onProgress?: (p: BenchProgress) => void;
  /** One line per event (console in Node, the page's log in browsers). */
  log?: (line: string) => void;
  /** Called with each result as soon as it is known (live charts). */
  onResult?: (r: BenchResult) => void;
  signal?: AbortSignal;
}

/** Warm-up runs and timed repeats per size; a case whose warm round takes long gets fewer repeats. */
const PLAN: Record<BenchSize, { warmup: number; repeats: (warmRoundMs: number) => number; peakSizes: number[]; peakRepeats: number }> = {
  tiny: { warmup: 1, repeats: () => 2, peakSizes: [16384], peakRepeats: 2 },
  // A warm round over 20 s (face-api's SSD on SwiftShader) is timed once: the whole run stays near 10 minutes.
  small: { warmup: 1, repeats: (ms) => (ms < 1000 ? 5 : ms < 5000 ? 3 : ms < 20_000 ? 2 : 1), peakSizes: [16384, 65536, 262144], peakRepeats: 3 },
  full: { warmup: 2, repeats: (ms) => (ms < 1000 ? 7 : ms < 5000 ? 5 : 3), peakSizes: [4096, 16384, 65536, 262144], peakRepeats: 5 },
};

const now = (): number => performance.now();
/** A kernel's stream lasts about this long (4 to 32 calls), timed this many times interleaved. */
const STREAM_TARGET_MS = 60;
const STREAM_ROUNDS = 3;
const message = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split('\n')[0]!;

/** The TF.js backends a run compares against: each of `wanted` that initialises here (WebGPU on our engine's device, WASM from the host's files); the others are noted and skipped. */
async function setUpTfjs(host: BenchHost, wanted: readonly TfBackendName[], log: (line: string) => void): Promise<{ backends: TfBackendName[]; notes: string[] }> {
  const notes: string[] = [];
  const backends: TfBackendName[] = [];
  tfjsWebGPUOnEngine(host.engine);
  for (const name of wanted) {
    try {
      if (name === 'wasm') {
        if (!host.wasmPath) throw new Error("this host does not say where TF.js WASM's files are");
        wasm.setWasmPaths(host.wasmPath);
      }
      if (!(await tf.setBackend(name))) throw new Error(`tf.setBackend('${name}') returned false`);
      await tf.ready();
      if (name === 'wasm') notes.push(`TF.js WASM ${wasm.version_wasm}: SIMD ${(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) ? 'on' : 'OFF'}, ${wasm.getThreadsCount()} thread(s)`);
      backends.push(name);
    } catch (e) {
      notes.push(`TF.js ${name} backend unavailable here: ${message(e)}`);
      log(notes.at(-1)!);
    }
  }
  if (backends.includes('webgl') && host.webglKernelsOnly) notes.push(`TF.js WebGL: kernel cases only (${host.webglKernelsOnly})`);
  if (backends.length) await tf.setBackend(backends[0]!);
  return { backends, notes };
}

export async function runBench(host: BenchHost, options: RunOptions): Promise<BenchReport> {
  const { size } = options;
  const only = options.only ?? 'all';
  const log = options.log ?? (() => {});
  const repeats = options.repeats;
  const plan = { ...PLAN[size], ...(options.warmup !== undefined ? { warmup: options.warmup } : {}), ...(repeats !== undefined ? { repeats: () => repeats } : {}) };
  const start = now();
  const elapsedS = (): number => (now() - start) / 1000;
  const budgetS = options.budgetS ?? Infinity;
  const ctx: BenchContext = { host, engine: host.engine, size };
  const cases = selectCases(size, only, options.families);
  const total = cases.length + 1;
  const progress = (done: number, label: string): void => options.onProgress?.({ done, total, label });

  const { backends, notes } = await setUpTfjs(host, options.tfjs ?? host.tfBackends, log);
  const backendAbout: Record<TfBackendName, string> = { webgpu: "tfjs-backend-webgpu on our engine's GPUDevice (same adapter and queue)", webgl: 'tfjs-backend-webgl', wasm: 'tfjs-backend-wasm (CPU, SIMD)' };
  const method = [
    `size ${size}, ${options.families?.length ? options.families.join(', ') : only === 'all' ? 'kernels and tasks' : only}; ${cases.length} cases`,
    `TF.js ${tf.version_core}: ${backends.map((b) => backendAbout[b]).join('; ') || 'no backend available'}`,
    `timing: per case ${plan.warmup} warm-up run(s) per side (pipelines compile, weights upload), then N timed repeats interleaved ours/TF.js; ` +
      `a repeat = the work once plus reading its result back to the CPU (ours: read(), TF.js: data()); median of N reported` +
      (repeats !== undefined ? ` (N = ${repeats})` : size === 'tiny' ? ' (tiny: N = 2)' : `; N = ${plan.repeats(0)} if a warm round of all sides took < 1 s, ${plan.repeats(2000)} if < 5 s, ${plan.repeats(10_000)} if < 20 s, else ${plan.repeats(1e9)}`) +
      (Number.isFinite(budgetS) ? `; budget ${budgetS} s: a case predicted to pass it is skipped` : ''),
    `check: the first outputs of ours and TF.js WebGPU compared, max|diff| / max|theirs| <= the case's tolerance (1:K: the same nearest person)`,
    `stream ms (kernels): ours and WASM again, 4-32 calls per read-back (about ${STREAM_TARGET_MS} ms of work), ${STREAM_ROUNDS} rounds interleaved, median ms per call; the round trip is paid once per stream, as in a network's forward pass; % peak stream from it`,
    `ratio = TF.js ms / ours ms (> 1: ours faster); GFLOP/s = counted flops / median time; % of peak against shaders/peak.wgsl (FMA only) over ${plan.peakSizes.join('/')} threads, best of ${plan.peakRepeats}`,
  ];
  for (const line of method) log(line);

  progress(0, 'FMA peak');
  const peak = await measurePeak(host.engine, plan.peakSizes, plan.peakRepeats, log);
  const results: BenchResult[] = [];
  const peakResult: BenchResult = {
    group: 'peak', family: 'peak', name: 'fma peak', shape: `best of ${plan.peakSizes.join('/')} threads x ${PEAK_ITERATIONS} FMA x 32`, theirs: '-',
    oursMs: null, tfjsMs: null, webglMs: null, wasmMs: null, ratio: null, webglRatio: null, wasmRatio: null, gflops: round(peak, 2), tfjsGflops: null, peakPct: 100, tfjsPeakPct: null, repeats: plan.peakRepeats, check: 'n/a',
  };
  results.push(peakResult);
  options.onResult?.(peakResult);

  // Seconds per GFLOP of one warm round so far, by family: predicts a counted-flop case's cost against the budget.
  const secPerGflop: Record<string, number> = {};
  for (const [i, c] of cases.entries()) {
    if (options.signal?.aborted) {
      notes.push('stopped by the user');
      break;
    }
    const rate = secPerGflop[c.family];
    if (rate !== undefined && c.flops && Number.isFinite(budgetS)) {
      const predicted = rate * (c.flops / 1e9) * (plan.warmup + 2);
      if (elapsedS() + predicted > budgetS) {
        notes.push(`skipped ${c.name} (${c.shape}): predicted ~${predicted.toFixed(0)} s would pass this host's ${budgetS} s budget`);
        log(notes.at(-1)!);
        continue;
      }
    }
    progress(i + 1, `${c.name} (${c.shape})`);
    log(`${c.name} (${c.shape})`);
    const { result, warmRoundMs } = await runCase(ctx, c, backends, plan, peak, log);
    if (c.flops) secPerGflop[c.family] = Math.max(secPerGflop[c.family] ?? 0, warmRoundMs / 1000 / (c.flops / 1e9));
    if (c.profile && options.profile) {
      try {
        result.profileMs = Object.fromEntries(Object.entries(await c.profile(ctx)).map(([k, v]) => [k, round(v, 2) ?? v]));
        log(`  where our time goes (each phase synced): ${Object.entries(result.profileMs).map(([k, v]) => `${k} ${v} ms`).join(', ')}`);
      } catch (e) {
        (result.errors ??= []).push(`profile: ${message(e)}`);
      }
    }
    results.push(result);
    options.onResult?.(result);
    log(`  ours ${fmt(result.oursMs)} ms${backends.map((b) => `, ${b === 'webgpu' ? 'tfjs' : b} ${fmt(result[SIDE_MS[b]])} ms`).join('')}, ${result.repeats} repeats, ${result.check}${result.errors ? `; errors: ${result.errors.join('; ')}` : ''}`);
  }
  if (backends.length) await tf.setBackend(backends[0]!);
  const seconds = Number(elapsedS().toFixed(1));
  notes.push(`${host.name} benchmark took ${seconds} s`);
  progress(total, 'done');
  return { name: options.name ?? 'bench', host: host.name, size, only, environment: host.environment, method, peakGflops: Number(peak.toFixed(2)), results, notes, seconds, date: new Date().toISOString() };
}

/** Where each backend's median goes in a result. */
const SIDE_MS = { webgpu: 'tfjsMs', webgl: 'webglMs', wasm: 'wasmMs' } as const satisfies Record<TfBackendName, keyof BenchResult>;

const fmt = (x: number | null): string => (x === null ? '-' : x.toFixed(2));

async function runCase(ctx: BenchContext, c: BenchCase, backends: TfBackendName[], plan: (typeof PLAN)[BenchSize], peak: number, log: (line: string) => void): Promise<{ result: BenchResult; warmRoundMs: number }> {
  const errors: string[] = [];
  // Sides: ours first, then each TF.js backend (set active before each of its runs).
  interface Side { name: 'ours' | TfBackendName; runner: Runner | null; times: number[]; first?: Float32Array | void }
  const sides: Side[] = [];
  try {
    sides.push({ name: 'ours', runner: await c.ours(ctx), times: [] });
  } catch (e) {
    errors.push(`ours: ${message(e)}`);
  }
  for (const b of backends) {
    if (b === 'webgl' && c.group === 'task' && ctx.host.webglKernelsOnly) continue;
    try {
      await tf.setBackend(b);
      sides.push({ name: b, runner: await c.tfjs(ctx, b), times: [] });
    } catch (e) {
      errors.push(`tfjs ${b}: ${message(e)}`);
    }
  }
  const activate = async (s: Side): Promise<void> => {
    if (s.name !== 'ours' && tf.getBackend() !== s.name) await tf.setBackend(s.name);
  };
  const once = async (s: Side): Promise<number | null> => {
    if (!s.runner) return null;
    try {
      await activate(s);
      const t0 = now();
      const out = await s.runner.run();
      const ms = now() - t0;
      if (s.first === undefined) s.first = out ?? new Float32Array(0);
      return ms;
    } catch (e) {
      errors.push(`${s.name === 'ours' ? 'ours' : `tfjs ${s.name}`}: ${message(e)}`);
      s.runner.dispose();
      s.runner = null;
      return null;
    }
  };
  let warmRound = 0;
  for (let i = 0; i < plan.warmup; i++) {
    warmRound = 0;
    for (const s of sides) warmRound += (await once(s)) ?? 0;
  }
  // Autotuning ('full'): the kernel variants of the shapes the warm-up met, timed and picked
  // before ours is measured.
  const tuned = await ctx.engine.tune();
  if (tuned.length) log(`  tuned: ${tuned.map((t) => `${t.op} ${t.shapeClass} → ${t.pick} (${Object.entries(t.ms).map(([v, m]) => `${v} ${m.toFixed(2)}`).join(', ')} ms)`).join('; ')}`);
  const repeats = plan.repeats(warmRound);
  for (let i = 0; i < repeats; i++) {
    for (const s of sides) {
      const ms = await once(s);
      if (ms !== null) s.times.push(ms);
    }
  }
  // Kernels again with `calls` calls per read-back: the ~1.5 ms round trip is paid once per stream,
  // so what is left is the kernel's own time (as the FMA peak is measured). Ours and WASM.
  const stream: Pick<BenchResult, 'streamMs' | 'wasmStreamMs' | 'streamPeakPct' | 'streamCalls'> = {};
  const oursSide = sides.find((s) => s.name === 'ours');
  if (c.group === 'kernel' && oursSide?.runner?.stream && oursSide.times.length) {
    const calls = Math.max(4, Math.min(32, Math.round(STREAM_TARGET_MS / median(oursSide.times))));
    const streamed = sides.filter((s) => s.runner?.stream && (s.name === 'ours' || s.name === 'wasm'));
    const times = new Map<Side, number[]>(streamed.map((s) => [s, []]));
    for (let r = 0; r < (ctx.size === 'tiny' ? 1 : STREAM_ROUNDS); r++) {
      for (const s of streamed) {
        if (!s.runner) continue;
        try {
          await activate(s);
          const t0 = now();
          await s.runner.stream!(calls);
          times.get(s)!.push((now() - t0) / calls);
        } catch (e) {
          errors.push(`${s.name === 'ours' ? 'ours' : `tfjs ${s.name}`} in a stream: ${message(e)}`);
          times.set(s, []);
          break;
        }
      }
    }
    const streamMs = (name: Side['name']) => {
      const t = [...times].find(([s]) => s.name === name)?.[1];
      return t?.length ? median(t) : null;
    };
    const ours = streamMs('ours');
    Object.assign(stream, { streamMs: round(ours, 3), wasmStreamMs: round(streamMs('wasm'), 3), streamCalls: calls, streamPeakPct: round(c.flops && ours ? (c.flops / ours / 1e6 / peak) * 100 : null, 1) });
  }
  for (const s of sides) s.runner?.dispose();
  const ms = (name: Side['name']): number | null => {
    const s = sides.find((x) => x.name === name);
    return s && s.runner !== null && s.times.length ? median(s.times) : null;
  };
  const oursMs = ms('ours');
  const tfjsMs = ms('webgpu');
  const webglMs = ms('webgl');
  const wasmMs = ms('wasm');
  const gflops = (t: number | null): number | null => (c.flops && t ? c.flops / t / 1e6 : null);
  const ours = sides.find((s) => s.name === 'ours');
  const ref = sides.find((s) => s.name === 'webgpu') ?? sides.find((s) => s.name === 'webgl') ?? sides.find((s) => s.name === 'wasm');
  let check = 'n/a';
  if (c.tolerance !== null && c.tolerance !== undefined && ours?.first && ref?.first) {
    const err = relativeError(ours.first, ref.first);
    check = err <= c.tolerance ? `ok ${err === 0 ? '(exact)' : err.toExponential(0)}` : `MISMATCH ${Number.isFinite(err) ? err.toExponential(1) : 'shape'}`;
    if (err > c.tolerance) log(`  MISMATCH vs TF.js ${ref.name}: ${err}`);
  }
  const result: BenchResult = {
    group: c.group,
    family: c.family,
    name: c.name,
    shape: c.shape,
    theirs: c.theirs ?? 'TF.js',
    oursMs: round(oursMs, 3),
    tfjsMs: round(tfjsMs, 3),
    webglMs: round(webglMs, 3),
    wasmMs: round(wasmMs, 3),
    ratio: round(oursMs && tfjsMs ? tfjsMs / oursMs : null, 2),
    webglRatio: round(oursMs && webglMs ? webglMs / oursMs : null, 2),
    wasmRatio: round(oursMs && wasmMs ? wasmMs / oursMs : null, 2),
    gflops: round(gflops(oursMs), 2),
    tfjsGflops: round(gflops(tfjsMs), 2),
    peakPct: round(gflops(oursMs) !== null ? (gflops(oursMs)! / peak) * 100 : null, 1),
    tfjsPeakPct: round(gflops(tfjsMs) !== null ? (gflops(tfjsMs)! / peak) * 100 : null, 1),
    repeats,
    ...stream,
    check,
    ...(errors.length ? { errors } : {}),
  };
  return { result, warmRoundMs: warmRound };
}
