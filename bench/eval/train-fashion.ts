/**
 * Fashion-MNIST one-shot learning (`npm run train:fashion`): trains the small CNN encoder
 * (conv16-pool-conv32-pool-conv64-gap-dense64-l2norm) with the triplet loss (P×K batches,
 * online semi-hard or batch-hard mining, Adam) on 8 of the 10 classes, then evaluates on the
 * test split — on the 2 held-out classes (never seen in training) and on all 10:
 *   - verification: balanced same/different pairs, accuracy at the best threshold, ROC AUC;
 *   - 1-shot: one enrolled example per class, the rest labelled by their nearest enrolled one.
 * The untrained encoder (same initial weights) is scored first as the baseline. The learning
 * rate warms up and follows a cosine (`--schedule constant` keeps it fixed); a checkpoint is
 * written after every epoch, and `--resume` continues from it where a run stopped. After each
 * epoch the held-out classes are scored too, for the learning curve only (nothing is chosen on
 * them). Prints a progress bar with an ETA, the figures, and writes bench/results/fashion.json
 * and the learning curve bench/results/fashion-curve.png.
 * Usage: node build/bench/train-fashion.js [--epochs N] [--steps-per-epoch N] [--persons P]
 *   [--per-person K] [--mining hard|semihard|all] [--margin A] [--lr LR] [--schedule cosine|constant]
 *   [--encoder small|wide|deep|wide-flatten] [--embedding-dim N] [--augment shift-flip|none] [--weight-decay WD] [--eval-per-class N] [--held-out 8,9] [--data DIR] [--out FILE]
 *   [--curve FILE] [--checkpoint DIR] [--resume] [--save DIR]
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createNodeEngine } from '../../src/host/node.js';
import { encodePNG } from '../../src/host/node-image.js';
import { readTrainingCheckpoint, writeTrainingCheckpoint } from '../../src/host/training-checkpoint-file.js';
import { sequential } from '../../src/nn/layers.js';
import { firstPerClass, splitClasses } from '../../src/tasks/training/dataset.js';
import { embedImages } from '../../src/tasks/training/embed.js';
import { describeEncoder, smallEncoder } from '../../src/tasks/training/encoder.js';
import { scoreEmbeddings, type EmbeddingScores } from '../../src/tasks/training/evaluate.js';
import { FASHION_MNIST_CLASSES, loadFashionMnist } from '../../src/tasks/training/fashion-mnist.js';
import { shiftAndFlip } from '../../src/tasks/training/augment.js';
import { warmupCosine } from '../../src/tasks/training/schedule.js';
import { trainEmbedding, type Mining } from '../../src/tasks/training/trainer.js';
import { list, parseOptions } from '../args.js';
import { adapterLine } from '../format.js';
import { runMain } from '../hosts/drive.js';
import { ProgressBar, formatDuration } from '../progress-bar.js';
import { learningCurvePlot } from './learning-curve-plot.js';

const USAGE = 'usage: train-fashion [--epochs N] [--steps-per-epoch N] [--persons P] [--per-person K] [--mining hard|semihard|all] [--margin A] [--lr LR] [--schedule cosine|constant] [--encoder small|wide|deep|wide-flatten] [--embedding-dim N] [--augment shift-flip|none] [--weight-decay WD] [--eval-per-class N] [--held-out 8,9] [--data DIR] [--out FILE] [--curve FILE] [--checkpoint DIR] [--resume] [--save DIR] [--seed N]';
const o = parseOptions(process.argv.slice(2), {
  epochs: { type: 'number', default: 6 },
  'steps-per-epoch': { type: 'number', default: 40 },
  persons: { type: 'number', default: 8 },
  'per-person': { type: 'number', default: 8 },
  mining: { type: 'string', default: 'semihard', choices: ['hard', 'semihard', 'all'] },
  margin: { type: 'number', default: 0.2 },
  lr: { type: 'number', default: 3e-3 },
  schedule: { type: 'string', default: 'cosine', choices: ['cosine', 'constant'] },
  encoder: { type: 'string', default: 'wide', choices: ['small', 'wide', 'deep', 'wide-flatten'] },
  augment: { type: 'string', default: 'none', choices: ['shift-flip', 'none'] },
  'embedding-dim': { type: 'number', default: 64 },
  'weight-decay': { type: 'number', default: 0.05 },
  'eval-per-class': { type: 'number', default: 300 },
  'held-out': { type: 'string', default: '8,9' },
  data: { type: 'string', default: '/usr/share/datasets/fashion-mnist' },
  out: { type: 'string' },
  curve: { type: 'string' },
  checkpoint: { type: 'string' },
  resume: { type: 'boolean' },
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
const curveFile = resolve(o.curve ?? join(root, 'bench/results/fashion-curve.png'));
const checkpointDir = resolve(o.checkpoint ?? join(root, 'build/checkpoints/fashion'));
/** The encoders: the small one of the training benchmark, and twice its width (the default here). */
const embeddingDim = o['embedding-dim'];
const ENCODERS = {
  small: smallEncoder({ embeddingDim }),
  wide: smallEncoder({ filters: [32, 64, 128], embeddingDim }),
  deep: smallEncoder({ filters: [32, 64, 128], embeddingDim, convsPerStage: 2, batchNormMomentum: 0.9 }),
  'wide-flatten': smallEncoder({ filters: [32, 64, 128], embeddingDim, head: 'flatten' }),
};
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

  const layers = ENCODERS[o.encoder as keyof typeof ENCODERS];
  const model = sequential(engine, [28, 28, 1], layers, { seed });
  const totalSteps = epochs * stepsPerEpoch;
  const schedule = o.schedule === 'cosine' ? warmupCosine({ peak: lr, totalSteps }) : undefined;
  const weightDecay = o['weight-decay'];
  const lrText = (schedule ? `Adam, lr warm-up to ${lr} then cosine to ${Number((lr * 0.02).toPrecision(2))}` : `Adam lr ${lr}`) + (weightDecay ? `, weight decay ${weightDecay}` : '');
  const augment = o.augment === 'shift-flip' ? shiftAndFlip({ maxShift: 2, flip: true }) : undefined;
  const augmentText = augment ? 'shifts of up to 2 px and mirroring' : 'no augmentation';
  log(`model: ${describeEncoder(layers)}; triplet loss (${mining} mining, margin ${margin}, squared euclidean); batch ${batch.persons}x${batch.perPerson}; ${lrText}; ${augmentText}; ${epochs} epochs x ${stepsPerEpoch} steps`);
  const resume = o.resume ? await readTrainingCheckpoint(checkpointDir) : null;
  if (o.resume && !resume) log(`no checkpoint in ${checkpointDir}: starting from the beginning`);
  if (resume) log(`resuming from the checkpoint of epoch ${resume.epoch} in ${checkpointDir}`);
  // The held-out classes' pair accuracy after each epoch (learning curve only), kept beside the checkpoint.
  const curveState = join(checkpointDir, 'held-out-curve.json');
  const heldOutCurve: [number, number][] = resume && existsSync(curveState) ? JSON.parse(readFileSync(curveState, 'utf8')).filter((p: [number, number]) => p[0] <= resume.epoch) : [];

  const evaluate = async (): Promise<{ unseen: EmbeddingScores; all: EmbeddingScores }> => ({
    unseen: scoreEmbeddings(await embedImages(model, unseenEval), unseenEval.labels, { pairs: 2000, trials: 20 }),
    all: scoreEmbeddings(await embedImages(model, allEval), allEval.labels, { pairs: 4000, trials: 20 }),
  });
  const line = (what: string, s: EmbeddingScores) => `${what}: pair accuracy ${pct(s.pairAcc)}, AUC ${s.auc.toFixed(3)}, 1-shot ${pct(s.oneShotAcc)} (${s.classes} classes)`;
  const baseline = await evaluate();
  if (!resume) heldOutCurve.push([0, baseline.unseen.pairAcc]);
  log(line('untrained  unseen', baseline.unseen));
  log(line('untrained  all   ', baseline.all));

  const trainStart = performance.now();
  const bar = new ProgressBar({ total: totalSteps, done: resume?.step ?? 0 });
  const stepLosses: [number, number][] = [];
  const result = await trainEmbedding({
    model, data: train.seen, validation, loss: 'triplet', mining, margin, batch,
    optimizer: { kind: 'adam', lr, weightDecay }, schedule, augment, epochs, stepsPerEpoch, seed, validationPairs: 1000, resume: resume ?? undefined,
    onProgress: (e) => {
      if (e.type === 'step') {
        stepLosses.push([e.epoch - 1 + e.step / e.totalSteps, e.loss]);
        bar.update((e.epoch - 1) * e.totalSteps + e.step, `epoch ${e.epoch}/${e.totalEpochs} loss ${e.loss.toFixed(4)}${e.lr === undefined ? '' : ` lr ${e.lr.toExponential(1)}`}`);
      }
      if (e.type === 'epoch') {
        bar.finish();
        log(`epoch ${e.epoch}: loss ${e.loss.toFixed(4)}, active ${e.activeFraction === null ? '-' : pct(e.activeFraction)}, validation pair accuracy ${e.validation ? pct(e.validation.pairAcc) : '-'}, 1-shot ${e.validation ? pct(e.validation.oneShotAcc) : '-'} (${e.seconds.toFixed(0)} s)`);
      }
      if (e.type === 'warning') log(`WARNING: ${e.message}\n  ${e.advice.join('\n  ')}`);
    },
    onCheckpoint: async (c) => {
      const s = scoreEmbeddings(await embedImages(model, unseenEval), unseenEval.labels, { pairs: 1000, trials: 5 });
      heldOutCurve.push([c.epoch, s.pairAcc]);
      log(`  held-out classes after epoch ${c.epoch}: pair accuracy ${pct(s.pairAcc)} (curve only)`);
      await writeTrainingCheckpoint(checkpointDir, c);
      writeFileSync(curveState, JSON.stringify(heldOutCurve));
    },
  });
  const trainSeconds = (performance.now() - trainStart) / 1000;
  log(`checkpoint: ${checkpointDir} (resume with --resume)`);
  const trained = await evaluate();
  log('');
  log(line('trained    unseen', trained.unseen));
  log(line('trained    all   ', trained.all));
  const seconds = (performance.now() - started) / 1000;
  const stepsRun = result.steps.length;
  log(`\n${epochs} epochs x ${stepsPerEpoch} steps x ${batch.persons * batch.perPerson} images; this run: ${stepsRun} steps in ${formatDuration(trainSeconds)} of training (${(trainSeconds / Math.max(1, stepsRun) * 1000).toFixed(0)} ms/step with the per-epoch scoring); ${formatDuration(seconds)} in all`);
  const epochLoss = result.history.map((h): [number, number] => [h.epoch, h.loss]);
  const curve = learningCurvePlot('FASHION-MNIST, TRIPLET LOSS', `${describeEncoder(layers)}, ${mining} mining, margin ${margin}, batch ${batch.persons}x${batch.perPerson}, ${lrText}, ${augmentText}, held out: ${heldOut.map((c) => FASHION_MNIST_CLASSES[c]).join(', ')}`, epochs, [
    { yLabel: 'TRIPLET LOSS', yMin: 0, series: [...(stepLosses.length ? [{ label: 'STEP', points: stepLosses, color: [170, 200, 235] as const, width: 1 }] : []), { label: 'EPOCH MEAN', points: epochLoss, color: [31, 90, 170] as const }] },
    { yLabel: 'PAIR ACCURACY', yMax: 1, series: [
      { label: 'SEEN CLASSES (VALIDATION)', points: result.history.filter((h) => h.validation).map((h): [number, number] => [h.epoch, h.validation!.pairAcc]), color: [90, 160, 90] },
      { label: 'HELD-OUT CLASSES', points: heldOutCurve, color: [200, 80, 40] },
    ] },
  ]);
  mkdirSync(dirname(curveFile), { recursive: true });
  writeFileSync(curveFile, encodePNG(curve));
  log(`wrote ${curveFile}`);

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
    resumedFromEpoch: resume?.epoch ?? null,
    stepsPerEpoch,
    imagesSeen: epochs * stepsPerEpoch * batch.persons * batch.perPerson,
    model: describeEncoder(layers),
    loss: `triplet, ${mining} mining, margin ${margin}, squared euclidean`,
    batch,
    optimizer: lrText,
    augmentation: augmentText,
    heldOutCurve: heldOutCurve.map(([e, a]) => ({ epoch: e, pairAcc: round(a) })),
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
