import { avgPool, globalAvgPool, globalMaxPool, maxPool } from '../src/ops/pool.js';
import { refPool } from './ref/pool.js';
import { assertClose, assertEqual } from './util/assert.js';
import { testEngine } from './util/engine.js';
import { Rng } from './util/random.js';

describe('pooling', () => {
  for (const rank of [1, 2, 3]) {
    it(`${rank}-D max and average pooling: random windows, strides, pads, dilations, ceil mode`, async () => {
      const engine = await testEngine();
      const rng = new Rng(300 + rank);
      for (let i = 0; i < 10; i++) {
        const kind = rng.pick(['max', 'avg'] as const);
        const kernel = Array.from({ length: rank }, () => rng.int(1, 3));
        const dilations = kind === 'max' ? Array.from({ length: rank }, () => rng.pick([1, 1, 2])) : kernel.map(() => 1);
        const strides = Array.from({ length: rank }, () => rng.int(1, 3));
        const padBegin = kernel.map((k) => rng.int(0, k - 1));
        const padEnd = kernel.map((k) => rng.int(0, k - 1));
        const spatial = kernel.map((k, d) => (k - 1) * dilations[d]! + rng.int(1, rank === 3 ? 5 : 9));
        const ceilMode = rng.next() < 0.3;
        const countIncludePad = rng.next() < 0.5;
        const inShape = [rng.int(1, 2), ...spatial, rng.int(1, 5)];
        const x = rng.array(inShape.reduce((a, b) => a * b, 1));
        const got = await engine.scope(async () => {
          const t = engine.tensor(inShape, x);
          const opts = { kernel, strides, dilations, padding: [...padBegin, ...padEnd], ceilMode, countIncludePad };
          const y = kind === 'max' ? maxPool(t, opts) : avgPool(t, opts);
          return { shape: [...y.shape], data: await y.read() };
        });
        const outSpatial = spatial.map((s, d) => {
          const span = s + padBegin[d]! + padEnd[d]! - ((kernel[d]! - 1) * dilations[d]! + 1);
          let o = (ceilMode ? Math.ceil(span / strides[d]!) : Math.floor(span / strides[d]!)) + 1;
          if (ceilMode && (o - 1) * strides[d]! >= s + padBegin[d]!) o--;
          return o;
        });
        assertEqual(got.shape, [inShape[0], ...outSpatial, inShape[rank + 1]], 'shape');
        const expected = refPool(x, { inShape, kernel, strides, dilations, padBegin, padEnd, outSpatial, kind, countIncludePad });
        assertClose(got.data, expected, { atol: 1e-5, rtol: 1e-5 }, `${kind} pool case ${i}`);
      }
    });
  }

  it('global average and max pooling over 1-D, 2-D and 3-D', async () => {
    const engine = await testEngine();
    const rng = new Rng(31);
    for (const spatial of [[13], [7, 9], [3, 4, 5]]) {
      const C = 6, N = 2;
      const inShape = [N, ...spatial, C];
      const count = spatial.reduce((a, b) => a * b, 1);
      const x = rng.array(N * count * C);
      const mean = new Float32Array(N * C), max = new Float32Array(N * C).fill(-Infinity);
      for (let n = 0; n < N; n++) for (let s = 0; s < count; s++) for (let c = 0; c < C; c++) {
        const v = x[(n * count + s) * C + c]!;
        mean[n * C + c]! += v / count;
        max[n * C + c] = Math.max(max[n * C + c]!, v);
      }
      await engine.scope(async () => {
        const t = engine.tensor(inShape, x);
        const avg = globalAvgPool(t);
        assertEqual([...avg.shape], [N, ...spatial.map(() => 1), C], 'global pool shape');
        assertClose(await avg.read(), mean, { atol: 1e-5, rtol: 1e-5 }, 'global avg');
        assertClose(await globalMaxPool(t).read(), max, { atol: 0, rtol: 0 }, 'global max');
      });
    }
  });
});
