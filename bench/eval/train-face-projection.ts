/**
 * A projection head fine-tuned on top of the face descriptors (`npm run train:face-projection`):
 * a dense 128→128 layer and L2 normalisation, started at the identity (so before training it is
 * the descriptor itself, normalised), trained with the triplet loss and batch-hard mining (each
 * anchor's farthest positive against its nearest negative) on ORL persons s1–s20 by the same
 * trainer as the Fashion-MNIST encoder. Reported against the raw descriptor (euclidean, as the
 * library compares them) and the normalised one, on
 *   - ORL s21–s30 (people it never saw), thresholds chosen on s1–s20;
 *   - LFW View 1 DevTest, thresholds chosen on DevTrain, on the descriptors lfw-faces.ts cached
 *     (SSD, border 'auto', the face nearest the centre; `node build/bench/lfw-faces.js` first).
 * Writes bench/results/face-projection.json.
 * Usage: node build/bench/train-face-projection.js [--epochs N] [--steps-per-epoch N] [--lr LR]
 *   [--margin A] [--mining hard|semihard|all] [--faces DIR] [--seed N]
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createNodeEngine } from '../../src/host/node.js';
import { sequential } from '../../src/nn/layers.js';
import { calibrate, tarAtFar, rocCurve } from '../../src/tasks/face/calibration.js';
import { euclidean } from '../../src/tasks/face/recognizer.js';
import { embedImages } from '../../src/tasks/training/embed.js';
import { warmupCosine } from '../../src/tasks/training/schedule.js';
import { trainEmbedding, type Mining } from '../../src/tasks/training/trainer.js';
import { parseOptions } from '../args.js';
import { adapterLine } from '../format.js';
import { runMain } from '../hosts/drive.js';
import { bestPlain, strictAccuracy, type EvalPair } from './face-metrics.js';
import { lfwDevFigures } from './lfw-dev-figures.js';
import { CACHE, lfwPhotos, readCache } from './lfw-faces.js';
import { faceDescriptors, facePairs, type FaceSample } from './orl-descriptors.js';

const o = parseOptions(process.argv.slice(2), {
  epochs: { type: 'number', default: 30 },
  'steps-per-epoch': { type: 'number', default: 10 },
  lr: { type: 'number', default: 1e-3 },
  margin: { type: 'number', default: 0.2 },
  mining: { type: 'string', default: 'hard', choices: ['hard', 'semihard', 'all'] },
  faces: { type: 'string' },
  seed: { type: 'number', default: 1 },
}, 'usage: train-face-projection [--epochs N] [--steps-per-epoch N] [--lr LR] [--margin A] [--mining hard|semihard|all] [--faces DIR] [--seed N]');
const root = fileURLToPath(new URL('../../', import.meta.url));
const facesDir = resolve(o.faces ?? join(root, '../shared/data/orl-faces'));
const DIM = 128;
const TRAIN = [1, 20], TEST = [21, 30];
const pct = (x: number): string => `${(100 * x).toFixed(2)}%`;
const r4 = (x: number): number => Number(x.toFixed(4));
const normalised = (d: Float32Array): Float32Array => {
  const n = Math.hypot(...d);
  return d.map((v) => v / n);
};

/** Accuracy at the threshold chosen on the training persons' pairs; AUC and TAR at FAR 1e-3 on the test pairs with both faces. */
function orlFigures(train: EvalPair[], test: EvalPair[]) {
  const { threshold } = bestPlain(train);
  const valid = test.filter((p) => p.distance !== null).map((p) => ({ distance: p.distance!, same: p.same }));
  return { threshold: r4(threshold), train: r4(strictAccuracy(train, threshold)), test: r4(strictAccuracy(test, threshold)), testAuc: r4(calibrate(valid).auc), testTarAtFar1e3: r4(tarAtFar(rocCurve(valid), 1e-3).tar) };
}

