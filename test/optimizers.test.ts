import type { Engine } from '../src/gpu/engine.js';
import type { Tensor } from '../src/gpu/tensor.js';
import { Adam, createOptimizer, LBFGS, OPTIMIZER_DEFAULTS, SGD } from '../src/nn/optimizers.js';
import { matmul } from '../src/ops/matmul.js';
import { sub } from '../src/ops/elementwise.js';
import { dot } from '../src/ops/reduction.js';
import { refAdamStep, refLbfgsFixedStep, refSgdStep } from './ref/optim.js';
import { refGlobalNorm } from './ref/reduction.js';
import { assert, assertClose, assertEqual } from './util/assert.js';
import { testEngine } from './util/engine.js';
import { Rng } from './util/random.js';

/** A random SPD matrix Qᵀ·diag(λ)·Q with eigenvalues spread log-uniformly over [1, cond]. */
function illConditioned(n: number, cond: number, rng: Rng): Float64Array {
  const q: Float64Array[] = [];
  while (q.length < n) {
    const v = Float64Array.from(rng.array(n));
    for (const u of q) {
      const p = u.reduce((s, ui, i) => s + ui * v[i]!, 0);
      u.forEach((ui, i) => (v[i]! -= p * ui));
    }
    const norm = Math.hypot(...v);
    if (norm > 1e-6) q.push(v.map((x) => x / norm));
  }
  const a = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const lambda = cond ** (k / (n - 1));
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j]! += lambda * q[k]![i]! * q[k]![j]!;
  }
  return a;
}

/**
 * f(x) = ½(x − c)ᵀA(x − c) with e = x − c, gradient A·e by matmul and f = ½ e·(A·e) by a dot, all
 * on the GPU (this form keeps f accurate in float32 near the minimum c, which a line search needs).
 */
function quadratic(engine: Engine, a: Float64Array, c: Float32Array) {
  const n = c.length;
  const A = engine.keep(engine.tensor([n, n], Float32Array.from(a)));
  const C = engine.keep(engine.tensor([n], c));
  const gradient = (x: Tensor) => engine.tidy(() => {
    const e = sub(x, C);
    return { e, grad: matmul(A, e.reshape([n, 1])).reshape([n]) };
  });
  const evaluate = async (x: Tensor) => {
    const { e, grad } = gradient(x);
    const f = dot(e, grad);
    const loss = 0.5 * (await f.read())[0]!;
    f.dispose();
    e.dispose();
    return { loss, grad };
  };
  return { evaluate, gradient, dispose: () => { A.dispose(); C.dispose(); } };
}

function rosenbrock(x: ArrayLike<number>): { loss: number; grad: Float64Array } {
  const g = new Float64Array(x.length);
  let f = 0;
  for (let i = 0; i + 1 < x.length; i++) {
    const u = 1 - x[i]!, v = x[i + 1]! - x[i]! * x[i]!;
    f += u * u + 100 * v * v;
    g[i]! += -2 * u - 400 * x[i]! * v;
    g[i + 1]! += 200 * v;
  }
  return { loss: f, grad: g };
}

const rosenbrockOnGpu = (engine: Engine) => async (x: Tensor) => {
  const r = rosenbrock(await x.read());
  return { loss: r.loss, grad: engine.tensor(x.shape, Float32Array.from(r.grad)) };
};

const relError = (x: ArrayLike<number>, ref: ArrayLike<number>) => Math.hypot(...Array.from(x, (v, i) => v - ref[i]!)) / Math.hypot(...Array.from(ref));

