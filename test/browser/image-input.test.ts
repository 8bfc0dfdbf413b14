import { toRGBA } from '../../src/host/browser-image.js';
import { assertEqual, assertRejects } from '../util/assert.js';

describe('browser image inputs', () => {
  it('reads ImageData, canvas, ImageBitmap and PNG Blobs alike', async () => {
    const canvas = new OffscreenCanvas(3, 2);
    const ctx = canvas.getContext('2d')!;
    ctx.fillStyle = 'rgb(255, 0, 0)';
    ctx.fillRect(0, 0, 3, 2);
    ctx.fillStyle = 'rgb(0, 0, 255)';
    ctx.fillRect(2, 1, 1, 1);
    const expected = [255, 0, 0, 255, 255, 0, 0, 255, 255, 0, 0, 255, 255, 0, 0, 255, 255, 0, 0, 255, 0, 0, 255, 255];
    const fromCanvas = await toRGBA(canvas);
    assertEqual([fromCanvas.width, fromCanvas.height, ...fromCanvas.data], [3, 2, ...expected]);
    const fromImageData = await toRGBA(ctx.getImageData(0, 0, 3, 2));
    assertEqual(Array.from(fromImageData.data), expected);
    const fromBitmap = await toRGBA(await createImageBitmap(canvas));
    assertEqual(Array.from(fromBitmap.data), expected);
    const fromBlob = await toRGBA(await canvas.convertToBlob({ type: 'image/png' }));
    assertEqual(Array.from(fromBlob.data), expected);
  });

  it('names bad input', async () => {
    await assertRejects(() => toRGBA(new Blob(['not an image'], { type: 'text/plain' })), /bad image: the text\/plain could not be decoded/);
    const img = new Image();
    img.src = 'data:image/png;base64,AAAA';
    await assertRejects(() => toRGBA(img), /bad image: .* could not be loaded or decoded/);
  });
});
