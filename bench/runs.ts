/**
 * The named runs of the benchmark suite that the npm scripts start (`npm run bench`,
 * `bench:kernels`, `bench:train`): which cases of the registry (suite.ts), against which TF.js
 * backends, how many runs. A new run is one entry in RUNS. The command-line options, the same for
 * the Node host, the Chromium driver and the demo page's query, are parsed here into the runner's
 * options. No case is imported here, so the drivers load no TF.js.
 */
import type { AutotuneMode } from '../src/gpu/autotune.js';
import { list, parseOptions, queryArgv, UsageError } from './args.js';
import { BENCH_SIZES, TF_BACKENDS, type BenchOnly, type BenchSize, type RunSelection, type TfBackendName } from './types.js';

/** A named run: what an npm script measures; any option given on the command line overrides it. */
export interface SuiteRun {
  about: string;
  size?: BenchSize;
  families?: string[];
  /** TF.js backends; by default the host's own list (Node: WebGPU; browsers: WebGPU and WebGL). */
  tfjs?: TfBackendName[];
  warmup?: number;
  repeats?: number;
  /** Per host, seconds after which a case predicted to overrun is skipped. */
  budgetS?: Partial<Record<'node' | 'chromium', number>>;
  profile?: boolean;
  /** Kernel choice for ours: the engine's default ('cached') unless a run or --autotune says otherwise. */
  autotune?: AutotuneMode;
}

export const RUNS = {
  bench: { about: 'every kernel family and task, ours vs TF.js' },
  kernels: {
    about: "conv2d and its two gradients (the face ResNet's layers) and square matmuls vs TF.js WebGPU and WASM",
    size: 'full',
    families: ['conv', 'conv backward', 'matmul'],
    tfjs: ['webgpu', 'wasm'],
    budgetS: { chromium: 420, node: 900 },
  },
  train: {
    about: 'one triplet training step vs the same step on TF.js WebGPU and WASM, with where our time goes',
    size: 'small',
    families: ['training'],
    tfjs: ['webgpu', 'wasm'],
    warmup: 3,
    repeats: 10,
    profile: true,
  },
  device: {
    about: 'kernels and tasks on the GPU in hand (bench/device/run.sh): ours with autotuning vs TF.js WebGPU, % of the measured FMA peak',
    size: 'full',
    tfjs: ['webgpu'],
    autotune: 'full',
    budgetS: { node: 420, chromium: 420 },
  },
} satisfies Record<string, SuiteRun>;
export type RunName = keyof typeof RUNS;

/** The options of every host; `--quick` is `--size tiny`. */
export const BENCH_OPTIONS = {
  run: { type: 'string', default: 'bench', choices: Object.keys(RUNS) },
  size: { type: 'string', choices: BENCH_SIZES },
  quick: { type: 'boolean' },
  only: { type: 'string', default: 'all', choices: ['kernels', 'tasks', 'all'] },
  family: { type: 'string' },
  tfjs: { type: 'string' },
  warmup: { type: 'number' },
  repeats: { type: 'number' },
  budget: { type: 'number' },
  profile: { type: 'boolean' },
  autotune: { type: 'string', choices: ['off', 'cached', 'full'] },
  json: { type: 'boolean' },
  out: { type: 'string' },
  host: { type: 'string', default: 'all', choices: ['all', 'chromium', 'node'] },
  help: { type: 'boolean' },
} as const;

export const BENCH_USAGE = `usage: bench [--run ${Object.keys(RUNS).join('|')}] [--size tiny|small|full | --quick] [--only kernels|tasks] [--family conv,matmul,…] [--tfjs webgpu,webgl,wasm] [--warmup N] [--repeats N] [--budget SECONDS] [--profile] [--autotune off|cached|full] [--json] [--out FILE] [--host chromium|node] [--help]`;

/** What a host runs: the run's name and the runner's options, and what to do with the report. */
export interface BenchArgs extends RunSelection {
  help: boolean;
  name: RunName;
  only: BenchOnly;
  profile: boolean;
  /** The engine's kernel choice (src/gpu/autotune.ts); with 'full' each case is tuned after its warm-up. */
  autotune?: AutotuneMode;
  json: boolean;
  out?: string;
  host: 'all' | 'chromium' | 'node';
}

export function parseBenchArgs(argv: readonly string[], host?: 'node' | 'chromium'): BenchArgs {
  const o = parseOptions(argv, BENCH_OPTIONS, BENCH_USAGE);
  const name = o.run as RunName;
  const run: SuiteRun = RUNS[name];
  const tfjs = list(o.tfjs) as TfBackendName[] | undefined;
  const unknown = tfjs?.find((b) => !TF_BACKENDS.includes(b));
  if (unknown) throw new UsageError(`--tfjs: unknown backend '${unknown}'; known: ${TF_BACKENDS.join(', ')}\n${BENCH_USAGE}`);
  return {
    help: o.help,
    name,
    size: (o.quick ? 'tiny' : o.size ?? run.size ?? 'small') as BenchSize,
    only: o.only as BenchOnly,
    families: list(o.family) ?? run.families,
    tfjs: tfjs ?? run.tfjs,
    warmup: o.warmup ?? run.warmup,
    repeats: o.repeats ?? run.repeats,
    budgetS: o.budget ?? (host ? run.budgetS?.[host] : undefined),
    profile: o.profile || Boolean(run.profile),
    autotune: (o.autotune ?? run.autotune) as AutotuneMode | undefined,
    json: o.json,
    out: o.out,
    host: o.host as BenchArgs['host'],
  };
}

/** The usage line and what each named run measures, for --help. */
export const benchHelp = (): string => [BENCH_USAGE, '', 'runs:', ...Object.entries(RUNS).map(([name, r]) => `  ${name.padEnd(8)} ${r.about}`)].join('\n');

/** A page's query as the suite's options (`?bench=tiny&only=kernels&run=kernels`: `bench` is the size). */
export function benchArgsFromQuery(query: URLSearchParams): BenchArgs {
  const argv = queryArgv(query, Object.keys(BENCH_OPTIONS).filter((n) => n !== 'size' && n !== 'host' && n !== 'out'));
  if (query.has('bench')) argv.push(`--size=${query.get('bench')}`);
  return parseBenchArgs(argv, 'chromium');
}

/** Where a run's report goes: bench/results/<name>-<host>.json; a tiny (smoke) run's under build/bench/, leaving the results alone. */
export function resultsPath(name: string, host: string, size: BenchSize): string {
  return size === 'tiny' ? `build/bench/${name}-${host}-tiny.json` : `bench/results/${name}-${host}.json`;
}
