/**
 * Face pipeline evaluation (`npm run eval:faces`): on ORL (../shared/data/orl-faces, 30 people × 10
 * images) or any folder of the same layout (`--faces DIR` with `sN/M.pgm|jpg|png`):
 *   - detection rate (images with ≥ 1 face; the highest-scoring face is used per image),
 *   - verification accuracy over every same/different pair at τ = 0.6 and at the best threshold,
 *     and LFW-style 10-fold mean ± std on a balanced pair set,
 *   - rank-1 identification with each person's first image enrolled in a FaceGallery,
 *   - parity with face-api (TF.js CPU backend): max |descriptor diff|, max box diff in px,
 *   - per-image latency of detect + align + describe, ours and face-api on TF.js's WebGPU
 *     backend constructed on our engine's GPUDevice (the same adapter).
 * Prints a summary and writes bench/results/faces.json.
 * Usage: node build/bench/eval-faces.js [--faces DIR] [--out FILE] [--max-people N] [--latency-images N]
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import * as wasm from '@tensorflow/tfjs-backend-wasm';
import * as faceapi from '@vladmandic/face-api/dist/face-api.esm-nobundle.js';
import { createFaceRecognizer, createNodeEngine, faceApiModelDir } from '../../src/host/node.js';
import { decodeImage } from '../../src/host/node-image.js';
import type { RGBAImage } from '../../src/ops/image.js';
import { FaceGallery } from '../../src/tasks/face/gallery.js';
import { euclidean } from '../../src/tasks/face/recognizer.js';
import type { DescribedFace } from '../../src/tasks/face/types.js';
import { installAsyncReadShim } from '../tfjs/face-api-async-read.js';
import { parseOptions } from '../args.js';
import { adapterLine } from '../format.js';
import { runMain } from '../hosts/drive.js';
import { median } from '../stats.js';
import { tfjsWebGPUOnEngine } from '../tfjs/backends.js';
import { shareDawnWithTfjs, tfjsWasmDir } from '../tfjs/dawn.js';
import { rgbTensor } from '../tfjs/images.js';
import { bestBalanced, bestPlain, lfwKFold, notMatchedAccuracy, rates, strictAccuracy, type EvalPair } from './face-metrics.js';
import { bestFace, bordered, listFaceFolder, type FaceFile } from './orl-descriptors.js';

const TAU = 0.6;
const FOLDS = 10;
const LFW_SEED = 20240601;
/** face-api's SSD on TF.js CPU takes several seconds an image here: parity on a few images only. */
const PARITY_DATASET_IMAGES = 3;
const LATENCY_WARMUP = 2;

// ---- arguments ---------------------------------------------------------------------------------
const args = parseOptions(process.argv.slice(2), {
  faces: { type: 'string' },
  out: { type: 'string' },
  'max-people': { type: 'number', default: Infinity },
  'latency-images': { type: 'number', default: 5 },
}, 'usage: eval-faces [--faces DIR] [--out FILE] [--max-people N] [--latency-images N]');
// This file runs as build/bench/eval-faces.js: the repository root is two folders up.
const root = fileURLToPath(new URL('../../', import.meta.url));
const facesDir = resolve(args.faces ?? join(root, '../shared/data/orl-faces'));
/** How the folder is named in the output: relative to the repository root (the JSON file is committed). */
const facesName = relative(root, facesDir) || '.';
const outFile = resolve(args.out ?? join(root, 'bench/results/faces.json'));
const maxPeople = args['max-people'];
const latencyImages = args['latency-images'];

// ---- helpers -----------------------------------------------------------------------------------
const log = (line = ''): void => console.log(line);
const pct = (x: number): string => `${(100 * x).toFixed(2)}%`;
const now = (): number => performance.now();

interface Sample {
  person: string;
  name: string;
  path: string;
  /** The image with a border of half its size on each side (repeated edge pixels). */
  image: RGBAImage;
}

/** `DIR/sN/M.ext` by person, people and images in numeric order. */
function listDataset(dir: string): { person: string; files: FaceFile[] }[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`--faces: ${dir} is not a folder`);
  const people: { person: string; files: FaceFile[] }[] = [];
  for (const f of listFaceFolder(dir)) {
    if (people.at(-1)?.person !== f.person) people.push({ person: f.person, files: [] });
    people.at(-1)!.files.push(f);
  }
  if (people.length < 2) throw new Error(`--faces: ${dir} needs at least two people sN/ with images M.pgm|jpg|png`);
  return people;
}


