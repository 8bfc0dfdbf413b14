/** Command-line options shared by the benchmark hosts: --size tiny|small|full, --only kernels|tasks, --json, --out FILE. */
import { BENCH_SIZES, type BenchOnly, type BenchSize } from './types.js';

export interface BenchArgs {
  size: BenchSize;
  only: BenchOnly;
  json: boolean;
  out?: string;
}

export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const value = (name: string): string | undefined => {
    const i = argv.findIndex((a) => a === name || a.startsWith(`${name}=`));
    if (i < 0) return undefined;
    const a = argv[i]!;
    return a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[i + 1];
  };
  const size = (value('--size') ?? 'small') as BenchSize;
  if (!BENCH_SIZES.includes(size)) throw new Error(`--size must be one of ${BENCH_SIZES.join(', ')}, got ${size}`);
  const only = (value('--only') ?? 'all') as BenchOnly;
  if (!['kernels', 'tasks', 'all'].includes(only)) throw new Error(`--only must be kernels or tasks, got ${only}`);
  return { size, only, json: argv.includes('--json'), out: value('--out') };
}
