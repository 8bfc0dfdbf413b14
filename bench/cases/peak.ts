/**
 * The adapter's FMA peak, the suite's yardstick for "% of peak": shaders/peak.wgsl (FMA only,
 * ITERATIONS iterations per thread, WG 64) at each thread count, each the fastest of `repeats`
 * runs after two warm-ups (read-back included).
 */
import peakWGSL from '../../shaders/peak.wgsl';
import type { Engine } from '../../src/gpu/engine.js';
import { defineKernel } from '../../src/gpu/kernel.js';

const peakKernel = defineKernel('peak', peakWGSL);
export const PEAK_ITERATIONS = 1024;
const WG = 64;

/** The best GFLOP/s over `sizes` threads; stops early once a warm run takes over 3 s (bigger sizes only take longer). */
export async function measurePeak(engine: Engine, sizes: readonly number[], repeats: number, log: (line: string) => void = () => {}): Promise<number> {
  const warmup = 2;
  let peak = 0;
  for (const threads of sizes) {
    const flops = threads * PEAK_ITERATIONS * 8 * 4 * 2;
    const y = engine.empty([threads], 'peak');
    const once = async (): Promise<number> => {
      const t0 = performance.now();
      engine.dispatch({
        op: 'fmaPeak',
        kernel: peakKernel,
        entry: 'fma_peak',
        overrides: { WG, ITERATIONS: PEAK_ITERATIONS },
        uniforms: { seed: 1 },
        buffers: { y },
        workgroups: threads / WG,
      });
      await y.read();
      return performance.now() - t0;
    };
    let warm = 0;
    for (let i = 0; i < warmup; i++) warm = await once();
    const times: number[] = [];
    for (let i = 0; i < repeats; i++) times.push(await once());
    y.dispose();
    const ms = Math.min(...times); // a peak: the best run, not the median
    const gflops = flops / ms / 1e6;
    peak = Math.max(peak, gflops);
    log(`  fma peak ${threads} threads: ${ms.toFixed(2)} ms, ${gflops.toFixed(2)} GFLOP/s`);
    if (warm > 3000) break;
  }
  return peak;
}
