/**
 * The Siamese pair classifier on face descriptors (`npm run train:orl-head`):
 * ŷ = σ(Σₖ wₖ·|f(xᵢ)ₖ − f(xⱼ)ₖ| + b), trained with the logistic loss and Adam on the GPU on the
 * pairs of ORL persons s1–s20, tested on the pairs of s21–s30 (people it never saw), next to the
 * plain euclidean threshold — both thresholds chosen on the training persons. Descriptors are
 * the face pipeline's (SSD detector, dlib ResNet), cached in build/cache/.
 * Prints the figures, writes bench/results/orl-head.json and the head's weights to
 * src/tasks/face/orl-similarity-head.json (what orlSimilarityHead() loads).
 * Usage: node build/bench/train-orl-head.js [--faces DIR] [--form absDiff|chiSquare] [--epochs N] [--lr LR]
 *   [--weight-decay WD] [--init l1|zeros] [--no-ship]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createNodeEngine } from '../../src/host/node.js';
import { calibrate } from '../../src/tasks/face/calibration.js';
import { euclidean } from '../../src/tasks/face/recognizer.js';
import { SimilarityHead } from '../../src/tasks/face/similarity-head.js';
import { l1Initial, trainSimilarityHead, type DescriptorPair } from '../../src/tasks/training/similarity-head-training.js';
import { parseOptions } from '../args.js';
import { runMain } from '../hosts/drive.js';
import { bestBalanced, bestPlain, rates, strictAccuracy, type EvalPair } from './face-metrics.js';
import { faceDescriptors, facePairs, type FaceSample } from './orl-descriptors.js';

const o = parseOptions(process.argv.slice(2), {
  faces: { type: 'string' },
  form: { type: 'string', default: 'absDiff', choices: ['absDiff', 'chiSquare'] },
  epochs: { type: 'number', default: 200 },
  lr: { type: 'number', default: 0.005 },
  'weight-decay': { type: 'number', default: 0 },
  init: { type: 'string', default: 'l1', choices: ['l1', 'zeros'] },
  'no-ship': { type: 'boolean' },
}, 'usage: train-orl-head [--faces DIR] [--form absDiff|chiSquare] [--epochs N] [--lr LR] [--weight-decay WD] [--init l1|zeros] [--no-ship]');
const root = fileURLToPath(new URL('../../', import.meta.url));
const facesDir = resolve(o.faces ?? join(root, '../shared/data/orl-faces'));
const form = o.form as 'absDiff' | 'chiSquare';
const { epochs, lr } = o;
const weightDecay = o['weight-decay'];
const init = o.init as 'l1' | 'zeros';
const ship = !o['no-ship'];
const TRAIN_PERSONS = [1, 20];
const TEST_PERSONS = [21, 30];
const TAU = 0.6;

const pct = (x: number): string => `${(100 * x).toFixed(2)}%`;
const r4 = (x: number): number => Number(x.toFixed(4));

/** Figures over the pairs where both faces were found (what the head itself decides). */
function found(pairs: EvalPair[], threshold: number) {
  return figures(pairs.filter((p) => p.distance !== null), threshold);
}

function figures(pairs: EvalPair[], threshold: number) {
  const r = rates(pairs, threshold);
  const valid = pairs.filter((p) => p.distance !== null).map((p) => ({ distance: p.distance!, same: p.same }));
  return { accuracy: r4(strictAccuracy(pairs, threshold)), balanced: r4(r.balanced), tar: r4(r.tar), tnr: r4(r.tnr), auc: r4(calibrate(valid).auc) };
}

