// The host-side pieces of large photos (src/tasks/face/image-pieces.ts): box-filter
// downscaling, crops around faces, and the mapping back to the photo's pixels.
import { Engine } from '../src/gpu/engine.js';
import { boxFromPiece, boxToPiece, cropAround, downscaled, pointFromPiece, resample, takesWhole, whole } from '../src/tasks/face/image-pieces.js';
import { assert, assertClose, assertEqual } from './util/assert.js';
import { testEngine } from './util/engine.js';

/** A w x h image whose red channel is x + 10·y and green 7. */
const ramp = (w: number, h: number) => ({
  data: Uint8ClampedArray.from({ length: w * h * 4 }, (_, i) => [((i >> 2) % w) + 10 * Math.floor((i >> 2) / w), 7, 0, 255][i & 3]!),
  width: w,
  height: h,
});
const red = (img: { data: ArrayLike<number>; width: number }, x: number, y: number) => img.data[(y * img.width + x) * 4]!;

describe('large photos in pieces (host side)', () => {
  it('resample averages each output pixel\'s bin of source pixels, and copies at the same size', () => {
    const img = ramp(4, 4);
    const half = resample(img, { x: 0, y: 0, width: 4, height: 4 }, 2, 2);
    assertEqual(Array.from(half.data), [6, 7, 0, 255, 8, 7, 0, 255, 26, 7, 0, 255, 28, 7, 0, 255], '2x2 means (5.5 → 6, 7.5 → 8, …)');
    const uneven = resample(ramp(3, 1), { x: 0, y: 0, width: 3, height: 1 }, 2, 1);
    assertEqual([red(uneven, 0, 0), red(uneven, 1, 0)], [0, 2], 'bins {0} and {1, 2}: 1.5 rounds to 2');
    const copy = resample(img, { x: 1, y: 2, width: 2, height: 2 }, 2, 2);
    assertEqual([red(copy, 0, 0), red(copy, 1, 0), red(copy, 0, 1), red(copy, 1, 1)], [21, 22, 31, 32], 'a region copied');
  });

  it('downscaled brings the longer side to the detector size; boxes map back to the photo', () => {
    const p = downscaled(ramp(100, 50), 10);
    assertEqual([p.image.width, p.image.height, p.scaleX, p.scaleY], [10, 5, 10, 10]);
    const box = { x: 1.5, y: 2, width: 3, height: 1.25 };
    assertEqual(boxFromPiece(p, box), { x: 15, y: 20, width: 30, height: 12.5 });
    assertClose(Object.values(boxToPiece(p, boxFromPiece(p, box))), Object.values(box), { atol: 1e-12, rtol: 0 });
  });

  it('cropAround: the pixel hull of a box, clipped, at full resolution up to twice the network input, else brought down to it', () => {
    const img = ramp(100, 80);
    const near = cropAround(img, { x: 10.5, y: -3, width: 20, height: 30.2 }, 112);
    assertEqual([near.x, near.y, near.image.width, near.image.height, near.scaleX], [10, 0, 21, 28, 1]);
    assertEqual(red(near.image, 0, 0), red(img, 10, 0), 'the same pixels');
    assertEqual(boxToPiece(near, { x: 10.5, y: -3, width: 20, height: 30.2 }), { x: 0.5, y: -3, width: 20, height: 30.2 }, 'shifted by whole pixels');
    const far = cropAround(img, { x: 0, y: 0, width: 100, height: 80 }, 20);
    assertEqual([far.image.width, far.image.height, far.scaleX, far.scaleY], [20, 16, 5, 5], 'over 2x the input: averaged down');
    assertEqual(pointFromPiece(far, { x: 2, y: 3 }), { x: 10, y: 15 });
  });

  it('the whole photo maps every number to itself, bit for bit', () => {
    const p = whole(ramp(3, 3));
    const box = { x: 0.1 + 0.2, y: 1 / 3, width: Math.PI, height: 1e-9 };
    assertEqual(boxToPiece(p, box), box);
    assertEqual(boxFromPiece(p, box), box);
    assertEqual(pointFromPiece(p, { x: 0.1 + 0.2, y: 2 / 3 }), { x: 0.1 + 0.2, y: 2 / 3 });
  });

  it('a photo goes whole if the device binds it and it has at most 16.8 megapixels', async () => {
    const shared = await testEngine();
    const engine = new Engine(shared.device, shared.adapterInfo, { maxBindingSize: 4096 });
    assert(takesWhole(engine, ramp(32, 32)), '4096 bytes: whole');
    assert(!takesWhole(engine, ramp(33, 32)), '4224 bytes: in pieces');
    const tall = { data: new Uint8Array(0), width: 4097, height: 4096 };
    assert(takesWhole(shared, { ...tall, width: 4096 }) && !takesWhole(shared, tall), '4096x4096 whole, 4097x4096 in pieces');
  });
});
