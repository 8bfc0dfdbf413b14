/**
 * Direction of motion from short clips (`npm run train:motion`): Fashion-MNIST items (shrunk to
 * 14x14) slide across a 16x16 torus for 8 frames in one of 8 directions (or 4), 1-2 px a frame
 * (motion-clips.ts). A small 3-D CNN classifies the direction from the clip; the same-size 2-D
 * CNN sees only the first frame — a uniformly random shift of the item whatever the direction —
 * and so stays at chance: what the 3-D net uses is how the frames follow one another. Both train
 * with softmax cross-entropy and Adam on clips of training-split items, and are scored on clips
 * of test-split items.
 * Prints the figures and writes bench/results/motion.json.
 * Usage: node build/bench/train-motion.js [--train N] [--test N] [--epochs N] [--steps-per-epoch N]
 *   [--batch N] [--lr LR] [--directions 4|8] [--data DIR] [--out FILE] [--seed N]
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createNodeEngine } from '../../src/host/node.js';
import { sequential, type LayerSpec } from '../../src/nn/layers.js';
import { accuracy, classify, trainClassifier, type ClassifierEvent } from '../../src/tasks/training/classifier.js';
import type { LabelledImages } from '../../src/tasks/training/dataset.js';
import { loadFashionMnist } from '../../src/tasks/training/fashion-mnist.js';
import { clipFrames, motionClips } from '../../src/tasks/training/motion-clips.js';
import { parseOptions } from '../args.js';
import { adapterLine } from '../format.js';
import { runMain } from '../hosts/drive.js';
import { writeResults } from './results-file.js';

const USAGE = 'usage: train-motion [--train N] [--test N] [--epochs N] [--steps-per-epoch N] [--batch N] [--lr LR] [--directions 4|8] [--data DIR] [--out FILE] [--seed N]';
const o = parseOptions(process.argv.slice(2), {
  train: { type: 'number', default: 4000 },
  test: { type: 'number', default: 1000 },
  epochs: { type: 'number', default: 5 },
  'steps-per-epoch': { type: 'number', default: 50 },
  batch: { type: 'number', default: 32 },
  lr: { type: 'number', default: 3e-3 },
  directions: { type: 'string', default: '8', choices: ['4', '8'] },
  data: { type: 'string', default: '/usr/share/datasets/fashion-mnist' },
  out: { type: 'string' },
  seed: { type: 'number', default: 1 },
}, USAGE);

const root = fileURLToPath(new URL('../../', import.meta.url));
const outFile = resolve(o.out ?? join(root, 'bench/results/motion.json'));
const directions = Number(o.directions) as 4 | 8;
const log = (line = ''): void => console.log(line);
const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

/** The two networks: the same widths, 3-D kernels over (time, y, x) against 2-D ones over (y, x). */
function layers(rank: 2 | 3): LayerSpec[] {
  const conv = rank === 3 ? 'conv3d' : 'conv2d';
  return [
    { type: conv, filters: 8, kernel: 3, activation: 'relu' },
    { type: 'maxPool', size: rank === 3 ? [1, 2, 2] : 2 },
    { type: conv, filters: 16, kernel: 3, activation: 'relu' },
    { type: 'maxPool', size: 2 },
    { type: 'globalAvgPool' },
    { type: 'dense', units: directions },
  ];
}

/** Share of the commonest label: what always guessing it scores. */
function majority(labels: Int32Array): number {
  const counts = new Map<number, number>();
  for (const c of labels) counts.set(c, (counts.get(c) ?? 0) + 1);
  return Math.max(...counts.values()) / labels.length;
}

async function main(): Promise<void> {
  const engine = await createNodeEngine();
  log(`adapter: ${adapterLine(engine.adapterInfo)} via ${engine.driver}; Node ${process.version}, ${cpus().length} CPU cores`);
  const read = async (name: string) => new Uint8Array(readFileSync(join(resolve(o.data), name)));
  const items = async (split: 'train' | 'test', limit: number) => loadFashionMnist(read, split, { limit, standardize: false });
  const clipOptions = { directions, frames: 8, size: 16, shrink: 2, speeds: [1, 2] };
  const train = motionClips(await items('train', o.train), { ...clipOptions, seed: o.seed });
  const test = motionClips(await items('test', o.test), { ...clipOptions, seed: o.seed + 1 });
  log(`clips: ${train.count} training (training-split items), ${test.count} test (test-split items), [${train.shape}] each; ${directions} directions (${train.classNames!.join(', ')}), 1-2 px/frame on a torus`);

  const run = async (what: string, rank: 2 | 3, trainSet: LabelledImages, testSet: LabelledImages) => {
    const model = sequential(engine, trainSet.shape, layers(rank), { seed: o.seed });
    log(`\n${what} on [${trainSet.shape}]: ${layers(rank).map((l) => l.type).join('-')}; Adam lr ${o.lr}; ${o.epochs} epochs x ${o['steps-per-epoch']} steps x ${o.batch}`);
    const onProgress = (e: ClassifierEvent) => {
      if (e.type === 'epoch') log(`  epoch ${e.epoch}: loss ${e.loss.toFixed(4)}, batch accuracy ${pct(e.trainAccuracy)} (${e.seconds.toFixed(0)} s)`);
    };
    const r = await trainClassifier({ model, data: trainSet, batchSize: o.batch, optimizer: { kind: 'adam', lr: o.lr }, epochs: o.epochs, stepsPerEpoch: o['steps-per-epoch'], seed: o.seed, onProgress, returnWeights: false });
    const testAccuracy = accuracy(await classify(model, testSet), testSet.labels);
    log(`  test accuracy ${pct(testAccuracy)} (chance ${pct(1 / directions)}, the commonest direction ${pct(majority(testSet.labels))} of the test clips), ${r.seconds.toFixed(0)} s of training`);
    model.dispose();
    return { testAccuracy: Number(testAccuracy.toFixed(4)), trainSeconds: Math.round(r.seconds), model: layers(rank).map((l) => l.type).join('-'), history: r.history.map((h) => ({ epoch: h.epoch, loss: Number(h.loss.toFixed(4)), batchAccuracy: Number(h.trainAccuracy.toFixed(4)) })) };
  };
  const clip3d = await run('3-D CNN, whole clip', 3, train, test);
  const frame2d = await run('2-D CNN, first frame only', 2, clipFrames(train, 0), clipFrames(test, 0));
  const out = {
    task: `direction of motion of Fashion-MNIST items, ${directions} directions, clips [${train.shape}]`,
    chance: 1 / directions,
    commonestTestDirection: Number(majority(test.labels).toFixed(4)),
    conv3d: clip3d,
    conv2dFirstFrame: frame2d,
    trainClips: train.count,
    testClips: test.count,
    clipsSeen: o.epochs * o['steps-per-epoch'] * o.batch,
  };
  writeResults(outFile, out, `${adapterLine(engine.adapterInfo)} via ${engine.driver}`);
}

runMain(main);
