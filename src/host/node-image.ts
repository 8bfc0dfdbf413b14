/** Node image decoding: encoded JPEG, PNG or PGM bytes → RGBA pixels. */
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { ShapeError } from '../gpu/errors.js';
import type { RGBAImage } from '../ops/image.js';
import { decodePGM } from './pgm.js';

/** Decodes JPEG, PNG or PGM bytes; anything else is a clear "bad image" error. */
export function decodeImage(bytes: Uint8Array, name = 'image'): RGBAImage {
  const is = (...sig: number[]) => sig.every((b, i) => bytes[i] === b);
  try {
    if (is(0xff, 0xd8, 0xff)) {
      const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024 });
      return { data: img.data, width: img.width, height: img.height };
    }
    if (is(0x89, 0x50, 0x4e, 0x47)) {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return { data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength), width: png.width, height: png.height };
    }
    if (is(0x50, 0x35) || is(0x50, 0x32)) return decodePGM(bytes, name);
  } catch (e) {
    if (e instanceof ShapeError) throw e;
    throw new ShapeError(`bad image: ${name} could not be decoded: ${(e as Error).message}`);
  }
  throw new ShapeError(`bad image: ${name} is not a JPEG, PNG or PGM file`);
}

/** Encodes RGBA pixels as PNG (for results written by scripts and the command line). */
export function encodePNG(image: RGBAImage): Uint8Array {
  const png = new PNG({ width: image.width, height: image.height });
  png.data.set(image.data);
  return new Uint8Array(PNG.sync.write(png));
}
