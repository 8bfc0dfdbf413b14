/** Assertions for tests: exact checks and element-wise closeness with stated tolerances. */

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

export function assertEqual<T>(actual: T, expected: T, what = 'value'): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`);
}

/**
 * |actual - expected| <= atol + rtol * |expected| everywhere; the message names the first
 * failing index and the worst error.
 */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: { atol?: number; rtol?: number } = {}, what = 'values'): void {
  const atol = tol.atol ?? 1e-4;
  const rtol = tol.rtol ?? 1e-4;
  if (actual.length !== expected.length) throw new Error(`${what}: length ${actual.length}, expected ${expected.length}`);
  let worst = 0;
  let first = -1;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    const err = Math.abs(a - e);
    const bad = !(err <= atol + rtol * Math.abs(e)) && !(Number.isNaN(a) && Number.isNaN(e)) && a !== e;
    if (bad && first < 0) first = i;
    if (err > worst) worst = err;
  }
  if (first >= 0) {
    throw new Error(`${what}: index ${first} is ${actual[first]}, expected ${expected[first]} (max abs error ${worst.toExponential(2)}, atol ${atol}, rtol ${rtol})`);
  }
}

export async function assertRejects(work: () => Promise<unknown> | unknown, pattern: RegExp, what = 'call'): Promise<Error> {
  try {
    await work();
  } catch (e) {
    const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    if (!pattern.test(message)) throw new Error(`${what} failed with "${message}", expected ${pattern}`);
    return e as Error;
  }
  throw new Error(`${what} succeeded, expected an error matching ${pattern}`);
}
