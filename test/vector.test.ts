import { axpy, clampInPlace, clone, copyInto, fillInPlace, scaleInPlace } from '../src/ops/vector.js';
import { refAxpy, refClamp, refScale } from './ref/vector.js';
import { assertClose, assertRejects } from './util/assert.js';
import { testEngine } from './util/engine.js';
import { Rng } from './util/random.js';

const TOL = { atol: 1e-5, rtol: 1e-4 };

describe('vector kernels', () => {
  it('axpy with a number and with a [1] tensor coefficient; clampInPlace', async () => {
    const engine = await testEngine();
    const rng = new Rng(15);
    const n = 3001;
    const x = rng.array(n), y = rng.array(n);
    const [r1, r2, r3] = await engine.scope(async () => {
      const tx = engine.tensor([n], x);
      const t1 = engine.tensor([n], y), t2 = engine.tensor([n], y), t3 = engine.tensor([n], rng.array(n, -5, 5));
      axpy(-0.75, tx, t1);
      axpy(engine.tensor([1], [2.5]), tx, t2, -0.5);
      const t3Before = await t3.read();
      clampInPlace(t3, -1, 2);
      return [await t1.read(), await t2.read(), [t3Before, await t3.read()] as const];
    });
    assertClose(r1, refAxpy(-0.75, x, y), TOL, 'axpy number');
    assertClose(r2, refAxpy(2.5, x, y, -0.5), TOL, 'axpy tensor coefficient with scale');
    assertClose(r3[1], refClamp(r3[0], -1, 2), { atol: 0, rtol: 0 }, 'clamp');
  });

  it('fillInPlace, scaleInPlace, copyInto and clone on random sizes, past one workgroup row', async () => {
    const engine = await testEngine();
    const rng = new Rng(17);
    for (const n of [1, 63, 64, 65, rng.int(100, 5000), 4_200_001]) {
      const x = rng.array(n), value = rng.uniform(-3, 3), factor = rng.uniform(-2, 2);
      const [filled, scaled, copied, cloned] = await engine.scope(async () => {
        const f = engine.tensor([n], x), s = engine.tensor([n], x), c = engine.tensor([n], new Float32Array(n));
        const src = engine.tensor([n], x);
        fillInPlace(f, value);
        scaleInPlace(s, factor);
        copyInto(src, c);
        const k = clone(src);
        fillInPlace(src, 0); // the copies do not share the source's buffer
        return Promise.all([f.read(), s.read(), c.read(), k.read()]);
      });
      assertClose(filled, new Array(n).fill(Math.fround(value)), { atol: 0, rtol: 0 }, `fill n=${n}`);
      assertClose(scaled, refScale(x, factor), TOL, `scale n=${n}`);
      assertClose(copied, x, { atol: 0, rtol: 0 }, `copy n=${n}`);
      assertClose(cloned, x, { atol: 0, rtol: 0 }, `clone n=${n}`);
    }
  });

  it('rejects operands of different sizes and a coefficient tensor of more than one value', async () => {
    const engine = await testEngine();
    await engine.scope(async () => {
      const a = engine.tensor([4], [1, 2, 3, 4]), b = engine.tensor([5], [1, 2, 3, 4, 5]);
      await assertRejects(() => axpy(1, a, b), /axpy: tensors must have the same number of elements/);
      await assertRejects(() => copyInto(a, b), /copyInto/);
      await assertRejects(() => axpy(engine.tensor([2], [1, 2]), a, a), /one value/);
    });
  });
});
