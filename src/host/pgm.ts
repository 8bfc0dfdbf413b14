/** Netpbm grayscale decoding: plain TypeScript, usable in every host. */
import { ShapeError } from '../gpu/errors.js';
import type { RGBAImage } from '../ops/image.js';

/** Netpbm grayscale (P5 binary or P2 text), as the ORL face database ships. */
export function decodePGM(bytes: Uint8Array, name: string): RGBAImage {
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
