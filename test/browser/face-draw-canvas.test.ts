// The canvas variant of the drawing helpers (browsers only: Node has no OffscreenCanvas).
import { drawDetectionsOnCanvas, drawLandmarksOnCanvas } from '../../src/host/browser-draw.js';
import { drawDetections } from '../../src/tasks/face/draw.js';
import { assert, assertEqual } from '../util/assert.js';
import { drawn, grey } from '../util/rgba.js';

describe('face drawing on a canvas', () => {
  it('on a canvas, boxes cover the same pixels as drawDetections', () => {
    const canvas = new OffscreenCanvas(20, 16);
    const ctx = canvas.getContext('2d')!;
    ctx.fillStyle = 'rgb(100, 100, 100)';
    ctx.fillRect(0, 0, 20, 16);
    const faces = [{ x: 3.4, y: 2.2, width: 10.5, height: 8.9 }, { x: -5, y: -5, width: 12, height: 12 }];
    drawDetectionsOnCanvas(ctx, faces, { color: [255, 0, 0], lineWidth: 2 });
    const got = ctx.getImageData(0, 0, 20, 16);
    const expected = drawDetections(grey(20, 16), faces, { color: [255, 0, 0], lineWidth: 2 });
    assertEqual(drawn({ data: got.data, width: 20, height: 16 }), drawn(expected));
    assert(got.data.every((v, i) => v === expected.data[i]), 'the same pixels');
    drawLandmarksOnCanvas(ctx, [{ landmarks: [{ x: 8, y: 6 }] }], { color: [0, 255, 0] });
    assertEqual(Array.from(ctx.getImageData(8, 6, 1, 1).data), [0, 255, 0, 255], 'a landmark dot');
  });
});
