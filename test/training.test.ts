import { outputShape, sequential } from '../src/nn/layers.js';
import { describeEncoder, smallEncoder } from '../src/tasks/training/encoder.js';
import { Adam } from '../src/nn/optimizers.js';
import { batchTripletLoss } from '../src/ops/loss.js';
import { SimilarityHead } from '../src/tasks/face/similarity-head.js';
import { restoreWeights } from '../src/tasks/training/checkpoint.js';
import { CollapseDetector } from '../src/tasks/training/collapse.js';
import type { LabelledImages } from '../src/tasks/training/dataset.js';
import { concatEmbeddings, embedImages } from '../src/tasks/training/embed.js';
import { bestThreshold } from '../src/tasks/face/calibration.js';
import { euclideanDistance, oneShotAccuracy, scoreEmbeddings } from '../src/tasks/training/evaluate.js';
import { SeededRandom } from '../src/tasks/training/random.js';
import { trainSimilarityHead, type DescriptorPair } from '../src/tasks/training/similarity-head-training.js';
import { profileTrainStep } from '../src/tasks/training/profile.js';
import { tripletStep, type TrainingPhase } from '../src/tasks/training/step.js';
import { createTrainStepper } from '../src/tasks/training/stepper.js';
import { clusteredImages, syntheticTrainBatch } from '../src/tasks/training/synthetic.js';
import { trainEmbedding, type TrainingEvent } from '../src/tasks/training/trainer.js';
import type { Engine } from '../src/gpu/engine.js';
import { assert, assertEqual } from './util/assert.js';
import { testEngine } from './util/engine.js';

const SHAPE = [8, 8, 1] as const;

/** A tiny encoder: conv4-pool-flatten-dense8-l2norm on 8x8x1. */
function tinyEncoder(engine: Engine, seed = 3) {
  return sequential(engine, SHAPE, [
    { type: 'conv2d', filters: 4, kernel: 3, padding: 'same', activation: 'relu' },
    { type: 'maxPool', size: 2 },
    { type: 'flatten' },
    { type: 'dense', units: 8 },
    { type: 'l2Normalize' },
  ], { seed });
}

function clustered(classes: number, perClass: number, seed: number, noise = 0.6): LabelledImages {
  return clusteredImages({ classes, perClass, shape: SHAPE, noise, seed });
}

