// The face pipeline in a browser on a photo larger than the engine binds: an engine limited
// to 16 MiB per buffer (EngineOptions.maxBindingSize; the tiny detector needs 12) and a
// 2400x1800 photo (17 MB of RGBA), the LFW photo drawn 7.2x onto a canvas: detection on a
// downscaled copy, landmarks and descriptor on full-resolution crops, boxes in its pixels.
import { Engine } from '../../src/gpu/engine.js';
import { createFaceRecognizer } from '../../src/host/browser.js';
import { iou } from '../../src/nn/boxes.js';
import { takesWhole } from '../../src/tasks/face/image-pieces.js';
import { euclidean } from '../../src/tasks/face/recognizer.js';
import { assert, assertEqual } from '../util/assert.js';
import { readFile } from '../util/engine.js';
import { repoURL } from '../util/host-browser.js';

describe('face pipeline on a photo larger than the engine binds (browser)', () => {
  it('finds the face of the original, in the large photo\'s pixels, with nearly its descriptor', async () => {
    const engine = await Engine.create({ maxBindingSize: 16 * 2 ** 20 });
    const faces = await createFaceRecognizer({ engine, detector: 'tiny', modelBaseURL: new URL('node_modules/@vladmandic/face-api/model/', repoURL).href });
    const jpeg = new Blob([new Uint8Array(await readFile('../shared/data/lfw-view1/images/Aaron_Peirsol/Aaron_Peirsol_0001.jpg'))], { type: 'image/jpeg' });
    const canvas = new OffscreenCanvas(2400, 1800);
    const ctx = canvas.getContext('2d')!;
    ctx.fillStyle = '#808080';
    ctx.fillRect(0, 0, 2400, 1800);
    ctx.drawImage(await createImageBitmap(jpeg), 300, 0, 1800, 1800);
    const large = ctx.getImageData(0, 0, 2400, 1800);
    assert(!takesWhole(engine, large), 'the photo goes in pieces');
    const [ref] = await faces.describe(jpeg);
    const found = await faces.describe(large);
    assertEqual(found.length, 1, 'faces in the large photo');
    const s = 1800 / 250;
    const expected = { x: 300 + ref!.box.x * s, y: ref!.box.y * s, width: ref!.box.width * s, height: ref!.box.height * s };
    const overlap = iou(found[0]!.box, expected);
    const distance = euclidean(found[0]!.descriptor, ref!.descriptor);
    assert(overlap > 0.75, `box ${JSON.stringify(found[0]!.box)}, the original's scaled ${JSON.stringify(expected)} (IoU ${overlap})`);
    assert(distance < 0.15, `descriptor distance ${distance} to the original's`);
    faces.dispose();
    engine.destroy();
  });
});
