/**
 * Spoken words from the raw waveform (`npm run train:words`): words synthesised with espeak-ng in
 * random voices, variants, speeds and pitches (spoken-words.ts; 8 kHz, 1 s, cached under
 * build/spoken-words/), classified by a small 1-D CNN with softmax cross-entropy; then one-shot
 * recognition of words never seen in training: the same trunk trained as an embedding with the
 * triplet loss (trainEmbedding) on the training words, and each utterance of the unseen words
 * labelled by its nearest single enrolled utterance (averaged over random enrolments).
 * Prints the figures and writes bench/results/words.json.
 * Usage: node build/bench/train-words.js [--per-word N] [--test-per-word N] [--epochs N]
 *   [--steps-per-epoch N] [--batch N] [--lr LR] [--out FILE] [--seed N]
 */
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createNodeEngine } from '../../src/host/node.js';
import { sequential, type LayerSpec } from '../../src/nn/layers.js';
import { accuracy, classify, trainClassifier, type ClassifierEvent } from '../../src/tasks/training/classifier.js';
import { embedImages } from '../../src/tasks/training/embed.js';
import { scoreEmbeddings } from '../../src/tasks/training/evaluate.js';
import { trainEmbedding, type TrainingEvent } from '../../src/tasks/training/trainer.js';
import { parseOptions } from '../args.js';
import { adapterLine } from '../format.js';
import { runMain } from '../hosts/drive.js';
import { writeResults } from './results-file.js';
import { spokenWords } from './spoken-words.js';

const USAGE = 'usage: train-words [--per-word N] [--test-per-word N] [--epochs N] [--steps-per-epoch N] [--batch N] [--lr LR] [--out FILE] [--seed N]';
const o = parseOptions(process.argv.slice(2), {
  'per-word': { type: 'number', default: 60 },
  'test-per-word': { type: 'number', default: 20 },
  epochs: { type: 'number', default: 5 },
  'steps-per-epoch': { type: 'number', default: 40 },
  batch: { type: 'number', default: 32 },
  lr: { type: 'number', default: 2e-3 },
  out: { type: 'string' },
  seed: { type: 'number', default: 1 },
}, USAGE);

const TRAIN_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
/** Never seen in training: only one enrolled utterance each at test time. */
const UNSEEN_WORDS = ['yes', 'no', 'up', 'down', 'left', 'right', 'stop', 'go'];
const RATE = 8000;

const root = fileURLToPath(new URL('../../', import.meta.url));
const outFile = resolve(o.out ?? join(root, 'bench/results/words.json'));
const cacheDir = join(root, 'build/spoken-words');
const log = (line = ''): void => console.log(line);
const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

/** 8,000 samples → 2,000 → 500 → 125 → 31 positions, then the mean over time. */
const TRUNK: LayerSpec[] = [
  { type: 'conv1d', filters: 16, kernel: 9, strides: 4, activation: 'relu' },
  { type: 'batchNorm', momentum: 0.9 },
  { type: 'maxPool', size: 4 },
  { type: 'conv1d', filters: 32, kernel: 9, activation: 'relu' },
  { type: 'batchNorm', momentum: 0.9 },
  { type: 'maxPool', size: 4 },
  { type: 'conv1d', filters: 64, kernel: 9, activation: 'relu' },
  { type: 'batchNorm', momentum: 0.9 },
  { type: 'maxPool', size: 4 },
  { type: 'globalAvgPool' },
];

