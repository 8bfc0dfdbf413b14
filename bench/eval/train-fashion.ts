/**
 * Fashion-MNIST one-shot learning (`npm run train:fashion`): trains a CNN encoder (by default
 * conv32-pool-conv64-pool-conv128-gap-dense64-l2norm, three of them from seeds 1-3 whose
 * embeddings are joined: `--ensemble N`) with the triplet loss (P×K batches, online semi-hard
 * or batch-hard mining, Adam) on 8 of the 10 classes, then evaluates on the
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
import { concatEmbeddings, embedImages } from '../../src/tasks/training/embed.js';
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

const USAGE = 'usage: train-fashion [--epochs N] [--steps-per-epoch N] [--persons P] [--per-person K] [--mining hard|semihard|all] [--margin A] [--lr LR] [--schedule cosine|constant] [--encoder small|wide|deep|wide-flatten] [--embedding-dim N] [--augment shift-flip|none] [--weight-decay WD] [--eval-per-class N] [--held-out 8,9] [--data DIR] [--out FILE] [--curve FILE] [--checkpoint DIR] [--resume] [--save DIR] [--seed N] [--ensemble N]';
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
  ensemble: { type: 'number', default: 3 },
}, USAGE);

const epochs = o.epochs;
const stepsPerEpoch = o['steps-per-epoch'];
const batch = { persons: o.persons, perPerson: o['per-person'] };
const mining = o.mining as Mining;
const margin = o.margin;
const lr = o.lr;
const evalPerClass = o['eval-per-class'];
const seed = o.seed;
const members = o.ensemble;
if (!Number.isInteger(members) || members < 1) throw new RangeError(`--ensemble must be a whole number of encoders, at least 1 (got ${members})`);
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
  const totalSteps = epochs * stepsPerEpoch;
  const schedule = o.schedule === 'cosine' ? warmupCosine({ peak: lr, totalSteps }) : undefined;
  const weightDecay = o['weight-decay'];
  const lrText = (schedule ? `Adam, lr warm-up to ${lr} then cosine to ${Number((lr * 0.02).toPrecision(2))}` : `Adam lr ${lr}`) + (weightDecay ? `, weight decay ${weightDecay}` : '');
  const augment = o.augment === 'shift-flip' ? shiftAndFlip({ maxShift: 2, flip: true }) : undefined;
  const augmentText = augment ? 'shifts of up to 2 px and mirroring' : 'no augmentation';
  const seeds = Array.from({ length: members }, (_, k) => seed + k);
  log(`model: ${describeEncoder(layers)}; triplet loss (${mining} mining, margin ${margin}, squared euclidean); batch ${batch.persons}x${batch.perPerson}; ${lrText}; ${augmentText}; ${epochs} epochs x ${stepsPerEpoch} steps` +
    (members > 1 ? `; an ensemble of ${members} encoders (seeds ${seeds.join(', ')}), their embeddings joined` : ''));
  const line = (what: string, s: EmbeddingScores) => `${what}: pair accuracy ${pct(s.pairAcc)}, AUC ${s.auc.toFixed(3)}, 1-shot ${pct(s.oneShotAcc)} (${s.classes} classes)`;
  const score = (e: { unseen: Float32Array[]; all: Float32Array[] }) => ({
    unseen: scoreEmbeddings(e.unseen, unseenEval.labels, { pairs: 2000, trials: 20 }),
    all: scoreEmbeddings(e.all, allEval.labels, { pairs: 4000, trials: 20 }),
  });
  const bar = new ProgressBar({ total: members * totalSteps });

  /** Trains the member of seed `memberSeed` (resuming from its checkpoint if asked) and returns its embeddings of the evaluation sets. */
  const trainMember = async (k: number, memberSeed: number) => {
    const who = members > 1 ? `member ${k + 1}/${members} (seed ${memberSeed}) ` : '';
    const model = sequential(engine, [28, 28, 1], layers, { seed: memberSeed });
    const embed = async () => ({ unseen: await embedImages(model, unseenEval), all: await embedImages(model, allEval) });
    const memberDir = join(checkpointDir, `seed-${memberSeed}`);
    const resume = o.resume ? await readTrainingCheckpoint(memberDir) : null;
    if (o.resume && !resume) log(`${who}no checkpoint in ${memberDir}: starting from the beginning`);
    if (resume) log(`${who}resuming from the checkpoint of epoch ${resume.epoch} in ${memberDir}`);
    // The held-out classes' pair accuracy after each epoch (learning curve only), kept beside the checkpoint.
    const curveState = join(memberDir, 'held-out-curve.json');
    const heldOutCurve: [number, number][] = resume && existsSync(curveState) ? JSON.parse(readFileSync(curveState, 'utf8')).filter((p: [number, number]) => p[0] <= resume.epoch) : [];
    const baseline = score(await embed());
    if (!resume) heldOutCurve.push([0, baseline.unseen.pairAcc]);
    log(line(`${who}untrained  unseen`, baseline.unseen));
    log(line(`${who}untrained  all   `, baseline.all));
    const trainStart = performance.now();
    bar.update(k * totalSteps + (resume?.step ?? 0), who);
    const stepLosses: [number, number][] = [];
    const result = await trainEmbedding({
      model, data: train.seen, validation, loss: 'triplet', mining, margin, batch,
      optimizer: { kind: 'adam', lr, weightDecay }, schedule, augment, epochs, stepsPerEpoch, seed: memberSeed, validationPairs: 1000, resume: resume ?? undefined,
      onProgress: (e) => {
        if (e.type === 'step') {
          stepLosses.push([e.epoch - 1 + e.step / e.totalSteps, e.loss]);
          bar.update(k * totalSteps + (e.epoch - 1) * e.totalSteps + e.step, `${who}epoch ${e.epoch}/${e.totalEpochs} loss ${e.loss.toFixed(4)}${e.lr === undefined ? '' : ` lr ${e.lr.toExponential(1)}`}`);
        }
        if (e.type === 'epoch') {
          bar.finish();
          log(`${who}epoch ${e.epoch}: loss ${e.loss.toFixed(4)}, active ${e.activeFraction === null ? '-' : pct(e.activeFraction)}, validation pair accuracy ${e.validation ? pct(e.validation.pairAcc) : '-'}, 1-shot ${e.validation ? pct(e.validation.oneShotAcc) : '-'} (${e.seconds.toFixed(0)} s)`);
        }
        if (e.type === 'warning') log(`WARNING: ${e.message}\n  ${e.advice.join('\n  ')}`);
      },
      onCheckpoint: async (c) => {
        const s = scoreEmbeddings(await embedImages(model, unseenEval), unseenEval.labels, { pairs: 1000, trials: 5 });
        heldOutCurve.push([c.epoch, s.pairAcc]);
        log(`  held-out classes after epoch ${c.epoch}: pair accuracy ${pct(s.pairAcc)} (curve only)`);
        await writeTrainingCheckpoint(memberDir, c);
        writeFileSync(curveState, JSON.stringify(heldOutCurve));
      },
    });
    const trainSeconds = (performance.now() - trainStart) / 1000;
    log(`${who}checkpoint: ${memberDir} (resume with --resume)`);
    const embeddings = await embed();
    const trained = score(embeddings);
    log(line(`${who}trained    unseen`, trained.unseen));
    log(line(`${who}trained    all   `, trained.all));
    if (saveDir) {
      const name = members > 1 ? `fashion-encoder-seed-${memberSeed}` : 'fashion-encoder';
      mkdirSync(saveDir, { recursive: true });
      writeFileSync(join(saveDir, `${name}.json`), JSON.stringify([{ ...(result.weights!.manifest as object[])[0], paths: [`${name}.bin`] }]));
      writeFileSync(join(saveDir, `${name}.bin`), new Uint8Array(result.weights!.data));
      log(`saved the encoder's weights to ${saveDir}/${name}.{json,bin}`);
    }
    model.dispose();
    return { seed: memberSeed, baseline, trained, embeddings, result, trainSeconds, heldOutCurve, stepLosses, resumedFromEpoch: resume?.epoch ?? null };
  };

  const runs: Awaited<ReturnType<typeof trainMember>>[] = [];
  for (const [k, s] of seeds.entries()) runs.push(await trainMember(k, s));
  const joined = (part: 'unseen' | 'all') => concatEmbeddings(runs.map((r) => r.embeddings[part]));
  const trained = members > 1 ? score({ unseen: joined('unseen'), all: joined('all') }) : runs[0]!.trained;
  const baseline = runs[0]!.baseline;
  const trainSeconds = runs.reduce((t, r) => t + r.trainSeconds, 0);
  log('');
  if (members > 1) for (const r of runs) log(line(`seed ${r.seed}     unseen`, r.trained.unseen));
  log(line(`${members > 1 ? 'ensemble' : 'trained '}   unseen`, trained.unseen));
  log(line(`${members > 1 ? 'ensemble' : 'trained '}   all   `, trained.all));
  const seconds = (performance.now() - started) / 1000;
  const stepsRun = runs.reduce((t, r) => t + r.result.steps.length, 0);
  log(`\n${members > 1 ? `${members} encoders x ` : ''}${epochs} epochs x ${stepsPerEpoch} steps x ${batch.persons * batch.perPerson} images; this run: ${stepsRun} steps in ${formatDuration(trainSeconds)} of training (${(trainSeconds / Math.max(1, stepsRun) * 1000).toFixed(0)} ms/step with the per-epoch scoring); ${formatDuration(seconds)} in all`);
  const shades = (rgb: readonly [number, number, number], k: number) => rgb.map((c) => Math.round(c + (255 - c) * 0.3 * k)) as unknown as readonly [number, number, number];
  // One legend entry per kind of curve: the members' curves go from dark (first seed) to light.
  const label = (what: string, k: number) => (k > 0 ? '' : members > 1 ? `${what}, SEEDS ${seeds.join(', ')}` : what);
  const curve = learningCurvePlot('FASHION-MNIST, TRIPLET LOSS', `${describeEncoder(layers)}, ${mining} mining, margin ${margin}, batch ${batch.persons}x${batch.perPerson}, ${lrText}, ${augmentText}, held out: ${heldOut.map((c) => FASHION_MNIST_CLASSES[c]).join(', ')}`, epochs, [
    { yLabel: 'TRIPLET LOSS', yMin: 0, series: [
      ...(runs[0]!.stepLosses.length ? [{ label: members > 1 ? `STEP, SEED ${seed}` : 'STEP', points: runs[0]!.stepLosses, color: [170, 200, 235] as const, width: 1 }] : []),
      ...runs.map((r, k) => ({ label: label('EPOCH MEAN', k), points: r.result.history.map((h): [number, number] => [h.epoch, h.loss]), color: shades([31, 90, 170], k) })),
    ] },
    { yLabel: 'PAIR ACCURACY', yMin: 0.4, yMax: 1, legend: 'bottom', series: [
      ...runs.map((r, k) => ({ label: label('SEEN CLASSES (VALIDATION)', k), points: r.result.history.filter((h) => h.validation).map((h): [number, number] => [h.epoch, h.validation!.pairAcc]), color: shades([90, 160, 90], k) })),
      ...runs.map((r, k) => ({ label: label('HELD-OUT CLASSES', k), points: r.heldOutCurve, color: shades([200, 80, 40], k) })),
      ...(members > 1 ? [{ label: 'HELD-OUT CLASSES, ENSEMBLE', points: [[epochs, trained.unseen.pairAcc]] as [number, number][], color: [120, 30, 120] as const }] : []),
    ] },
  ]);
  mkdirSync(dirname(curveFile), { recursive: true });
  writeFileSync(curveFile, encodePNG(curve));
  log(`wrote ${curveFile}`);

  const out = {
    epochs,
    seconds: Math.round(seconds),
    unseen: brief(trained.unseen),
    all: brief(trained.all),
    baseline: { unseen: brief(baseline.unseen), all: brief(baseline.all) },
    trainSeconds: Math.round(trainSeconds),
    stepsPerEpoch,
    imagesSeen: members * epochs * stepsPerEpoch * batch.persons * batch.perPerson,
    model: describeEncoder(layers),
    ensemble: members > 1 ? `${members} encoders trained alike from seeds ${seeds.join(', ')}; their L2-normalised embeddings joined (scaled by 1/sqrt(${members}))` : null,
    loss: `triplet, ${mining} mining, margin ${margin}, squared euclidean`,
    batch,
    optimizer: lrText,
    augmentation: augmentText,
    heldOutClasses: heldOut.map((c) => FASHION_MNIST_CLASSES[c]),
    evaluation: `test split, first ${evalPerClass} images per class; pairs balanced same/different; 1-shot averaged over 20 random enrolments`,
    members: runs.map((r) => ({
      seed: r.seed,
      unseen: brief(r.trained.unseen),
      all: brief(r.trained.all),
      trainSeconds: Math.round(r.trainSeconds),
      resumedFromEpoch: r.resumedFromEpoch,
      heldOutCurve: r.heldOutCurve.map(([e, a]) => ({ epoch: e, pairAcc: round(a) })),
      history: r.result.history.map((h) => ({ epoch: h.epoch, loss: round(h.loss), activeFraction: h.activeFraction === null ? null : round(h.activeFraction), validationPairAcc: h.validation ? round(h.validation.pairAcc) : null, seconds: Math.round(h.seconds) })),
      warnings: r.result.warnings.map((w) => w.message),
    })),
    adapter: `${adapterLine(a)} via ${engine.driver}`,
    date: new Date().toISOString(),
  };
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(outFile, JSON.stringify(out, null, 2) + '\n');
  log(`wrote ${outFile}`);
}

runMain(main);
