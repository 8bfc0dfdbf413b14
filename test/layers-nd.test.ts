import type { Engine } from '../src/gpu/engine.js';
import { sequential, type LayerSpec } from '../src/nn/layers.js';
import { refSequential } from './ref/sequential.js';
import { assertClose, assertEqual, assertRejects } from './util/assert.js';
import { testEngine } from './util/engine.js';
import { checkGraphGradients, paramData } from './util/graph-gradcheck.js';
import { Rng } from './util/random.js';

type Rank = 1 | 3;
const CONV = { 1: 'conv1d', 3: 'conv3d' } as const;

/** A random model of every layer kind for a `rank`-D input: conv, pools, batch norm, global pool or flatten, dense. */
/** Trials alternate the head (global pool or flatten) and the pool (max or average), so two cover every layer kind. */
function randomModel(rng: Rng, rank: Rank, trial: number): { inShape: number[]; layers: LayerSpec[] } {
  const spatial = Array.from({ length: rank }, () => rng.int(rank === 1 ? 9 : 5, rank === 1 ? 16 : 6));
  const inShape = [...spatial, rng.int(1, 3)];
  const kernel = rank === 1 ? rng.int(2, 5) : Array.from({ length: 3 }, () => rng.int(1, 3));
  const head: LayerSpec[] = trial % 2 === 0
    ? [{ type: 'globalAvgPool' }, { type: 'dense', units: 3 }]
    : [{ type: 'flatten' }, { type: 'dense', units: 4, activation: 'tanh' }, { type: 'dense', units: 3 }, { type: 'l2Normalize' }];
  const layers: LayerSpec[] = [
    { type: CONV[rank], filters: rng.int(2, 4), kernel, strides: rank === 1 ? rng.pick([1, 1, 2]) : 1, padding: 'same', activation: rng.pick(['relu', 'tanh'] as const) },
    { type: 'batchNorm' },
    { type: trial % 4 < 2 ? 'maxPool' : 'avgPool', size: 2 },
    { type: CONV[rank], filters: rng.int(2, 4), kernel: 2, padding: 'valid', activation: 'tanh' },
    ...head,
  ];
  return { inShape, layers };
}

