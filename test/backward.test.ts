import {
  activationGrad, avgPoolGrad, batchNormGrad, batchNormTrain, globalAvgPoolGrad, l2NormalizeGrad, maxPoolGrad,
} from '../src/ops/backward.js';
import { unary } from '../src/ops/elementwise.js';
import { l2Normalize } from '../src/ops/normalize.js';
import { avgPool, maxPool } from '../src/ops/pool.js';
import {
  refActivation64, refActivationDerivative, refAvgPool64, refAvgPoolGrad, refBatchNormGrad, refBatchNormTrain,
  refL2Normalize64, refL2NormalizeGrad, refMaxPool64, refMaxPoolGrad, type GradActivation, type RefPoolParams,
} from './ref/backward.js';
import { assertClose, assertEqual, assertRejects } from './util/assert.js';
import { testEngine } from './util/engine.js';
import { checkGradient, directionalDerivative, dotProduct } from './util/gradcheck.js';
import { Rng } from './util/random.js';

const prod = (v: readonly number[]) => v.reduce((a, b) => a * b, 1);
const TOL = { atol: 1e-5, rtol: 1e-4 };
const ACTIVATIONS: GradActivation[] = ['relu', 'relu6', 'leakyRelu', 'sigmoid', 'tanh', 'hardSwish'];

function randomPool(rng: Rng, rank: number, kind: 'max' | 'avg'): RefPoolParams & { ceilMode: boolean } {
  const kernel = Array.from({ length: rank }, () => rng.int(1, 3));
  const dilations = kind === 'max' ? Array.from({ length: rank }, () => rng.pick([1, 1, 2])) : kernel.map(() => 1);
  const strides = Array.from({ length: rank }, () => rng.int(1, 3));
  const padBegin = kernel.map((k) => rng.int(0, k - 1));
  const padEnd = kernel.map((k) => rng.int(0, k - 1));
  const spatial = kernel.map((k, d) => (k - 1) * dilations[d]! + rng.int(1, rank === 3 ? 4 : 8));
  const ceilMode = rng.next() < 0.3;
  const outSpatial = spatial.map((s, d) => {
    const span = s + padBegin[d]! + padEnd[d]! - ((kernel[d]! - 1) * dilations[d]! + 1);
    let o = (ceilMode ? Math.ceil(span / strides[d]!) : Math.floor(span / strides[d]!)) + 1;
    if (ceilMode && (o - 1) * strides[d]! >= s + padBegin[d]!) o--;
    return o;
  });
  return { inShape: [rng.int(1, 2), ...spatial, rng.int(1, 4)], kernel, strides, dilations, padBegin, padEnd, outSpatial, countIncludePad: rng.next() < 0.5, ceilMode };
}

const poolOptions = (p: RefPoolParams & { ceilMode: boolean }) => ({
  kernel: p.kernel, strides: p.strides, dilations: p.dilations, padding: [...p.padBegin, ...p.padEnd], ceilMode: p.ceilMode, countIncludePad: p.countIncludePad,
});

