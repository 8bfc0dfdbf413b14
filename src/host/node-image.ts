/** Node image decoding: encoded JPEG, PNG or PGM bytes → RGBA pixels. */
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { ShapeError } from '../gpu/errors.js';
import type { RGBAImage } from '../ops/image.js';

/** Netpbm grayscale (P5 binary or P2 text), as the ORL face database ships. */
function decodePGM(bytes: Uint8Array, name: string): RGBAImage {
  let at = 2;
  const tokens: number[] = [];
  while (tokens.length < 3) {
    while (at < bytes.length && /\s/.test(String.fromCharCode(bytes[at]!))) at++;
    if (bytes[at] === 0x23) { // '#' comment to end of line
      while (at < bytes.length && bytes[at] !== 0x0a) at++;
      continue;
    }
    let token = '';
    while (at < bytes.length && /\d/.test(String.fromCharCode(bytes[at]!))) token += String.fromCharCode(bytes[at++]!);
    if (!token) throw new ShapeError(`bad image: ${name} has a malformed PGM header`);
    tokens.push(Number(token));
  }
  const [width, height, maxval] = tokens as [number, number, number];
  if (!(width > 0 && height > 0 && maxval > 0 && maxval < 65536)) throw new ShapeError(`bad image: ${name} has an invalid PGM size ${width}x${height} or maxval ${maxval}`);
  const count = width * height;
  const gray = new Float64Array(count);
  if (bytes[1] === 0x35) { // P5: one whitespace byte, then raw samples
    at++;
    const wide = maxval > 255;
    if (bytes.length - at < count * (wide ? 2 : 1)) throw new ShapeError(`bad image: ${name} is truncated (PGM ${width}x${height})`);
    for (let i = 0; i < count; i++) gray[i] = wide ? (bytes[at + 2 * i]! << 8) | bytes[at + 2 * i + 1]! : bytes[at + i]!;
  } else {
    const values = new TextDecoder().decode(bytes.subarray(at)).trim().split(/\s+/).map(Number);
    if (values.length < count) throw new ShapeError(`bad image: ${name} is truncated (PGM ${width}x${height})`);
    for (let i = 0; i < count; i++) gray[i] = values[i]!;
  }
  const data = new Uint8ClampedArray(count * 4);
  for (let i = 0; i < count; i++) {
    const v = Math.round((gray[i]! * 255) / maxval);
    data[4 * i] = data[4 * i + 1] = data[4 * i + 2] = v;
    data[4 * i + 3] = 255;
  }
  return { data, width, height };
}

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
