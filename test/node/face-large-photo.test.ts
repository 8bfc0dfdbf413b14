// A photo larger than the device binds (8000x6000, 192 MB of RGBA; lavapipe binds 128 MiB),
// built here from a 250x250 LFW photo scaled 24x: the pipeline detects on a downscaled copy
// and describes crops of the full-resolution pixels, and finds the face it finds in the
// original, in the large photo's pixels, with nearly the same descriptor.
import { readFileSync } from 'node:fs';
import { createFaceRecognizer } from '../../src/host/node.js';
import { decodeImage } from '../../src/host/node-image.js';
import { iou } from '../../src/nn/boxes.js';
import type { RGBAImage } from '../../src/ops/image.js';
import { takesWhole } from '../../src/tasks/face/image-pieces.js';
import { euclidean, type FaceRecognizer } from '../../src/tasks/face/recognizer.js';
import type { DescribedFace } from '../../src/tasks/face/types.js';
import { assert, assertEqual } from '../util/assert.js';
import { testEngine } from '../util/engine.js';

const W = 8000, H = 6000, SIDE = 6000, LEFT = 1000;

/** The photo scaled (nearest pixel) to SIDE x SIDE at x = LEFT on a grey 8000x6000 canvas. */
function enlarge(photo: RGBAImage): RGBAImage {
  const data = new Uint8Array(W * H * 4).fill(128);
  const src = new Uint32Array(photo.data.buffer, photo.data.byteOffset, photo.width * photo.height);
  const dst = new Uint32Array(data.buffer);
  for (let y = 0; y < H; y++) {
    const row = Math.floor((y * photo.height) / SIDE) * photo.width;
    for (let x = 0; x < SIDE; x++) dst[y * W + LEFT + x] = src[row + Math.floor((x * photo.width) / SIDE)]!;
  }
  return { data, width: W, height: H };
}

describe('face pipeline on a photo larger than the device binds', function () {
  this.timeout(120_000);
  const small = decodeImage(readFileSync('../shared/data/lfw-view1/images/Aaron_Peirsol/Aaron_Peirsol_0001.jpg'));
  const large = enlarge(small);
  const scale = SIDE / small.width;
  const inLarge = (b: { x: number; y: number; width: number; height: number }) => ({ x: LEFT + b.x * scale, y: b.y * scale, width: b.width * scale, height: b.height * scale });

  async function check(faces: FaceRecognizer<Uint8Array | RGBAImage>, detector: string): Promise<DescribedFace> {
    const [ref] = await faces.describe(small);
    const inUse = faces.engine.memory().inUse;
    const found = await faces.describe(large);
    assertEqual(found.length, 1, `${detector}: faces in the large photo`);
    const face = found[0]!;
    const overlap = iou(face.box, inLarge(ref!.box));
    const distance = euclidean(face.descriptor, ref!.descriptor);
    console.log(`    ${detector}: box IoU with the original's, scaled, ${overlap.toFixed(3)}; descriptor distance ${distance.toFixed(4)}`);
    assert(overlap > 0.75, `${detector}: box ${JSON.stringify(face.box)} where the original's scaled is ${JSON.stringify(inLarge(ref!.box))}`);
    assert(distance < 0.15, `${detector}: descriptor distance ${distance} to the original's (same person: < 0.6)`);
    const inside = (p: { x: number; y: number }, b: typeof face.box, m: number) => p.x > b.x - m && p.x < b.x + b.width + m && p.y > b.y - m && p.y < b.y + b.height + m;
    assert(face.landmarks.every((p) => inside(p, face.box, face.box.width * 0.25)), 'landmarks in the large photo\'s pixels, on the face');
    assertEqual(faces.engine.memory().inUse, inUse, `${detector}: no buffer left in use`);
    return face;
  }

  it('SSD and the tiny detector find the face and match the original', async () => {
    const engine = await testEngine();
    assert(!takesWhole(engine, large), 'the photo goes in pieces');
    const ssd = await createFaceRecognizer({ engine });
    const fromSsd = await check(ssd, 'ssd');
    ssd.dispose();
    const tiny = await createFaceRecognizer({ engine, detector: 'tiny' });
    const fromTiny = await check(tiny, 'tiny');
    tiny.dispose();
    assert(euclidean(fromSsd.descriptor, fromTiny.descriptor) < 0.15, 'both detectors lead to the same face');
  });
});
