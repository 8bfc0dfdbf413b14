import { dot, globalNorm, maxAbs, reduceFlat, sumAbs } from '../src/ops/reduction.js';
import { refDot, refGlobalNorm, refMaxAbs, refSumAbs } from './ref/reduction.js';
import { assertClose, assertRejects } from './util/assert.js';
import { testEngine } from './util/engine.js';
import { Rng } from './util/random.js';

describe('whole-tensor reductions', () => {
  it('dot, globalNorm, sumAbs and maxAbs on small, odd and 1M+ element tensors', async () => {
    const engine = await testEngine();
    const rng = new Rng(13);
    for (const n of [1, 7, 255, 256, 257, 4099, 1_100_003]) {
      const a = rng.array(n), b = rng.array(n);
      const [d, norm, sa, ma] = await engine.scope(async () => {
        const ta = engine.tensor([n], a), tb = engine.tensor([n], b);
        return Promise.all([dot(ta, tb).read(), globalNorm([ta]).read(), sumAbs(ta).read(), maxAbs(ta).read()]);
      });
      // A sum of n products of size ~1/3 has float32 rounding ~ sqrt(n)·1e-7 relative to Σ|terms|.
      const scale = a.reduce((s, v, i) => s + Math.abs(v * b[i]!), 0);
      assertClose(d, [refDot(a, b)], { atol: 1e-6 * scale + 1e-6, rtol: 0 }, `dot n=${n}`);
      assertClose(norm, [refGlobalNorm([a])], { atol: 1e-6, rtol: 1e-5 }, `norm n=${n}`);
      assertClose(sa, [refSumAbs(a)], { atol: 1e-6, rtol: 1e-5 }, `sumAbs n=${n}`);
      assertClose(ma, [refMaxAbs(a)], { atol: 0, rtol: 0 }, `maxAbs n=${n}`);
    }
  });

  it('reduceFlat: sum and squared distance over several parts, scaled, with partials past 256 workgroups', async () => {
    const engine = await testEngine();
    const rng = new Rng(16);
    const parts = [3, 70_000, 1_000_001].map((n) => [rng.array(n), rng.array(n)] as const);
    const [sum, sq] = await engine.scope(async () => {
      const ts = parts.map(([a, b]) => [engine.tensor([a.length], a), engine.tensor([b.length], b)] as const);
      return Promise.all([
        reduceFlat('test', 'sum', ts.map(([a]) => [a] as const), { scale: 0.5 }).read(),
        reduceFlat('test', 'squaredDistance', ts, { scale: 2, sqrt: true }).read(),
      ]);
    });
    let s = 0, abs = 0, d = 0;
    for (const [a, b] of parts) for (let i = 0; i < a.length; i++) { s += a[i]!; abs += Math.abs(a[i]!); d += (a[i]! - b[i]!) ** 2; }
    assertClose(sum, [0.5 * s], { atol: 1e-6 * abs, rtol: 0 }, 'scaled sum');
    assertClose(sq, [2 * Math.sqrt(d)], { rtol: 1e-5 }, 'scaled root of the squared distance');
  });

  it('rejects operands of different sizes and an empty list', async () => {
    const engine = await testEngine();
    await engine.scope(async () => {
      const a = engine.tensor([4], [1, 2, 3, 4]), b = engine.tensor([5], [1, 2, 3, 4, 5]);
      await assertRejects(() => dot(a, b), /dot: operands must have the same number of elements/);
      await assertRejects(() => reduceFlat('test', 'squaredDistance', [[a]]), /test: operands must have the same number of elements/);
      await assertRejects(() => reduceFlat('test', 'sum', []), /needs at least one tensor/);
    });
  });
});