async function main(): Promise<void> {
  const cache = existsSync(CACHE) ? readCache() : {};
  const uncached = lfwPhotos().filter((p) => !(p in cache)).length;
  if (uncached) throw new Error(`${uncached} LFW View 1 photos are not in ${CACHE}: run node build/bench/lfw-faces.js first (it resumes; about 45 minutes for all 4,992 on a CPU adapter)`);
  const engine = await createNodeEngine();
  console.log(`adapter: ${adapterLine(engine.adapterInfo)} via ${engine.driver}`);
  const samples = await faceDescriptors(engine, facesDir, join(root, 'build/cache/orl-descriptors.json'));
  const inRange = (s: FaceSample, [lo, hi]: number[]) => s.personNumber >= lo! && s.personNumber <= hi!;
  const trainIdx = samples.flatMap((s, i) => (inRange(s, TRAIN) ? [i] : []));
  const testIdx = samples.flatMap((s, i) => (inRange(s, TEST) ? [i] : []));
  const withFace = trainIdx.filter((i) => samples[i]!.descriptor);
  const data = {
    images: Float32Array.from(withFace.flatMap((i) => Array.from(samples[i]!.descriptor!))),
    labels: Int32Array.from(withFace, (i) => samples[i]!.personNumber),
    shape: [DIM] as const,
    count: withFace.length,
  };
  console.log(`ORL: training on ${data.count} descriptors of s${TRAIN[0]}-s${TRAIN[1]}, testing on s${TEST[0]}-s${TEST[1]} (${testIdx.length} images)`);

  const model = sequential(engine, [DIM], [{ type: 'dense', units: DIM }, { type: 'l2Normalize' }], { seed: o.seed });
  // Start at the identity: before any step the head is the descriptor, normalised.
  engine.uploadBytes(model.params.get('dense_1/kernel')!.buffer, Float32Array.from({ length: DIM * DIM }, (_, k) => (k % (DIM + 1) === 0 ? 1 : 0)));
  engine.uploadBytes(model.params.get('dense_1/bias')!.buffer, new Float32Array(DIM));
  const epochs = o.epochs, stepsPerEpoch = o['steps-per-epoch'];
  const t0 = performance.now();
  const run = await trainEmbedding({
    model, data, loss: 'triplet', mining: o.mining as Mining, margin: o.margin, batch: { persons: 10, perPerson: 4 },
    optimizer: { kind: 'adam', lr: o.lr }, schedule: warmupCosine({ peak: o.lr, totalSteps: epochs * stepsPerEpoch }), epochs, stepsPerEpoch, seed: o.seed,
    onProgress: (e) => { if (e.type === 'epoch' && (e.epoch % 5 === 0 || e.epoch === 1)) console.log(`  epoch ${e.epoch}: triplet loss ${e.loss.toFixed(4)}, active ${pct(e.activeFraction ?? 0)}`); },
  });
  const seconds = (performance.now() - t0) / 1000;

  /** The head applied to descriptors (nulls kept), in batches through the trained model. */
  const project = async (ds: readonly (Float32Array | null)[]): Promise<(Float32Array | null)[]> => {
    const present = ds.filter((d): d is Float32Array => d !== null);
    const out = await embedImages(model, { images: Float32Array.from(present.flatMap((d) => Array.from(d))), labels: new Int32Array(present.length), shape: [DIM], count: present.length });
    let k = 0;
    return ds.map((d) => (d ? out[k++]! : null));
  };
  const orlRaw = samples.map((s) => s.descriptor);
  const orlHead = await project(orlRaw);
  const variants = {
    raw: (i: number) => orlRaw[i] ?? null,
    normalised: (i: number) => (orlRaw[i] ? normalised(orlRaw[i]!) : null),
    head: (i: number) => orlHead[i] ?? null,
  };
  const orl = Object.fromEntries(Object.entries(variants).map(([k, f]) => [k, orlFigures(facePairs(samples, trainIdx, euclidean, f), facePairs(samples, testIdx, euclidean, f))]));

  const paths = Object.keys(cache);
  const lfwRaw = paths.map((p) => (cache[p] ? Float32Array.from(cache[p]!.dlib) : null));
  const lfwHead = await project(lfwRaw);
  const lfwMap = (ds: (Float32Array | null)[]) => new Map(paths.map((p, i) => [p, ds[i]!]));
  const lfw = {
    raw: lfwDevFigures(lfwMap(lfwRaw), euclidean),
    normalised: lfwDevFigures(lfwMap(lfwRaw.map((d) => d && normalised(d))), euclidean),
    head: lfwDevFigures(lfwMap(lfwHead), euclidean),
  };

  console.log('');
  console.log(`head: dense ${DIM}x${DIM} + L2 norm from the identity; triplet loss, ${o.mining} mining, margin ${o.margin}, batches 10x4, Adam warm-up + cosine from ${o.lr}; ${epochs} epochs x ${stepsPerEpoch} steps in ${seconds.toFixed(1)} s; final loss ${run.history.at(-1)!.loss.toFixed(4)}`);
  console.log('| descriptor | ORL s21-s30 acc | AUC | TAR@FAR 1e-3 | LFW DevTest acc | AUC | TAR@FAR 1e-3 |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const k of ['raw', 'normalised', 'head'] as const) {
    console.log(`| ${k} | ${pct(orl[k]!.test)} | ${orl[k]!.testAuc.toFixed(4)} | ${pct(orl[k]!.testTarAtFar1e3)} | ${pct(lfw[k].test)} | ${lfw[k].testAuc.toFixed(4)} | ${pct(lfw[k].testTarAtFar1e3)} |`);
  }
  const out = join(root, 'bench/results/face-projection.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify({
    head: { layers: `dense ${DIM}x${DIM} (identity start) + l2 normalise`, loss: `triplet, ${o.mining} mining, margin ${o.margin}`, batch: '10 persons x 4', optimizer: `adam, warm-up + cosine from ${o.lr}`, epochs, stepsPerEpoch, seconds: r4(seconds), history: run.history.map((h) => ({ epoch: h.epoch, loss: r4(h.loss) })) },
    orl: { train: `s${TRAIN[0]}-s${TRAIN[1]} (${data.count} descriptors)`, test: `s${TEST[0]}-s${TEST[1]}`, thresholdsFrom: 'the training persons', ...orl },
    lfw: { descriptors: `${CACHE} (${paths.length} photos, ${lfwRaw.filter((d) => !d).length} without a face)`, thresholdsFrom: 'DevTrain', ...lfw },
    adapter: adapterLine(engine.adapterInfo), date: new Date().toISOString(),
  }, null, 2) + '\n');
  console.log(`wrote ${out}`);
  model.dispose();
}

runMain(main);