describe('backward kernels', () => {
  it('activationGrad for every activation against f\'(x)·dy, and the references against finite differences', async () => {
    const engine = await testEngine();
    const rng = new Rng(600);
    // Away from the kinks (0, 6, ±3) where f is not differentiable.
    const x = Float32Array.from(rng.array(400, -8, 8), (v) => (Math.abs(v) < 0.05 || Math.abs(Math.abs(v) - 3) < 0.05 || Math.abs(v - 6) < 0.05 ? v + 0.2 : v));
    const dy = rng.array(400);
    for (const a of ACTIVATIONS) {
      const got = await engine.scope(() => activationGrad(a, engine.tensor([20, 20], x), engine.tensor([20, 20], dy), 0.2).read());
      const expected = Float64Array.from(x, (v, i) => dy[i]! * refActivationDerivative(a, v, 0.2));
      assertClose(got, expected, TOL, `activationGrad ${a}`);
      // 21 values: the four-per-thread kernel's last vec4 is partly past the end.
      const got21 = await engine.scope(() => activationGrad(a, engine.tensor([7, 3], x.subarray(0, 21)), engine.tensor([7, 3], dy.subarray(0, 21)), 0.2).read());
      assertClose(got21, expected.subarray(0, 21), TOL, `activationGrad ${a}, 21 values`);
      checkGradient((xv) => dotProduct(Float64Array.from(xv, (v) => refActivation64(a, v, 0.2)), dy), x, expected, `${a} reference`, { atol: 1e-6, rtol: 1e-4 });
    }
  });

  for (const rank of [1, 2, 3]) {
    it(`${rank}-D maxPoolGrad and avgPoolGrad: random windows, strides, pads, dilations, ceil mode, count_include_pad`, async () => {
      const engine = await testEngine();
      const rng = new Rng(610 + rank);
      for (let i = 0; i < 8; i++) {
        const kind = i % 2 ? 'max' : 'avg';
        const p = randomPool(rng, rank, kind);
        // Distinct values except for planted ties: the first maximum in window order wins.
        const x = rng.array(prod(p.inShape));
        for (let j = 0; j + 3 < x.length; j += 5) x[j + 3] = x[j]!;
        const dyShape = [p.inShape[0]!, ...p.outSpatial, p.inShape[rank + 1]!];
        const dy = rng.array(prod(dyShape));
        const got = await engine.scope(async () => {
          const tdy = engine.tensor(dyShape, dy);
          const dx = kind === 'max' ? maxPoolGrad(engine.tensor(p.inShape, x), tdy, poolOptions(p)) : avgPoolGrad(tdy, p.inShape, poolOptions(p));
          assertEqual([...dx.shape], p.inShape, 'dx shape');
          return dx.read();
        });
        const expected = kind === 'max' ? refMaxPoolGrad(x, dy, p) : refAvgPoolGrad(dy, p);
        assertClose(got, expected, TOL, `${kind}PoolGrad ${JSON.stringify(p)}`);
      }
    });
  }

  it('pool gradient references against finite differences; GPU pool gradients against the GPU forward', async () => {
    const engine = await testEngine();
    const rng = new Rng(620);
    for (const kind of ['max', 'avg'] as const) {
      const p = { ...randomPool(rng, 2, kind), inShape: [1, 7, 6, 3] };
      p.outSpatial = p.inShape.slice(1, 3).map((s, d) => {
        const span = s + p.padBegin[d]! + p.padEnd[d]! - ((p.kernel[d]! - 1) * p.dilations[d]! + 1);
        let o = (p.ceilMode ? Math.ceil(span / p.strides[d]!) : Math.floor(span / p.strides[d]!)) + 1;
        if (p.ceilMode && (o - 1) * p.strides[d]! >= s + p.padBegin[d]!) o--;
        return o;
      });
      const x = rng.array(prod(p.inShape));
      const dyShape = [1, ...p.outSpatial, 3];
      const r = rng.array(prod(dyShape));
      const forward64 = (xv: ArrayLike<number>) => dotProduct(kind === 'max' ? refMaxPool64(xv, p) : refAvgPool64(xv, p), r);
      const refGrad = kind === 'max' ? refMaxPoolGrad(x, r, p) : refAvgPoolGrad(r, p);
      checkGradient(forward64, x, refGrad, `${kind} pool reference`);
      const gpu = await engine.scope(async () => {
        const tr = engine.tensor(dyShape, r);
        return (kind === 'max' ? maxPoolGrad(engine.tensor(p.inShape, x), tr, poolOptions(p)) : avgPoolGrad(tr, p.inShape, poolOptions(p))).read();
      });
      const forward = (xv: Float32Array) => engine.scope(async () => {
        const t = engine.tensor(p.inShape, xv);
        return dotProduct(await (kind === 'max' ? maxPool(t, poolOptions(p)) : avgPool(t, poolOptions(p))).read(), r);
      });
      const dir = rng.array(x.length);
      const numeric = await directionalDerivative(forward, x, dir, 1e-3);
      assertClose([dotProduct(gpu, dir)], [numeric], { atol: 5e-3, rtol: 5e-3 }, `${kind} pool directional derivative`);
    }
  });

  it('globalAvgPoolGrad spreads dy evenly (1-D, 2-D, 3-D)', async () => {
    const engine = await testEngine();
    const rng = new Rng(630);
    for (const spatial of [[5], [3, 4], [2, 3, 2]]) {
      const inShape = [2, ...spatial, 5];
      const count = prod(spatial);
      const dy = rng.array(10);
      const got = await engine.scope(() => globalAvgPoolGrad(engine.tensor([2, ...spatial.map(() => 1), 5], dy), inShape).read());
      const expected = Float64Array.from({ length: prod(inShape) }, (_, i) => dy[Math.floor(i / (count * 5)) * 5 + (i % 5)]! / count);
      assertClose(got, expected, TOL, `globalAvgPoolGrad [${inShape}]`);
    }
  });

  it('l2NormalizeGrad along the last and a middle axis, with the epsilon floor, and finite differences', async () => {
    const engine = await testEngine();
    const rng = new Rng(640);
    for (const D of [3, 16, 130]) {
      const x = rng.array(5 * D);
      x.fill(1e-7, 0, D); // a line below the floor
      const dy = rng.array(5 * D);
      const eps = 1e-10;
      const got = await engine.scope(() => l2NormalizeGrad(engine.tensor([5, D], x), engine.tensor([5, D], dy), -1, eps).read());
      const expected = refL2NormalizeGrad(x, dy, D, eps);
      assertClose(got, expected, { atol: 1e-4, rtol: 1e-4 }, `l2NormalizeGrad D=${D}`);
      const rows = [...Array(D * 4).keys()].map((i) => i + D);
      checkGradient((xv) => dotProduct(refL2Normalize64(xv, D, eps), dy), x, expected, `l2 reference D=${D}`, { indices: rows, eps: 1e-6 });
    }
    // Middle axis: [2, 7, 3] along axis 1 equals the last-axis grad of the transposed data.
    const x = rng.array(42);
    const dy = rng.array(42);
    const t = (v: Float32Array) => Float32Array.from({ length: 42 }, (_, i) => v[Math.floor(i / 21) * 21 + (i % 7) * 3 + Math.floor((i % 21) / 7)]!);
    const got = await engine.scope(() => l2NormalizeGrad(engine.tensor([2, 7, 3], x), engine.tensor([2, 7, 3], dy), 1).read());
    assertClose(t(got), refL2NormalizeGrad(t(x), t(dy), 7, 1e-12), { atol: 1e-5, rtol: 1e-4 }, 'l2NormalizeGrad axis 1');
    // Against the GPU forward.
    const r = rng.array(40);
    const x2 = rng.array(40);
    const g = await engine.scope(() => l2NormalizeGrad(engine.tensor([4, 10], x2), engine.tensor([4, 10], r)).read());
    const dir = rng.array(40);
    const numeric = await directionalDerivative((xv) => engine.scope(async () => dotProduct(await l2Normalize(engine.tensor([4, 10], xv)).read(), r)), x2, dir, 1e-3);
    assertClose([dotProduct(g, dir)], [numeric], { atol: 5e-3, rtol: 5e-3 }, 'l2 directional derivative');
  });

  it('batchNormTrain and batchNormGrad against references, finite differences and the GPU forward', async () => {
    const engine = await testEngine();
    const rng = new Rng(650);
    for (const shape of [[6, 4], [2, 5, 3, 8], [1, 40, 30, 3]]) {
      const C = shape[shape.length - 1]!;
      const x = rng.array(prod(shape), -2, 3);
      const gamma = rng.array(C, 0.5, 1.5);
      const beta = rng.array(C);
      const dy = rng.array(prod(shape));
      const eps = 1e-3;
      const ref = refBatchNormTrain(x, gamma, beta, C, eps);
      const refGrad = refBatchNormGrad(x, dy, gamma, C, eps);
      const got = await engine.scope(async () => {
        const tx = engine.tensor(shape, x);
        const tg = engine.tensor([C], gamma);
        const f = batchNormTrain(tx, tg, engine.tensor([C], beta), eps);
        const b = batchNormGrad(tx, engine.tensor(shape, dy), tg, f.mean, f.invStd);
        return Promise.all([f.y, f.mean, f.invStd, b.dx, b.dGamma, b.dBeta].map((t) => t.read()));
      });
      const [y, mu, inv, dx, dGamma, dBeta] = got as Float32Array[];
      assertClose(y!, ref.y, { atol: 2e-5, rtol: 1e-4 }, `bn y [${shape}]`);
      assertClose(mu!, ref.mean, { atol: 2e-5, rtol: 1e-4 }, `bn mean [${shape}]`);
      assertClose(inv!, ref.invStd, { atol: 2e-5, rtol: 1e-4 }, `bn invStd [${shape}]`);
      assertClose(dx!, refGrad.dx, { atol: 1e-4, rtol: 1e-3 }, `bn dx [${shape}]`);
      assertClose(dGamma!, refGrad.dGamma, { atol: 1e-3, rtol: 1e-4 }, `bn dGamma [${shape}]`);
      assertClose(dBeta!, refGrad.dBeta, { atol: 1e-3, rtol: 1e-4 }, `bn dBeta [${shape}]`);
      if (shape.length === 2) {
        const loss = (xv: ArrayLike<number>, gv: ArrayLike<number>, bv: ArrayLike<number>) => dotProduct(refBatchNormTrain(xv, gv, bv, C, eps).y, dy);
        checkGradient((xv) => loss(xv, gamma, beta), x, refGrad.dx, 'bn dx reference', { rtol: 1e-4, atol: 1e-6 });
        checkGradient((gv) => loss(x, gv, beta), gamma, refGrad.dGamma, 'bn dGamma reference');
        checkGradient((bv) => loss(x, gamma, bv), beta, refGrad.dBeta, 'bn dBeta reference');
        const dir = rng.array(x.length);
        const forward = (xv: Float32Array) => engine.scope(async () =>
          dotProduct(await batchNormTrain(engine.tensor(shape, xv), engine.tensor([C], gamma), engine.tensor([C], beta), eps).y.read(), dy));
        const numeric = await directionalDerivative(forward, x, dir, 1e-2);
        assertClose([dotProduct(dx!, dir)], [numeric], { atol: 5e-3, rtol: 5e-3 }, 'bn directional derivative');
      }
    }
  });

  it('activationGrad matches directional derivatives of the GPU activations', async () => {
    const engine = await testEngine();
    const rng = new Rng(660);
    const x = rng.array(64, -5, 5);
    const r = rng.array(64);
    for (const a of ACTIVATIONS) {
      const g = await engine.scope(() => activationGrad(a, engine.tensor([64], x), engine.tensor([64], r), 0.01).read());
      const dir = rng.array(64);
      const numeric = await directionalDerivative((xv) => engine.scope(async () => dotProduct(await unary(engine.tensor([64], xv), a, { slope: 0.01 }).read(), r)), x, dir, 1e-3);
      assertClose([dotProduct(g, dir)], [numeric], { atol: 2e-2, rtol: 1e-2 }, `${a} directional derivative`);
    }
  });

  it('rejects mismatched shapes with a clear error', async () => {
    const engine = await testEngine();
    await engine.scope(async () => {
      const x = engine.tensor([1, 4, 4, 2], new Float32Array(32));
      await assertRejects(() => maxPoolGrad(x, engine.tensor([1, 3, 3, 2], new Float32Array(18)), { kernel: 2 }), /ShapeError: maxPoolGrad: dy must be \[1,2,2,2\]/);
      await assertRejects(() => activationGrad('relu', x, engine.tensor([3], [1, 2, 3])), /same size/);
      await assertRejects(() => batchNormGrad(x, x, engine.tensor([3], [1, 2, 3]), x, x), /per-channel tensors need 2 values/);
    });
  });
});
