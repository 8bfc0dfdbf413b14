/**
 * Face tasks, ours against face-api (@vladmandic/face-api) on TF.js with the same pretrained
 * weights: the 128-D descriptor of one 150x150 chip, detect + landmarks + align + describe of
 * one photo, and of a group photo (5 faces: ours as one batch per network), and 1:K search of one descriptor against K enrolled ones (TF.js: the same
 * distances on its backend, read back, nearest per person in JavaScript — as ours does).
 */
import * as tf from '@tensorflow/tfjs';
import * as faceapi from '@vladmandic/face-api/dist/face-api.esm-nobundle.js';
import { FaceRecognitionNet } from '../../src/nn/face-recognition-net.js';
import type { RGBAImage } from '../../src/ops/image.js';
import { FaceGallery } from '../../src/tasks/face/gallery.js';
import { FaceRecognizer } from '../../src/tasks/face/recognizer.js';
import { installAsyncReadShim } from '../tfjs/face-api-async-read.js';
import { rgbTensor } from '../tfjs/images.js';
import { randomData } from './runners.js';
import type { BenchCase, BenchContext, BenchSize } from '../types.js';

const FACE_API = 'face-api on TF.js';

/**
 * Multiply-adds x 2 of the face ResNet on one 150x150 chip, from its layer list
 * (src/nn/face-recognition-net.ts): 7x7/2 valid stem, 3x3/2 max pool, residual blocks of two
 * 3x3 convs (the first 3x3/2 valid in the "down" blocks), 256x128 fully connected.
 */
export function faceResNetFlops(): number {
  let flops = 0;
  let hw = Math.floor((150 - 7) / 2) + 1;
  flops += 2 * hw * hw * 32 * 7 * 7 * 3;
  hw = Math.floor((hw - 3) / 2) + 1;
  const blocks: [number, number, boolean][] = [
    [32, 32, false], [32, 32, false], [32, 32, false],
    [32, 64, true], [64, 64, false], [64, 64, false], [64, 64, false],
    [64, 128, true], [128, 128, false], [128, 128, false],
    [128, 256, true], [256, 256, false], [256, 256, false], [256, 256, true],
  ];
  for (const [inC, outC, down] of blocks) {
    if (down) hw = Math.floor((hw - 3) / 2) + 1;
    flops += 2 * hw * hw * outC * 9 * inC + 2 * hw * hw * outC * 9 * outC;
  }
  return flops + 2 * 256 * 128;
}

/** face-api needs its three nets loaded once, and its synchronous reads made asynchronous (see tfjs/face-api-async-read.ts). */
let faceApiReady: Promise<void> | null = null;
function prepareFaceApi(ctx: BenchContext): Promise<void> {
  faceApiReady ??= ctx.host.loadFaceApiNets().then(() => {
    installAsyncReadShim();
  });
  return faceApiReady;
}

/** A 150x150 RGB chip in 0..255 (random pixels: the work does not depend on them). */
const chip = (): Float32Array => randomData(150 * 150 * 3, 7).map((v) => (v + 1) * 127.5);

const descriptorCase: BenchCase = {
  group: 'task',
  family: 'face',
  name: 'face descriptor (ResNet)',
  shape: '1x150x150x3 > 128',
  flops: faceResNetFlops(),
  theirs: FACE_API,
  tolerance: 1e-3,
  async ours(ctx) {
    const net = new FaceRecognitionNet(ctx.engine, await ctx.host.loadFaceModel('faceRecognition'));
    const x = ctx.engine.tensor([1, 150, 150, 3], chip(), 'face chip');
    return {
      async run() {
        const y = net.forward(x);
        try {
          return await y.read();
        } finally {
          y.dispose();
        }
      },
      dispose() {
        x.dispose();
        net.dispose();
      },
    };
  },
  async tfjs(ctx) {
    await prepareFaceApi(ctx);
    const x = tf.tensor4d(chip(), [1, 150, 150, 3]);
    return {
      async run() {
        const y = (await faceapi.nets.faceRecognitionNet.forward(x as never)) as unknown as tf.Tensor;
        try {
          return (await y.data()) as Float32Array;
        } finally {
          y.dispose();
        }
      },
      dispose: () => x.dispose(),
    };
  },
};

/** A found face as both sides report it. */
interface FoundFace { score: number; box: { x: number }; descriptor: Float32Array }

/** The highest-scoring face's descriptor, for the check. */
const bestDescriptor = (faces: FoundFace[]): Float32Array =>
  faces.length ? faces.reduce((a, b) => (b.score > a.score ? b : a)).descriptor : new Float32Array(0);

/** Every face's descriptor, faces left to right (the order does not hang on near-equal scores), for the check. */
const allDescriptors = (faces: FoundFace[]): Float32Array => {
  const sorted = [...faces].sort((a, b) => a.box.x - b.box.x);
  const out = new Float32Array(sorted.length * 128);
  sorted.forEach((f, i) => out.set(f.descriptor, i * 128));
  return out;
};

