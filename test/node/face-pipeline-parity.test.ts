import * as tf from '@tensorflow/tfjs';
import * as faceapi from '@vladmandic/face-api/dist/face-api.esm-nobundle.js';
import { readFileSync } from 'node:fs';
import { createFaceRecognizer, faceApiModelDir } from '../../src/host/node.js';
import { decodeImage } from '../../src/host/node-image.js';
import { withEdgeBorder } from '../../src/nn/boxes.js';
import type { RGBAImage } from '../../src/ops/image.js';
import type { FaceRecognizer } from '../../src/tasks/face/recognizer.js';
import { assert } from '../util/assert.js';
import { testEngine } from '../util/engine.js';

// The bars: descriptors within 1e-3 per element, boxes within 1 px.
const DESCRIPTOR_TOL = 1e-3;
const BOX_TOL_PX = 1;

function rgbTensor(image: RGBAImage) {
  const rgb = new Float32Array(image.width * image.height * 3);
  for (let i = 0; i < image.width * image.height; i++) for (let c = 0; c < 3; c++) rgb[3 * i + c] = image.data[4 * i + c]!;
  return tf.tensor3d(rgb, [image.height, image.width, 3]);
}

describe('face pipeline end to end vs face-api on TF.js (CPU)', () => {
  let ours: FaceRecognizer<Uint8Array | RGBAImage>;
  before(async () => {
    await tf.setBackend('cpu');
    const dir = faceApiModelDir();
    await Promise.all([faceapi.nets.ssdMobilenetv1.loadFromDisk(dir), faceapi.nets.faceLandmark68Net.loadFromDisk(dir), faceapi.nets.faceRecognitionNet.loadFromDisk(dir)]);
    ours = await createFaceRecognizer({ engine: await testEngine() });
  });
  after(() => ours?.dispose());

  const cases: [string, () => RGBAImage][] = [
    ['demo/sample2.jpg', () => decodeImage(readFileSync('node_modules/@vladmandic/face-api/demo/sample2.jpg'))],
    ['ORL s3/1 with border', () => withEdgeBorder(decodeImage(readFileSync('../shared/data/orl-faces/s3/1.pgm')), 46, 56)],
  ];
  for (const [name, load] of cases) {
    it(`${name}: same faces, boxes within ${BOX_TOL_PX} px, descriptors within ${DESCRIPTOR_TOL}`, async () => {
      const image = load();
      const input = rgbTensor(image);
      const theirs = await faceapi.detectAllFaces(input as never, new faceapi.SsdMobilenetv1Options()).withFaceLandmarks().withFaceDescriptors();
      input.dispose();
      const mine = await ours.describe(image);
      assert(theirs.length > 0, 'face-api finds a face');
      assert(mine.length === theirs.length, `face count: ours ${mine.length}, face-api ${theirs.length}`);
      let worstBox = 0;
      let worstDesc = 0;
      for (const t of theirs) {
        const tb = t.detection.box;
        const m = mine.reduce((best, f) => (Math.abs(f.box.x - tb.x) + Math.abs(f.box.y - tb.y) < Math.abs(best.box.x - tb.x) + Math.abs(best.box.y - tb.y) ? f : best));
        worstBox = Math.max(worstBox, Math.abs(m.box.x - tb.x), Math.abs(m.box.y - tb.y), Math.abs(m.box.width - tb.width), Math.abs(m.box.height - tb.height));
        for (let k = 0; k < 128; k++) worstDesc = Math.max(worstDesc, Math.abs(m.descriptor[k]! - t.descriptor[k]!));
      }
      console.log(`    ${name}: ${mine.length} face(s), max box diff ${worstBox.toFixed(4)} px, max descriptor diff ${worstDesc.toExponential(2)}`);
      assert(worstBox <= BOX_TOL_PX, `box differs by ${worstBox} px`);
      assert(worstDesc <= DESCRIPTOR_TOL, `descriptor differs by ${worstDesc}`);
    });
  }

  it('concurrent describe calls (two photos dropped at once) give the sequential results', async () => {
    const a = withEdgeBorder(decodeImage(readFileSync('../shared/data/orl-faces/s1/1.pgm')), 46, 56);
    const b = withEdgeBorder(decodeImage(readFileSync('../shared/data/orl-faces/s1/2.pgm')), 46, 56);
    const [fa, fb] = await Promise.all([ours.describe(a), ours.describe(b)]);
    const [sa, sb] = [await ours.describe(a), await ours.describe(b)];
    assert(fa.length === 1 && fb.length === 1, 'one face each');
    assert(fa[0]!.descriptor.every((v, k) => v === sa[0]!.descriptor[k]) && fb[0]!.descriptor.every((v, k) => v === sb[0]!.descriptor[k]), 'identical descriptors');
  });
});
