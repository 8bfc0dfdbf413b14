import { imageToTensor } from '../src/ops/image.js';
import { assertClose, assertRejects } from './util/assert.js';
import { testEngine } from './util/engine.js';
import { Rng } from './util/random.js';

type Rect = { x: number; y: number; width: number; height: number };

/**
 * face-api's preprocessing written out: cut `crop` from the image, with pixels outside `valid`
 * black (padToSquare's zeros), then tf.image.resizeBilinear (align_corners = false,
 * half_pixel_centers = false) to outH x outW, then (v - mean) / std.
 */
function reference(data: Uint8Array, width: number, height: number, crop: Rect, valid: Rect | undefined, outH: number, outW: number, mean: number[], std: number[]): Float32Array {
  const cut = new Float64Array(crop.width * crop.height * 3);
  for (let y = 0; y < crop.height; y++) for (let x = 0; x < crop.width; x++) {
    const ix = crop.x + x, iy = crop.y + y;
    const inside = !valid || (ix >= valid.x && ix < valid.x + valid.width && iy >= valid.y && iy < valid.y + valid.height);
    const cx = Math.min(Math.max(ix, 0), width - 1), cy = Math.min(Math.max(iy, 0), height - 1);
    for (let c = 0; c < 3; c++) cut[(y * crop.width + x) * 3 + c] = inside ? data[(cy * width + cx) * 4 + c]! : 0;
  }
  const out = new Float32Array(outH * outW * 3);
  const ry = crop.height / outH, rx = crop.width / outW;
  for (let r = 0; r < outH; r++) {
    const fy = ry * r, y0 = Math.floor(fy), y1 = Math.min(crop.height - 1, Math.ceil(fy)), dy = fy - y0;
    for (let col = 0; col < outW; col++) {
      const fx = rx * col, x0 = Math.floor(fx), x1 = Math.min(crop.width - 1, Math.ceil(fx)), dx = fx - x0;
      for (let c = 0; c < 3; c++) {
        const at = (yy: number, xx: number) => cut[(yy * crop.width + xx) * 3 + c]!;
        const top = at(y0, x0) + (at(y0, x1) - at(y0, x0)) * dx;
        const bottom = at(y1, x0) + (at(y1, x1) - at(y1, x0)) * dx;
        out[(r * outW + col) * 3 + c] = (top + (bottom - top) * dy - mean[c]!) / std[c]!;
      }
    }
  }
  return out;
}

describe('imageToTensor: TensorFlow sampling and zero padding (face-api preprocessing)', () => {
  it('pad to a square at the right or bottom, then resize down, up and not at all', async () => {
    const engine = await testEngine();
    const rng = new Rng(51);
    for (const [width, height, size] of [[23, 17, 8], [17, 23, 40], [13, 13, 13], [30, 7, 32], [5, 9, 9]] as const) {
      const data = new Uint8Array(width * height * 4).map(() => rng.int(0, 255));
      const side = Math.max(width, height);
      const crop = { x: 0, y: 0, width: side, height: side };
      const valid = { x: 0, y: 0, width, height };
      const mean = [117.001, 114.697, 97.404], std = [255, 255, 255];
      const expected = reference(data, width, height, crop, valid, size, size, mean, std);
      const got = await engine.scope(() =>
        imageToTensor(engine, { data, width, height }, { crop, size: [size, size], sampling: 'asymmetric', zeroOutside: valid, mean: mean as [number, number, number], std: [255, 255, 255] }).read());
      assertClose(got, expected, { atol: 2e-5, rtol: 1e-5 }, `${width}x${height} → ${size}`);
    }
  });

  it('a face crop padded on both sides (centred) past the image edge, and plain asymmetric crops', async () => {
    const engine = await testEngine();
    const rng = new Rng(52);
    const width = 31, height = 26;
    const data = new Uint8Array(width * height * 4).map(() => rng.int(0, 255));
    const cases: [Rect, Rect | undefined, number, number][] = [
      [{ x: -3, y: 4, width: 20, height: 20 }, { x: 0, y: 4, width: 14, height: 20 }, 12, 12],
      [{ x: 10, y: 9, width: 21, height: 21 }, { x: 10, y: 14, width: 21, height: 11 }, 28, 28],
      [{ x: 4, y: 2, width: 15, height: 9 }, undefined, 7, 11],
      [{ x: 20, y: 20, width: 15, height: 9 }, undefined, 10, 30],
    ];
    for (const [crop, valid, oh, ow] of cases) {
      const expected = reference(data, width, height, crop, valid, oh, ow, [0, 0, 0], [1, 1, 1]);
      const got = await engine.scope(() =>
        imageToTensor(engine, { data, width, height }, { crop, size: [oh, ow], sampling: 'asymmetric', zeroOutside: valid, valueScale: 1 / 127.5, mean: [1, 1, 1] }).read());
      assertClose(got, expected.map((v) => v / 127.5 - 1), { atol: 2e-6, rtol: 1e-5 }, `crop ${JSON.stringify(crop)} valid ${JSON.stringify(valid)}`);
    }
  });

  it('asymmetric sampling needs whole-pixel boxes', async () => {
    const engine = await testEngine();
    const image = { data: new Uint8Array(16), width: 2, height: 2 };
    await assertRejects(() => imageToTensor(engine, image, { crop: { x: 0.5, y: 0, width: 2, height: 2 }, sampling: 'asymmetric' }), /asymmetric sampling needs a crop of whole pixels/);
    await assertRejects(() => imageToTensor(engine, image, { zeroOutside: { x: 0, y: 0, width: 1.5, height: 2 } }), /zeroOutside must be whole pixels/);
  });
});
