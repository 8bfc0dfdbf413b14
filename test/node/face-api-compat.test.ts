import * as faceapi from '@vladmandic/face-api/dist/face-api.esm-nobundle.js';
import { readFileSync } from 'node:fs';
import { createFaceRecognizer } from '../../src/host/node.js';
import { decodeImage } from '../../src/host/node-image.js';
import { withEdgeBorder } from '../../src/nn/boxes.js';
import type { RGBAImage } from '../../src/ops/image.js';
import { extractFaces } from '../../src/tasks/face/extract.js';
import type { FaceRecognizer } from '../../src/tasks/face/recognizer.js';
import type { DescribedFace } from '../../src/tasks/face/types.js';
import { assert, assertEqual, assertRejects } from '../util/assert.js';
import { testEngine } from '../util/engine.js';

const orl = (p: string) => withEdgeBorder(decodeImage(readFileSync(`../shared/data/orl-faces/${p}.pgm`)), 46, 56);
/** The crop is the photo's pixels under the box's whole pixels (inside the photo). */
function assertCropOf(photo: RGBAImage, crop: RGBAImage, { x, y, width, height }: { x: number; y: number; width: number; height: number }, what: string): void {
  assertEqual([crop.width, crop.height], [Math.min(width, photo.width - x), Math.min(height, photo.height - y)], `${what} size`);
  for (let row = 0; row < crop.height; row++) {
    const start = ((y + row) * photo.width + x) * 4;
    const expected = photo.data.subarray(start, start + crop.width * 4);
    const got = crop.data.subarray(row * crop.width * 4, (row + 1) * crop.width * 4);
    assert(got.every((v, k) => v === expected[k]), `${what} row ${row} is the photo's pixels`);
  }
}

/** The photo `k` times larger, each pixel repeated. */
function enlarged(photo: RGBAImage, k: number): RGBAImage {
  const [width, height] = [photo.width * k, photo.height * k];
  const src = new Uint32Array(photo.data.buffer, photo.data.byteOffset, photo.width * photo.height);
  const dst = new Uint32Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) dst[y * width + x] = src[Math.floor(y / k) * photo.width + Math.floor(x / k)]!;
  return { data: new Uint8Array(dst.buffer), width, height };
}

const boxOf = (f: { box: object; score: number; border?: number }) => ({ box: f.box, score: f.score, border: f.border });

