import type { Engine } from '../src/gpu/engine.js';
import type { Tensor } from '../src/gpu/tensor.js';
import { contentLoss, gram, styleLoss, totalVariation } from '../src/ops/style-loss.js';
import { refContentLoss, refGram, refStyleLoss, refTotalVariation } from './ref/loss.js';
import { assertClose, assertRejects } from './util/assert.js';
import { testEngine } from './util/engine.js';
import { checkGradient, directionalDerivative, dotProduct } from './util/gradcheck.js';
import { Rng } from './util/random.js';

/** GPU loss and gradient of f at x (shape), read back. */
async function lossAndGrad(engine: Engine, shape: number[], x: ArrayLike<number>, f: (t: Tensor) => { loss: Tensor; grad: Tensor }): Promise<{ loss: number; grad: Float32Array }> {
  return engine.scope(async () => {
    const r = f(engine.tensor(shape, x));
    return { loss: (await r.loss.read())[0]!, grad: await r.grad.read() };
  });
}

/** GPU gradient vs central differences of the GPU forward along two random directions. */
async function checkDirectional(engine: Engine, shape: number[], x: Float32Array, f: (t: Tensor) => { loss: Tensor; grad: Tensor }, eps: number, what: string, rng: Rng): Promise<void> {
  const { grad } = await lossAndGrad(engine, shape, x, f);
  for (let k = 0; k < 2; k++) {
    const d = rng.array(x.length);
    const numeric = await directionalDerivative(async (xs) => (await lossAndGrad(engine, shape, xs, f)).loss, x, d, eps);
    const analytic = dotProduct(grad, d);
    assertClose([analytic], [numeric], { atol: 1e-4 * Math.abs(numeric) + 1e-6, rtol: 2e-2 }, `${what}: GPU gradient vs GPU forward differences`);
  }
}

describe('style-transfer costs', () => {
  it('gram matches the reference for several layer shapes', async () => {
    const engine = await testEngine();
    const rng = new Rng(21);
    for (const [h, w, c] of [[1, 1, 1], [3, 5, 7], [9, 11, 16], [4, 3, 40]] as const) {
      const a = rng.array(h * w * c);
      const got = await engine.scope(() => gram(engine.tensor([1, h, w, c], a)).read());
      assertClose(got, refGram(a, h * w, c), { atol: 1e-4, rtol: 1e-4 }, `gram ${h}x${w}x${c}`);
    }
  });

  it('contentLoss: value and gradient match the reference; finite differences', async () => {
    const engine = await testEngine();
    const rng = new Rng(22);
    const shape = [1, 5, 6, 7];
    const aG = rng.array(210), aC = rng.array(210);
    const content = engine.keep(engine.tensor(shape, aC));
    const f = (t: Tensor) => contentLoss(t, content);
    const got = await lossAndGrad(engine, shape, aG, f);
    const ref = refContentLoss(aG, aC);
    assertClose([got.loss], [ref.loss], { rtol: 1e-5 }, 'content loss');
    assertClose(got.grad, ref.grad, { atol: 1e-7, rtol: 1e-4 }, 'content gradient');
    checkGradient((x) => refContentLoss(x, aC).loss, aG, ref.grad, 'content reference');
    await checkDirectional(engine, shape, aG, f, 1e-2, 'content', rng);
    content.dispose();
  });

  it('styleLoss: value and gradient match the reference; finite differences; weight scales both', async () => {
    const engine = await testEngine();
    const rng = new Rng(23);
    for (const [h, w, c, weight] of [[4, 5, 6, 1], [6, 6, 16, 0.5]] as const) {
      const shape = [1, h, w, c];
      const aG = rng.array(h * w * c), aS = rng.array(h * w * c, 0, 2);
      const gramS = refGram(aS, h * w, c);
      const gS = engine.keep(engine.tensor([c, c], Float32Array.from(gramS)));
      const f = (t: Tensor) => styleLoss(t, gS, weight);
      const got = await lossAndGrad(engine, shape, aG, f);
      const ref = refStyleLoss(aG, gramS, h * w, c, weight);
      assertClose([got.loss], [ref.loss], { rtol: 1e-4 }, `style loss ${shape}`);
      assertClose(got.grad, ref.grad, { atol: 1e-6 * Math.max(...ref.grad.map(Math.abs)), rtol: 1e-3 }, `style gradient ${shape}`);
      checkGradient((x) => refStyleLoss(x, gramS, h * w, c, weight).loss, aG, ref.grad, `style reference ${shape}`, { atol: 1e-9, rtol: 1e-5 });
      await checkDirectional(engine, shape, aG, f, 1e-2, `style ${shape}`, rng);
      gS.dispose();
    }
  });

  it('totalVariation: value and gradient match the reference (batches, rank 3); finite differences', async () => {
    const engine = await testEngine();
    const rng = new Rng(24);
    for (const [shape, weight] of [[[1, 6, 7, 3], 1], [[2, 4, 5, 2], 3], [[5, 1, 2], 1]] as const) {
      const x = rng.array(shape.reduce((a: number, b: number) => a * b, 1));
      const f = (t: Tensor) => totalVariation(t, weight);
      const got = await lossAndGrad(engine, [...shape], x, f);
      const ref = refTotalVariation(x, shape, weight);
      assertClose([got.loss], [ref.loss], { rtol: 1e-5 }, `tv loss ${shape}`);
      assertClose(got.grad, ref.grad, { atol: 1e-6, rtol: 1e-4 }, `tv gradient ${shape}`);
      checkGradient((xs) => refTotalVariation(xs, shape, weight).loss, x, ref.grad, `tv reference ${shape}`);
      await checkDirectional(engine, [...shape], x, f, 1e-2, `tv ${shape}`, rng);
    }
  });

  it('rejects mismatched shapes', async () => {
    const engine = await testEngine();
    await engine.scope(async () => {
      const a = engine.tensor([1, 2, 2, 3], new Float32Array(12));
      await assertRejects(() => styleLoss(a, engine.tensor([2, 2], new Float32Array(4))), /styleLoss: the style Gram matrix must be \[3, 3\]/);
      await assertRejects(() => contentLoss(a, engine.tensor([5], new Float32Array(5))), /contentLoss: activations differ/);
      await assertRejects(() => gram(engine.tensor([2, 2, 2, 3], new Float32Array(24))), /gram: activations must be/);
    });
  });
});
