import type { RGBAImage } from '../src/ops/image.js';
import { drawDetections, drawLandmarks } from '../src/tasks/face/draw.js';
import { assert, assertEqual, assertRejects } from './util/assert.js';
import { drawn, grey, pixel } from './util/rgba.js';

describe('face drawing helpers (pure RGBA)', () => {
  it('drawDetections outlines each box just inside its whole pixels, in the colour, and leaves the rest and the input alone', () => {
    const image = grey(20, 16);
    // Floored as extractFaces crops: pixels [3, 13) x [2, 10).
    const detected = { box: { x: 3.4, y: 2.2, width: 10.5, height: 8.9 }, score: 0.9 };
    const out = drawDetections(image, [detected], { color: [255, 0, 0], lineWidth: 2 });
    for (let y = 0; y < 16; y++) {
      for (let x = 0; x < 20; x++) {
        const inBox = x >= 3 && x < 13 && y >= 2 && y < 10;
        const inside = x >= 5 && x < 11 && y >= 4 && y < 8;
        assertEqual(pixel(out, x, y), inBox && !inside ? [255, 0, 0, 255] : [100, 100, 100, 255], `pixel ${x},${y}`);
      }
    }
    assertEqual(drawn(image), [], 'the input is unchanged');
    // Defaults (face-api's: blue, 2 px), plain boxes: one partly outside (clipped to [0, 7)), one small (filled).
    const more = drawDetections(image, [{ x: -5, y: -5, width: 12, height: 12 }, { x: 17, y: 13, width: 2, height: 2 }]);
    assertEqual([[0, 0], [1, 1], [2, 2], [6, 6], [7, 7]].map(([x, y]) => pixel(more, x!, y!)[2]), [255, 255, 100, 255, 100], 'clipped box: edge, edge, inside, edge, outside');
    assertEqual(pixel(more, 18, 14), [0, 0, 255, 255], 'a 2x2 box is filled');
    assertEqual(drawn(more).length, 7 * 7 - 3 * 3 + 4, 'pixels drawn');
  });

  it('drawLandmarks puts a dot of the radius on every point', () => {
    const out = drawLandmarks(grey(12, 12), [{ landmarks: [{ x: 5.5, y: 5.5 }] }, { landmarks: [{ x: 0.2, y: 11.9 }] }], { radius: 1, color: [0, 255, 0] });
    // Pixel centres within 1 px of (5.5, 5.5): the pixel and its four neighbours; the second dot is clipped at the corner.
    assertEqual(drawn(out).sort(), ['0,11', '4,5', '5,4', '5,5', '5,6', '6,5'].sort());
    assertEqual(pixel(out, 5, 5), [0, 255, 0, 255]);
    const defaults = drawLandmarks(grey(12, 12), [{ landmarks: [{ x: 6, y: 6 }] }]);
    assertEqual(pixel(defaults, 6, 6), [255, 0, 255, 255], "face-api's magenta");
    assertEqual(drawn(defaults).length, 12, 'radius 2: the 12 pixel centres within 2 px of a corner');
  });

  it('refuses bad options and faces of another image, naming them', async () => {
    const image = grey(10, 10);
    await assertRejects(() => drawDetections(image, [], { lineWidth: 0 }), /RangeError: drawDetections: lineWidth must be a positive integer, got 0/);
    await assertRejects(() => drawDetections(image, [], { lineWidth: 1.5 }), /lineWidth must be a positive integer/);
    await assertRejects(() => drawDetections(image, [], { color: [256, 0, 0] }), /RangeError: drawDetections: color must be \[r, g, b\] with integers 0-255, got \[256,0,0\]/);
    await assertRejects(() => drawLandmarks(image, [], { radius: 0.5 }), /RangeError: drawLandmarks: radius must be a number of at least 0.71 px, got 0.5/);
    await assertRejects(() => drawDetections(image, [{ x: 1, y: 1, width: 3, height: 3 }, { x: 200, y: 150, width: 40, height: 40 }]), /ShapeError: drawDetections: face 1: box .* lies outside the 10x10 image \(faces of another image\?\)/);
    await assertRejects(() => drawLandmarks(image, [{ landmarks: [{ x: 50, y: 60 }] }]), /ShapeError: drawLandmarks: face 0's landmarks lie outside the 10x10 image/);
    await assertRejects(() => drawDetections({ data: new Uint8ClampedArray(3), width: 1, height: 1 }, []), /ShapeError: bad image/);
  });
});
