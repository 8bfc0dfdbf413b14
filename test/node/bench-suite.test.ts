// The benchmark suite's shared pieces: the one median (middle pair averaged), the one argument
// parser (command lines and page queries alike), and how a named run's presets become options.
import { parseOptions, queryArgv } from '../../bench/args.js';
import { benchArgsFromQuery, parseBenchArgs, resultsPath } from '../../bench/runs.js';
import { mean, median, relativeError, round, std } from '../../bench/stats.js';
import { assert, assertEqual } from '../util/assert.js';

/** The message `fn` throws with (a test fails where it throws none). */
function thrown(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
}
const assertThrows = (fn: () => unknown, pattern: RegExp): void => {
  const message = thrown(fn);
  assert(pattern.test(message), `error '${message}' matches ${pattern}`);
};

describe('bench stats', () => {
  it('median: the middle value, the mean of the middle pair for an even count, NaN for none', () => {
    assertEqual(median([3, 1, 2]), 2);
    assertEqual(median([4, 1, 3, 2]), 2.5);
    assertEqual(median([5]), 5);
    assert(Number.isNaN(median([])), 'NaN for no values');
    const xs = [9, 7, 8];
    median(xs);
    assertEqual(xs.join(), '9,7,8', 'the input is left unsorted');
  });

  it('mean, population std, round, relative error', () => {
    assertEqual(mean([1, 2, 3, 6]), 3);
    assertEqual(std([2, 4, 4, 4, 5, 5, 7, 9]), 2);
    assertEqual(round(1.23456, 2), 1.23);
    assertEqual(round(Infinity, 2), null);
    assertEqual(relativeError(Float32Array.of(1, 2.5), Float32Array.of(1, 2)), 0.25);
    assertEqual(relativeError(Float32Array.of(1), Float32Array.of(1, 2)), Infinity);
  });
});

describe('bench argument parser', () => {
  const spec = { size: { type: 'number', default: 192 }, name: { type: 'string', choices: ['a', 'b'] }, fast: { type: 'boolean' } } as const;

  it('reads --name value, --name=value and booleans; defaults where not given', () => {
    const o = parseOptions(['--size', '64', '--name=b', '--fast'], spec, 'usage: x');
    assertEqual(o.size, 64);
    assertEqual(o.name, 'b');
    assertEqual(o.fast, true);
    const d = parseOptions([], spec, 'usage: x');
    assertEqual(d.size, 192);
    assertEqual(d.name, undefined);
    assertEqual(d.fast, false);
    assertEqual(parseOptions(['--fast=0'], spec, 'usage: x').fast, false);
  });

  it('refuses unknown options, missing values, non-numbers and values outside the choices, with the usage line', () => {
    assertThrows(() => parseOptions(['--folds', '3'], spec, 'usage: x'), /unknown option --folds\nusage: x/);
    assertThrows(() => parseOptions(['--size'], spec, 'usage: x'), /--size needs a value/);
    assertThrows(() => parseOptions(['--size', '--fast'], spec, 'usage: x'), /--size needs a value/);
    assertThrows(() => parseOptions(['--size=big'], spec, 'usage: x'), /--size: expected a number, got 'big'/);
    assertThrows(() => parseOptions(['--name', 'c'], spec, 'usage: x'), /--name must be one of a, b, got 'c'/);
    assertThrows(() => parseOptions(['stray'], spec, 'usage: x'), /unexpected argument 'stray'/);
    assertEqual(parseOptions(['--fast', 'a.jpg', 'b.jpg'], spec, 'usage: x', { positionals: true }).positionals.join(), 'a.jpg,b.jpg');
  });

  it('reads a page query as the same options', () => {
    const argv = queryArgv(new URLSearchParams('size=32&fast=1&other=x'), ['size', 'fast']);
    assertEqual(argv.join(' '), '--size=32 --fast=1');
    const o = parseOptions(argv, spec, 'usage: x');
    assertEqual(o.size, 32);
    assertEqual(o.fast, true);
  });
});

describe('bench runs', () => {
  it('the default run: every case at the small size against the host\'s backends', () => {
    const a = parseBenchArgs([], 'node');
    assertEqual(a.name, 'bench');
    assertEqual(a.size, 'small');
    assertEqual(a.families, undefined);
    assertEqual(a.tfjs, undefined);
    assertEqual(a.profile, false);
  });

  it('named runs bring their presets, per host, and the command line overrides them', () => {
    const k = parseBenchArgs(['--run', 'kernels'], 'chromium');
    assertEqual(k.size, 'full');
    assertEqual(k.families?.join(), 'conv,conv backward,matmul');
    assertEqual(k.tfjs?.join(), 'webgpu,wasm');
    assertEqual(k.budgetS, 420);
    assertEqual(parseBenchArgs(['--run', 'kernels'], 'node').budgetS, 900);
    const quick = parseBenchArgs(['--run', 'kernels', '--quick', '--budget', '60', '--tfjs', 'webgpu'], 'node');
    assertEqual(quick.size, 'tiny');
    assertEqual(quick.budgetS, 60);
    assertEqual(quick.tfjs?.join(), 'webgpu');
    const t = parseBenchArgs(['--run=train'], 'node');
    assertEqual(`${t.warmup} ${t.repeats} ${t.profile}`, '3 10 true');
    assertThrows(() => parseBenchArgs(['--tfjs', 'cpu']), /--tfjs: unknown backend 'cpu'/);
    assertThrows(() => parseBenchArgs(['--run', 'nightly']), /--run must be one of bench, kernels, train/);
    assertEqual(parseBenchArgs(['--help']).help, true);
  });

  it('the demo page\'s query: bench= is the size; results of a tiny run stay out of bench/results', () => {
    const q = benchArgsFromQuery(new URLSearchParams('bench=tiny&run=kernels&only=kernels'));
    assertEqual(`${q.name} ${q.size} ${q.only} ${q.budgetS}`, 'kernels tiny kernels 420');
    assertEqual(resultsPath('kernels', 'node', 'full'), 'bench/results/kernels-node.json');
    assertEqual(resultsPath('bench', 'chromium', 'tiny'), 'build/bench/bench-chromium-tiny.json');
  });
});
