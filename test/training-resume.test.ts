import { sequential } from '../src/nn/layers.js';
import { Adam, SGD, type Optimizer } from '../src/nn/optimizers.js';
import { WeightMap, type Weight } from '../src/nn/weights.js';
import type { TrainingCheckpoint } from '../src/tasks/training/checkpoint.js';
import { shiftAndFlip } from '../src/tasks/training/augment.js';
import { SeededRandom } from '../src/tasks/training/random.js';
import { warmupCosine } from '../src/tasks/training/schedule.js';
import { clusteredImages } from '../src/tasks/training/synthetic.js';
import { trainEmbedding } from '../src/tasks/training/trainer.js';
import type { Engine } from '../src/gpu/engine.js';
import type { Tensor } from '../src/gpu/tensor.js';
import { assert, assertEqual, assertRejects } from './util/assert.js';
import { testEngine } from './util/engine.js';

const SHAPE = [8, 8, 1] as const;
const encoder = (engine: Engine, seed: number) => sequential(engine, SHAPE, [
  { type: 'conv2d', filters: 4, kernel: 3, padding: 'same', activation: 'relu' },
  { type: 'maxPool', size: 2 },
  { type: 'dense', units: 8 },
  { type: 'l2Normalize' },
], { seed });

async function readAll(ts: readonly Tensor[]): Promise<number[][]> {
  return Promise.all(ts.map(async (t) => Array.from(await t.read())));
}

