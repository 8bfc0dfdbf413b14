/**
 * Seeded random numbers for the generated image's initialisation. Drawn on the CPU so that the
 * same seed gives the same start on every host (and in the TF.js reference).
 */
import { mulberry32 } from '../../nn/random.js';

/** Uniform in [0, 1) from mulberry32. */
export function uniformGenerator(seed: number): () => number {
  const raw = mulberry32(seed);
  return () => raw() / 4294967296;
}

/** n samples of N(0, std²) (Box–Muller on mulberry32). */
export function gaussianNoise(n: number, seed: number, std: number): Float32Array {
  const next = uniformGenerator(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const u = Math.max(next(), 1e-12);
    const v = next();
    const r = std * Math.sqrt(-2 * Math.log(u));
    out[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < n) out[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return out;
}
