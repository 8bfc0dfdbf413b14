/** Skips a test of the subgroup kernels, visibly, on adapters that cannot run them. */
import type { Engine } from '../../src/gpu/engine.js';
import { hasSubgroupMatmul } from '../../src/ops/matmul.js';

export function skipWithoutSubgroupKernels(test: Mocha.Context, engine: Engine): void {
  if (hasSubgroupMatmul(engine)) return;
  console.log(`    (skipped: this adapter has no fixed subgroup size of 4 or 8 (${engine.subgroupSize || 'none'}): the subgroup kernel cannot run)`);
  test.skip();
}
