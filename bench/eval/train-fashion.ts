/**
 * Fashion-MNIST one-shot learning (`npm run train:fashion`): trains the small CNN encoder
 * (conv16-pool-conv32-pool-conv64-gap-dense64-l2norm) with the triplet loss (P×K batches,
 * online semi-hard or batch-hard mining, Adam) on 8 of the 10 classes, then evaluates on the
 * test split — on the 2 held-out classes (never seen in training) and on all 10:
 *   - verification: balanced same/different pairs, accuracy at the best threshold, ROC AUC;
 *   - 1-shot: one enrolled example per class, the rest labelled by their nearest enrolled one.
 * The untrained encoder (same initial weights) is scored first as the baseline.
 * Prints the figures and writes bench/results/fashion.json.
 * Usage: node build/bench/train-fashion.js [--epochs N] [--steps-per-epoch N] [--persons P]
 *   [--per-person K] [--mining hard|semihard|all] [--margin A] [--lr LR] [--eval-per-class N]
 *   [--held-out 8,9] [--data DIR] [--out FILE] [--save DIR]
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createNodeEngine } from '../../src/host/node.js';
import { sequential } from '../../src/nn/layers.js';
import { firstPerClass, splitClasses } from '../../src/tasks/training/dataset.js';
import { embedImages } from '../../src/tasks/training/embed.js';
import { describeEncoder, smallEncoder } from '../../src/tasks/training/encoder.js';
import { scoreEmbeddings, type EmbeddingScores } from '../../src/tasks/training/evaluate.js';
import { FASHION_MNIST_CLASSES, loadFashionMnist } from '../../src/tasks/training/fashion-mnist.js';
import { trainEmbedding, type Mining } from '../../src/tasks/training/trainer.js';
import { list, parseOptions } from '../args.js';
import { adapterLine } from '../format.js';
import { runMain } from '../hosts/drive.js';

const USAGE = 'usage: train-fashion [--epochs N] [--steps-per-epoch N] [--persons P] [--per-person K] [--mining hard|semihard|all] [--margin A] [--lr LR] [--eval-per-class N] [--held-out 8,9] [--data DIR] [--out FILE] [--save DIR] [--seed N]';
const o = parseOptions(process.argv.slice(2), {
  epochs: { type: 'number', default: 6 },
  'steps-per-epoch': { type: 'number', default: 40 },
  persons: { type: 'number', default: 8 },
  'per-person': { type: 'number', default: 8 },
  mining: { type: 'string', default: 'semihard', choices: ['hard', 'semihard', 'all'] },
  margin: { type: 'number', default: 0.2 },
  lr: { type: 'number', default: 2e-3 },
  'eval-per-class': { type: 'number', default: 300 },
  'held-out': { type: 'string', default: '8,9' },
  data: { type: 'string', default: '/usr/share/datasets/fashion-mnist' },
  out: { type: 'string' },
  save: { type: 'string' },
  seed: { type: 'number', default: 1 },
}, USAGE);

const epochs = o.epochs;
const stepsPerEpoch = o['steps-per-epoch'];
const batch = { persons: o.persons, perPerson: o['per-person'] };
const mining = o.mining as Mining;
const margin = o.margin;
const lr = o.lr;
const evalPerClass = o['eval-per-class'];
const seed = o.seed;
const heldOut = list(o['held-out'])!.map(Number);
const root = fileURLToPath(new URL('../../', import.meta.url));
const dataDir = resolve(o.data);
const outFile = resolve(o.out ?? join(root, 'bench/results/fashion.json'));
const saveDir = o.save;

const log = (line = ''): void => console.log(line);
const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
const round = (x: number): number => Number(x.toFixed(4));
const brief = (s: EmbeddingScores) => ({ pairAcc: round(s.pairAcc), auc: round(s.auc), oneShotAcc: round(s.oneShotAcc), threshold: round(s.threshold), pairs: s.pairs, classes: s.classes });

async function main(): Promise<void> {
  const started = performance.now();
  const read = async (name: string) => new Uint8Array(readFileSync(join(dataDir, name)));
  const engine = await createNodeEngine();
  const a = engine.adapterInfo;
  log(`adapter: ${adapterLine(a)} via ${engine.driver}; Node ${process.version}, ${cpus().length} CPU cores`);
  const trainSet = await loadFashionMnist(read, 'train');
  const testSet = await loadFashionMnist(read, 'test');
  const train = splitClasses(trainSet, heldOut);
  const test = splitClasses(testSet, heldOut);
  const validation = firstPerClass(test.seen, 40);
  const unseenEval = firstPerClass(test.unseen, evalPerClass);
  const allEval = firstPerClass(testSet, evalPerClass);
  const names = (ids: number[]) => ids.map((c) => `${c} ${FASHION_MNIST_CLASSES[c]}`).join(', ');
  log(`data: ${dataDir}; training on ${train.seen.count} images of 8 classes; held out: ${names(heldOut)}`);
  log(`evaluation (test split): unseen ${unseenEval.count} images, all ${allEval.count} images (${evalPerClass} per class); validation ${validation.count} test images of the seen classes`);

  const layers = smallEncoder();
  const model = sequential(engine, [28, 28, 1], layers, { seed });
  log(`model: ${describeEncoder(layers)}; triplet loss (${mining} mining, margin ${margin}, squared euclidean); batch ${batch.persons}x${batch.perPerson}; Adam lr ${lr}; ${epochs} epochs x ${stepsPerEpoch} steps`);

  const evaluate = async (): Promise<{ unseen: EmbeddingScores; all: EmbeddingScores }> => ({
    unseen: scoreEmbeddings(await embedImages(model, unseenEval), unseenEval.labels, { pairs: 2000, trials: 20 }),
    all: scoreEmbeddings(await embedImages(model, allEval), allEval.labels, { pairs: 4000, trials: 20 }),
  });
  const line = (what: string, s: EmbeddingScores) => `${what}: pair accuracy ${pct(s.pairAcc)}, AUC ${s.auc.toFixed(3)}, 1-shot ${pct(s.oneShotAcc)} (${s.classes} classes)`;
  const baseline = await evaluate();
  log(line('untrained  unseen', baseline.unseen));
  log(line('untrained  all   ', baseline.all));

  const trainStart = performance.now();
  const result = await trainEmbedding({
    model, data: train.seen, validation, loss: 'triplet', mining, margin, batch,
    optimizer: { kind: 'adam', lr }, epochs, stepsPerEpoch, seed, validationPairs: 1000,
    onProgress: (e) => {
      if (e.type === 'step' && e.meanDistance !== undefined) log(`  epoch ${e.epoch} step ${e.step}/${e.totalSteps}: loss ${e.loss.toFixed(4)}, active ${e.activeFraction === null ? '-' : pct(e.activeFraction)}${e.meanDistance === undefined ? '' : `, mean distance ${e.meanDistance.toFixed(3)}`}, ${e.ms.toFixed(0)} ms/step`);
      if (e.type === 'epoch') log(`epoch ${e.epoch}: loss ${e.loss.toFixed(4)}, active ${e.activeFraction === null ? '-' : pct(e.activeFraction)}, validation pair accuracy ${e.validation ? pct(e.validation.pairAcc) : '-'}, 1-shot ${e.validation ? pct(e.validation.oneShotAcc) : '-'} (${e.seconds.toFixed(0)} s)`);
      if (e.type === 'warning') log(`WARNING: ${e.message}\n  ${e.advice.join('\n  ')}`);
    },
  });
  const trainSeconds = (performance.now() - trainStart) / 1000;
  const trained = await evaluate();
  log('');
  log(line('trained    unseen', trained.unseen));
  log(line('trained    all   ', trained.all));
  const seconds = (performance.now() - started) / 1000;
  log(`\n${epochs} epochs x ${stepsPerEpoch} steps x ${batch.persons * batch.perPerson} images in ${trainSeconds.toFixed(0)} s of training (${(trainSeconds / (epochs * stepsPerEpoch) * 1000).toFixed(0)} ms/step); ${seconds.toFixed(0)} s in all`);

  if (saveDir) {
    mkdirSync(saveDir, { recursive: true });
    writeFileSync(join(saveDir, 'fashion-encoder.json'), JSON.stringify([{ ...(result.weights!.manifest as object[])[0], paths: ['fashion-encoder.bin'] }]));
    writeFileSync(join(saveDir, 'fashion-encoder.bin'), new Uint8Array(result.weights!.data));
    log(`saved the encoder's weights to ${saveDir}/fashion-encoder.{json,bin}`);
  }
  const out = {
    epochs,
    seconds: Math.round(seconds),
    unseen: brief(trained.unseen),
    all: brief(trained.all),
    baseline: { unseen: brief(baseline.unseen), all: brief(baseline.all) },
    trainSeconds: Math.round(trainSeconds),
    stepsPerEpoch,
    imagesSeen: epochs * stepsPerEpoch * batch.persons * batch.perPerson,
    model: describeEncoder(layers),
    loss: `triplet, ${mining} mining, margin ${margin}, squared euclidean`,
    batch,
    optimizer: `adam lr ${lr}`,
    heldOutClasses: heldOut.map((c) => FASHION_MNIST_CLASSES[c]),
    evaluation: `test split, first ${evalPerClass} images per class; pairs balanced same/different; 1-shot averaged over 20 random enrolments`,
    history: result.history.map((h) => ({ epoch: h.epoch, loss: round(h.loss), activeFraction: h.activeFraction === null ? null : round(h.activeFraction), validationPairAcc: h.validation ? round(h.validation.pairAcc) : null, seconds: Math.round(h.seconds) })),
    warnings: result.warnings.map((w) => w.message),
    adapter: `${adapterLine(a)} via ${engine.driver}`,
    date: new Date().toISOString(),
  };
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(outFile, JSON.stringify(out, null, 2) + '\n');
  log(`wrote ${outFile}`);
  model.dispose();
}

runMain(main);