async function main(): Promise<void> {
  const engine = await createNodeEngine();
  const adapter = `${adapterLine(engine.adapterInfo)} via ${engine.driver}`;
  log(`adapter: ${adapter}; Node ${process.version}, ${cpus().length} CPU cores`);
  const t0 = performance.now();
  const words = (list: string[], perWord: number, seed: number) => spokenWords({ words: list, perWord, rate: RATE, length: RATE, seed, cacheDir });
  const train = await words(TRAIN_WORDS, o['per-word'], o.seed);
  const test = await words(TRAIN_WORDS, o['test-per-word'], o.seed + 1);
  const unseen = await words(UNSEEN_WORDS, o['test-per-word'], o.seed + 2);
  log(`data: ${train.count} training and ${test.count} test utterances of ${TRAIN_WORDS.length} words, ${unseen.count} of ${UNSEEN_WORDS.length} unseen words; 8 kHz x 1 s; ready in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  const steps = { epochs: o.epochs, stepsPerEpoch: o['steps-per-epoch'], seed: o.seed, returnWeights: false } as const;

  const classifier = sequential(engine, train.shape, [...TRUNK, { type: 'dense', units: TRAIN_WORDS.length }], { seed: o.seed });
  log(`\nclassifier: ${[...TRUNK.map((l) => l.type), 'dense'].join('-')}; softmax cross-entropy, Adam lr ${o.lr}; ${o.epochs} epochs x ${o['steps-per-epoch']} steps x ${o.batch}`);
  const onClassifier = (e: ClassifierEvent) => {
    if (e.type === 'epoch') log(`  epoch ${e.epoch}: loss ${e.loss.toFixed(4)}, batch accuracy ${pct(e.trainAccuracy)} (${e.seconds.toFixed(0)} s)`);
  };
  const c = await trainClassifier({ model: classifier, data: train, batchSize: o.batch, optimizer: { kind: 'adam', lr: o.lr }, onProgress: onClassifier, ...steps });
  const testAccuracy = accuracy(await classify(classifier, test), test.labels);
  log(`  test accuracy ${pct(testAccuracy)} (chance ${pct(1 / TRAIN_WORDS.length)}), ${c.seconds.toFixed(0)} s of training`);
  classifier.dispose();

  const encoder = sequential(engine, train.shape, [...TRUNK, { type: 'dense', units: 32 }, { type: 'l2Normalize' }], { seed: o.seed });
  const oneShot = async () => scoreEmbeddings(await embedImages(encoder, unseen), unseen.labels, { pairs: 2000, trials: 20 });
  const before = await oneShot();
  const persons = Math.min(8, TRAIN_WORDS.length), perPerson = Math.max(2, Math.floor(o.batch / persons));
  log(`\nembedding: the same trunk-dense32-l2norm; triplet loss (semi-hard mining, margin 0.2), batch ${persons}x${perPerson}, Adam lr ${o.lr}; ${o.epochs} epochs x ${o['steps-per-epoch']} steps`);
  const onEmbedding = (e: TrainingEvent) => {
    if (e.type === 'epoch') log(`  epoch ${e.epoch}: loss ${e.loss.toFixed(4)}, active ${e.activeFraction === null ? '-' : pct(e.activeFraction)} (${e.seconds.toFixed(0)} s)`);
  };
  const emb = await trainEmbedding({ model: encoder, data: train, mining: 'semihard', margin: 0.2, batch: { persons, perPerson }, optimizer: { kind: 'adam', lr: o.lr }, onProgress: onEmbedding, ...steps });
  const after = await oneShot();
  log(`  one-shot on ${UNSEEN_WORDS.length} unseen words: ${pct(after.oneShotAcc)} (untrained ${pct(before.oneShotAcc)}, chance ${pct(1 / UNSEEN_WORDS.length)}); pair accuracy ${pct(after.pairAcc)}, AUC ${after.auc.toFixed(3)}; ${emb.seconds.toFixed(0)} s of training`);
  encoder.dispose();

  const out = {
    task: `spoken words from the raw waveform (espeak-ng, 8 kHz x 1 s)`,
    words: TRAIN_WORDS,
    unseenWords: UNSEEN_WORDS,
    classifier: { testAccuracy: Number(testAccuracy.toFixed(4)), chance: 1 / TRAIN_WORDS.length, trainSeconds: Math.round(c.seconds) },
    oneShot: { accuracy: Number(after.oneShotAcc.toFixed(4)), untrained: Number(before.oneShotAcc.toFixed(4)), chance: 1 / UNSEEN_WORDS.length, pairAcc: Number(after.pairAcc.toFixed(4)), auc: Number(after.auc.toFixed(4)), trainSeconds: Math.round(emb.seconds) },
    utterances: { train: train.count, test: test.count, unseen: unseen.count },
    training: `${o.epochs} epochs x ${o['steps-per-epoch']} steps, batch ${o.batch}, Adam lr ${o.lr}`,
  };
  writeResults(outFile, out, adapter);
}

runMain(main);