describe("what face-api users reach for: detect, maxFaces, FaceMatcher JSON, extractFaces", () => {
  let faces: FaceRecognizer<Uint8Array | RGBAImage>;
  let group: RGBAImage;
  let described: DescribedFace[];
  before(async () => {
    faces = await createFaceRecognizer({ engine: await testEngine() });
    group = decodeImage(readFileSync('node_modules/@vladmandic/face-api/demo/sample2.jpg'));
    described = await faces.describe(group);
  });
  after(() => faces?.dispose());

  it('detect() gives exactly describe()\'s boxes and scores, highest score first, with the same border retry', async () => {
    assertEqual(described.length, 3, 'faces in the group photo');
    assertEqual((await faces.detect(group)).map(boxOf), described.map(boxOf));
    assert(described.every((f, i) => i === 0 || described[i - 1]!.score >= f.score), 'sorted by score');
    const plain = decodeImage(readFileSync('../shared/data/orl-faces/s1/1.pgm'));
    const [found] = await faces.describe(plain);
    const detected = await faces.detect(plain);
    assertEqual(detected.map(boxOf), [boxOf(found!)], 'a face found only with the border');
    assertEqual(detected[0]!.border, 0.5);
  });

  it('maxFaces keeps the highest-scoring faces and only describes those', async () => {
    const net = (faces as unknown as { landmarkNet: { detect: (...a: unknown[]) => Promise<unknown> } }).landmarkNet;
    const detectLandmarks = net.detect;
    let landmarkRuns = 0;
    net.detect = (...a) => (landmarkRuns++, detectLandmarks.apply(net, a));
    try {
      const [top, ...rest] = await faces.describe(group, { maxFaces: 1 });
      assert(top && rest.length === 0, 'one face');
      assertEqual(landmarkRuns, 1, 'landmark passes');
      assertEqual(boxOf(top), boxOf(described[0]!));
      assert(top.descriptor.every((v, k) => v === described[0]!.descriptor[k]), 'the same descriptor');
    } finally {
      net.detect = detectLandmarks;
    }
    assertEqual((await faces.detect(group, { maxFaces: 2 })).map(boxOf), described.slice(0, 2).map(boxOf), 'top two');
  });

  it('maxFaces must be a positive integer, per call and as a recognizer option', async () => {
    for (const maxFaces of [0, 1.5, -1, NaN]) {
      await assertRejects(() => faces.detect(group, { maxFaces }), /RangeError: maxFaces must be a positive integer, got/, `detect maxFaces ${maxFaces}`);
      await assertRejects(() => faces.describe(group, { maxFaces }), /RangeError: maxFaces must be a positive integer/, `describe maxFaces ${maxFaces}`);
    }
    await assertRejects(() => createFaceRecognizer({ engine: faces.engine, maxFaces: 0 }), /RangeError: maxFaces must be a positive integer, got 0/);
  });

  it("imports face-api's FaceMatcher.toJSON() into the gallery; identify() then finds the person", async () => {
    const [a] = await faces.describe(orl('s1/1'));
    // The JSON face-api itself writes, from its own FaceMatcher.
    const matcher = new faceapi.FaceMatcher([
      new faceapi.LabeledFaceDescriptors('ada', [a!.descriptor]),
      new faceapi.LabeledFaceDescriptors('ada', [described[1]!.descriptor]),
      new faceapi.LabeledFaceDescriptors('group-left', [described[0]!.descriptor]),
    ], 0.55);
    const json = JSON.parse(JSON.stringify(matcher.toJSON()));
    assertEqual(await faces.gallery.importFaceMatcher(json), { people: 2, descriptors: 3, threshold: 0.55 }, 'labels merged');
    assertEqual(await faces.gallery.list(), [{ id: 'ada', descriptors: 2 }, { id: 'group-left', descriptors: 1 }]);
    const [who] = await faces.identify(orl('s1/5'), { threshold: json.distanceThreshold });
    assertEqual(who!.id, 'ada');

    const descriptor = Array.from(a!.descriptor);
    const malformed: [unknown, RegExp][] = [
      [null, /not an object/],
      [{ labeledDescriptors: [] }, /distanceThreshold undefined is not a positive number/],
      [{ distanceThreshold: 0.6 }, /missing 'labeledDescriptors'/],
      [{ distanceThreshold: 0.6, labeledDescriptors: [{ label: ' ', descriptors: [descriptor] }] }, /labeledDescriptors\[0\] has no label/],
      [{ distanceThreshold: 0.6, labeledDescriptors: [{ label: 'x', descriptors: [] }] }, /label 'x' \(labeledDescriptors\[0\]\) has no descriptors/],
      [{ distanceThreshold: 0.6, labeledDescriptors: [{ label: 'ok', descriptors: [descriptor] }, { label: 'y', descriptors: [descriptor, descriptor.slice(1)] }] }, /label 'y' \(labeledDescriptors\[1\]\) has a malformed descriptor: descriptor 1 has 127 values, expected 128/],
      [{ distanceThreshold: 0.6, labeledDescriptors: [{ label: 'z', descriptors: [[...descriptor.slice(0, 5), NaN, ...descriptor.slice(6)]] }] }, /label 'z' .* descriptor 0 value 5 is NaN, not a finite number/],
    ];
    for (const [bad, pattern] of malformed) await assertRejects(() => faces.gallery.importFaceMatcher(bad), new RegExp(`GalleryError: not a face-api FaceMatcher JSON: ${pattern.source}`), JSON.stringify(bad)?.slice(0, 60));
    assertEqual((await faces.gallery.list()).length, 2, 'bad input enrols nobody');
  });

  it('extractFaces crops each aligned box from the photo\'s own pixels, and refuses faces of another image', async () => {
    const crops = await faces.extractFaces(group, described);
    assertEqual(crops.length, 3);
    crops.forEach((crop, i) => assertCropOf(group, crop, described[i]!.alignedBox, `crop ${i}`));
    const own = await faces.extractFaces(group);
    assert(own.length === 3 && own.every((c, i) => c.data.every((v, k) => v === crops[i]!.data[k])), 'without faces: those describe() finds');
    assertEqual(extractFaces(group, [described[0]!.box])[0]!.width, Math.floor(described[0]!.box.width), 'a plain box');
    const small = { data: new Uint8ClampedArray(40 * 30 * 4), width: 40, height: 30 };
    const far = described.find((f) => f.alignedBox.x > 40 || f.alignedBox.y > 30)!;
    await assertRejects(() => extractFaces(small, [{ x: 30, y: 20, width: 20, height: 20 }, far]), /ShapeError: extractFaces: face 1: box .* lies outside the 40x30 image \(faces of another image\?\)/);
  });

  it('on a photo that goes in pieces (23.6 MP), the crop is of the full-resolution pixels', async () => {
    const large = enlarged(group, 3);
    const [face, ...more] = await faces.describe(large, { maxFaces: 1 });
    assert(face && more.length === 0, 'one face');
    const [crop] = await faces.extractFaces(large, [face]);
    const region = { ...face.alignedBox, x: Math.floor(face.alignedBox.x), y: Math.floor(face.alignedBox.y), width: Math.floor(face.alignedBox.width), height: Math.floor(face.alignedBox.height) };
    assertCropOf(large, crop!, region, 'large crop');
    const ratio = crop!.width / described[0]!.alignedBox.width;
    assert(Math.abs(ratio - 3) < 0.1, `three times the small photo's crop: ${crop!.width} px vs ${described[0]!.alignedBox.width}`);
  });

  it('a 1x1 image: no face, not an error', async () => {
    const dot = { data: new Uint8ClampedArray([128, 128, 128, 255]), width: 1, height: 1 };
    assertEqual(await faces.detect(dot), []);
  });
});

