// Photos in browsers: JPEG Blobs are decoded upright (createImageBitmap with imageOrientation
// 'from-image') for each of the 8 EXIF orientations, and images over 100 megapixels are refused
// before their pixels are read.
import { toRGBA } from '../../src/host/browser-image.js';
import { assertEqual, assertRejects } from '../util/assert.js';
import { orientedPosition, withExifOrientation } from '../util/exif-jpeg.js';

/** 48x32 pixels in 16x16 blocks of six colours, as a JPEG. */
async function blocks(): Promise<Uint8Array<ArrayBuffer>> {
  const canvas = new OffscreenCanvas(48, 32);
  const ctx = canvas.getContext('2d')!;
  ['#e61414', '#14c814', '#1414e6', '#e6e614', '#14dcdc', '#f0f0f0'].forEach((c, i) => {
    ctx.fillStyle = c;
    ctx.fillRect((i % 3) * 16, Math.floor(i / 3) * 16, 16, 16);
  });
  return new Uint8Array(await (await canvas.convertToBlob({ type: 'image/jpeg', quality: 1 })).arrayBuffer());
}

describe('browser photos: EXIF orientation and size limit', () => {
  it('orientations 1-8: every pixel lands where EXIF says it is seen', async () => {
    const file = await blocks();
    const stored = await toRGBA(new Blob([file], { type: 'image/jpeg' }));
    assertEqual([stored.width, stored.height], [48, 32]);
    for (let o = 1; o <= 8; o++) {
      const seen = await toRGBA(new Blob([withExifOrientation(file, o)], { type: 'image/jpeg' }));
      assertEqual([seen.width, seen.height], o >= 5 ? [32, 48] : [48, 32], `orientation ${o} size`);
      let worst = 0;
      for (let y = 0; y < 32; y++) {
        for (let x = 0; x < 48; x++) {
          const [sx, sy] = orientedPosition(o, x, y, 48, 32);
          for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(seen.data[(sy * seen.width + sx) * 4 + c]! - stored.data[(y * 48 + x) * 4 + c]!));
        }
      }
      // The browser may resample chroma differently once turned; the blocks stay their colours.
      if (worst > 8) throw new Error(`orientation ${o}: pixels differ by up to ${worst} from where EXIF puts them`);
    }
  });

  it('a canvas over 100 megapixels is refused before its pixels are read', async () => {
    await assertRejects(() => toRGBA(new OffscreenCanvas(10001, 10000)), /ImageTooLargeError: bad image: the image is too large \(10001x10000, 100\.1 megapixels; at most 100 are decoded\)/);
  });
});
