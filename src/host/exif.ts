/**
 * JPEG metadata read without decoding, in plain TypeScript: the segments before the image data,
 * and the EXIF orientation (tag 0x0112) that phones write instead of rotating the pixels.
 */
import type { RGBAImage } from '../ops/image.js';

export interface JpegSegment {
  /** The marker's second byte: 0xe1 for APP1, 0xc0 for a baseline frame header, … */
  marker: number;
  /** The payload, after the marker and its length. */
  start: number;
  end: number;
}

/** The segments of a JPEG up to its first scan. */
export function* jpegSegments(bytes: Uint8Array): Generator<JpegSegment> {
  let at = 2;
  while (at + 4 <= bytes.length && bytes[at] === 0xff) {
    const marker = bytes[at + 1]!;
    if (marker === 0xff) { // fill byte
      at++;
      continue;
    }
    if (marker === 0xda || marker === 0xd9) return;
    const length = (bytes[at + 2]! << 8) | bytes[at + 3]!;
    yield { marker, start: at + 4, end: Math.min(bytes.length, at + 2 + length) };
    at += 2 + length;
  }
}

/** The EXIF orientation of a JPEG, 1 (upright) to 8; 1 when it has none or it cannot be read. */
export function exifOrientation(bytes: Uint8Array): number {
  for (const s of jpegSegments(bytes)) {
    // APP1 "Exif\0\0", then a TIFF header: byte order, 42, offset of the first IFD.
    if (s.marker !== 0xe1 || String.fromCharCode(...bytes.subarray(s.start, s.start + 6)) !== 'Exif\0\0') continue;
    const tiff = s.start + 6;
    const order = String.fromCharCode(bytes[tiff]!, bytes[tiff + 1]!);
    if (order !== 'II' && order !== 'MM') return 1;
    const little = order === 'II';
    const u16 = (at: number) => (at < tiff || at + 2 > s.end ? -1 : little ? bytes[at]! | (bytes[at + 1]! << 8) : (bytes[at]! << 8) | bytes[at + 1]!);
    const u32 = (at: number) => (u16(at) < 0 || u16(at + 2) < 0 ? -1 : little ? u16(at) + u16(at + 2) * 65536 : u16(at) * 65536 + u16(at + 2));
    if (u16(tiff + 2) !== 42) return 1;
    const ifd = tiff + u32(tiff + 4);
    for (let i = 0, n = u16(ifd); i < n; i++) {
      const entry = ifd + 2 + 12 * i;
      if (u16(entry) !== 0x0112) continue;
      const value = u16(entry + 8); // a SHORT, left-justified in the value field
      return value >= 1 && value <= 8 ? value : 1;
    }
    return 1;
  }
  return 1;
}

/**
 * The pixels as they are meant to be seen. For each orientation, where output pixel (x, y)
 * comes from in the stored w x h image, as start + x·dx + y·dy; 5-8 swap width and height.
 */
const SOURCE: Record<number, (w: number, h: number) => [number, number, number]> = {
  2: (w) => [w - 1, -1, w], // mirrored left to right
  3: (w, h) => [h * w - 1, -1, -w], // turned 180°
  4: (w, h) => [(h - 1) * w, 1, -w], // mirrored top to bottom
  5: (w) => [0, w, 1], // transposed
  6: (w, h) => [(h - 1) * w, -w, 1], // to be turned 90° clockwise
  7: (w, h) => [h * w - 1, -w, -1], // transversed
  8: (w) => [w - 1, w, -1], // to be turned 90° anticlockwise
};

export function applyOrientation(image: RGBAImage, orientation: number): RGBAImage {
  const source = SOURCE[orientation];
  if (!source) return image;
  const { width: w, height: h } = image;
  const [width, height] = orientation >= 5 ? [h, w] : [w, h];
  const bytes = image.data.byteOffset % 4 ? image.data.slice() : image.data;
  const src = new Uint32Array(bytes.buffer, bytes.byteOffset, w * h);
  const data = new Uint8Array(w * h * 4);
  const dst = new Uint32Array(data.buffer);
  const [start, dx, dy] = source(w, h);
  for (let y = 0, o = 0; y < height; y++) {
    for (let x = 0, i = start + y * dy; x < width; x++, i += dx) dst[o++] = src[i]!;
  }
  return { data, width, height };
}
