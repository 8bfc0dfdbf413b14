// EXIF orientation of Node JPEGs: a small JPEG (jpeg-js's encoder) with an APP1 Exif segment
// spliced in comes out upright for each of the 8 orientations, in either TIFF byte order.
import jpeg from 'jpeg-js';
import { decodeImage } from '../../src/host/node-image.js';
import { assert, assertEqual } from '../util/assert.js';
import { orientedPosition, withExifOrientation } from '../util/exif-jpeg.js';

/** 48x32 pixels in 16x16 blocks of six colours (whole chroma blocks: they decode cleanly). */
function blocks(): Uint8Array {
  const colours = [[230, 20, 20], [20, 200, 20], [20, 20, 230], [230, 230, 20], [20, 220, 220], [240, 240, 240]];
  const data = new Uint8Array(48 * 32 * 4);
  for (let y = 0; y < 32; y++) {
    for (let x = 0; x < 48; x++) data.set([...colours[(y >> 4) * 3 + (x >> 4)]!, 255], (y * 48 + x) * 4);
  }
  return new Uint8Array(jpeg.encode({ data, width: 48, height: 32 }, 100).data);
}

describe('EXIF orientation (Node JPEGs)', () => {
  const file = blocks();
  const stored = decodeImage(file, 'plain.jpg');

  it('a JPEG without EXIF is decoded as stored', () => {
    assertEqual([stored.width, stored.height], [48, 32]);
    const at = (x: number, y: number) => Array.from(stored.data.subarray((y * 48 + x) * 4, (y * 48 + x) * 4 + 3));
    assert(at(8, 8)[0]! > 200 && at(8, 8)[1]! < 60, `top-left block is red: ${at(8, 8)}`);
    assert(at(40, 24).every((v) => v > 220), `bottom-right block is white: ${at(40, 24)}`);
  });

  for (const order of ['MM', 'II'] as const) {
    it(`orientations 1-8 (${order === 'MM' ? 'big' : 'little'}-endian TIFF): every pixel lands where EXIF says it is seen`, () => {
      for (let o = 1; o <= 8; o++) {
        const seen = decodeImage(withExifOrientation(file, o, order), `o${o}.jpg`);
        assertEqual([seen.width, seen.height], o >= 5 ? [32, 48] : [48, 32], `orientation ${o} size`);
        for (let y = 0; y < 32; y++) {
          for (let x = 0; x < 48; x++) {
            const [sx, sy] = orientedPosition(o, x, y, 48, 32);
            for (let c = 0; c < 4; c++) {
              if (seen.data[(sy * seen.width + sx) * 4 + c] !== stored.data[(y * 48 + x) * 4 + c]) {
                throw new Error(`orientation ${o}: stored (${x}, ${y}) is not at (${sx}, ${sy})`);
              }
            }
          }
        }
      }
    });
  }

  it('an orientation outside 1-8 or a broken EXIF block leaves the pixels as stored', () => {
    for (const broken of [withExifOrientation(file, 9), withExifOrientation(file, 0)]) {
      assertEqual(Array.from(decodeImage(broken).data), Array.from(stored.data));
    }
    const cut = withExifOrientation(file, 6);
    cut[2 + 4 + 6] = 0x58; // the TIFF byte order is neither II nor MM
    assertEqual(decodeImage(cut).width, 48, 'unreadable EXIF: as stored');
  });
});
