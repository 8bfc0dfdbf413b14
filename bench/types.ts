/**
 * The benchmark suite's vocabulary, shared by the case registry (suite.ts, cases/), the runner
 * (run.ts) and the hosts: Node (hosts/node.ts), the browser (hosts/browser.ts, which the demo
 * page's Benchmark section loads and `npm run bench` drives in headless Chromium). Nothing here
 * touches Node or DOM APIs.
 */
import type { Engine } from '../src/gpu/engine.js';
import type { FaceApiModel } from '../src/nn/face-api-models.js';
import type { WeightMap } from '../src/nn/weights.js';
import type { RGBAImage } from '../src/ops/image.js';
import type { ModelSource } from '../src/tasks/style/network.js';

/** tiny: a smoke run (tests); small: the default, a few minutes on a CPU-emulated GPU; full: every shape. */
export type BenchSize = 'tiny' | 'small' | 'full';
export const BENCH_SIZES: readonly BenchSize[] = ['tiny', 'small', 'full'];
export type BenchOnly = 'kernels' | 'tasks' | 'all';

/** TF.js backends the suite compares against, where the host has them (WASM: on the CPU, SIMD). */
export type TfBackendName = 'webgpu' | 'webgl' | 'wasm';
export const TF_BACKENDS: readonly TfBackendName[] = ['webgpu', 'webgl', 'wasm'];

/** One side's work for one case: `run` does it once and waits for its result on the CPU. */
export interface Runner {
  run(): Promise<Float32Array | void>;
  /** Kernels: the work `calls` times in one stream, then the last result read back (so the round trip is paid once). */
  stream?(calls: number): Promise<void>;
  dispose(): void;
}

/** What a host provides: the engine, and how to load models and pictures where it runs. */
export interface BenchHost {
  name: 'node' | 'chromium';
  engine: Engine;
  /** Lines that describe the adapter and environment (printed above the table). */
  environment: string[];
  /** TF.js backends to try by default, in order; those that fail to initialise are reported and skipped. */
  tfBackends: TfBackendName[];
  /** Where TF.js WASM's .wasm files are (a folder path or URL ending in '/'), for runs that ask for 'wasm'. */
  wasmPath?: string;
  /** Why TF.js WebGL runs the kernel cases only here (the tasks' networks are skipped on it), if so. */
  webglKernelsOnly?: string;
  /** face-api's weights for our networks (files in Node, URLs in browsers). */
  loadFaceModel(model: FaceApiModel): Promise<WeightMap>;
  /** Loads face-api's SSD, 68-point landmark and recognition nets into face-api (for TF.js). */
  loadFaceApiNets(): Promise<void>;
  /** The benchmark's face photo (demo/assets/face.png: an ORL face with a border). */
  loadFaceImage(): Promise<RGBAImage>;
  /** A group photo: face-api's demo/sample5.jpg (1920x1398, 5 faces). */
  loadGroupPhoto(): Promise<RGBAImage>;
  /** Photos for the style-transfer step: demo/assets/dog.jpg (content) and scream.jpg (style). */
  loadStyleImages(): Promise<{ content: RGBAImage; style: RGBAImage }>;
  /** The style network (CenterNet, human-models' centernet.json): its model.json and shards. */
  styleModel(): ModelSource;
}

/**
 * Which cases a run measures, and how: the run's name (runs.ts RUNS; the report carries it), only
 * these families (all when none), against these TF.js backends (the host's own list when none),
 * the size, one group (kernels or tasks) or both; warm-up runs and timed repeats per case in place
 * of the size's plan, a budget in seconds (a case predicted to take the run past it is skipped),
 * and whether to ask each case for its profile.
 */
export interface RunSelection {
  name?: string;
  families?: readonly string[];
  tfjs?: readonly TfBackendName[];
  size: BenchSize;
  only?: BenchOnly;
  warmup?: number;
  repeats?: number;
  budgetS?: number;
  profile?: boolean;
}

export interface BenchContext {
  host: BenchHost;
  engine: Engine;
  size: BenchSize;
}

/** One line of the suite: a kernel family's shape or a task, ours against TF.js. */
export interface BenchCase {
  group: 'kernel' | 'task';
  /** 'conv', 'matmul', 'face', ... (bar charts and the table group by it). */
  family: string;
  name: string;
  shape: string;
  /** Floating-point operations of one run (2 per multiply-add), or null where it is memory-bound / not counted. */
  flops: number | null;
  /** What "theirs" is (TF.js by default; face-api on TF.js for the face tasks). */
  theirs?: string;
  /** Largest accepted max|ours − theirs| / max|theirs| on the first run; null: no check. */
  tolerance?: number | null;
  ours(ctx: BenchContext): Promise<Runner>;
  /** The same work on TF.js's active backend (the suite switches backends before calling). */
  tfjs(ctx: BenchContext, backend: TfBackendName): Promise<Runner>;
  /** Where ours spends its time, phase by phase in ms (asked for with --profile). */
  profile?(ctx: BenchContext): Promise<Record<string, number>>;
}

/** A case's results; the JSON files hold these. */
export interface BenchResult {
  group: 'kernel' | 'task' | 'peak';
  family: string;
  name: string;
  shape: string;
  theirs: string;
  /** Medians in ms; null where a side did not run (see `errors`). */
  oursMs: number | null;
  tfjsMs: number | null;
  webglMs: number | null;
  wasmMs: number | null;
  /** tfjsMs / oursMs: above 1, ours is faster. */
  ratio: number | null;
  webglRatio: number | null;
  wasmRatio: number | null;
  /** Ours. */
  gflops: number | null;
  tfjsGflops: number | null;
  /** Ours as a percentage of the adapter's FMA peak. */
  peakPct: number | null;
  tfjsPeakPct: number | null;
  repeats: number;
  /** Kernels: ms per call with `streamCalls` calls per read-back (the round trip spread over them); null where not measured. */
  streamMs?: number | null;
  wasmStreamMs?: number | null;
  streamPeakPct?: number | null;
  streamCalls?: number;
  check: string;
  errors?: string[];
  /** The case's profile of ours (see BenchCase.profile), where it ran. */
  profileMs?: Record<string, number>;
}

export interface BenchProgress {
  done: number;
  total: number;
  /** What runs now. */
  label: string;
}

/** The suite's one result format: bench/results/<name>-<host>.json holds one of these. */
export interface BenchReport {
  /** The run's name (bench, kernels, train: what the npm script is called after), and the results file's. */
  name: string;
  host: string;
  size: BenchSize;
  only: BenchOnly;
  environment: string[];
  /** How the figures were taken. */
  method: string[];
  peakGflops: number;
  results: BenchResult[];
  notes: string[];
  seconds: number;
  date: string;
}
