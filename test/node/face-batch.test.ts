// The faces of one photo go through the landmark and descriptor networks as one batch each
// (src/tasks/face/recognizer.ts): on face-api's demo/sample5.jpg (5 faces) the batched results
// equal those of each face on its own, in the photo that goes whole and in pieces, and batches
// stay within what the device binds.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../../src/gpu/engine.js';
import type { Tensor } from '../../src/gpu/tensor.js';
import { createFaceRecognizer, faceApiModelDir, loadWeightsFromFile } from '../../src/host/node.js';
import { decodeImage } from '../../src/host/node-image.js';
import type { Point } from '../../src/nn/boxes.js';
import { FACE_API_MODELS } from '../../src/nn/face-api-models.js';
import { FaceLandmark68Net, landmarkCrop } from '../../src/nn/face-landmark-68.js';
import { FaceRecognitionNet } from '../../src/nn/face-recognition-net.js';
import { imageToTensor, type RGBAImage } from '../../src/ops/image.js';
import { takesWhole } from '../../src/tasks/face/image-pieces.js';
import { alignedFaceBox, type FaceRecognizer } from '../../src/tasks/face/recognizer.js';
import type { DescribedFace } from '../../src/tasks/face/types.js';
import { assert, assertEqual } from '../util/assert.js';
import { testEngine } from '../util/engine.js';

const TOL = 1e-5;
const photo = decodeImage(readFileSync('node_modules/@vladmandic/face-api/demo/sample5.jpg'));

/** The image scaled by `factor` (nearest pixel). */
function enlarged(image: RGBAImage, factor: number): RGBAImage {
  const width = Math.round(image.width * factor);
  const height = Math.round(image.height * factor);
  const src = new Uint32Array(image.data.buffer, image.data.byteOffset, image.width * image.height);
  const dst = new Uint32Array(width * height);
  for (let y = 0; y < height; y++) {
    const row = Math.min(image.height - 1, Math.floor(y / factor)) * image.width;
    for (let x = 0; x < width; x++) dst[y * width + x] = src[row + Math.min(image.width - 1, Math.floor(x / factor))]!;
  }
  return { data: new Uint8Array(dst.buffer), width, height };
}

interface Net { maxBatch: number; forward(x: Tensor): Tensor }
/** The recognizer's two networks, for spying on their passes. */
const netsOf = (r: FaceRecognizer<Uint8Array | RGBAImage>) => r as unknown as { landmarkNet: Net; recognitionNet: Net };

/** Runs `work` with each network's forward counted (the batch size of each pass) and, if given, its batch limit replaced. */
async function withPasses<T>(nets: Net[], maxBatch: number | null, work: () => Promise<T>): Promise<{ result: T; passes: number[][] }> {
  const saved = nets.map((n) => ({ forward: n.forward, maxBatch: n.maxBatch }));
  const passes = nets.map(() => [] as number[]);
  nets.forEach((n, i) => {
    const forward = n.forward;
    n.forward = (x: Tensor) => (passes[i]!.push(x.shape[0]!), forward.call(n, x));
    if (maxBatch !== null) Object.assign(n, { maxBatch });
  });
  try {
    return { result: await work(), passes };
  } finally {
    nets.forEach((n, i) => Object.assign(n, saved[i]!));
  }
}

function worstDiff(a: DescribedFace[], b: DescribedFace[]): { points: number; descriptor: number } {
  assertEqual(a.length, b.length, 'faces');
  let points = 0;
  let descriptor = 0;
  a.forEach((f, i) => {
    const g = b[i]!;
    assertEqual(f.box, g.box, `face ${i}: box`);
    assertEqual(f.alignedBox, g.alignedBox, `face ${i}: aligned box`);
    f.landmarks.forEach((p, k) => (points = Math.max(points, Math.abs(p.x - g.landmarks[k]!.x), Math.abs(p.y - g.landmarks[k]!.y))));
    f.descriptor.forEach((v, k) => (descriptor = Math.max(descriptor, Math.abs(v - g.descriptor[k]!))));
  });
  return { points, descriptor };
}

