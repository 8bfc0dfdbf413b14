import { adamStep, clipByGlobalNorm, sgdStep } from '../src/ops/optim.js';
import { refAdamStep, refSgdStep } from './ref/optim.js';
import { refGlobalNorm } from './ref/reduction.js';
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
    for (const o of [{ lr: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }, { lr: 0.1, beta1: 0.8, beta2: 0.99, epsilon: 1e-6, weightDecay: 0.1 }]) {
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

  it('rejects operands of different sizes and a step below 1', async () => {
    const engine = await testEngine();
    await engine.scope(async () => {
      const a = engine.tensor([4], [1, 2, 3, 4]), b = engine.tensor([5], [1, 2, 3, 4, 5]);
      await assertRejects(() => sgdStep(a, b, a, { lr: 1 }), /sgdStep/);
      const adam = { lr: 1, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
      await assertRejects(() => adamStep(a, a, a, b, { ...adam, step: 1 }), /adamStep/);
      await assertRejects(() => adamStep(a, a, a, a, { ...adam, step: 0 }), /step must be an integer >= 1/);
    });
  });
});