interface ApiFace {
  box: { x: number; y: number; width: number; height: number };
  score: number;
  descriptor: Float32Array;
}

/** face-api's detect + landmarks + descriptors on the active TF.js backend (pixels → tensor included). */
async function faceApiDescribe(image: RGBAImage): Promise<ApiFace[]> {
  const input = rgbTensor(image);
  try {
    const out = await faceapi.detectAllFaces(input as never, new faceapi.SsdMobilenetv1Options()).withFaceLandmarks().withFaceDescriptors();
    return out.map((r) => ({ box: { x: r.detection.box.x, y: r.detection.box.y, width: r.detection.box.width, height: r.detection.box.height }, score: r.detection.score, descriptor: r.descriptor }));
  } finally {
    input.dispose();
  }
}

async function main(): Promise<void> {
  const started = now();
  await shareDawnWithTfjs();

  const engine = await createNodeEngine();
  const ours = await createFaceRecognizer({ engine });
  const a = engine.adapterInfo;
  const adapter = `${adapterLine(a)} via ${engine.driver}`;
  const cpu = cpus();
  log(`adapter: ${adapter}`);
  log(`Node ${process.version}, ${cpu.length} CPU cores (${cpu[0]?.model ?? 'unknown'}); TF.js ${tf.version_core}`);

  // ---- dataset pass: every image through our pipeline -----------------------------------------
  const people = listDataset(facesDir).slice(0, maxPeople);
  const samples: Sample[] = people.flatMap((p) => p.files.map((f) => ({ person: p.person, name: f.name, path: f.path, image: bordered(decodeImage(readFileSync(f.path), f.path)) })));
  log(`data: ${facesName}: ${people.length} people, ${samples.length} images; each given a border of half its size on each side (edge pixels repeated), SSD-MobileNetV1 detector, highest-scoring face per image`);
  const faces: (DescribedFace | null)[] = [];
  const oursPassMs: number[] = [];
  const passStart = now();
  for (const [i, s] of samples.entries()) {
    const t0 = now();
    const found = await ours.describe(s.image);
    if (i > 0) oursPassMs.push(now() - t0); // the first image compiles the pipelines
    faces.push(bestFace(found));
    if ((i + 1) % 50 === 0 || i + 1 === samples.length) {
      const elapsed = (now() - passStart) / 1000;
      log(`  ${i + 1}/${samples.length} images, ${elapsed.toFixed(0)} s, ~${((elapsed / (i + 1)) * (samples.length - i - 1)).toFixed(0)} s left`);
    }
  }
  const missed = samples.filter((_, i) => !faces[i]).map((s) => `${s.person}/${s.name}`);
  const detectionRate = (samples.length - missed.length) / samples.length;

  // ---- verification over all pairs --------------------------------------------------------------
  const pairs: EvalPair[] = [];
  for (let i = 0; i < samples.length; i++) {
    for (let j = i + 1; j < samples.length; j++) {
      const fi = faces[i], fj = faces[j];
      pairs.push({ a: i, b: j, same: samples[i]!.person === samples[j]!.person, distance: fi && fj ? euclidean(fi.descriptor, fj.descriptor) : null });
    }
  }
  const nSame = pairs.filter((p) => p.same).length;
  const nDiff = pairs.length - nSame;
  if (!nSame) throw new Error(`${facesDir}: no person has two images, so there are no same-person pairs`);
  const noFacePairs = pairs.filter((p) => p.distance === null).length;
  const atTau = { accuracy: strictAccuracy(pairs, TAU), notMatched: notMatchedAccuracy(pairs, TAU), ...rates(pairs, TAU) };
  const plainBest = bestPlain(pairs);
  const plainBestRates = rates(pairs, plainBest.threshold);
  const balancedBest = bestBalanced(pairs);
  const lfw = lfwKFold(pairs, FOLDS, LFW_SEED);
  const lfwNotMatched = lfwKFold(pairs, FOLDS, LFW_SEED, notMatchedAccuracy);
  const sameD = pairs.filter((p) => p.same && p.distance !== null).map((p) => p.distance!);
  const diffD = pairs.filter((p) => !p.same && p.distance !== null).map((p) => p.distance!);

  // ---- rank-1 identification: first image of each person enrolled ------------------------------
  const gallery = FaceGallery.onGPU(engine);
  const enrolled = new Set<string>();
  const firstOf = new Map<string, number>();
  samples.forEach((s, i) => { if (!firstOf.has(s.person)) firstOf.set(s.person, i); });
  for (const [person, i] of firstOf) {
    const f = faces[i];
    if (f) {
      await gallery.enroll(person, [f.descriptor]);
      enrolled.add(person);
    }
  }
  let queries = 0, rank1Hits = 0, openSetHits = 0;
  for (const [i, s] of samples.entries()) {
    if (firstOf.get(s.person) === i) continue;
    queries++;
    const f = faces[i];
    if (!f) continue; // no face: a miss
    const r = await gallery.identify(f.descriptor, { threshold: TAU, topK: 1 });
    if (r.candidates[0]?.id === s.person) rank1Hits++;
    if (r.id === s.person) openSetHits++;
  }
  await gallery.close();
  const rank1 = rank1Hits / queries;
  const openSet = openSetHits / queries;

  // ---- parity with face-api on TF.js CPU ---------------------------------------------------------
  const modelDir = faceApiModelDir();
  await tf.setBackend('cpu');
  await Promise.all([faceapi.nets.ssdMobilenetv1.loadFromDisk(modelDir), faceapi.nets.faceLandmark68Net.loadFromDisk(modelDir), faceapi.nets.faceRecognitionNet.loadFromDisk(modelDir)]);
  const samplePhoto = join(dirname(modelDir), 'demo', 'sample1.jpg');
  const parityCases: { name: string; image: RGBAImage }[] = [
    ...people.slice(0, PARITY_DATASET_IMAGES).map((p) => {
      const s = samples.find((x) => x.person === p.person)!;
      return { name: `${s.person}/${s.name} (bordered)`, image: s.image };
    }),
    { name: 'face-api demo/sample1.jpg', image: decodeImage(readFileSync(samplePhoto), samplePhoto) },
  ];
  log(`parity: face-api (TF.js CPU) vs ours on ${parityCases.length} images`);
  let maxAbsDiff = 0, maxBoxPx = 0;
  const parityRows: { image: string; oursFaces: number; faceApiFaces: number; maxAbsDiff: number; maxBoxPx: number; faceApiCpuMs: number }[] = [];
  for (const c of parityCases) {
    const t0 = now();
    const theirs = await faceApiDescribe(c.image);
    const cpuMs = now() - t0;
    const mine = await ours.describe(c.image);
    let box = 0, desc = 0;
    for (const t of theirs) {
      if (!mine.length) { box = desc = Infinity; break; }
      const tb = t.box;
      const dist = (f: DescribedFace) => Math.abs(f.box.x - tb.x) + Math.abs(f.box.y - tb.y);
      const m = mine.reduce((x, y) => (dist(y) < dist(x) ? y : x));
      box = Math.max(box, Math.abs(m.box.x - tb.x), Math.abs(m.box.y - tb.y), Math.abs(m.box.width - tb.width), Math.abs(m.box.height - tb.height));
      for (let k = 0; k < t.descriptor.length; k++) desc = Math.max(desc, Math.abs(m.descriptor[k]! - t.descriptor[k]!));
    }
    if (mine.length !== theirs.length) log(`  WARNING ${c.name}: ours finds ${mine.length} face(s), face-api ${theirs.length}`);
    maxAbsDiff = Math.max(maxAbsDiff, desc);
    maxBoxPx = Math.max(maxBoxPx, box);
    parityRows.push({ image: c.name, oursFaces: mine.length, faceApiFaces: theirs.length, maxAbsDiff: desc, maxBoxPx: box, faceApiCpuMs: Math.round(cpuMs) });
    log(`  ${c.name}: ${mine.length}/${theirs.length} face(s) ours/face-api, max |descriptor diff| ${desc.toExponential(2)}, max box diff ${box.toFixed(4)} px (face-api CPU ${(cpuMs / 1000).toFixed(1)} s)`);
  }

  // ---- latency: detect + align + describe per image ---------------------------------------------
  // TF.js's WebGPU backend is constructed on our engine's device (same adapter and queue); its
  // own factory would request another device. Falls back to WASM, then CPU, if it fails.
  const latencySet = people.slice(0, latencyImages).map((p) => samples.filter((s) => s.person === p.person)[1] ?? samples.find((s) => s.person === p.person)!);
  const warmSet = [samples[0]!, samples[samples.length - 1]!];
  let faceApiBackend = '';
  let removeShim: (() => void) | null = null;
  const backendErrors: string[] = [];
  const tryBackend = async (name: 'webgpu' | 'wasm' | 'cpu'): Promise<boolean> => {
    try {
      if (name === 'webgpu') {
        tfjsWebGPUOnEngine(engine);
        removeShim = installAsyncReadShim();
      }
      if (name === 'wasm') {
        wasm.setWasmPaths(tfjsWasmDir());
      }
      if (!(await tf.setBackend(name))) throw new Error(`tf.setBackend('${name}') returned false`);
      await tf.ready();
      // The warm-ups: pipeline / shader compilation and weight upload happen here.
      for (const s of warmSet.slice(0, LATENCY_WARMUP)) await faceApiDescribe(s.image);
      return true;
    } catch (e) {
      removeShim?.();
      removeShim = null;
      backendErrors.push(`${name}: ${(e as Error).message}`);
      log(`  face-api on TF.js ${name} failed: ${(e as Error).message}`);
      return false;
    }
  };
  log(`latency: detect + align + describe on ${latencySet.length} images (${latencySet.map((s) => `${s.person}/${s.name}`).join(', ')}), after ${LATENCY_WARMUP} warm-ups`);
  const warmStart = now();
  for (const name of ['webgpu', 'wasm', 'cpu'] as const) {
    if (await tryBackend(name)) {
      faceApiBackend = name === 'webgpu' ? "tfjs-backend-webgpu on our engine's GPUDevice (same adapter; face-api's two synchronous read-backs done asynchronously, see bench/tfjs/face-api-async-read.ts)" : name === 'wasm' ? 'tfjs-backend-wasm (CPU; WebGPU failed)' : 'tfjs-backend-cpu (WebGPU and WASM failed)';
      break;
    }
  }
  log(`  face-api backend: ${faceApiBackend} (warm-up ${((now() - warmStart) / 1000).toFixed(1)} s)`);
  for (const s of warmSet.slice(0, LATENCY_WARMUP)) await ours.describe(s.image);
  const oursMs: number[] = [], faceApiMs: number[] = [];
  let latencyCheck = 0;
  for (const s of latencySet) {
    let t0 = now();
    const mine = bestFace(await ours.describe(s.image));
    oursMs.push(now() - t0);
    t0 = now();
    const theirs = await faceApiDescribe(s.image);
    faceApiMs.push(now() - t0);
    const top = theirs.length ? theirs.reduce((x, y) => (y.score > x.score ? y : x)) : null;
    if (mine && top) latencyCheck = Math.max(latencyCheck, ...Array.from(mine.descriptor, (v, k) => Math.abs(v - top.descriptor[k]!)));
    log(`  ${s.person}/${s.name}: ours ${oursMs.at(-1)!.toFixed(0)} ms, face-api ${faceApiMs.at(-1)!.toFixed(0)} ms`);
  }
  const latency = { ours: Math.round(median(oursMs)), faceApi: Math.round(median(faceApiMs)) };

  // ---- summary ----------------------------------------------------------------------------------
  const r4 = (x: number) => Number(x.toFixed(4));
  const row = (label: string, text: string): void => log(`${label.padEnd(26)} ${text}`);
  log('');
  log(`== face pipeline on ${facesName} (${people.length} people, ${samples.length} images) ==`);
  row(`detection rate`, `${pct(detectionRate)}  (${samples.length - missed.length}/${samples.length} images with >= 1 face${missed.length ? `; missed: ${missed.join(', ')}` : ''})`);
  row(`pairs`, `${pairs.length} = ${nSame} same-person + ${nDiff} different-person; ${noFacePairs} involve an image without a face and count as WRONG at every threshold`);
  row(`distances`, `same: median ${median(sameD).toFixed(3)}, different: median ${median(diffD).toFixed(3)}`);
  row(`verification at tau=${TAU}`, `plain accuracy over all pairs ${pct(atTau.accuracy)}; TAR ${pct(atTau.tar)}, TNR ${pct(atTau.tnr)}, balanced (TAR+TNR)/2 ${pct(atTau.balanced)}`);
  row(`best threshold (plain)`, `${plainBest.threshold.toFixed(4)}: plain accuracy ${pct(plainBest.accuracy)}; TAR ${pct(plainBestRates.tar)}, TNR ${pct(plainBestRates.tnr)}  (chosen on this same data: optimistic)`);
  row(`best threshold (balanced)`, `${balancedBest.threshold.toFixed(4)}: balanced accuracy ${pct(balancedBest.balanced)}; TAR ${pct(balancedBest.tar)}, TNR ${pct(balancedBest.tnr)}`);
  row(`LFW-style ${lfw.k}-fold`, `${pct(lfw.mean)} ± ${pct(lfw.std)}  (${lfw.same} same + ${lfw.different} different pairs, different ones drawn with seed ${LFW_SEED}; threshold chosen on ${lfw.k - 1} folds, tested on the remaining one; thresholds ${Math.min(...lfw.thresholds).toFixed(3)}..${Math.max(...lfw.thresholds).toFixed(3)})`);
  if (noFacePairs) row('', `if no-face pairs were "not matched" instead (what verify() says; right for different people): at tau ${pct(atTau.notMatched)}, best ${pct(plainBest.notMatched)}, 10-fold ${pct(lfwNotMatched.mean)} ± ${pct(lfwNotMatched.std)}`);
  row(`rank-1 identification`, `${pct(rank1)}  (${rank1Hits}/${queries}; first image of each of ${enrolled.size} people enrolled, the others queried, an image without a face a miss; nearest also within tau: ${pct(openSet)})`);
  row(`parity vs face-api (CPU)`, `max |descriptor diff| ${maxAbsDiff.toExponential(2)}, max box diff ${maxBoxPx.toFixed(4)} px over ${parityCases.length} images`);
  row(`latency per image`, `ours ${latency.ours} ms, face-api ${latency.faceApi} ms (face-api on ${faceApiBackend.split(' (')[0]}; median of ${latencySet.length}; face-api / ours = ${(latency.faceApi / latency.ours).toFixed(2)}x, > 1: ours faster; max descriptor diff ${latencyCheck.toExponential(2)})`);
  row('', `ours over the whole pass: median ${median(oursPassMs).toFixed(0)} ms an image`);

  const result = {
    parity: { maxAbsDiff, maxBoxPx },
    orl: {
      detectionRate: r4(detectionRate),
      verifyAccAtTau: r4(atTau.accuracy),
      verifyAccBest: r4(plainBest.accuracy),
      verifyAcc10foldMean: r4(lfw.mean),
      verifyAcc10foldStd: r4(lfw.std),
      rank1: r4(rank1),
    },
    latencyMs: latency,
    faceApiBackend,
    details: {
      dataset: facesName,
      people: people.length,
      images: samples.length,
      border: 'withEdgeBorder(image, round(width/2), round(height/2))',
      detector: 'ssd (SSD-MobileNetV1), highest-scoring face per image',
      missedImages: missed,
      noFacePairRule: 'a pair with an image without a face counts as wrong at every threshold; thresholds are chosen on pairs with both faces',
      ifNoFaceNotMatched: { verifyAccAtTau: r4(atTau.notMatched), verifyAccBest: r4(plainBest.notMatched), verifyAcc10foldMean: r4(lfwNotMatched.mean), verifyAcc10foldStd: r4(lfwNotMatched.std) },
      tau: TAU,
      pairs: { total: pairs.length, same: nSame, different: nDiff, withoutFace: noFacePairs },
      accuracyNote: 'verifyAccAtTau / verifyAccBest are plain accuracy over all pairs (dominated by different-person pairs); balanced = (TAR + TNR) / 2',
      atTau: { tar: r4(atTau.tar), tnr: r4(atTau.tnr), balanced: r4(atTau.balanced) },
      bestPlain: { threshold: r4(plainBest.threshold), tar: r4(plainBestRates.tar), tnr: r4(plainBestRates.tnr) },
      bestBalanced: { threshold: r4(balancedBest.threshold), balanced: r4(balancedBest.balanced), tar: r4(balancedBest.tar), tnr: r4(balancedBest.tnr) },
      lfw10fold: { k: lfw.k, folds: lfw.folds.map(r4), thresholds: lfw.thresholds.map(r4), samePairs: lfw.same, differentPairs: lfw.different, seed: LFW_SEED },
      rank1: { hits: rank1Hits, queries, enrolled: enrolled.size, withinTau: r4(openSet) },
      parity: parityRows,
      latency: {
        what: 'detect + align + describe of one bordered image already decoded to RGBA, pixels-to-tensor included; interleaved ours/face-api, median',
        images: latencySet.map((s) => `${s.person}/${s.name}`),
        oursMs: oursMs.map(Math.round),
        faceApiMs: faceApiMs.map(Math.round),
        oursWholePassMedianMs: Math.round(median(oursPassMs)),
        backendErrors,
      },
      adapter,
      node: process.version,
      tfjs: tf.version_core,
      seconds: Math.round((now() - started) / 1000),
    },
  };
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(outFile, JSON.stringify(result, null, 2) + '\n');
  log(`wrote ${outFile} (${result.details.seconds} s in all)`);
}

runMain(main);
