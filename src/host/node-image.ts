/** Node image decoding: encoded JPEG, PNG or PGM bytes → RGBA pixels, upright. */
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { ShapeError } from '../gpu/errors.js';
import { checkImageSize, MAX_IMAGE_PIXELS, type RGBAImage } from '../ops/image.js';
import { applyOrientation, exifOrientation, jpegSegments } from './exif.js';
import { decodeJpeg, UnsupportedJpegError } from './jpeg-decode.js';
import { decodePGM } from './pgm.js';

/** jpeg-js's budget: what it needs for MAX_IMAGE_PIXELS with four full-resolution components. */
const JPEG_JS_MEMORY_MB = 3000;

const JPEG = [0xff, 0xd8, 0xff];
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47];
const startsWith = (bytes: Uint8Array, sig: readonly number[]) => sig.every((b, i) => bytes[i] === b);

/** Width and height from a JPEG frame header, a PNG IHDR or a PGM header; null where there is none. */
function headerSize(bytes: Uint8Array): { width: number; height: number } | null {
  if (startsWith(bytes, JPEG)) {
    for (const s of jpegSegments(bytes)) {
      // SOF0-SOF15 but DHT (c4), JPG (c8) and DAC (cc): precision, height, width.
      if (s.marker >= 0xc0 && s.marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(s.marker) && s.end - s.start >= 5) {
        return { height: (bytes[s.start + 1]! << 8) | bytes[s.start + 2]!, width: (bytes[s.start + 3]! << 8) | bytes[s.start + 4]! };
      }
    }
    return null;
  }
  if (startsWith(bytes, PNG_SIGNATURE) && bytes.length >= 24) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, 24);
    return { width: view.getUint32(16), height: view.getUint32(20) };
  }
  const pgm = /^P[25](?:\s+|#[^\n]*\n)+(\d+)(?:\s+|#[^\n]*\n)+(\d+)/.exec(String.fromCharCode(...bytes.subarray(0, 1024)));
  return pgm ? { width: Number(pgm[1]), height: Number(pgm[2]) } : null;
}

/** Our decoder, lean on memory; jpeg-js for what it does not take (CMYK, headers jpeg-js recovers from). */
function decodeJpegBytes(bytes: Uint8Array): RGBAImage {
  try {
    return decodeJpeg(bytes);
  } catch (e) {
    if (!(e instanceof UnsupportedJpegError)) throw e;
    const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_IMAGE_PIXELS / 1e6, maxMemoryUsageInMB: JPEG_JS_MEMORY_MB });
    return { data: img.data, width: img.width, height: img.height };
  }
}

/**
 * Decodes JPEG, PNG or PGM bytes; JPEGs are turned upright by their EXIF orientation. Anything
 * else, or more than MAX_IMAGE_PIXELS by its header, is a clear "bad image" error before decoding.
 */
export function decodeImage(bytes: Uint8Array, name = 'image'): RGBAImage {
  const is = (...sig: number[]) => startsWith(bytes, sig);
  const size = headerSize(bytes);
  if (size) checkImageSize(size.width, size.height, name);
  try {
    if (is(...JPEG)) return applyOrientation(decodeJpegBytes(bytes), exifOrientation(bytes));
    if (is(...PNG_SIGNATURE)) {
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
