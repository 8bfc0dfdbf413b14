/**
 * The benchmark suite's registry of cases: every kernel family, then every task, at a size. A new
 * case is one entry in a family's list under cases/; what the npm scripts run of them is in runs.ts.
 */
import { faceCases } from './cases/faces.js';
import { kernelCases } from './cases/kernels.js';
import { styleCases } from './cases/style.js';
import { trainingCases } from './cases/training.js';
import type { BenchCase, BenchOnly, BenchSize } from './types.js';

export function suiteCases(size: BenchSize): BenchCase[] {
  return [...kernelCases(size), ...faceCases(size), ...styleCases(size), ...trainingCases(size)];
}

/** The cases of a size, of one group (kernels or tasks) and of the given families (all when none). */
export function selectCases(size: BenchSize, only: BenchOnly = 'all', families?: readonly string[]): BenchCase[] {
  return suiteCases(size)
    .filter((c) => only === 'all' || (only === 'kernels' ? c.group === 'kernel' : c.group === 'task'))
    .filter((c) => !families?.length || families.includes(c.family));
}
