// Images over 100 megapixels are refused by their header, before anything of their size is
// allocated or decoded: small files whose headers claim 20000x20000 pixels fail at once.
import jpeg from 'jpeg-js';
import { readFileSync } from 'node:fs';
import { ImageTooLargeError } from '../../src/gpu/errors.js';
import { decodeImage, encodePNG } from '../../src/host/node-image.js';
import { assert, assertRejects } from '../util/assert.js';

const TOO_LARGE = /ImageTooLargeError: bad image: big\.\w+ is too large \(20000x20000, 400\.0 megapixels; at most 100 are decoded\): downscale it first/;

/** Refused quickly: no decoder ran on 400 megapixels. */
async function assertRefused(bytes: Uint8Array, name: string): Promise<void> {
  const t = performance.now();
  const e = await assertRejects(() => decodeImage(bytes, name), TOO_LARGE, name);
  assert(e instanceof ImageTooLargeError && e.width === 20000 && e.height === 20000, 'the error carries the size');
  assert(performance.now() - t < 2000, `${name} refused in ${(performance.now() - t).toFixed(0)} ms`);
}

describe('image size limit (Node decoding)', () => {
  it('a JPEG, PNG or PGM whose header says 20000x20000 is refused before decoding', async () => {
    const jpg = new Uint8Array(jpeg.encode({ data: new Uint8Array(16 * 16 * 4).fill(200), width: 16, height: 16 }, 80).data);
    const sof = jpg.findIndex((v, i) => v === 0xff && jpg[i + 1] === 0xc0);
    jpg.set([20000 >> 8, 20000 & 255, 20000 >> 8, 20000 & 255], sof + 5);
    await assertRefused(jpg, 'big.jpg');
    const png = encodePNG({ data: new Uint8Array(4 * 4 * 4), width: 4, height: 4 });
    new DataView(png.buffer, png.byteOffset).setUint32(16, 20000);
    new DataView(png.buffer, png.byteOffset).setUint32(20, 20000);
    await assertRefused(png, 'big.png');
    await assertRefused(new TextEncoder().encode('P5\n# a comment\n20000 20000\n255\n\0\0\0'), 'big.pgm');
  });

  it('an ordinary photo passes the check', () => {
    const photo = decodeImage(readFileSync('node_modules/@vladmandic/face-api/demo/sample1.jpg'));
    assert(photo.width === 1920 && photo.height === 1280, `${photo.width}x${photo.height}`);
  });
});
