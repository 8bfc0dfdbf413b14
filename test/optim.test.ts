import { adamStep, axpy, clampInPlace, clipByGlobalNorm, dot, globalNorm, maxAbs, sgdStep, sumAbs } from '../src/ops/optim.js';
import { refAdamStep, refDot, refGlobalNorm, refSgdStep } from './ref/optim.js';
import { assertClose, assertRejects } from './util/assert.js';
import { testEngine } from './util/engine.js';
import { Rng } from './util/random.js';

const TOL = { atol: 1e-5, rtol: 1e-4 };

describe('optimiser kernels', () => {
  it('sgdStep: momentum, weight decay and nesterov over several steps match the reference', async () => {
    const engine = await testEngine();
    const rng = new Rng(11);
    const cases = [
      { lr: 0.1 }, { lr: 0.05, momentum: 0.9 }, { lr: 0.02, momentum: 0.8, weightDecay: 0.01 },
      { lr: 0.03, momentum: 0.9, nesterov: true, weightDecay: 0.001 },
    ];
    for (const [ci, o] of cases.entries()) {
      const n = rng.int(1, 300);
      const x = Float64Array.from(rng.array(n)), vel = new Float64Array(n);
      const got = await engine.scope(async () => {
        const px = engine.tensor([n], Float32Array.from(x)), pv = engine.tensor([n], new Float32Array(n));
        for (let s = 0; s < 4; s++) {
          const g = rng.array(n);
          refSgdStep(x, g, vel, o);
          sgdStep(px, engine.tensor([n], g), pv, o);
        }
        return px.read();
      });
      assertClose(got, x, TOL, `sgd case ${ci}`);
    }
  });

  it('adamStep: bias correction and decoupled weight decay over several steps match the reference', async () => {
    const engine = await testEngine();
    const rng = new Rng(12);
    for (const o of [{ lr: 0.01 }, { lr: 0.1, beta1: 0.8, beta2: 0.99, epsilon: 1e-6, weightDecay: 0.1 }]) {
      const n = rng.int(50, 500);
      const x = Float64Array.from(rng.array(n)), m = new Float64Array(n), v = new Float64Array(n);
      const got = await engine.scope(async () => {
        const px = engine.tensor([n], Float32Array.from(x));
        const pm = engine.tensor([n], new Float32Array(n)), pv = engine.tensor([n], new Float32Array(n));
        for (let step = 1; step <= 5; step++) {
          const g = rng.array(n, -2, 2);
          refAdamStep(x, g, m, v, { ...o, step });
          adamStep(px, engine.tensor([n], g), pm, pv, { ...o, step });
        }
        return px.read();
      });
      assertClose(got, x, TOL, `adam ${JSON.stringify(o)}`);
    }
  });

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
      assertClose(sa, [a.reduce((s, v) => s + Math.abs(v), 0)], { atol: 1e-6, rtol: 1e-5 }, `sumAbs n=${n}`);
      assertClose(ma, [a.reduce((s, v) => Math.max(s, Math.abs(v)), 0)], { atol: 0, rtol: 0 }, `maxAbs n=${n}`);
    }
  });

  it('globalNorm over several tensors; clipByGlobalNorm scales only when above the bound', async () => {
    const engine = await testEngine();
    const rng = new Rng(14);
    const parts = [rng.array(10), rng.array(1000, -3, 3), rng.array(70_000)];
    const norm = refGlobalNorm(parts);
    for (const maxNorm of [norm / 4, norm * 2]) {
      const [before, ...clipped] = await engine.scope(async () => {
        const ts = parts.map((p) => engine.tensor([p.length], p));
        const n = clipByGlobalNorm(ts, maxNorm);
        return Promise.all([n.read(), ...ts.map((t) => t.read())]);
      });
      assertClose(before!, [norm], { rtol: 1e-5 }, 'norm before clipping');
      const coef = Math.min(1, maxNorm / (norm + 1e-6));
      parts.forEach((p, i) => assertClose(clipped[i]!, p.map((v) => v * coef), TOL, `clipped part ${i} (max ${maxNorm})`));
      assertClose([refGlobalNorm(clipped)], [Math.min(norm, maxNorm)], { rtol: 1e-4 }, 'norm after clipping');
    }
  });

  it('axpy with a number and with a [1] tensor alpha; clampInPlace', async () => {
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
    assertClose(r1, y.map((v, i) => v - 0.75 * x[i]!), TOL, 'axpy number');
    assertClose(r2, y.map((v, i) => v - 1.25 * x[i]!), TOL, 'axpy tensor alpha with factor');
    assertClose(r3[1], r3[0].map((v) => Math.min(2, Math.max(-1, v))), { atol: 0, rtol: 0 }, 'clamp');
  });

  it('rejects operands of different sizes', async () => {
    const engine = await testEngine();
    await engine.scope(async () => {
      const a = engine.tensor([4], [1, 2, 3, 4]), b = engine.tensor([5], [1, 2, 3, 4, 5]);
      await assertRejects(() => dot(a, b), /dot: operands must have the same number of elements/);
      await assertRejects(() => sgdStep(a, b, a, { lr: 1 }), /sgdStep/);
      await assertRejects(() => axpy(engine.tensor([2], [1, 2]), a, a), /one value/);
    });
  });
});
