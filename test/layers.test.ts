import type { Engine } from '../src/gpu/engine.js';
import type { Graph } from '../src/nn/graph/graph.js';
import { sequential, type LayerSpec } from '../src/nn/layers.js';
import { loadGraphWeights, saveWeights } from '../src/nn/save-weights.js';
import { loadWeights } from '../src/nn/weights.js';
import { refConv } from './ref/conv.js';
import { refActivation } from './ref/elementwise.js';
import { refMatmul } from './ref/matmul.js';
import { refAlongAxis, refL2 } from './ref/misc.js';
import { refPool } from './ref/pool.js';
import { assert, assertClose, assertEqual, assertRejects } from './util/assert.js';
import { testEngine } from './util/engine.js';
import { dotProduct } from './util/gradcheck.js';
import { checkGraphGradients, paramData } from './util/graph-gradcheck.js';
import { Rng } from './util/random.js';

const CLASSIC: LayerSpec[] = [
  { type: 'conv2d', filters: 4, kernel: 3, activation: 'relu' },
  { type: 'maxPool', size: 2 },
  { type: 'conv2d', filters: 6, kernel: 2, padding: 'valid' },
  { type: 'flatten' },
  { type: 'dense', units: 5, activation: 'relu' },
  { type: 'dense', units: 3 },
  { type: 'l2Normalize' },
];

const WITH_BN: LayerSpec[] = [
  { type: 'conv2d', filters: 4, kernel: 3, activation: 'relu' },
  { type: 'batchNorm' },
  { type: 'avgPool', size: 2 },
  { type: 'conv2d', filters: 8, kernel: 3, strides: 2, activation: 'tanh' },
  { type: 'globalAvgPool' },
  { type: 'dense', units: 3, activation: 'sigmoid' },
];