describe('optimisers', () => {
  it('SGD and Adam update lists of parameters like the references, with clipping and lazy state that dispose() frees', async () => {
    const engine = await testEngine();
    const rng = new Rng(31);
    const sizes = [5, 130, 33];
    for (const kind of ['sgd', 'adam'] as const) {
      const xs = sizes.map((n) => Float64Array.from(rng.array(n)));
      const state = sizes.map((n) => [new Float64Array(n), new Float64Array(n)] as const);
      const params = xs.map((x) => engine.keep(engine.tensor([x.length], Float32Array.from(x))));
      const clipNorm = 1.5;
      const opt = kind === 'sgd' ? new SGD({ lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01, clipNorm }) : new Adam({ lr: 0.05, weightDecay: 0.02, clipNorm });
      const before = engine.memory().inUse;
      for (let step = 1; step <= 3; step++) {
        const gs = sizes.map((n) => rng.array(n, -2, 2));
        const coef = Math.min(1, clipNorm / (refGlobalNorm(gs) + 1e-6));
        gs.forEach((g, i) => {
          const gc = g.map((v) => v * coef);
          if (kind === 'sgd') refSgdStep(xs[i]!, gc, state[i]![0], { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01 });
          else refAdamStep(xs[i]!, gc, state[i]![0], state[i]![1], { lr: 0.05, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.02, step });
        });
        await engine.scope(async () => {
          opt.step(params, gs.map((g) => engine.tensor([g.length], g)));
        });
      }
      const created = engine.memory().inUse - before;
      assertEqual(created, kind === 'sgd' ? 3 : 6, `${kind}: state tensors held`);
      for (const [i, p] of params.entries()) assertClose(await p.read(), xs[i]!, { atol: 2e-5, rtol: 1e-4 }, `${kind} parameter ${i}`);
      opt.dispose();
      assertEqual(engine.memory().inUse - before, 0, `${kind}: state released by dispose()`);
      params.forEach((p) => p.dispose());
    }
  });

  it('one table of defaults, PyTorch\'s: the classes and createOptimizer read it (an SGD spec has no momentum)', async () => {
    const engine = await testEngine();
    assertEqual(OPTIMIZER_DEFAULTS.sgd, { momentum: 0, weightDecay: 0, nesterov: false });
    assertEqual(OPTIMIZER_DEFAULTS.adam, { lr: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 });
    assertEqual(OPTIMIZER_DEFAULTS.lbfgs, { lr: 1, historySize: 100, lineSearch: 'strongWolfe', maxIter: 20, toleranceGrad: 1e-7, toleranceChange: 1e-9 });
    const adam = new Adam();
    assertEqual([adam.lr, adam.beta1, adam.beta2, adam.epsilon, adam.weightDecay], [1e-3, 0.9, 0.999, 1e-8, 0]);
    const sgd = new SGD({ lr: 0.1 });
    assertEqual([sgd.momentum, sgd.weightDecay, sgd.nesterov], [0, 0, false]);
    const lbfgs = new LBFGS();
    assertEqual([lbfgs.lr, lbfgs.historySize, lbfgs.maxIter, lbfgs.maxEvals], [1, 100, 20, 25]);
    // The behaviour, not only the fields: a spec's SGD steps are plain SGD, its Adam steps Adam's defaults.
    const rng = new Rng(23);
    const n = rng.int(10, 400);
    for (const spec of [{ kind: 'sgd', lr: 0.2 }, { kind: 'adam', lr: 0.05 }] as const) {
      const x = Float64Array.from(rng.array(n)), m = new Float64Array(n), v = new Float64Array(n);
      const opt = createOptimizer(spec);
      const param = engine.keep(engine.tensor([n], Float32Array.from(x)));
      for (let step = 1; step <= 3; step++) {
        const g = rng.array(n);
        if (spec.kind === 'sgd') refSgdStep(x, g, m, { lr: spec.lr });
        else refAdamStep(x, g, m, v, { lr: spec.lr, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, step });
        await engine.scope(async () => opt.step([param], [engine.tensor([n], g)]));
      }
      assertClose(await param.read(), x, { atol: 1e-5, rtol: 1e-4 }, `${spec.kind} spec`);
      opt.dispose();
      param.dispose();
    }
  });

  it('L-BFGS without line search follows the float64 reference iterates (first step min(1, 1/|g|₁)·lr)', async () => {
    const engine = await testEngine();
    const rng = new Rng(32);
    const n = 12;
    const a = illConditioned(n, 20, rng);
    const c = rng.array(n);
    const x0 = rng.array(n);
    const grad = (x: Float64Array) => Float64Array.from({ length: n }, (_, i) => a.subarray(i * n, i * n + n).reduce((s, v, j) => s + v * (x[j]! - c[j]!), 0));
    const q = quadratic(engine, a, c);
    for (const iterations of [1, 2, 6]) {
      const opt = new LBFGS({ lr: 0.5, historySize: 3, lineSearch: 'none', maxIter: iterations, maxEvals: 100 });
      const x = engine.keep(engine.tensor([n], x0));
      await opt.step(x, q.evaluate);
      const expected = refLbfgsFixedStep(x0, grad, { lr: 0.5, historySize: 3, iterations });
      assertClose(await x.read(), expected, { atol: 1e-4, rtol: 1e-3 }, `L-BFGS fixed step, ${iterations} iterations`);
      x.dispose();
      opt.dispose();
    }
    q.dispose();
  });

  it('ill-conditioned quadratic (κ = 1000, gradient by engine ops): L-BFGS converges in far fewer evaluations than Adam', async () => {
    const engine = await testEngine();
    const rng = new Rng(33);
    const n = 32;
    const a = illConditioned(n, 1000, rng);
    const xStar = rng.array(n);
    const q = quadratic(engine, a, xStar);

    const lbfgs = new LBFGS({ historySize: 10, lineSearch: 'strongWolfe' });
    const x = engine.keep(engine.tensor([n], new Float32Array(n)));
    for (let i = 0; i < 10 && lbfgs.funcEvals < 150; i++) await lbfgs.step(x, q.evaluate);
    const lbfgsError = relError(await x.read(), xStar);
    assert(lbfgsError < 1e-4, `L-BFGS relative error ${lbfgsError} after ${lbfgs.funcEvals} evaluations (want < 1e-4)`);
    const lbfgsEvals = lbfgs.funcEvals;
    lbfgs.dispose();

    const adam = new Adam({ lr: 0.05 });
    const y = engine.keep(engine.tensor([n], new Float32Array(n)));
    const adamErrorAt: number[] = [];
    for (let step = 1; step <= 3000; step++) {
      if (step > 1500) adam.lr = 0.05 * 0.997 ** (step - 1500);
      engine.tidy(() => adam.step([y], [q.gradient(y).grad]));
      if (step === lbfgsEvals || step === 3000) adamErrorAt.push(relError(await y.read(), xStar));
    }
    assert(adamErrorAt[0]! > 20 * lbfgsError, `Adam after ${lbfgsEvals} evaluations: error ${adamErrorAt[0]} (L-BFGS ${lbfgsError}); expected far worse`);
    assert(adamErrorAt[1]! < 1e-3, `Adam relative error ${adamErrorAt[1]} after 3000 steps (want < 1e-3)`);
    adam.dispose();
    x.dispose();
    y.dispose();
    q.dispose();
  });

  it('Rosenbrock from (−1.5, 2): L-BFGS (strong Wolfe) and Adam both reach (1, 1)', async () => {
    const engine = await testEngine();
    const evaluate = rosenbrockOnGpu(engine);
    const lbfgs = new LBFGS({ historySize: 10 });
    const x = engine.keep(engine.tensor([2], [-1.5, 2]));
    let loss = Infinity;
    for (let i = 0; i < 10 && loss > 1e-10; i++) loss = await lbfgs.step(x, evaluate);
    assertClose(await x.read(), [1, 1], { atol: 1e-3, rtol: 0 }, `L-BFGS on Rosenbrock after ${lbfgs.funcEvals} evaluations`);
    assert(lbfgs.funcEvals < 150, `L-BFGS used ${lbfgs.funcEvals} evaluations`);
    lbfgs.dispose();

    const adam = new Adam({ lr: 0.02 });
    const y = engine.keep(engine.tensor([2], [-1.5, 2]));
    let yv: Float32Array = new Float32Array([-1.5, 2]);
    for (let step = 1; step <= 3000; step++) {
      if (step > 2000) adam.lr = 0.02 * 0.995 ** (step - 2000);
      await engine.scope(async () => adam.step([y], [engine.tensor([2], Float32Array.from(rosenbrock(yv).grad))]));
      yv = await y.read();
    }
    assertClose(yv, [1, 1], { atol: 2e-2, rtol: 0 }, 'Adam on Rosenbrock after 3000 steps');
    adam.dispose();
    x.dispose();
    y.dispose();
  });
});
