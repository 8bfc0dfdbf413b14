import type { Engine } from '../src/gpu/engine.js';
import { batchTripletLoss, contrastiveLoss, pairLogisticLoss, softmaxCrossEntropy, tripletLoss, type EmbeddingDistance } from '../src/ops/loss.js';
import { refBatchTripletLoss, refContrastiveLoss, refPairLogisticLoss, refSoftmaxCrossEntropy, refTripletLoss } from './ref/loss.js';
import { assertClose, assertRejects } from './util/assert.js';
import { testEngine } from './util/engine.js';
import { checkGradient, directionalDerivative, dotProduct } from './util/gradcheck.js';
import { Rng } from './util/random.js';

const TOL = { atol: 2e-5, rtol: 2e-4 };
const DISTANCES: EmbeddingDistance[] = ['squaredEuclidean', 'euclidean'];

/** Central difference of the GPU loss along a random direction vs the GPU gradient. */
async function checkGpuDirectional(x: Float32Array, grad: ArrayLike<number>, loss: (x: Float32Array) => Promise<number>, rng: Rng, what: string, eps = 1e-3): Promise<void> {
  const d = rng.array(x.length);
  const numeric = await directionalDerivative(loss, x, d, eps);
  assertClose([dotProduct(grad, d)], [numeric], { atol: 2e-3 * (1 + Math.abs(numeric)), rtol: 1e-2 }, `${what}: GPU gradient vs GPU forward differences`);
}

const read1 = async (t: { read(): Promise<Float32Array> }) => (await t.read())[0]!;

function classLabels(persons: number, perPerson: number): Float32Array {
  return Float32Array.from({ length: persons * perPerson }, (_, i) => Math.floor(i / perPerson));
}

