/**
 * Parity of FaceRecognitionNet with face-api's faceRecognitionNet on TF.js (CPU backend): the
 * same 150x150 face chips, as identical f32 tensors, through both networks.
 */
import * as tf from '@tensorflow/tfjs';
import * as faceapi from '@vladmandic/face-api/dist/face-api.esm-nobundle.js';
import jpeg from 'jpeg-js';
import { readFileSync } from 'node:fs';
import type { Engine } from '../../src/gpu/engine.js';
import { loadWeightsFromFile } from '../../src/host/node.js';
import { FACE_API_MODELS } from '../../src/nn/face-api-models.js';
import { FACE_DESCRIPTOR_SIZE, FACE_RECOGNITION_INPUT_SIZE, FaceRecognitionNet } from '../../src/nn/face-recognition-net.js';
import { WeightMap, type Weight } from '../../src/nn/weights.js';
import { assert, assertEqual, assertRejects } from '../util/assert.js';
import { testEngine } from '../util/engine.js';

const MODEL_DIR = 'node_modules/@vladmandic/face-api/model';
const SIZE = FACE_RECOGNITION_INPUT_SIZE;
const CHIP = SIZE * SIZE * 3;
/** The bar: descriptors agree within this, element by element. */
const PARITY = 1e-3;

type Chip = { name: string; data: Float32Array };
/** face-api bundles its own copy of the TF.js types. */
type FaceApiInput = Parameters<typeof faceapi.nets.faceRecognitionNet.computeFaceDescriptor>[0];

/**
 * face-api's own preparation of a face crop [H, W, 3]: zero-pad to a square (centred), then
 * bilinear resize to 150x150 (NetInput.toBatchTensor(150, true)).
 */
function toChip(name: string, crop: tf.Tensor3D): Chip {
  return tf.tidy(() => {
    const [h, w] = crop.shape;
    const diff = Math.abs(h - w);
    const append = Math.round(diff * 0.5);
    const pad: [number, number][] = h > w ? [[0, 0], [diff - append, append], [0, 0]] : [[diff - append, append], [0, 0], [0, 0]];
    const square = diff ? tf.pad(crop, pad) : crop;
    const chip = tf.image.resizeBilinear(square as tf.Tensor3D, [SIZE, SIZE], false, false);
    return { name, data: chip.dataSync() as Float32Array };
  });
}

/** Faces in face-api's demo sample1.jpg (boxes from face-api's SSD MobileNet detector). */
function sampleChips(): Chip[] {
  const image = jpeg.decode(readFileSync('node_modules/@vladmandic/face-api/demo/sample1.jpg'), { useTArray: true });
  const rgb = new Float32Array(image.width * image.height * 3);
  for (let p = 0; p < image.width * image.height; p++) for (let c = 0; c < 3; c++) rgb[3 * p + c] = image.data[4 * p + c]!;
  const boxes = [[414, 355, 178, 238], [838, 421, 187, 227], [1476, 200, 203, 241]] as const;
  return tf.tidy(() => {
    const t = tf.tensor3d(rgb, [image.height, image.width, 3]);
    return boxes.map(([x, y, w, h], i) => toChip(`sample1.jpg face ${i + 1}`, tf.slice3d(t, [y, x, 0], [h, w, 3])));
  });
}

/** ORL faces (92x112 8-bit grayscale PGM), as RGB. */
function orlChip(subject: number, image: number): Chip {
  const bytes = readFileSync(`../shared/data/orl-faces/s${subject}/${image}.pgm`);
  const header = /^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(bytes.subarray(0, 32).toString('latin1'));
  assert(header && header[3] === '255', `s${subject}/${image}.pgm: not an 8-bit binary PGM`);
  const [width, height] = [Number(header[1]), Number(header[2])];
  const pixels = bytes.subarray(header[0].length, header[0].length + width * height);
  const rgb = new Float32Array(width * height * 3);
  for (let p = 0; p < width * height; p++) rgb[3 * p] = rgb[3 * p + 1] = rgb[3 * p + 2] = pixels[p]!;
  return tf.tidy(() => toChip(`orl s${subject}/${image}`, tf.tensor3d(rgb, [height, width, 3])));
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assertEqual(a.length, b.length, 'descriptor length');
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

function distance(a: Float32Array, b: Float32Array): number {
  return Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]!) ** 2, 0));
}

function batchOf(chips: Chip[]): Float32Array {
  const data = new Float32Array(chips.length * CHIP);
  chips.forEach((c, i) => data.set(c.data, i * CHIP));
  return data;
}