describe('sequential models on 1-D signals and 3-D volumes', () => {
  let engine: Engine;
  before(async () => {
    engine = await testEngine();
  });

  for (const rank of [1, 3] as const) {
    it(`${rank}-D: random models' forward passes match the plain references`, async () => {
      const rng = new Rng(900 + rank);
      for (let trial = 0; trial < 4; trial++) {
        const { inShape, layers } = randomModel(rng, rank, trial);
        const g = sequential(engine, inShape, layers, { seed: trial + 1 });
        try {
          const shape = [3, ...inShape];
          const x = rng.array(shape.reduce((a, b) => a * b, 1));
          const got = await engine.scope(async () => {
            const y = g.forward({ input: engine.tensor(shape, x) }, ['output'], { training: true }).outputs.output!;
            return { shape: [...y.shape], data: await y.read() };
          });
          const want = refSequential(layers, await paramData(g), x, shape);
          const what = `${rank}-D model ${trial} on [${inShape}]: ${JSON.stringify(layers)}`;
          assertEqual(got.shape, want.shape, `${what} shape`);
          assertClose(got.data, want.data, { atol: 1e-4, rtol: 1e-3 }, what);
        } finally {
          g.dispose();
        }
      }
    });

    it(`${rank}-D: gradients to the input and every parameter vs directional derivatives`, async () => {
      const rng = new Rng(950 + rank);
      for (const trial of [1, 2]) {
        const { inShape, layers } = randomModel(rng, rank, trial);
        const g = sequential(engine, inShape, layers, { seed: trial + 3 });
        try {
          await checkGraphGradients(engine, g, [3, ...inShape], rng, `${rank}-D model ${trial} ${JSON.stringify(layers)}`, 3e-4);
        } finally {
          g.dispose();
        }
      }
    });
  }

  it('batch norm momentum: one training step moves the moving mean (1 − momentum) of the way to the batch mean (1-D)', async () => {
    const rng = new Rng(77);
    const g = sequential(engine, [10, 3], [{ type: 'batchNorm', momentum: 0.9 }]);
    try {
      const x = rng.array(2 * 10 * 3, 0, 2);
      await engine.scope(async () => g.forward({ input: engine.tensor([2, 10, 3], x) }, ['output'], { training: true }).outputs.output!.read());
      const batchMean = [0, 1, 2].map((c) => x.filter((_, i) => i % 3 === c).reduce((a, b) => a + b, 0) / 20);
      assertClose(await g.params.get('batch_normalization_1/moving_mean')!.read(), batchMean.map((m) => 0.1 * m), { atol: 1e-6, rtol: 1e-4 }, 'moving mean');
    } finally {
      g.dispose();
    }
  });

  it('names layers by rank (Keras style) and checks ranks and sizes', async () => {
    const one = sequential(engine, [12, 2], [{ type: 'conv1d', filters: 3, kernel: 3 }, { type: 'maxPool', size: 2 }, { type: 'globalAvgPool' }, { type: 'dense', units: 2 }]);
    const three = sequential(engine, [4, 6, 6, 1], [{ type: 'conv3d', filters: 2, kernel: [3, 1, 1] }, { type: 'avgPool', size: [1, 2, 2] }, { type: 'flatten' }, { type: 'dense', units: 2 }]);
    try {
      assertEqual(one.nodes.map((n) => n.name).filter((n) => !n.includes('/') && n !== 'input'), ['conv1d_1', 'max_pooling1d_1', 'global_average_pooling1d_1', 'dense_1', 'output']);
      assertEqual([...one.params.get('conv1d_1/kernel')!.shape], [3, 2, 3]);
      assertEqual([...three.params.get('conv3d_1/kernel')!.shape], [3, 1, 1, 1, 2]);
      assertEqual([...three.params.get('dense_1/kernel')!.shape], [4 * 3 * 3 * 2, 2], 'average_pooling3d [1, 2, 2] then flatten');
    } finally {
      one.dispose();
      three.dispose();
    }
    await assertRejects(() => sequential(engine, [12, 2], [{ type: 'conv2d', filters: 2, kernel: 3 }]), /layer 0 \(conv2d\) needs an \[H, W, C\] input, got \[12,2\]/);
    await assertRejects(() => sequential(engine, [8, 8, 1], [{ type: 'conv3d', filters: 2, kernel: 3 }]), /layer 0 \(conv3d\) needs an \[D, H, W, C\] input, got \[8,8,1\]/);
    await assertRejects(() => sequential(engine, [4, 4, 4, 1], [{ type: 'conv1d', filters: 2, kernel: 3 }]), /layer 0 \(conv1d\) needs an \[length, C\] input/);
    await assertRejects(() => sequential(engine, [4, 4, 4, 1], [{ type: 'conv3d', filters: 2, kernel: [3, 3] }]), /conv3d layer 0 kernel needs 3 value\(s\) for a 3-D input, got \[3,3\]/);
    await assertRejects(() => sequential(engine, [12, 2], [{ type: 'flatten' }, { type: 'maxPool', size: 2 }]), /layer 1 \(maxPool\) needs a \[length, C\], \[H, W, C\] or \[D, H, W, C\] input, got \[24\]/);
    await assertRejects(() => sequential(engine, [3, 2], [{ type: 'maxPool', size: 4 }]), /maxPool layer 0 leaves no output/);
    await assertRejects(() => sequential(engine, [12, 2], [{ type: 'batchNorm', momentum: 1 }]), /batchNorm layer 0 momentum must be in \[0, 1\), got 1/);
    await assertRejects(() => sequential(engine, [2, 2, 2, 2, 1], []), /inputShape must be \[length, C\], \[H, W, C\], \[D, H, W, C\]/);
  });
});