describe('embedding losses', () => {
  it('tripletLoss matches the reference (both distances), gradients by finite differences', async () => {
    const engine = await testEngine();
    const rng = new Rng(41);
    for (const distance of DISTANCES) {
      const B = 9, D = 5, margin = distance === 'euclidean' ? 0.5 : 0.8;
      const a = rng.array(B * D), p = rng.array(B * D), n = rng.array(B * D);
      const run = (ax: Float32Array) => engine.scope(async () => {
        const r = tripletLoss(engine.tensor([B, D], ax), engine.tensor([B, D], p), engine.tensor([B, D], n), { margin, distance });
        return { loss: await read1(r.loss), gA: await r.gradA.read(), gP: await r.gradP.read(), gN: await r.gradN.read() };
      });
      const got = await run(a);
      const ref = refTripletLoss(a, p, n, B, D, margin, distance);
      assertClose([got.loss], [ref.loss], TOL, `${distance} loss`);
      assertClose(got.gA, ref.gradA, TOL, `${distance} gradA`);
      assertClose(got.gP, ref.gradP, TOL, `${distance} gradP`);
      assertClose(got.gN, ref.gradN, TOL, `${distance} gradN`);
      checkGradient((x) => refTripletLoss(x, p, n, B, D, margin, distance).loss, a, ref.gradA, `${distance} reference gradA`);
      checkGradient((x) => refTripletLoss(a, x, n, B, D, margin, distance).loss, p, ref.gradP, `${distance} reference gradP`);
      checkGradient((x) => refTripletLoss(a, p, x, B, D, margin, distance).loss, n, ref.gradN, `${distance} reference gradN`);
      await checkGpuDirectional(a, got.gA, async (x) => (await run(x)).loss, rng, `${distance} triplet`);
    }
  });

  it('batchTripletLoss: all / hard / semihard mining match the reference, gradients by finite differences', async () => {
    const engine = await testEngine();
    const rng = new Rng(42);
    const B = 12, D = 6;
    const labels = classLabels(4, 3);
    for (const distance of DISTANCES)
      for (const mining of ['all', 'hard', 'semihard'] as const) {
        const margin = distance === 'euclidean' ? 0.6 : 1;
        const e = rng.array(B * D);
        const run = (x: Float32Array) => engine.scope(async () => {
          const r = batchTripletLoss(engine.tensor([B, D], x), engine.tensor([B], labels), { margin, mining, distance });
          return { loss: await read1(r.loss), active: await read1(r.activeFraction), grad: await r.grad.read() };
        });
        const got = await run(e);
        const ref = refBatchTripletLoss(e, labels, B, D, margin, mining, distance);
        const what = `${mining} ${distance}`;
        assertClose([got.loss], [ref.loss], TOL, `${what} loss`);
        assertClose([got.active], [ref.activeFraction], { atol: 1e-6 }, `${what} active fraction`);
        assertClose(got.grad, ref.grad, TOL, `${what} gradient`);
        checkGradient((x) => refBatchTripletLoss(x, labels, B, D, margin, mining, distance).loss, e, ref.grad, `${what} reference gradient`, { atol: 1e-6, rtol: 1e-4 });
        await checkGpuDirectional(e, got.grad, async (x) => (await run(x)).loss, rng, what, 1e-4);
      }
  });

  it('mining picks the hardest positive and negative known by construction', async () => {
    const engine = await testEngine();
    // Points on a line: class 0 at 0, 1, 3; class 1 at 3.5, 6. Squared distances, margin 5.
    // hard, per anchor (farthest positive, closest negative): 9−12.25, 4−6.25, 9−0.25, 6.25−0.25, 6.25−9 (+5 each).
    // semihard, per (anchor, positive): negatives in (d_ap, d_ap + 5), else the closest negative:
    // (0,1): none → 12.25 → 0; (0,3): 12.25 → 1.75; (1,0): none → 6.25 → 0; (1,3): 6.25 → 2.75;
    // (3,0): none → 0.25 → 13.75; (3,1): none → 0.25 → 8.75; (3.5,6): none → 0.25 → 11; (6,3.5): 9 → 2.25.
    const e = [0, 1, 3, 3.5, 6], labels = [0, 0, 0, 1, 1];
    const run = (mining: 'hard' | 'semihard') => engine.scope(async () => {
      const r = batchTripletLoss(engine.tensor([5, 1], e), engine.tensor([5], labels), { margin: 5, mining });
      return [await read1(r.loss), await read1(r.activeFraction), ...(await r.grad.read())];
    });
    const hard = await run('hard');
    assertClose(hard.slice(0, 2), [(1.75 + 2.75 + 13.75 + 11 + 2.25) / 5, 1], { atol: 1e-5 }, 'hard loss and active fraction');
    // d/de of Σ (d_ip − d_in)/5 with d = (x_i − x_j)²: anchor terms 2(x_i − x_p) − 2(x_i − x_n), partner terms opposite.
    const g = [0, 0, 0, 0, 0];
    for (const [i, pp, n] of [[0, 2, 3], [1, 2, 3], [2, 0, 3], [3, 4, 2], [4, 3, 2]] as const) {
      g[i]! += (2 * (e[i]! - e[pp]!) - 2 * (e[i]! - e[n]!)) / 5;
      g[pp]! -= 2 * (e[i]! - e[pp]!) / 5;
      g[n]! += 2 * (e[i]! - e[n]!) / 5;
    }
    assertClose(hard.slice(2), g, { atol: 1e-5 }, 'hard gradient');
    const semi = await run('semihard');
    assertClose(semi.slice(0, 2), [(1.75 + 2.75 + 13.75 + 8.75 + 11 + 2.25) / 8, 6 / 8], { atol: 1e-5 }, 'semihard loss and active fraction');
  });

  it('contrastiveLoss matches the reference (both distances), gradients by finite differences', async () => {
    const engine = await testEngine();
    const rng = new Rng(43);
    for (const distance of DISTANCES) {
      const B = 10, D = 4, margin = distance === 'euclidean' ? 1.2 : 1.5;
      const e1 = rng.array(B * D), e2 = rng.array(B * D);
      const same = Float32Array.from({ length: B }, (_, i) => i % 2);
      const run = (x: Float32Array) => engine.scope(async () => {
        const r = contrastiveLoss(engine.tensor([B, D], x), engine.tensor([B, D], e2), engine.tensor([B], same), { margin, distance });
        return { loss: await read1(r.loss), g1: await r.grad1.read(), g2: await r.grad2.read() };
      });
      const got = await run(e1);
      const ref = refContrastiveLoss(e1, e2, same, B, D, margin, distance);
      assertClose([got.loss], [ref.loss], TOL, `${distance} loss`);
      assertClose(got.g1, ref.grad1, TOL, `${distance} grad1`);
      assertClose(got.g2, ref.grad2, TOL, `${distance} grad2`);
      checkGradient((x) => refContrastiveLoss(x, e2, same, B, D, margin, distance).loss, e1, ref.grad1, `${distance} reference grad1`);
      checkGradient((x) => refContrastiveLoss(e1, x, same, B, D, margin, distance).loss, e2, ref.grad2, `${distance} reference grad2`);
      await checkGpuDirectional(e1, got.g1, async (x) => (await run(x)).loss, rng, `${distance} contrastive`);
    }
  });

  it('pairLogisticLoss (|Δ| and chi-square) matches the reference, gradients for w, b, e1, e2 by finite differences', async () => {
    const engine = await testEngine();
    const rng = new Rng(44);
    for (const form of ['absDiff', 'chiSquare'] as const) {
      const B = 8, D = 5;
      // Chi-square needs e1 + e2 away from 0: descriptors after ReLU are non-negative.
      const lo = form === 'chiSquare' ? 0.2 : -1;
      const e1 = rng.array(B * D, lo, 1), e2 = rng.array(B * D, lo, 1), w = rng.array(D, -2, 2), b = 0.3;
      const labels = Float32Array.from({ length: B }, (_, i) => (i * 7) % 3 === 0 ? 1 : 0);
      const run = (x1: Float32Array, wx: Float32Array = w) => engine.scope(async () => {
        const r = pairLogisticLoss(engine.tensor([B, D], x1), engine.tensor([B, D], e2), engine.tensor([B], labels), engine.tensor([D], wx), engine.tensor([1], [b]), { form });
        return { loss: await read1(r.loss), prob: await r.prob.read(), gW: await r.gradW.read(), gB: await read1(r.gradB), g1: await r.grad1.read(), g2: await r.grad2.read() };
      });
      const got = await run(e1);
      const ref = refPairLogisticLoss(e1, e2, labels, w, b, B, D, form);
      assertClose([got.loss], [ref.loss], TOL, `${form} loss`);
      assertClose(got.prob, ref.prob, TOL, `${form} prob`);
      assertClose(got.gW, ref.gradW, TOL, `${form} gradW`);
      assertClose([got.gB], [ref.gradB], TOL, `${form} gradB`);
      assertClose(got.g1, ref.grad1, TOL, `${form} grad1`);
      assertClose(got.g2, ref.grad2, TOL, `${form} grad2`);
      checkGradient((x) => refPairLogisticLoss(x, e2, labels, w, b, B, D, form).loss, e1, ref.grad1, `${form} reference grad1`);
      checkGradient((x) => refPairLogisticLoss(e1, x, labels, w, b, B, D, form).loss, e2, ref.grad2, `${form} reference grad2`);
      checkGradient((x) => refPairLogisticLoss(e1, e2, labels, x, b, B, D, form).loss, w, ref.gradW, `${form} reference gradW`);
      checkGradient((x) => refPairLogisticLoss(e1, e2, labels, w, x[0]!, B, D, form).loss, [b], [ref.gradB], `${form} reference gradB`);
      await checkGpuDirectional(e1, got.g1, async (x) => (await run(x)).loss, rng, `${form} e1`);
      await checkGpuDirectional(w, got.gW, async (x) => (await run(e1, x)).loss, rng, `${form} w`);
    }
  });

  it('softmaxCrossEntropy matches the reference (large logits too), gradients by finite differences', async () => {
    const engine = await testEngine();
    const rng = new Rng(47);
    for (const [B, C, scale] of [[7, 2, 1], [13, 5, 3], [4, 9, 40]] as const) {
      const z = rng.array(B * C, -scale, scale);
      const labels = Float32Array.from({ length: B }, () => rng.int(0, C - 1));
      const run = (x: Float32Array) => engine.scope(async () => {
        const r = softmaxCrossEntropy(engine.tensor([B, C], x), engine.tensor([B], labels));
        return { loss: await read1(r.loss), grad: await r.grad.read() };
      });
      const got = await run(z);
      const ref = refSoftmaxCrossEntropy(z, labels, B, C);
      assertClose([got.loss], [ref.loss], TOL, `[${B}, ${C}] x${scale} loss`);
      assertClose(got.grad, ref.grad, TOL, `[${B}, ${C}] x${scale} grad`);
      checkGradient((x) => refSoftmaxCrossEntropy(x, labels, B, C).loss, z, ref.grad, `[${B}, ${C}] reference grad`);
      await checkGpuDirectional(z, got.grad, async (x) => (await run(x)).loss, rng, `[${B}, ${C}] x${scale} cross-entropy`);
    }
  });

  it('rejects mismatched shapes', async () => {
    const engine: Engine = await testEngine();
    await engine.scope(async () => {
      const a = engine.tensor([2, 3], new Float32Array(6)), b = engine.tensor([3, 3], new Float32Array(9));
      await assertRejects(() => tripletLoss(a, a, b, { margin: 1 }), /tripletLoss: embeddings must all be \[2, 3\]/);
      await assertRejects(() => batchTripletLoss(a, engine.tensor([3], [0, 1, 2]), { margin: 1, mining: 'hard' }), /labels must hold 2 values/);
      await assertRejects(() => pairLogisticLoss(a, a, engine.tensor([2], [0, 1]), engine.tensor([2], [0, 1]), engine.tensor([1], [0])), /w must hold 3 values/);
      await assertRejects(() => softmaxCrossEntropy(a, engine.tensor([3], [0, 1, 2])), /softmaxCrossEntropy: labels must hold 2 values/);
      await assertRejects(() => softmaxCrossEntropy(engine.tensor([2, 3, 1], new Float32Array(6)), engine.tensor([2], [0, 1])), /logits must be \[B, classes\]/);
    });
  });
});
