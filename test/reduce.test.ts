import { mean, sum, sumToShape } from '../src/ops/reduce.js';
import { refSum } from './ref/reduce.js';
import { assertClose, assertEqual, assertRejects } from './util/assert.js';
import { testEngine } from './util/engine.js';
import { Rng } from './util/random.js';

const prod = (v: readonly number[]) => v.reduce((a, b) => a * b, 1);

describe('reduce', () => {
  it('sum and mean over random axis sets of random shapes, keepDims both ways', async () => {
    const engine = await testEngine();
    const rng = new Rng(500);
    for (let i = 0; i < 14; i++) {
      const rank = rng.int(1, 4);
      const shape = Array.from({ length: rank }, () => rng.int(1, 7));
      const axes = [...Array(rank).keys()].filter(() => rng.next() < 0.5);
      const keep = rng.next() < 0.5;
      const isMean = rng.next() < 0.5;
      const x = rng.array(prod(shape));
      const ref = refSum(x, shape, axes);
      const count = prod(axes.map((a) => shape[a]!));
      const expected = Float64Array.from(ref.data, (v) => (isMean ? v / count : v));
      const outShape = keep ? ref.shape : shape.filter((_, d) => !axes.includes(d));
      await engine.scope(async () => {
        const t = engine.tensor(shape, x);
        const y = isMean ? mean(t, axes, keep) : sum(t, axes, keep);
        assertEqual([...y.shape], outShape, `shape of ${isMean ? 'mean' : 'sum'} [${shape}] over [${axes}]`);
        assertClose(await y.read(), expected, { atol: 1e-5, rtol: 1e-5 }, `${isMean ? 'mean' : 'sum'} [${shape}] over [${axes}]`);
      });
    }
  });

  it('long axes: bias gradients over N·H·W rows, a full sum of 300k values, many short lines', async () => {
    const engine = await testEngine();
    const rng = new Rng(501);
    for (const [shape, axes] of [[[40000, 3], [0]], [[2, 300, 500], [0, 1, 2]], [[5000, 16], [0]], [[3, 9000], [1]], [[700, 5, 3], [1]], [[2, 2000, 7], [1]]] as const) {
      const x = rng.array(prod(shape));
      const ref = refSum(x, shape, axes);
      const got = await engine.scope(() => sum(engine.tensor(shape, x), axes).read());
      // f32 partial sums of thousands of values in [-1, 1].
      assertClose(got, ref.data, { atol: 2e-3, rtol: 1e-4 }, `sum [${shape}] over [${axes}]`);
    }
    const ones = new Float32Array(1 << 18).fill(1);
    const total = await engine.scope(() => mean(engine.tensor([1 << 18], ones)).read());
    assertClose(total, [1], { atol: 0, rtol: 1e-6 }, 'mean of ones');
  });

  it('sumToShape undoes broadcasting (leading axes, size-1 axes)', async () => {
    const engine = await testEngine();
    const rng = new Rng(502);
    for (const [shape, target, axes] of [[[2, 3, 4, 5], [5], [0, 1, 2]], [[2, 3, 4, 5], [3, 1, 5], [0, 2]], [[6, 4], [6, 1], [1]], [[3, 4], [3, 4], []], [[2, 3], [1], [0, 1]]] as const) {
      const x = rng.array(prod(shape));
      const ref = refSum(x, shape, axes);
      await engine.scope(async () => {
        const y = sumToShape(engine.tensor(shape, x), target);
        assertEqual([...y.shape], [...target], 'sumToShape shape');
        assertClose(await y.read(), ref.data, { atol: 1e-5, rtol: 1e-5 }, `sumToShape [${shape}] → [${target}]`);
      });
    }
    await engine.scope(async () => {
      const t = engine.tensor([2, 3], new Float32Array(6));
      await assertRejects(() => sumToShape(t, [2]), /ShapeError: sumToShape: \[2\] does not broadcast to \[2,3\]/);
      await assertRejects(() => sum(t, [2]), /axis 2 is out of range/);
    });
  });
});