describe('face recognition net (parity with face-api on TF.js CPU)', () => {
  let engine: Engine;
  let net: FaceRecognitionNet;
  let chips: Chip[];
  const reference = new Map<string, Float32Array>();
  const ours = new Map<string, Float32Array>();

  before(async () => {
    engine = await testEngine();
    await tf.setBackend('cpu');
    await faceapi.nets.faceRecognitionNet.loadFromDisk(MODEL_DIR);
    const spec = FACE_API_MODELS.faceRecognition;
    net = new FaceRecognitionNet(engine, await loadWeightsFromFile(`${MODEL_DIR}/${spec.manifest}`, { sha256: spec.sha256 }));
    chips = [...sampleChips(), orlChip(1, 1), orlChip(1, 2), orlChip(2, 1), orlChip(7, 4)];
  });

  after(() => net?.dispose());

  it(`gives face-api's descriptors within ${PARITY} per element (sample1.jpg faces and ORL faces)`, async () => {
    let refMs = 0;
    for (const chip of chips) {
      const t0 = performance.now();
      const input = tf.tensor3d(chip.data, [SIZE, SIZE, 3]);
      const expected = (await faceapi.nets.faceRecognitionNet.computeFaceDescriptor(input as unknown as FaceApiInput)) as Float32Array;
      input.dispose();
      refMs += performance.now() - t0;
      reference.set(chip.name, expected);
      const [got] = await engine.scope(() => net.describe(engine.tensor([1, SIZE, SIZE, 3], chip.data)));
      ours.set(chip.name, got!);
      const diff = maxAbsDiff(got!, expected);
      const norm = Math.hypot(...expected);
      console.log(`    ${chip.name}: max abs diff ${diff.toExponential(2)} (descriptor norm ${norm.toFixed(3)})`);
      assertEqual(got!.length, FACE_DESCRIPTOR_SIZE, 'descriptor size');
      assert(diff <= PARITY, `${chip.name}: descriptors differ by up to ${diff} (bar ${PARITY})`);
    }
    console.log(`    face-api on TF.js CPU: ${(refMs / chips.length).toFixed(1)} ms per descriptor`);
    // For information: face-api's threshold for "same person" is 0.6.
    const d = (a: string, b: string) => distance(ours.get(a)!, ours.get(b)!);
    console.log(`    distances: s1/1–s1/2 ${d('orl s1/1', 'orl s1/2').toFixed(3)}, s1/1–s2/1 ${d('orl s1/1', 'orl s2/1').toFixed(3)}, ` +
      `sample1 faces 1–2 ${d('sample1.jpg face 1', 'sample1.jpg face 2').toFixed(3)}`);
  });

  it('a batch gives the same descriptors as one chip at a time', async () => {
    for (const group of [chips.slice(0, 3), chips.slice(3, 5), chips.slice(4)]) {
      const got = await engine.scope(() => net.describe(engine.tensor([group.length, SIZE, SIZE, 3], batchOf(group))));
      assertEqual(got.length, group.length, 'descriptors in the batch');
      group.forEach((chip, i) => {
        const single = ours.get(chip.name);
        assert(single, 'the parity test runs first');
        const diff = maxAbsDiff(got[i]!, single);
        assert(diff <= 1e-5, `batch of ${group.length}, ${chip.name}: differs from the single run by ${diff}`);
        assert(maxAbsDiff(got[i]!, reference.get(chip.name)!) <= PARITY, `batch of ${group.length}, ${chip.name}: differs from face-api`);
      });
    }
  });

  it('runs in its own scope: repeated passes allocate nothing new', async () => {
    const input = engine.tensor([2, SIZE, SIZE, 3], batchOf(chips.slice(0, 2)));
    await net.describe(input);
    const start = engine.memory();
    for (let i = 0; i < 3; i++) await net.describe(input);
    const end = engine.memory();
    input.dispose();
    assertEqual(end.inUse, start.inUse, 'buffers in use');
    assertEqual(end.buffers, start.buffers, 'buffers created');
  });

  it('timing (ms per descriptor on this adapter; printed, not asserted)', async () => {
    for (const n of [1, 4]) {
      const input = engine.tensor([n, SIZE, SIZE, 3], batchOf(Array.from({ length: n }, (_, i) => chips[i % chips.length]!)));
      await net.describe(input); // warm-up: pipelines compiled, buffers pooled
      const runs = 3;
      const t0 = performance.now();
      for (let i = 0; i < runs; i++) await net.describe(input);
      const ms = (performance.now() - t0) / runs;
      input.dispose();
      console.log(`    batch ${n}: ${ms.toFixed(1)} ms per pass, ${(ms / n).toFixed(1)} ms per descriptor (${engine.adapterInfo.description || engine.adapterInfo.device || 'adapter'})`);
    }
  });

  it('wrong weights or input fail clearly, naming the weight', async () => {
    const tiny = FACE_API_MODELS.tinyFaceDetector;
    const other = await loadWeightsFromFile(`${MODEL_DIR}/${tiny.manifest}`);
    await assertRejects(() => new FaceRecognitionNet(engine, other),
      /WeightsError: wrong weights: 'conv32_down\/conv\/filters' is not in .*tiny_face_detector_model-weights_manifest\.json/, 'tiny face detector weights');

    const spec = FACE_API_MODELS.faceRecognition;
    const real = await loadWeightsFromFile(`${MODEL_DIR}/${spec.manifest}`);
    const doctored = (name: string, weight: Weight) => new WeightMap('doctored.json', new Map(real.names.map((n) => [n, n === name ? weight : real.get(n)])));
    await assertRejects(() => new FaceRecognitionNet(engine, doctored('fc', { shape: [128, 256], data: real.get('fc').data })),
      /WeightsError: wrong weights: 'fc' in doctored.json has shape \[128,256\], expected \[256,128\]/, 'transposed fc');
    await assertRejects(() => new FaceRecognitionNet(engine, doctored('conv64_down/conv1/conv/filters', { shape: [3, 3, 64, 64], data: new Float32Array(3 * 3 * 64 * 64) })),
      /'conv64_down\/conv1\/conv\/filters' in doctored.json has shape \[3,3,64,64\], expected \[3,3,32,64\]/, 'wrong filters');

    await assertRejects(() => engine.scope(async () => net.forward(engine.tensor([1, 112, 92, 3], new Float32Array(112 * 92 * 3)))),
      /ShapeError: FaceRecognitionNet: input must be a batch of 150x150 RGB face chips \[N, 150, 150, 3\], got \[1,112,92,3\]/, 'ORL-sized input');
  });
});
