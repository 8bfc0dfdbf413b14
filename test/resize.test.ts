import { imageToTensor } from '../src/ops/image.js';
import { resizeBilinear, type ResizeMode } from '../src/ops/resize.js';
import { refResize } from './ref/misc.js';
import { assertClose, assertRejects } from './util/assert.js';
import { testEngine } from './util/engine.js';
import { Rng } from './util/random.js';

describe('resize and image preprocessing', () => {
  it('bilinear resize up and down in all three coordinate modes', async () => {
    const engine = await testEngine();
    const rng = new Rng(41);
    for (const mode of ['asymmetric', 'halfPixel', 'alignCorners'] as ResizeMode[]) {
      for (const [h, w, oh, ow] of [[7, 5, 13, 11], [16, 20, 5, 3], [1, 4, 3, 8]]) {
        const shape = [2, h!, w!, 3];
        const x = rng.array(shape.reduce((a, b) => a * b, 1));
        const map = (inn: number, out: number) => (d: number) =>
          mode === 'alignCorners' ? (out > 1 ? (d * (inn - 1)) / (out - 1) : 0) : mode === 'halfPixel' ? ((d + 0.5) * inn) / out - 0.5 : (d * inn) / out;
        const expected = refResize(x, shape, oh!, ow!, map(h!, oh!), map(w!, ow!));
        const got = await engine.scope(() => resizeBilinear(engine.tensor(shape, x), [oh!, ow!], mode).read());
        assertClose(got, expected, { atol: 1e-5, rtol: 1e-5 }, `${mode} ${h}x${w}→${oh}x${ow}`);
      }
    }
  });

  it('RGBA → normalised RGB tensor: crop past the edges, resize, mean/std', async () => {
    const engine = await testEngine();
    const rng = new Rng(42);
    const width = 23, height = 17;
    const data = new Uint8Array(width * height * 4).map(() => rng.int(0, 255));
    const crop = { x: -3.5, y: 2, width: 20, height: 18 };
    const [oh, ow] = [9, 12];
    const mean = [120, 110, 100] as const, std = [60, 50, 40] as const;
    const expected = new Float32Array(oh * ow * 3);
    const px = (x: number, y: number, c: number) => data[(Math.min(Math.max(y, 0), height - 1) * width + Math.min(Math.max(x, 0), width - 1)) * 4 + c]!;
    for (let y = 0; y < oh; y++) for (let x = 0; x < ow; x++) {
      const sx = crop.x + ((x + 0.5) * crop.width) / ow - 0.5, sy = crop.y + ((y + 0.5) * crop.height) / oh - 0.5;
      const x0 = Math.floor(sx), y0 = Math.floor(sy), fx = sx - x0, fy = sy - y0;
      for (let c = 0; c < 3; c++) {
        const top = px(x0, y0, c) * (1 - fx) + px(x0 + 1, y0, c) * fx;
        const bottom = px(x0, y0 + 1, c) * (1 - fx) + px(x0 + 1, y0 + 1, c) * fx;
        expected[(y * ow + x) * 3 + c] = (top * (1 - fy) + bottom * fy - mean[c]!) / std[c]!;
      }
    }
    const got = await engine.scope(() => imageToTensor(engine, { data, width, height }, { crop, size: [oh, ow], mean, std }).read());
    assertClose(got, expected, { atol: 1e-4, rtol: 1e-4 }, 'imageToTensor');
  });

  it('rejects a bad image with a clear error', async () => {
    const engine = await testEngine();
    await assertRejects(() => imageToTensor(engine, { data: new Uint8Array(10), width: 2, height: 2 }), /bad image: 2x2 RGBA needs 16 bytes, got 10/);
    await assertRejects(() => imageToTensor(engine, { data: new Uint8Array(0), width: 0, height: 2 }), /bad image/);
  });
});
