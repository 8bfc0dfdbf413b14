import { memoryTuneStore, type AutotuneMode, type TuneStore } from '../src/gpu/autotune.js';
import { Engine } from '../src/gpu/engine.js';
import { conv } from '../src/ops/conv.js';
import { convFilterGrad, convInputGrad } from '../src/ops/conv-backward.js';
import { hasSubgroupMatmul, matmul } from '../src/ops/matmul.js';
import { refConvFilterGrad, refConvInputGrad } from './ref/backward.js';
import { refConv } from './ref/conv.js';
import { refMatmul } from './ref/matmul.js';
import { assert, assertClose, assertEqual } from './util/assert.js';
import { testEngine } from './util/engine.js';
import { Rng } from './util/random.js';

const TOL = { atol: 3e-4, rtol: 3e-4 };
const CONV = { op: 'conv', shape: { input: [1, 20, 20, 8], filter: [3, 3, 8, 16], strides: [1, 1], dilations: [1, 1], padding: [1, 1, 1, 1], groups: 1 } };
const MATMUL = { op: 'matmul', shape: { a: [40, 24], b: [24, 32], transposeA: false, transposeB: false, symmetric: false } };

/** An engine on the shared test device with its own tuner (never destroyed: the device is shared). */
async function tunedEngine(autotune: AutotuneMode, tuneStore: TuneStore): Promise<Engine> {
  const shared = await testEngine();
  return Engine.create({ device: shared.device, adapterInfo: shared.adapterInfo, autotune, tuneStore });
}

