/** Test JPEGs with an EXIF orientation: an APP1 "Exif" segment (IFD0 with tag 0x0112) spliced in after SOI. */

export function withExifOrientation(jpeg: Uint8Array, orientation: number, byteOrder: 'II' | 'MM' = 'MM'): Uint8Array<ArrayBuffer> {
  const little = byteOrder === 'II';
  const tiff = new Uint8Array(8 + 2 + 12 + 4);
  const view = new DataView(tiff.buffer);
  tiff.set([byteOrder.charCodeAt(0), byteOrder.charCodeAt(1)]);
  view.setUint16(2, 42, little);
  view.setUint32(4, 8, little); // IFD0 right after the header
  view.setUint16(8, 1, little); // one entry:
  view.setUint16(10, 0x0112, little); // Orientation,
  view.setUint16(12, 3, little); // SHORT,
  view.setUint32(14, 1, little); // one value,
  view.setUint16(18, orientation, little); // left-justified in the value field
  const payload = new Uint8Array([...'Exif\0\0'].map((c) => c.charCodeAt(0)).concat(Array.from(tiff)));
  const segment = new Uint8Array([0xff, 0xe1, (payload.length + 2) >> 8, (payload.length + 2) & 0xff, ...payload]);
  const out = new Uint8Array(jpeg.length + segment.length);
  out.set(jpeg.subarray(0, 2));
  out.set(segment, 2);
  out.set(jpeg.subarray(2), 2 + segment.length);
  return out;
}

/**
 * Where stored pixel (x, y) of a w x h image is seen under an orientation, from EXIF's own
 * description of it: which side of the picture the stored 0th row and 0th column are at.
 */
export function orientedPosition(orientation: number, x: number, y: number, w: number, h: number): [number, number] {
  const [row0, col0] = (['top-left', 'top-right', 'bottom-right', 'bottom-left', 'left-top', 'right-top', 'right-bottom', 'left-bottom'][orientation - 1]!).split('-') as [string, string];
  const swap = row0 === 'left' || row0 === 'right';
  const [W, H] = swap ? [h, w] : [w, h];
  if (!swap) return [col0 === 'left' ? x : W - 1 - x, row0 === 'top' ? y : H - 1 - y];
  return [row0 === 'left' ? y : W - 1 - y, col0 === 'top' ? x : H - 1 - x];
}
