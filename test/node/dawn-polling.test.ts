import { promisify } from 'node:util';
import { isNativeCallback, throttleDawnPolling } from '../../src/host/dawn-polling.js';
import { matmul } from '../../src/ops/matmul.js';
import { assert, assertClose, assertEqual } from '../util/assert.js';
import { testEngine } from '../util/engine.js';
import { refMatmul } from '../ref/matmul.js';
import { Rng } from '../util/random.js';

describe('Dawn polling throttle (Node host)', () => {
  it('native tick callbacks: immediate polls for the first 5 ms of a wait, then 1 ms timers; a new wait starts over', async () => {
    throttleDawnPolling();
    throttleDawnPolling(); // installing twice must not stack
    // Function.prototype is a native function without a name, like Dawn's N-API tick.
    const tick = Function.prototype as () => void;
    assert(isNativeCallback(tick), 'Function.prototype counts as a native tick');
    assert(!isNativeCallback(() => undefined) && !isNativeCallback(Math.max), 'JS functions and named natives do not');
    await new Promise((r) => setTimeout(r, 20));
    const kind = () => setImmediate(tick).constructor.name;
    assertEqual(kind(), 'Immediate', 'the start of a wait');
    const t0 = performance.now();
    while (performance.now() - t0 < 6) kind(); // keep the wait going past 5 ms
    assertEqual(kind(), 'Timeout', 'later in the wait');
    await new Promise((r) => setTimeout(r, 20));
    assertEqual(kind(), 'Immediate', 'a new wait');
  });

  it('JavaScript callbacks pass through in order with their arguments; promisify still works', async () => {
    throttleDawnPolling();
    const seen: number[] = [];
    await new Promise<void>((resolve) => {
      for (let i = 0; i < 40; i++) setImmediate((v: number) => seen.push(v), i);
      setImmediate(resolve);
    });
    assertEqual(seen, Array.from({ length: 40 }, (_, i) => i), 'order and arguments');
    assertEqual(await promisify(setImmediate)(7), 7, 'util.promisify(setImmediate)');
  });

  it('GPU reads still resolve, long waits included, with the right values', async () => {
    const engine = await testEngine();
    const rng = new Rng(5);
    const [M, K, N] = [256, 512, 256];
    const a = rng.array(M * K), b = rng.array(K * N);
    const got = await engine.scope(() => matmul(engine.tensor([M, K], a), engine.tensor([K, N], b)).read());
    assertClose(got, refMatmul(a, b, { batch: 1, M, N, K, transA: false, transB: false }), { atol: 1e-3, rtol: 1e-3 }, 'matmul 256x512x256');
  });
});