describe('sequential models (layers as graphs) and weight saving', () => {
  let engine: Engine;
  before(async () => {
    engine = await testEngine();
  });

  it('names, trainable parameters, He initialisation and seeds', async () => {
    const g = sequential(engine, [6, 6, 2], CLASSIC, { seed: 5 });
    const g2 = sequential(engine, [6, 6, 2], CLASSIC, { seed: 5 });
    const g3 = sequential(engine, [6, 6, 2], CLASSIC, { seed: 6 });
    try {
      assertEqual(g.trainableNames, ['conv2d_1/kernel', 'conv2d_1/bias', 'conv2d_2/kernel', 'conv2d_2/bias', 'dense_1/kernel', 'dense_1/bias', 'dense_2/kernel', 'dense_2/bias']);
      assertEqual(g.params.get('dense_1/kernel')!.shape, [24, 5]);
      const [a, b, c] = await Promise.all([paramData(g), paramData(g2), paramData(g3)]);
      assertClose(a['conv2d_2/kernel']!, b['conv2d_2/kernel']!, { atol: 0, rtol: 0 }, 'same seed, same weights');
      assert(a['conv2d_2/kernel']!.some((v, i) => v !== c['conv2d_2/kernel']![i]), 'another seed, other weights');
      const big = sequential(engine, [8, 8, 32], [{ type: 'conv2d', filters: 64, kernel: 3 }], { seed: 1 });
      const w = await big.params.get('conv2d_1/kernel')!.read();
      const std = Math.sqrt(dotProduct(w, w) / w.length);
      big.dispose();
      assert(Math.abs(std - Math.sqrt(2 / (9 * 32))) < 0.05 * Math.sqrt(2 / (9 * 32)), `He std ${std}`);
      await assertRejects(() => sequential(engine, [6, 6, 2], [{ type: 'flatten' }, { type: 'conv2d', filters: 2, kernel: 3 }]), /layer 1 \(conv2d\) needs an \[H, W, C\] input/);
    } finally {
      for (const m of [g, g2, g3]) m.dispose();
    }
  });

  it('forward matches the plain references (conv, pools, dense, l2 normalisation)', async () => {
    const rng = new Rng(11);
    const g = sequential(engine, [6, 6, 2], CLASSIC, { seed: 7 });
    try {
      const x = rng.array(2 * 6 * 6 * 2);
      const p = await paramData(g);
      const got = await engine.scope(async () => g.forward({ input: engine.tensor([2, 6, 6, 2], x) }, ['output']).outputs.output!.read());
      const conv = (inp: Float32Array, inShape: number[], w: Float32Array, b: Float32Array, k: number, oc: number, pad: number[], act: string) => {
        const r = refConv(inp, w, { inShape, kernel: [k, k], outC: oc, groups: 1, strides: [1, 1], dilations: [1, 1], padBegin: pad.slice(0, 2), padEnd: pad.slice(2) });
        return { shape: r.shape, data: r.data.map((v, i) => refActivation(act, v + b[i % oc]!)) };
      };
      const c1 = conv(x, [2, 6, 6, 2], p['conv2d_1/kernel']!, p['conv2d_1/bias']!, 3, 4, [1, 1, 1, 1], 'relu');
      const pooled = refPool(c1.data, { inShape: [2, 6, 6, 4], kernel: [2, 2], strides: [2, 2], dilations: [1, 1], padBegin: [0, 0], padEnd: [0, 0], outSpatial: [3, 3], kind: 'max', countIncludePad: false });
      const c2 = conv(pooled, [2, 3, 3, 4], p['conv2d_2/kernel']!, p['conv2d_2/bias']!, 2, 6, [0, 0, 0, 0], 'none');
      const dense = (a: Float32Array, w: Float32Array, b: Float32Array, K: number, N: number, act: string) =>
        refMatmul(a, w, { batch: 1, M: 2, N, K, transA: false, transB: false, bias: (_m, n) => b[n]! }).map((v) => refActivation(act, v));
      const d1 = dense(c2.data, p['dense_1/kernel']!, p['dense_1/bias']!, 24, 5, 'relu');
      const d2 = dense(d1, p['dense_2/kernel']!, p['dense_2/bias']!, 5, 3, 'none');
      assertClose(got, refAlongAxis(d2, [2, 3], 1, refL2(1e-12)), { atol: 1e-5, rtol: 1e-4 }, 'sequential output');
    } finally {
      g.dispose();
    }
  });

  for (const [label, layers, inShape] of [['classic', CLASSIC, [6, 6, 2]], ['batch norm + global pool', WITH_BN, [6, 6, 2]]] as const) {
    it(`backward (${label}): gradients to input and every trainable parameter vs directional derivatives`, async () => {
      const g = sequential(engine, inShape, layers, { seed: 3 });
      try {
        await checkGraphGradients(engine, g, [3, ...inShape], new Rng(label.length), label);
      } finally {
        g.dispose();
      }
    });
  }

  it('batch norm: training updates the moving statistics; inference uses them', async () => {
    const rng = new Rng(21);
    const g = sequential(engine, [4, 4, 2], [{ type: 'conv2d', filters: 3, kernel: 3 }, { type: 'batchNorm' }], { seed: 2 });
    try {
      const x = rng.array(2 * 4 * 4 * 2, 0, 2);
      const conv = await engine.scope(async () => g.forward({ input: engine.tensor([2, 4, 4, 2], x) }, ['conv2d_1'], { training: true }).outputs.conv2d_1!.read());
      const batchMean = [0, 1, 2].map((c) => conv.filter((_, i) => i % 3 === c).reduce((a, b) => a + b, 0) / (conv.length / 3));
      assertClose(await g.params.get('batch_normalization_1/moving_mean')!.read(), [0, 0, 0], { atol: 0, rtol: 0 }, 'a forward without the batch norm leaves it alone');
      await engine.scope(async () => g.forward({ input: engine.tensor([2, 4, 4, 2], x) }, ['output'], { training: true }).outputs.output!.read());
      assertClose(await g.params.get('batch_normalization_1/moving_mean')!.read(), batchMean.map((m) => 0.01 * m), { atol: 1e-6, rtol: 1e-4 }, 'moving mean after one step');
      const invStd = await g.params.get('batch_normalization_1/moving_inv_std')!.read();
      const mm = await g.params.get('batch_normalization_1/moving_mean')!.read();
      const inference = await engine.scope(async () => g.forward({ input: engine.tensor([2, 4, 4, 2], x) }, ['output']).outputs.output!.read());
      assertClose(inference, conv.map((v, i) => (v - mm[i % 3]!) * invStd[i % 3]!), { atol: 1e-5, rtol: 1e-4 }, 'inference batch norm (γ = 1, β = 0)');
    } finally {
      g.dispose();
    }
  });

  it('saveWeights → loadWeights round trip, and loadGraphWeights into another model', async () => {
    const rng = new Rng(31);
    const a = sequential(engine, [6, 6, 2], CLASSIC, { seed: 1 });
    const b = sequential(engine, [6, 6, 2], CLASSIC, { seed: 2 });
    try {
      const { manifest, data } = await saveWeights(a.params, { path: 'model.bin' });
      const map = await loadWeights(manifest, async (path) => {
        assertEqual(path, 'model.bin');
        return data;
      });
      const original = await paramData(a);
      assertEqual(map.names, [...a.params.keys()]);
      for (const [name, values] of Object.entries(original)) {
        assertEqual(map.get(name).shape, [...a.params.get(name)!.shape], `${name} shape`);
        assertClose(map.get(name).data, values, { atol: 0, rtol: 0 }, name);
      }
      loadGraphWeights(b, map);
      const x = rng.array(2 * 6 * 6 * 2);
      const run = (m: Graph) => engine.scope(async () => m.forward({ input: engine.tensor([2, 6, 6, 2], x) }, ['output']).outputs.output!.read());
      assertClose(await run(b), await run(a), { atol: 0, rtol: 0 }, 'same outputs after loading');
      const other = sequential(engine, [6, 6, 2], [{ type: 'conv2d', filters: 5, kernel: 3 }], { seed: 1 });
      await assertRejects(() => loadGraphWeights(other, map), /'conv2d_1\/kernel' has shape \[3,3,2,4\].*\[3,3,2,5\]/);
      other.dispose();
    } finally {
      a.dispose();
      b.dispose();
    }
  });
});
