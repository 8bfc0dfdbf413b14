/** The benchmark suite: every kernel family, then every task, at a size. */
import { faceCases } from './faces.js';
import { kernelCases } from './kernels.js';
import { styleCases } from './style.js';
import { trainingCases } from './training.js';
import type { BenchCase, BenchSize } from './types.js';

export function suiteCases(size: BenchSize): BenchCase[] {
  return [...kernelCases(size), ...faceCases(size), ...styleCases(size), ...trainingCases(size)];
}