/** describe() of a photo (SSD, landmarks, alignment, descriptors) against face-api's detectAllFaces chain; `output` picks what the check compares. */
function describeCase(name: string, shape: string, photo: (host: BenchContext['host']) => Promise<RGBAImage>, output: (faces: FoundFace[]) => Float32Array): BenchCase {
  return {
    group: 'task',
    family: 'face',
    name,
    shape,
    flops: null,
    theirs: FACE_API,
    tolerance: 1e-3,
    async ours(ctx) {
      const image = await photo(ctx.host);
      const recognizer = await FaceRecognizer.create(ctx.engine, (m) => ctx.host.loadFaceModel(m), async (x: RGBAImage) => x, { detector: 'ssd' });
      return {
        run: async () => output(await recognizer.describe(image)),
        dispose: () => recognizer.dispose(),
      };
    },
    async tfjs(ctx) {
      await prepareFaceApi(ctx);
      const image = await photo(ctx.host);
      return {
        async run() {
          const input = rgbTensor(image);
          try {
            const out = await faceapi.detectAllFaces(input as never, new faceapi.SsdMobilenetv1Options()).withFaceLandmarks().withFaceDescriptors();
            return output(out.map((r) => ({ score: r.detection.score, box: r.detection.box, descriptor: r.descriptor })));
          } finally {
            input.dispose();
          }
        },
        dispose() {},
      };
    },
  };
}

const detectDescribeCase = describeCase(
  'detect + describe (SSD)',
  'face.png 184x224, SSD-MobileNetV1 + 68 landmarks + ResNet',
  (host) => host.loadFaceImage(),
  bestDescriptor,
);

const groupPhotoCase = describeCase(
  'describe a photo with 5 faces (SSD)',
  'sample5.jpg 1920x1398 (face-api demo), SSD-MobileNetV1, 5 faces batched: 68 landmarks + ResNet',
  (host) => host.loadGroupPhoto(),
  allDescriptors,
);

/** K descriptors of K/2 people (two each), and one query; the same on both sides. */
function galleryData(k: number): { all: Float32Array; owner: Int32Array; query: Float32Array } {
  const all = randomData(k * 128, 11 + k, 0.5);
  const owner = Int32Array.from({ length: k }, (_, i) => i >> 1);
  return { all, owner, query: randomData(128, 5, 0.5) };
}

/** Nearest person (its index) from distances to every row, as the gallery reduces them. */
function nearestPerson(distances: Float32Array, owner: Int32Array): number {
  const people = owner[owner.length - 1]! + 1;
  const best = new Float32Array(people).fill(Infinity);
  for (let i = 0; i < distances.length; i++) if (distances[i]! < best[owner[i]!]!) best[owner[i]!] = distances[i]!;
  let who = 0;
  for (let p = 1; p < people; p++) if (best[p]! < best[who]!) who = p;
  return who;
}

function searchCase(k: number): BenchCase {
  return {
    group: 'task',
    family: '1:K search',
    name: `1:K search K=${k >= 1000 ? `${k / 1000}k` : k}`,
    shape: `1x128 vs ${k}x128, nearest per person`,
    flops: 3 * k * 128,
    tolerance: 0,
    async ours(ctx) {
      const { all, owner, query } = galleryData(k);
      const gallery = FaceGallery.onGPU(ctx.engine);
      const people: { id: string; descriptors: number[][] }[] = [];
      for (let i = 0; i < k; i++) {
        if (i % 2 === 0) people.push({ id: String(owner[i]), descriptors: [] });
        people[people.length - 1]!.descriptors.push(Array.from(all.subarray(i * 128, (i + 1) * 128)));
      }
      await gallery.import({ format: 'wgsl-vision-gallery', version: 1, dims: 128, people });
      return {
        // The check compares the nearest person's index.
        run: async () => Float32Array.of(Number((await gallery.identify(query, { threshold: 100, topK: 1 })).id)),
        dispose: () => void gallery.close(),
      };
    },
    async tfjs() {
      const { all, owner, query } = galleryData(k);
      const g = tf.tensor2d(all, [k, 128]);
      const q = tf.tensor2d(query, [1, 128]);
      return {
        async run() {
          const d = tf.tidy(() => tf.sum(tf.squaredDifference(g, q), 1));
          try {
            return Float32Array.of(nearestPerson((await d.data()) as Float32Array, owner));
          } finally {
            d.dispose();
          }
        },
        dispose() {
          g.dispose();
          q.dispose();
        },
      };
    },
  };
}

export function faceCases(size: BenchSize): BenchCase[] {
  if (size === 'tiny') return [searchCase(1_000)];
  return [descriptorCase, detectDescribeCase, groupPhotoCase, ...[1_000, 10_000, 100_000].map(searchCase)];
}