describe('training: learning-rate schedule, augmentation, checkpoints and exact resume', () => {
  it('shiftAndFlip moves each image by the drawn shift, mirrors it when drawn, fills what comes in from outside', () => {
    const [h, w, c] = [5, 6, 2];
    const size = h * w * c;
    const count = 40;
    const batch = Float32Array.from({ length: count * size }, (_, i) => 1 + (i % size)); // pixel (y, x, k) holds 1 + its index
    shiftAndFlip({ maxShift: 2, fill: -1 })(batch, count, [h, w, c], new SeededRandom(3));
    const draws = new SeededRandom(3);
    let flips = 0, shifted = 0;
    for (let n = 0; n < count; n++) {
      const dy = draws.below(5) - 2, dx = draws.below(5) - 2, mirror = draws.next() < 0.5;
      flips += +mirror;
      shifted += +(dy !== 0 || dx !== 0);
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) {
        const sy = y - dy, sx = (mirror ? w - 1 - x : x) - dx;
        const want = sy >= 0 && sy < h && sx >= 0 && sx < w ? 1 + (sy * w + sx) * c + k : -1;
        const got = batch[n * size + (y * w + x) * c + k];
        if (got !== want) throw new Error(`image ${n} (shift ${dy}, ${dx}, mirror ${mirror}) at (${y}, ${x}, ${k}): ${got}, expected ${want}`);
      }
    }
    assert(flips > 5 && flips < 35 && shifted > 20, `draws look wrong: ${flips} flips, ${shifted} shifted of ${count}`);
    let threw = false;
    try { shiftAndFlip()(new Float32Array(8), 1, [8], new SeededRandom(1)); } catch (e) { threw = /needs images \[H, W, C\]/.test((e as Error).message); }
    assert(threw, 'a 1-D example is refused by name');
  });

  it('warmupCosine rises linearly to the peak, then falls by half a cosine to floor·peak at the last step', () => {
    const s = warmupCosine({ peak: 0.01, totalSteps: 100, warmupSteps: 10, floor: 0.1 });
    assertEqual([s(0), s(4), s(9)].map((v) => +v.toFixed(6)), [0.001, 0.005, 0.01], 'warm-up');
    assert(Math.abs(s(99) - 0.001) < 1e-12, `last step ${s(99)}, expected 0.001`);
    assert(Math.abs(s(10 + 44.5) - 0.0055) < 1e-4, `half-way ${s(54.5)}, expected ~0.0055`);
    for (let i = 10; i < 99; i++) assert(s(i + 1) <= s(i), `not decreasing at ${i}`);
    assertEqual(warmupCosine({ peak: 1, totalSteps: 1 })(0), 1, 'a one-step run without warm-up');
    for (const bad of [{ peak: 0, totalSteps: 10 }, { peak: 1, totalSteps: 0 }, { peak: 1, totalSteps: 10, warmupSteps: 10 }, { peak: 1, totalSteps: 10, floor: 2 }]) {
      let threw = false;
      try { warmupCosine(bad); } catch (e) { threw = e instanceof RangeError; }
      assert(threw, `no RangeError for ${JSON.stringify(bad)}`);
    }
  });

  it('Adam and SGD with momentum: state saved after 3 steps and loaded into a new optimiser gives the same 4th step, bitwise', async () => {
    const engine = await testEngine();
    const make: [string, () => Optimizer][] = [['adam', () => new Adam({ lr: 0.05 })], ['sgd', () => new SGD({ lr: 0.05, momentum: 0.9 })]];
    for (const [name, create] of make) {
      await engine.scope(async () => {
        const values = [Float32Array.from({ length: 12 }, (_, i) => Math.sin(i)), Float32Array.from({ length: 5 }, (_, i) => Math.cos(i))];
        const grad = (k: number) => values.map((v, j) => engine.tensor([v.length], v.map((_, i) => Math.sin(7 * i + 3 * k + j))));
        const a = values.map((v) => engine.tensor([v.length], v));
        const b = values.map((v) => engine.tensor([v.length], v));
        const names = ['w', 'b'];
        const first = create();
        for (let k = 0; k < 3; k++) first.step(a, grad(k));
        const saved = first.saveState!(a, names);
        assertEqual([...saved.tensors.keys()].sort(), name === 'adam' ? ['b/adam_m', 'b/adam_v', 'w/adam_m', 'w/adam_v'] : ['b/sgd_velocity', 'w/sgd_velocity'], `${name} state names`);
        assertEqual(saved.steps, 3, `${name} steps`);
        const entries = await Promise.all([...saved.tensors].map(async ([n, t]): Promise<[string, Weight]> => [n, { shape: [...t.shape], data: await t.read() }]));
        // b starts from a's parameters after 3 steps, with a's state.
        for (let i = 0; i < a.length; i++) engine.uploadBytes(b[i]!.buffer, await a[i]!.read());
        const second = create();
        second.loadState!(b, names, new WeightMap('saved state', new Map(entries)), saved.steps);
        first.step(a, grad(3));
        second.step(b, grad(3));
        assertEqual(await readAll(b), await readAll(a), `${name}: the step after loading`);
        first.dispose();
        second.dispose();
      });
    }
  });

  it('a run resumed from its epoch-1 checkpoint (augmented batches) ends with the weights, history and learning rates of the uninterrupted run', async function () {
    this.timeout(120_000);
    const engine = await testEngine();
    const data = clusteredImages({ classes: 4, perClass: 16, shape: SHAPE, noise: 0.6, seed: 5 });
    const stepsPerEpoch = 3;
    const schedule = warmupCosine({ peak: 0.02, totalSteps: 3 * stepsPerEpoch, warmupSteps: 2 });
    const common = { data, batch: { persons: 4, perPerson: 4 }, optimizer: { kind: 'adam' as const, lr: 1 }, stepsPerEpoch, schedule, augment: shiftAndFlip({ maxShift: 1 }), seed: 9 };
    const checkpoints: TrainingCheckpoint[] = [];
    const whole = encoder(engine, 1);
    const full = await trainEmbedding({ ...common, model: whole, epochs: 3, onCheckpoint: (c) => void checkpoints.push(c) });
    assertEqual(checkpoints.map((c) => [c.epoch, c.step, c.optimizerSteps, c.history.length]), [[1, 3, 3, 1], [2, 6, 6, 2], [3, 9, 9, 3]], 'checkpoints');
    assertEqual(full.steps.map((s) => s.lr), Array.from({ length: 9 }, (_, i) => schedule(i)), 'learning rates');

    const resumed = encoder(engine, 2); // other initial weights: the checkpoint must replace them
    const rest = await trainEmbedding({ ...common, model: resumed, epochs: 3, resume: checkpoints[0] });
    assertEqual(rest.steps.map((s) => s.lr), full.steps.slice(3).map((s) => s.lr), 'learning rates after resuming');
    assertEqual(rest.steps.map((s) => s.loss), full.steps.slice(3).map((s) => s.loss), 'losses after resuming');
    assertEqual(rest.history.map((h) => h.epoch), [1, 2, 3], 'history');
    assertEqual(rest.epochs, 3, 'last epoch');
    assertEqual(await readAll(resumed.trainableParams()), await readAll(whole.trainableParams()), 'final weights');

    await assertRejects(() => trainEmbedding({ ...common, model: resumed, epochs: 1, resume: checkpoints[1] }), /2 epochs done, more than epochs \(1\)/, 'a checkpoint past the run');
    await assertRejects(() => trainEmbedding({ ...common, model: resumed, resume: { ...checkpoints[0]!, format: 'other' as never } }), /not a training checkpoint/, 'a foreign checkpoint');
    whole.dispose();
    resumed.dispose();
  });
});