describe('training: embedding trainer, evaluation, collapse, similarity head', () => {
  it('smallEncoder: wider and deeper stages, batch norm after each convolution, named by describeEncoder', async () => {
    assertEqual(describeEncoder(smallEncoder()), 'conv16-pool-conv32-pool-conv64-gap-dense64-l2norm', 'default');
    const deep = smallEncoder({ filters: [8, 16, 32], embeddingDim: 16, convsPerStage: 2, batchNormMomentum: 0.9 });
    assertEqual(describeEncoder(deep), 'conv8-bn-conv8-bn-pool-conv16-bn-conv16-bn-pool-conv32-bn-conv32-bn-gap-dense16-l2norm', 'deep');
    const engine = await testEngine();
    const model = sequential(engine, SHAPE, deep);
    assertEqual(outputShape(model, SHAPE), [16], 'embedding size');
    model.dispose();
  });

  it('scores embeddings: separated clusters give 1.0, identical embeddings give chance', () => {
    const labels = Int32Array.from({ length: 40 }, (_, i) => i % 4);
    const random = new SeededRandom(5);
    const perfect = Array.from(labels, (c) => Float32Array.from({ length: 4 }, (_, k) => (k === c ? 1 : 0) + 0.01 * random.normal()));
    const s = scoreEmbeddings(perfect, labels, { pairs: 400 });
    assertEqual([s.pairAcc, s.auc, s.oneShotAcc], [1, 1, 1], 'perfect clusters');
    const same = Array.from(labels, () => new Float32Array(4));
    const t = scoreEmbeddings(same, labels, { pairs: 400 });
    assert(Math.abs(t.auc - 0.5) < 1e-9 && t.pairAcc === 0.5, `identical embeddings: AUC ${t.auc}, pair accuracy ${t.pairAcc}`);
    // One-shot by hand: 2 classes on a line, enrolled points decide.
    const line = [[0], [1], [10], [11]].map((v) => Float32Array.from(v));
    assertEqual(oneShotAccuracy(line, [0, 0, 1, 1], 5), 1);
  });

  it('joins an ensemble\'s embeddings: unit vectors stay unit, squared distances average over the models', () => {
    const random = new SeededRandom(9);
    const unit = (n: number) => { const v = Float32Array.from({ length: n }, () => random.normal()); const l = Math.hypot(...v); return v.map((x) => x / l); };
    const models = [3, 5, 2].map((dim) => Array.from({ length: 4 }, () => unit(dim)));
    const joined = concatEmbeddings(models);
    assertEqual(joined.map((v) => v.length), [10, 10, 10, 10], 'lengths');
    for (const v of joined) assert(Math.abs(Math.hypot(...v) - 1) < 1e-6, `norm ${Math.hypot(...v)}`);
    const sq = (a: ArrayLike<number>, b: ArrayLike<number>) => euclideanDistance(a, b) ** 2;
    const mean = models.reduce((t, e) => t + sq(e[0]!, e[3]!), 0) / models.length;
    assert(Math.abs(sq(joined[0]!, joined[3]!) - mean) < 1e-6, `squared distance ${sq(joined[0]!, joined[3]!)} vs the models' mean ${mean}`);
    assertEqual(Array.from(joined[2]!.subarray(0, 3)), Array.from(models[0]![2]!, (x) => Math.fround(x * (1 / Math.sqrt(3)))), 'first model first, scaled');
    let message = '';
    try { concatEmbeddings([models[0]!, models[1]!.slice(1)]); } catch (e) { message = (e as Error).message; }
    assert(message.includes('model 1 has 3 embeddings, model 0 has 4'), `mismatch: ${message}`);
  });

  it('trains a tiny CNN on clustered data: the loss falls and validation accuracy rises', async function () {
    this.timeout(120_000);
    const engine = await testEngine();
    const model = tinyEncoder(engine);
    const train = clustered(4, 24, 11);
    const validation = clustered(4, 12, 11); // same prototypes (same seed), fresh noise below
    for (let i = 0; i < validation.images.length; i++) validation.images[i]! += 0.3 * Math.sin(i * 12.9898);
    const before = scoreEmbeddings(await embedImages(model, validation), validation.labels, { pairs: 400 });
    const events: TrainingEvent[] = [];
    const result = await trainEmbedding({
      model, data: train, validation, loss: 'triplet', mining: 'all', margin: 0.2,
      batch: { persons: 4, perPerson: 4 }, optimizer: { kind: 'adam', lr: 0.01 }, epochs: 3, stepsPerEpoch: 8,
      validationPairs: 400, onProgress: (e) => events.push(e),
    });
    // Batch-all averages over the active triplets only: the mean over all triplets is loss × active fraction.
    const overAll = result.steps.map((s) => s.loss * s.activeFraction!);
    const first = (overAll[0]! + overAll[1]!) / 2, last = (overAll.at(-1)! + overAll.at(-2)!) / 2;
    const activeFirst = result.steps[0]!.activeFraction!, activeLast = result.steps.at(-1)!.activeFraction!;
    assert(last < 0.4 * first, `loss over all triplets falls: first steps ${first.toFixed(4)}, last ${last.toFixed(4)}`);
    assert(activeLast < activeFirst, `fewer active triplets: ${activeFirst.toFixed(3)} → ${activeLast.toFixed(3)}`);
    const after = result.history.at(-1)!.validation!;
    assert(after.pairAcc > before.pairAcc + 0.05 && after.pairAcc > 0.85, `validation pair accuracy ${before.pairAcc.toFixed(3)} → ${after.pairAcc.toFixed(3)}`);
    assertEqual(result.history.map((h) => h.epoch), [1, 2, 3]);
    assertEqual(events.filter((e) => e.type === 'step').length, 24, 'a progress event per step');
    assert(result.steps.every((s) => s.activeFraction !== null && s.activeFraction >= 0 && s.activeFraction <= 1), 'active-triplet fraction in [0, 1]');
    assert(result.weights !== null && result.weights.data.byteLength > 0, 'final weights returned');
    model.dispose();
  });

  it('one triplet step (forward, mined loss, backward, update) for the trainer, the stepper and the profiler', async function () {
    this.timeout(120_000);
    const engine = await testEngine();
    const batch = { persons: 4, perPerson: 2 };
    const data = syntheticTrainBatch(SHAPE, batch, 5);
    const n = batch.persons * batch.perPerson;
    // The shared step against the same work written out, on twin models: equal losses and weights.
    const shared = tinyEncoder(engine, 7), written = tinyEncoder(engine, 7);
    const adamShared = new Adam({ lr: 0.01 }), adamWritten = new Adam({ lr: 0.01 });
    const step = tripletStep(shared, adamShared, { margin: 0.2, mining: 'hard' });
    const phases: TrainingPhase[] = [];
    for (let s = 0; s < 3; s++) {
      const [a, b] = await engine.scope(async () => {
        const x = engine.tensor([n, ...SHAPE], data.images), labels = engine.tensor([n], Float32Array.from(data.labels));
        const r = await step(x, labels, async (phase) => { phases.push(phase); });
        const names = written.trainableNames;
        const { outputs, tape } = written.forward({ input: x }, ['output'], { record: true, wrt: names });
        const l = batchTripletLoss(outputs.output!, labels, { margin: 0.2, mining: 'hard' });
        const grads = written.backward(tape!, { output: l.grad }, names);
        adamWritten.step(written.trainableParams(), names.map((k) => grads[k]!));
        return Promise.all([r.loss.read(), l.loss.read()]);
      });
      assertEqual(Array.from(a), Array.from(b), `loss at step ${s + 1}`);
    }
    assertEqual(phases, ['forward', 'loss', 'backward', 'optimizer', 'forward', 'loss', 'backward', 'optimizer', 'forward', 'loss', 'backward', 'optimizer']);
    const [wa, wb] = await Promise.all([shared, written].map((m) => Promise.all(m.trainableParams().map((t) => t.read()))));
    wa!.forEach((w, i) => assertEqual(Array.from(w), Array.from(wb![i]!), `parameter ${shared.trainableNames[i]}`));
    for (const t of [shared, written, adamShared, adamWritten]) t.dispose();
    // The stepper (fixed batch) lowers its loss; the profiler times each phase of the same step.
    const layers = [{ type: 'conv2d', filters: 4, kernel: 3, padding: 'same', activation: 'relu' }, { type: 'globalAvgPool' }, { type: 'dense', units: 8 }, { type: 'l2Normalize' }] as const;
    const o = { layers, inputShape: SHAPE, batch, images: data.images, labels: data.labels, optimizer: { kind: 'adam', lr: 0.05 } as const, seed: 2 };
    const stepper = createTrainStepper(engine, o);
    const losses: number[] = [];
    for (let s = 0; s < 8; s++) losses.push(await stepper.step());
    stepper.dispose();
    assert(losses[7]! < losses[0]!, `stepper losses ${losses.map((l) => l.toFixed(4)).join(' ')}`);
    const times = await profileTrainStep(engine, o, 2);
    assertEqual(Object.keys(times), ['upload', 'forward', 'loss', 'backward', 'optimizer', 'readLoss']);
    for (const [k, ms] of Object.entries(times)) assert(ms.length === 2 && ms.every((v) => Number.isFinite(v) && v >= 0), `${k}: ${ms} ms`);
  });

  it('trains with the contrastive loss (Siamese pairs from the same P×K batches)', async function () {
    this.timeout(60_000);
    const engine = await testEngine();
    const model = tinyEncoder(engine, 4);
    const data = clustered(4, 16, 21);
    const result = await trainEmbedding({
      model, data, validation: clustered(4, 8, 21), loss: 'contrastive', margin: 1, batch: { persons: 4, perPerson: 4 },
      optimizer: { kind: 'adam', lr: 0.01 }, epochs: 2, stepsPerEpoch: 8, validationPairs: 300, returnWeights: false,
    });
    const losses = result.steps.map((s) => s.loss);
    const first = (losses[0]! + losses[1]!) / 2, last = (losses.at(-1)! + losses.at(-2)!) / 2;
    assert(last < 0.7 * first, `contrastive loss falls: ${first.toFixed(4)} → ${last.toFixed(4)}`);
    assert(result.steps.every((s) => s.activeFraction === null), 'no active-triplet fraction for pairs');
    assert(result.history.at(-1)!.validation!.pairAcc > 0.8, `validation pair accuracy ${result.history.at(-1)!.validation!.pairAcc}`);
    model.dispose();
  });

  it('stops cleanly on an AbortSignal: partial history, nothing leaks', async function () {
    this.timeout(60_000);
    const engine = await testEngine();
    const model = tinyEncoder(engine);
    const data = clustered(4, 8, 3);
    const before = engine.memory().inUse;
    const controller = new AbortController();
    const result = await trainEmbedding({
      model, data, batch: { persons: 4, perPerson: 2 }, mining: 'hard', epochs: 5, stepsPerEpoch: 4,
      signal: controller.signal, returnWeights: false,
      onProgress: (e) => { if (e.type === 'step' && e.step === 3) controller.abort(); },
    });
    assert(result.stopped, 'reports that it stopped');
    assertEqual(result.steps.length, 3, 'steps run before the stop');
    assertEqual(result.history.length, 0, 'no epoch completed');
    assertEqual(engine.memory().inUse, before, 'GPU buffers in use after a stopped run');
    // An already-aborted signal runs nothing.
    const none = await trainEmbedding({ model, data, batch: { persons: 4, perPerson: 2 }, signal: AbortSignal.abort(), returnWeights: false });
    assertEqual([none.stopped, none.steps.length], [true, 0]);
    model.dispose();
  });

  it('warns about collapse on a degenerate setup (every image the same), with advice', async function () {
    this.timeout(60_000);
    const engine = await testEngine();
    const model = tinyEncoder(engine);
    const data = clustered(4, 8, 3);
    data.images.fill(1); // no information: every embedding is the same point
    const warnings: TrainingEvent[] = [];
    const result = await trainEmbedding({
      model, data, batch: { persons: 4, perPerson: 2 }, mining: 'hard', margin: 0.3, epochs: 1, stepsPerEpoch: 4,
      collapseCheckEvery: 1, collapse: { patience: 2 }, returnWeights: false,
      onProgress: (e) => { if (e.type === 'warning') warnings.push(e); },
    });
    assertEqual(warnings.length, 1, 'one collapse warning');
    const w = result.warnings[0]!;
    assert(/collapsed/.test(w.message) && w.advice.length >= 3, `message explains: ${w.message}`);
    assert(Math.abs(w.loss - 0.3) < 1e-4 && w.meanDistance < 1e-4, `loss ${w.loss} at the margin, distance ${w.meanDistance}`);
    // The detector itself: healthy numbers never warn; collapsed ones warn once after `patience` checks.
    const d = new CollapseDetector('triplet', 0.2, { patience: 2 });
    assertEqual(d.check(0.15, 0.8, { epoch: 1, step: 1 }), null);
    assertEqual(d.check(0.2, 0.001, { epoch: 1, step: 2 }), null);
    assert(d.check(0.2, 0.001, { epoch: 1, step: 3 }) !== null, 'warns on the second collapsed check');
    assertEqual(d.check(0.2, 0.001, { epoch: 1, step: 4 }), null, 'only once');
    model.dispose();
  });

  it('saves and resumes: restored weights reproduce the embeddings; epochs continue', async function () {
    this.timeout(60_000);
    const engine = await testEngine();
    const data = clustered(4, 8, 5);
    const model = tinyEncoder(engine, 1);
    const first = await trainEmbedding({ model, data, batch: { persons: 4, perPerson: 2 }, mining: 'all', optimizer: { kind: 'sgd', lr: 0.05 }, epochs: 1, stepsPerEpoch: 3 });
    const trained = await embedImages(model, data);
    const other = tinyEncoder(engine, 99);
    const untrained = await embedImages(other, data);
    assert(euclideanDistance(untrained[0]!, trained[0]!) > 1e-3, 'another seed embeds differently');
    await restoreWeights(other, first.weights!);
    const restored = await embedImages(other, data);
    for (let i = 0; i < restored.length; i++) assertEqual(Array.from(restored[i]!), Array.from(trained[i]!), `embedding ${i} after restore`);
    const resumed = await trainEmbedding({ model: other, data, batch: { persons: 4, perPerson: 2 }, mining: 'all', epochs: 1, stepsPerEpoch: 2, resumeFrom: first.weights!, startEpoch: 1, returnWeights: false });
    assertEqual(resumed.history.map((h) => h.epoch), [2]);
    model.dispose();
    other.dispose();
  });

  it('trains the |Δ| similarity head on descriptors: it learns which dimensions matter and beats the euclidean threshold', async function () {
    this.timeout(60_000);
    const engine = await testEngine();
    const random = new SeededRandom(17);
    const dims = 16;
    // 4 informative dimensions (person identity), 12 of pure noise with a larger spread.
    const person = (n: number) => Array.from({ length: n }, () => Float32Array.from({ length: dims }, (_, k) => (k < 4 ? random.normal() : 0)));
    const sample = (center: Float32Array) => Float32Array.from(center, (v, k) => v + (k < 4 ? 0.15 : 1.0) * random.normal());
    const pairsOf = (people: Float32Array[], n: number): DescriptorPair[] => Array.from({ length: n }, (_, i) => {
      const a = random.below(people.length);
      let b = a;
      if (i % 2) while (b === a) b = random.below(people.length);
      return { a: sample(people[a]!), b: sample(people[b]!), same: a === b };
    });
    const train = pairsOf(person(20), 600);
    const test = pairsOf(person(10), 400);
    const { head, history, trainAccuracy } = await trainSimilarityHead(engine, { pairs: train, epochs: 150, lr: 0.05 });
    assert(history.at(-1)!.loss < 0.6 * history[0]!.loss, `head loss ${history[0]!.loss.toFixed(3)} → ${history.at(-1)!.loss.toFixed(3)}`);
    const loaded = SimilarityHead.fromJSON(head, dims);
    const headAcc = test.filter((p) => (loaded.probability(p.a, p.b) >= loaded.threshold) === p.same).length / test.length;
    const tau = bestThreshold(train.map((p) => ({ distance: euclideanDistance(p.a, p.b), same: p.same }))).threshold;
    const euclidAcc = test.filter((p) => (euclideanDistance(p.a, p.b) <= tau) === p.same).length / test.length;
    assert(headAcc > 0.9 && headAcc > euclidAcc + 0.1, `head ${headAcc.toFixed(3)} vs euclidean ${euclidAcc.toFixed(3)} (train ${trainAccuracy.toFixed(3)})`);
    const informative = Math.max(...head.weights.slice(0, 4));
    const noise = Math.min(...head.weights.slice(4));
    assert(informative < noise, `weights on informative |Δ| (max ${informative.toFixed(2)}) are more negative than on noise (min ${noise.toFixed(2)})`);
  });
});