describe('autotune: kernels chosen on the adapter in hand', () => {
  it('the pick is the variant measured fastest, kept per shape class under the adapter and saved', async () => {
    const store = memoryTuneStore();
    const engine = await tunedEngine('full', store);
    const results = await engine.tune([CONV, MATMUL], 3);
    assertEqual(results.map((r) => r.op), ['conv', 'matmul']);
    for (const r of results) {
      const variants = Object.keys(r.ms);
      assert(variants.length >= 2, `${r.op} has variants to choose from: ${variants}`);
      const fastest = variants.reduce((best, v) => (r.ms[v]! < r.ms[best]! ? v : best));
      assertEqual(r.pick, fastest, `${r.op} ${r.shapeClass}: ${JSON.stringify(r.ms)}`);
      assertEqual(engine.tuner.pickFor(r.op, r.shapeClass), r.pick);
    }
    assertEqual([...store.records.keys()], [engine.tuner.adapterKey]);
    assertEqual(Object.keys(store.records.get(engine.tuner.adapterKey)!).length, 2);
    assertEqual(engine.tuner.stats.timed, 2);
    engine.trim();
  });

  it('a cached pick is used without timing again; a class already picked is not timed again', async () => {
    const store = memoryTuneStore();
    const first = await tunedEngine('full', store);
    const [tuned] = await first.tune([CONV], 3);
    // A later engine on the same adapter reads the pick and times nothing.
    const later = await tunedEngine('cached', store);
    assertEqual(later.tuner.pickFor('conv', tuned!.shapeClass), tuned!.pick);
    const rng = new Rng(5);
    await later.scope(async () => {
      const x = later.tensor(CONV.shape.input, rng.array(20 * 20 * 8));
      const w = later.tensor(CONV.shape.filter, rng.array(3 * 3 * 8 * 16));
      await conv(x, w, { padding: 'same' }).read();
    });
    assertEqual(later.tuner.stats, { timed: 0, used: 1 });
    assertEqual(await later.tune([CONV]), [], "'cached' times nothing");
    assertEqual(await first.tune([CONV]), [], 'a class with a pick is not timed again');
    assertEqual(first.tuner.stats.timed, 1);
    // 'off' keeps the hand-set choice and never tunes.
    const off = await tunedEngine('off', store);
    assertEqual(await off.tune([CONV]), []);
    assertEqual(off.tuner.pickFor('conv', tuned!.shapeClass), undefined);
    for (const e of [first, later, off]) e.trim();
  });

  it("'full' queues the shape classes ops meet; tune() times them; every variant gives the reference's values", async () => {
    const engine = await tunedEngine('full', memoryTuneStore());
    const rng = new Rng(9);
    const xData = rng.array(1 * 9 * 11 * 5), wData = rng.array(3 * 3 * 5 * 8);
    const ref = refConv(xData, wData, { inShape: [1, 9, 11, 5], kernel: [3, 3], outC: 8, groups: 1, strides: [2, 1], dilations: [1, 1], padBegin: [1, 1], padEnd: [1, 1] });
    const a = rng.array(33 * 17), b = rng.array(17 * 24);
    const refMM = refMatmul(a, b, { batch: 1, M: 33, N: 24, K: 17, transA: false, transB: false });
    const run = (algorithm?: string) => engine.scope(async () => {
      const y = conv(engine.tensor([1, 9, 11, 5], xData), engine.tensor([3, 3, 5, 8], wData), { strides: [2, 1], padding: [1, 1, 1, 1], algorithm: algorithm as never });
      const c = matmul(engine.tensor([33, 17], a), engine.tensor([17, 24], b), { algorithm: algorithm as never });
      return [await y.read(), await c.read()];
    });
    await run(); // meets both classes with the hand-set choices: queued
    const results = await engine.tune(undefined, 2);
    assertEqual(results.map((r) => r.op).sort(), ['conv', 'matmul']);
    for (const r of results) {
      for (const variant of Object.keys(r.ms)) {
        const [y, c] = await engine.scope(async () => {
          if (r.op === 'conv') return [await conv(engine.tensor([1, 9, 11, 5], xData), engine.tensor([3, 3, 5, 8], wData), { strides: [2, 1], padding: [1, 1, 1, 1], algorithm: variant as never }).read(), null];
          return [null, await matmul(engine.tensor([33, 17], a), engine.tensor([17, 24], b), { algorithm: variant as never }).read()];
        });
        if (y) assertClose(y, ref.data, TOL, `conv with ${variant}`);
        if (c) assertClose(c, refMM, TOL, `matmul with ${variant}`);
      }
    }
    // The tuned picks in use give the same values.
    const [y, c] = await run();
    assertClose(y!, ref.data, TOL, 'conv with its pick');
    assertClose(c!, refMM, TOL, 'matmul with its pick');
    assert(engine.tuner.stats.used >= 2, `picks used: ${engine.tuner.stats.used}`);
    engine.trim();
  });

  it('the conv gradients are tuned where they have a choice (depthwise, 1x1, subgroup); every variant gives the reference\'s values', async () => {
    const engine = await tunedEngine('full', memoryTuneStore());
    const rng = new Rng(13);
    // A strided 3x3 convolution to 6 channels has one gradient kernel of each kind (the subgroup
    // ones need stride 1 or channels in 4s): nothing to time.
    const regular = { input: [1, 9, 10, 6], filter: [3, 3, 6, 6], dy: [1, 9, 5, 6], strides: [1, 2], dilations: [1, 1], padding: [1, 1, 1, 1], groups: 1 };
    assertEqual(await engine.tune([{ op: 'convInputGrad', shape: regular }, { op: 'convFilterGrad', shape: regular }]), []);
    // A stride-1 3x3 convolution has a choice only where the subgroup kernels run.
    const cases = [[8, 8, 8, 3, 2, 1], [6, 8, 1, 1, 1, 0], ...(hasSubgroupMatmul(engine) ? [[8, 12, 1, 3, 1, 1]] : [])] as const;
    for (const [inC, outC, groups, k, stride, pad] of cases) {
      const p = { inShape: [1, 9, 10, inC], kernel: [k, k], outC, groups, strides: [1, stride], dilations: [1, 1], padBegin: [pad, pad], padEnd: [pad, pad] };
      const filter = [k, k, inC / groups, outC];
      const dyShape = [1, 9, stride === 2 ? 5 : 10, outC];
      const xData = rng.array(9 * 10 * inC), wData = rng.array(k * k * (inC / groups) * outC), dyData = rng.array(dyShape.reduce((a, b) => a * b, 1));
      const geometry = { strides: [1, stride], padding: [pad, pad, pad, pad], groups };
      const shape = { input: p.inShape, filter, dy: dyShape, strides: [1, stride], dilations: [1, 1], padding: [pad, pad, pad, pad], groups };
      const results = await engine.tune([{ op: 'convInputGrad', shape }, { op: 'convFilterGrad', shape }], 2);
      assertEqual(results.map((r) => r.op), ['convInputGrad', 'convFilterGrad'], `groups ${groups}, ${k}x${k}`);
      const dxRef = refConvInputGrad(dyData, wData, p), dwRef = refConvFilterGrad(xData, dyData, p);
      for (const r of results) {
        for (const variant of Object.keys(r.ms)) {
          const got = await engine.scope(async () => (r.op === 'convInputGrad'
            ? convInputGrad(engine.tensor(dyShape, dyData), engine.tensor(filter, wData), p.inShape, { ...geometry, algorithm: variant as never })
            : convFilterGrad(engine.tensor(p.inShape, xData), engine.tensor(dyShape, dyData), filter, { ...geometry, algorithm: variant as never })).read());
          assertClose(got, r.op === 'convInputGrad' ? dxRef : dwRef, TOL, `${r.op} groups ${groups} with ${variant}`);
        }
      }
    }
    engine.trim();
  });
});