describe('faces of one photo as one batch', function () {
  this.timeout(300_000);
  let faces: FaceRecognizer<Uint8Array | RGBAImage>;
  let batched: DescribedFace[];
  before(async () => {
    faces = await createFaceRecognizer({ engine: await testEngine() });
  });
  after(() => faces?.dispose());

  it('sample5.jpg: 5 faces in one landmark pass and one descriptor pass, releasing every buffer', async () => {
    assert(takesWhole(faces.engine, photo), 'the photo goes whole');
    await faces.describe(photo);
    const inUse = faces.engine.memory().inUse;
    const { landmarkNet, recognitionNet } = netsOf(faces);
    const run = await withPasses([landmarkNet, recognitionNet], null, () => faces.describe(photo));
    batched = run.result;
    assertEqual(batched.length, 5, 'faces in sample5.jpg');
    assertEqual(run.passes, [[5], [5]], 'batch size of each landmark and descriptor pass');
    assertEqual(faces.engine.memory().inUse, inUse, 'no buffer left in use');
  });

  it('equals each face on its own: the networks one face at a time, its chip cut from the whole photo', async () => {
    const engine = faces.engine;
    const dir = faceApiModelDir();
    const landmarks = new FaceLandmark68Net(engine, await loadWeightsFromFile(join(dir, FACE_API_MODELS.faceLandmark68.manifest)));
    const recognition = new FaceRecognitionNet(engine, await loadWeightsFromFile(join(dir, FACE_API_MODELS.faceRecognition.manifest)));
    try {
      const single: DescribedFace[] = [];
      for (const { box, score } of batched) {
        const points: Point[] = await landmarks.detect(photo, box);
        const alignedBox = alignedFaceBox(points, landmarkCrop(box, photo.width, photo.height).face);
        const { face, square } = landmarkCrop(alignedBox, photo.width, photo.height);
        const [descriptor] = await engine.scope(() => recognition.describe(imageToTensor(engine, photo, { crop: square, size: [150, 150], sampling: 'asymmetric', zeroOutside: face })));
        single.push({ box, score, landmarks: points, alignedBox, descriptor: descriptor! });
      }
      const worst = worstDiff(batched, single);
      console.log(`    batched vs one at a time: landmarks ${worst.points.toExponential(1)} px, descriptors ${worst.descriptor.toExponential(1)}`);
      assert(worst.points <= TOL && worst.descriptor <= TOL, `batched results differ from one face at a time: ${JSON.stringify(worst)}`);
    } finally {
      landmarks.dispose();
      recognition.dispose();
    }
  });

  it('batches of at most maxBatch give the same faces, in order', async () => {
    const { landmarkNet, recognitionNet } = netsOf(faces);
    const run = await withPasses([landmarkNet, recognitionNet], 2, () => faces.describe(photo));
    assertEqual(run.passes, [[2, 2, 1], [2, 2, 1]], 'passes of at most 2 faces');
    const worst = worstDiff(run.result, batched);
    assert(worst.points <= TOL && worst.descriptor <= TOL, `results differ with batches of 2: ${JSON.stringify(worst)}`);
  });

  it('a photo in pieces (18.1 MP: sample5 scaled 2.6x): batched equals one face at a time', async () => {
    const large = enlarged(photo, 2.6);
    assert(!takesWhole(faces.engine, large), 'the photo goes in pieces');
    const { landmarkNet, recognitionNet } = netsOf(faces);
    const together = await withPasses([landmarkNet, recognitionNet], null, () => faces.describe(large));
    const alone = await withPasses([landmarkNet, recognitionNet], 1, () => faces.describe(large));
    assertEqual(together.result.length, 5, 'faces in the large photo');
    assertEqual(together.passes, [[5], [5]], 'one pass per network');
    assertEqual(alone.passes, [[1, 1, 1, 1, 1], [1, 1, 1, 1, 1]], 'one pass per face');
    const worst = worstDiff(together.result, alone.result);
    console.log(`    in pieces, batched vs one at a time: landmarks ${worst.points.toExponential(1)} px, descriptors ${worst.descriptor.toExponential(1)}`);
    assert(worst.points <= TOL && worst.descriptor <= TOL, `in pieces, batched results differ: ${JSON.stringify(worst)}`);
  });

  it('maxBatch keeps every buffer of a batch within the device limit: 12 faces on a 4 MiB device go in several batches', async () => {
    const shared = await testEngine();
    const small = new Engine(shared.device, shared.adapterInfo, { maxBindingSize: 4 * 2 ** 20 });
    const dir = faceApiModelDir();
    const landmarks = new FaceLandmark68Net(small, await loadWeightsFromFile(join(dir, FACE_API_MODELS.faceLandmark68.manifest)));
    const recognition = new FaceRecognitionNet(small, await loadWeightsFromFile(join(dir, FACE_API_MODELS.faceRecognition.manifest)));
    try {
      // 56x56x32 floats per face in the landmark net's first block, 72x72x32 in the ResNet's stem.
      for (const [net, floats] of [[landmarks, 56 * 56 * 32], [recognition, 72 * 72 * 32]] as const) {
        assert(net.maxBatch > 1 && net.maxBatch < 12, `${net.constructor.name}: maxBatch ${net.maxBatch} on 4 MiB`);
        assert(small.fits(net.maxBatch * floats * 4) && !small.fits((net.maxBatch + 1) * floats * 4), `${net.constructor.name}: maxBatch is the most that fits`);
      }
      const boxes = Array.from({ length: 12 }, (_, i) => batched[i % 5]!.box);
      const { result, passes } = await withPasses([landmarks as unknown as Net], null, () => landmarks.detectAll(photo, boxes));
      assert(passes[0]!.length > 1 && passes[0]!.every((n) => n <= landmarks.maxBatch), `landmark passes ${passes[0]}`);
      result.forEach((points, i) => points.forEach((p, k) => assert(Math.abs(p.x - batched[i % 5]!.landmarks[k]!.x) <= TOL && Math.abs(p.y - batched[i % 5]!.landmarks[k]!.y) <= TOL, `face ${i} point ${k}`)));
    } finally {
      landmarks.dispose();
      recognition.dispose();
    }
  });
});
