/**
 * Finite-difference gradient checks. Analytic gradients (GPU kernels and their TypeScript
 * references) are held against central differences of a forward function:
 * - `numericGradient` on a float64 reference forward (tight tolerances: eps 1e-5);
 * - `directionalDerivative` along a random direction for a GPU forward in float32 (looser:
 *   one scalar per probe, eps around 1e-2 relative to the inputs' scale).
 */
import { assertClose } from './assert.js';

/** Central differences of f at x for the given indices (all by default). */
export function numericGradient(f: (x: Float64Array) => number, x: ArrayLike<number>, options: { eps?: number; indices?: number[] } = {}): Float64Array {
  const eps = options.eps ?? 1e-5;
  const xs = Float64Array.from(x);
  const grad = new Float64Array(xs.length);
  for (const i of options.indices ?? xs.keys()) {
    const keep = xs[i]!;
    xs[i] = keep + eps;
    const up = f(xs);
    xs[i] = keep - eps;
    const down = f(xs);
    xs[i] = keep;
    grad[i] = (up - down) / (2 * eps);
  }
  return grad;
}

/** Checks an analytic gradient against central differences of a float64 forward. */
export function checkGradient(f: (x: Float64Array) => number, x: ArrayLike<number>, analytic: ArrayLike<number>, what: string, options: { eps?: number; atol?: number; rtol?: number; indices?: number[] } = {}): void {
  const numeric = numericGradient(f, x, options);
  const idx = options.indices ?? [...Array(numeric.length).keys()];
  assertClose(idx.map((i) => analytic[i]!), idx.map((i) => numeric[i]!), { atol: options.atol ?? 1e-6, rtol: options.rtol ?? 1e-4 }, `${what}: analytic vs finite-difference gradient`);
}

/**
 * Directional derivative of an (async, e.g. GPU) forward f along direction d at x, by central
 * differences: (f(x + eps·d) − f(x − eps·d)) / 2eps. Compare with Σ grad·d.
 */
export async function directionalDerivative(f: (x: Float32Array) => Promise<number> | number, x: ArrayLike<number>, d: ArrayLike<number>, eps: number): Promise<number> {
  const up = Float32Array.from(x, (v, i) => v + eps * d[i]!);
  const down = Float32Array.from(x, (v, i) => v - eps * d[i]!);
  return ((await f(up)) - (await f(down))) / (2 * eps);
}

export function dotProduct(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