async function main(): Promise<void> {
  const engine = await createNodeEngine();
  const samples = await faceDescriptors(engine, facesDir, join(root, 'build/cache/orl-descriptors.json'));
  const inRange = (s: FaceSample, [lo, hi]: number[]) => s.personNumber >= lo! && s.personNumber <= hi!;
  const trainIdx = samples.flatMap((s, i) => (inRange(s, TRAIN_PERSONS) ? [i] : []));
  const testIdx = samples.flatMap((s, i) => (inRange(s, TEST_PERSONS) ? [i] : []));
  const missing = samples.filter((s) => !s.descriptor).map((s) => `${s.person}/${s.name}`);
  console.log(`data: ${relative(root, facesDir)}: train persons s${TRAIN_PERSONS[0]}-s${TRAIN_PERSONS[1]} (${trainIdx.length} images), test s${TEST_PERSONS[0]}-s${TEST_PERSONS[1]} (${testIdx.length} images); no face found in ${missing.length} (${missing.join(', ') || 'none'}): their pairs count as wrong`);

  const trainPairs: DescriptorPair[] = facePairs(samples, trainIdx, () => 0)
    .filter((p) => p.distance !== null)
    .map((p) => ({ a: samples[p.a]!.descriptor!, b: samples[p.b]!.descriptor!, same: p.same }));
  console.log(`training the ${form} head on ${trainPairs.length} pairs (${trainPairs.filter((p) => p.same).length} same; each epoch all same pairs + as many different ones), Adam lr ${lr}, ${epochs} epochs, starting from ${init === 'l1' ? 'a logistic fit on the L1 distance' : 'zeros'}`);
  const t0 = performance.now();
  const trained = await trainSimilarityHead(engine, { pairs: trainPairs, form, epochs, lr, weightDecay, initial: init === 'l1' ? l1Initial(trainPairs) : undefined, onProgress: (p) => { if (p.epoch % 100 === 0) console.log(`  epoch ${p.epoch}: loss ${p.loss.toFixed(4)}`); } });
  const seconds = (performance.now() - t0) / 1000;
  const head = SimilarityHead.fromJSON(trained.head);

  // Scores where smaller means "same": euclidean distance, and 1 − P(same) for the head.
  const headScore = (a: Float32Array, b: Float32Array) => 1 - head.probability(a, b);
  const euclidTrain = facePairs(samples, trainIdx, euclidean);
  const euclidTest = facePairs(samples, testIdx, euclidean);
  const headTrain = facePairs(samples, trainIdx, headScore);
  const headTest = facePairs(samples, testIdx, headScore);
  // Thresholds chosen on the training persons: the best balanced accuracy (TAR + TNR) / 2, and the best plain accuracy.
  const euclidBalanced = bestBalanced(euclidTrain).threshold;
  const euclidPlain = bestPlain(euclidTrain).threshold;
  const headBalanced = 1 - head.threshold; // the head's own threshold (balanced, from training)
  const headPlain = bestPlain(headTrain).threshold;
  const result = {
    split: { train: `s${TRAIN_PERSONS[0]}-s${TRAIN_PERSONS[1]}`, test: `s${TEST_PERSONS[0]}-s${TEST_PERSONS[1]}`, trainPairs: euclidTrain.length, testPairs: euclidTest.length, testSame: euclidTest.filter((p) => p.same).length, testPairsBothFaces: euclidTest.filter((p) => p.distance !== null).length, noFace: missing },
    head: {
      form, init, epochs, lr, weightDecay, seconds: Number(seconds.toFixed(1)), probabilityThreshold: r4(head.threshold),
      test: { bothFaces: found(headTest, headBalanced), atBalancedThreshold: figures(headTest, headBalanced), atAccuracyThreshold: figures(headTest, headPlain) },
      train: { atBalancedThreshold: figures(headTrain, headBalanced) },
    },
    euclidean: {
      balancedThreshold: r4(euclidBalanced), accuracyThreshold: r4(euclidPlain),
      test: { bothFaces: found(euclidTest, euclidBalanced), atBalancedThreshold: figures(euclidTest, euclidBalanced), atAccuracyThreshold: figures(euclidTest, euclidPlain), atTau06: figures(euclidTest, TAU) },
      train: { atBalancedThreshold: figures(euclidTrain, euclidBalanced) },
    },
    note: 'thresholds chosen on the training persons (s1-s20); accuracy = all test pairs (different-person pairs dominate), balanced = (TAR + TNR) / 2; a pair with a missing face counts as wrong',
    date: new Date().toISOString(),
  };
  const h = result.head.test, e = result.euclidean.test;
  console.log('');
  const valid = euclidTest.filter((p) => p.distance !== null);
  console.log(`test persons s21-s30, the ${valid.length} pairs where both faces were found (${valid.filter((p) => p.same).length} same), thresholds from s1-s20 (balanced):`);
  console.log(`  learned ${form} head: balanced ${pct(h.bothFaces.balanced)} (TAR ${pct(h.bothFaces.tar)}, TNR ${pct(h.bothFaces.tnr)}), accuracy ${pct(h.bothFaces.accuracy)}, AUC ${h.bothFaces.auc.toFixed(4)}`);
  console.log(`  euclidean threshold: balanced ${pct(e.bothFaces.balanced)} (TAR ${pct(e.bothFaces.tar)}, TNR ${pct(e.bothFaces.tnr)}), accuracy ${pct(e.bothFaces.accuracy)}, AUC ${e.bothFaces.auc.toFixed(4)}`);
  console.log('');
  console.log(`all ${result.split.testPairs} test pairs (${result.split.testSame} same; a pair with a missing face counts as wrong):`);
  console.log('| method | threshold | balanced acc | TAR | TNR | accuracy (all pairs) | AUC |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  const row = (name: string, t: string, f: ReturnType<typeof figures>) => console.log(`| ${name} | ${t} | ${pct(f.balanced)} | ${pct(f.tar)} | ${pct(f.tnr)} | ${pct(f.accuracy)} | ${f.auc.toFixed(4)} |`);
  row(`learned ${form} head`, `P ≥ ${head.threshold.toFixed(3)}`, h.atBalancedThreshold);
  row('euclidean', `d ≤ ${euclidBalanced.toFixed(3)}`, e.atBalancedThreshold);
  row(`learned ${form} head, accuracy-optimal`, `P ≥ ${(1 - headPlain).toFixed(3)}`, h.atAccuracyThreshold);
  row('euclidean, accuracy-optimal', `d ≤ ${euclidPlain.toFixed(3)}`, e.atAccuracyThreshold);
  row('euclidean, τ = 0.6', 'd ≤ 0.600', e.atTau06);
  console.log(`head trained in ${seconds.toFixed(1)} s; training-pair balanced accuracy ${pct(trained.trainAccuracy)}`);

  const out = join(root, 'bench/results/orl-head.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
  console.log(`wrote ${out}`);
  if (ship) {
    const file = join(root, 'src/tasks/face/orl-similarity-head.json');
    writeFileSync(file, JSON.stringify({ ...trained.head, weights: trained.head.weights.map((w) => Number(w.toPrecision(7))) }) + '\n');
    console.log(`wrote ${file} (orlSimilarityHead() loads it)`);
  }
}

runMain(main);
