import type { Engine } from '../src/gpu/engine.js';
import { sequential, type LayerSpec } from '../src/nn/layers.js';
import { accuracy, argmaxRows, classify, trainClassifier } from '../src/tasks/training/classifier.js';
import type { LabelledImages } from '../src/tasks/training/dataset.js';
import { embedImages } from '../src/tasks/training/embed.js';
import { scoreEmbeddings } from '../src/tasks/training/evaluate.js';
import { clusteredImages } from '../src/tasks/training/synthetic.js';
import { trainEmbedding } from '../src/tasks/training/trainer.js';
import { assert, assertEqual, assertRejects } from './util/assert.js';
import { testEngine } from './util/engine.js';

/** Per rank: a clustered set (class = prototype of smooth blobs) and a tiny model for it. */
const CASES = [
  { label: '1-D signals [32, 1]', shape: [32, 1], conv: { type: 'conv1d', filters: 4, kernel: 5, activation: 'relu' } },
  { label: '3-D volumes [4, 6, 6, 1]', shape: [4, 6, 6, 1], conv: { type: 'conv3d', filters: 4, kernel: 3, activation: 'relu' } },
] as const satisfies readonly { label: string; shape: readonly number[]; conv: LayerSpec }[];

const meanOf = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('training on 1-D and 3-D examples: classifier (softmax cross-entropy) and triplet embedding', () => {
  let engine: Engine;
  before(async () => {
    engine = await testEngine();
  });

  for (const c of CASES) {
    const data = (perClass: number, seed: number): LabelledImages => clusteredImages({ classes: 3, perClass, shape: c.shape, noise: 0.5, seed });

    it(`${c.label}: the classifier learns 3 classes in a few steps`, async function () {
      this.timeout(60_000);
      const model = sequential(engine, c.shape, [c.conv, { type: 'maxPool', size: 2 }, { type: 'flatten' }, { type: 'dense', units: 3 }], { seed: 2 });
      try {
        const validation = data(10, 5); // same prototypes (same seed), other noise below
        for (let i = 0; i < validation.images.length; i++) validation.images[i]! += 0.2 * Math.sin(i * 12.9898);
        const before = accuracy(await classify(model, validation), validation.labels);
        const r = await trainClassifier({ model, data: data(16, 5), validation, batchSize: 12, optimizer: { kind: 'adam', lr: 0.05 }, epochs: 3, stepsPerEpoch: 8, returnWeights: false });
        const losses = r.steps.map((s) => s.loss);
        const first = meanOf(losses.slice(0, 3)), last = meanOf(losses.slice(-3));
        assert(last < 0.5 * first, `loss falls: ${first.toFixed(3)} → ${last.toFixed(3)}`);
        const after = r.history.at(-1)!.validationAccuracy!;
        assert(after >= 0.9 && after > before, `validation accuracy ${before.toFixed(2)} → ${after.toFixed(2)}`);
        assertEqual(r.history.map((h) => h.epoch), [1, 2, 3]);
      } finally {
        model.dispose();
      }
    });

    it(`${c.label}: the triplet trainer (Siamese machinery) separates the classes`, async function () {
      this.timeout(60_000);
      const model = sequential(engine, c.shape, [c.conv, { type: 'globalAvgPool' }, { type: 'dense', units: 8 }, { type: 'l2Normalize' }], { seed: 3 });
      try {
        const validation = data(10, 7);
        const before = scoreEmbeddings(await embedImages(model, validation), validation.labels, { pairs: 300 });
        const r = await trainEmbedding({ model, data: data(16, 7), validation, mining: 'all', margin: 0.2, batch: { persons: 3, perPerson: 4 }, optimizer: { kind: 'adam', lr: 0.02 }, epochs: 2, stepsPerEpoch: 8, validationPairs: 300, returnWeights: false });
        const overAll = r.steps.map((s) => s.loss * s.activeFraction!);
        const first = meanOf(overAll.slice(0, 3)), last = meanOf(overAll.slice(-3));
        assert(last < 0.6 * first, `loss over all triplets falls: ${first.toFixed(4)} → ${last.toFixed(4)}`);
        const after = r.history.at(-1)!.validation!;
        assert(after.pairAcc > 0.85 && after.pairAcc > before.pairAcc, `validation pair accuracy ${before.pairAcc.toFixed(3)} → ${after.pairAcc.toFixed(3)}`);
      } finally {
        model.dispose();
      }
    });
  }

  it('checks shapes: data against the model, values and labels against the count, logits against the classes', async () => {
    const model = sequential(engine, [16, 1], [{ type: 'conv1d', filters: 2, kernel: 3 }, { type: 'globalAvgPool' }, { type: 'dense', units: 2 }]);
    try {
      const images = clusteredImages({ classes: 2, perClass: 4, shape: [8, 8, 1], seed: 1 });
      const o = { model, batchSize: 4, epochs: 1, stepsPerEpoch: 1, returnWeights: false };
      await assertRejects(() => trainClassifier({ ...o, data: images }), /trainClassifier \(data\): the model's input 'input' takes examples of \[16,1\], the data's are \[8,8,1\]/);
      await assertRejects(() => trainEmbedding({ model, data: images, batch: { persons: 2, perPerson: 2 }, returnWeights: false }), /trainEmbedding \(data\): the model's input 'input' takes examples of \[16,1\]/);
      const signals = clusteredImages({ classes: 3, perClass: 4, shape: [16, 1], seed: 1 });
      await assertRejects(() => trainClassifier({ ...o, data: { ...signals, images: signals.images.subarray(1) } }), /12 examples of \[16,1\] need 192 values, got 191/);
      await assertRejects(() => trainClassifier({ ...o, data: { ...signals, labels: signals.labels.subarray(1) } }), /12 examples need 12 labels, got 11/);
      await assertRejects(() => trainClassifier({ ...o, data: { ...signals, shape: [2, 2, 2, 2, 1] } }), /an example's shape must be \[length, C\], \[H, W, C\], \[D, H, W, C\] or \[K\]/);
      await assertRejects(() => trainClassifier({ ...o, data: signals }), /output must be logits \[B, classes\] for class ids up to 2, got \[4,2\]/);
      await assertRejects(() => classify(model, images), /classify: the model's input 'input' takes examples of \[16,1\]/);
    } finally {
      model.dispose();
    }
    assertEqual(Array.from(argmaxRows(Float32Array.from([0, 2, 1, 5, -1, 4]), 2)), [1, 0]);
    assertEqual(accuracy([1, 0, 2, 2], [1, 1, 2, 0]), 0.5);
  });
});
