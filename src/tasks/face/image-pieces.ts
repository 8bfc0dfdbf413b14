/**
 * Photos the face pipeline does not hand to the GPU whole (they do not fit the device's buffer
 * limit, or are far larger than any of its networks' fixed inputs): the detector gets a copy
 * downscaled on the host, the landmark and descriptor networks a crop of the full-resolution
 * pixels around each face. A piece maps back to the photo as photo = origin + piece · scale.
 */
import type { Engine } from '../../gpu/engine.js';
import { withEdgeBorder, type Box, type Point } from '../../nn/boxes.js';
import type { RGBAImage } from '../../ops/image.js';
import type { DescribedFace } from './types.js';

/** Above this many pixels a photo goes in pieces even where the device could take it whole. */
const WHOLE_MAX_PIXELS = 4096 * 4096;
/**
 * A bordered photo has at most this many pixels: a larger one is downscaled before its border
 * is added (a 48-megapixel photo would otherwise become 192); its faces stay far larger than
 * the networks' inputs.
 */
const BORDERED_MAX_PIXELS = 2048 * 2048;

export interface Piece {
  image: RGBAImage;
  /** Where the piece's top-left corner lies in the photo, and photo pixels per piece pixel. */
  x: number;
  y: number;
  scaleX: number;
  scaleY: number;
}

/** Whether the photo goes to the networks whole, as face-api does with every photo. */
export function takesWhole(engine: Engine, image: RGBAImage): boolean {
  return image.width * image.height <= WHOLE_MAX_PIXELS && engine.fits(image.data.length);
}

/** The photo itself: mapping through it leaves every number exactly as it was. */
export const whole = (image: RGBAImage): Piece => ({ image, x: 0, y: 0, scaleX: 1, scaleY: 1 });

export const boxToPiece = (p: Piece, b: Box): Box =>
  ({ x: (b.x - p.x) / p.scaleX, y: (b.y - p.y) / p.scaleY, width: b.width / p.scaleX, height: b.height / p.scaleY });

export const boxFromPiece = (p: Piece, b: Box): Box =>
  ({ x: p.x + b.x * p.scaleX, y: p.y + b.y * p.scaleY, width: b.width * p.scaleX, height: b.height * p.scaleY });

export const pointFromPiece = (p: Piece, q: Point): Point => ({ x: p.x + q.x * p.scaleX, y: p.y + q.y * p.scaleY });

/**
 * The photo with an edge border (its edge pixels repeated) of `fraction` of its size on each
 * side, downscaled first where the result would exceed BORDERED_MAX_PIXELS. The border lies at
 * negative photo coordinates: mapping back through the piece removes it.
 */
export function bordered(image: RGBAImage, fraction: number): Piece {
  const shrink = Math.sqrt(BORDERED_MAX_PIXELS / (image.width * image.height)) / (1 + 2 * fraction);
  const source = shrink < 1 ? downscaled(image, Math.round(Math.max(image.width, image.height) * shrink)) : whole(image);
  const bx = Math.round(source.image.width * fraction);
  const by = Math.round(source.image.height * fraction);
  return { ...source, image: withEdgeBorder(source.image, bx, by), x: -bx * source.scaleX, y: -by * source.scaleY };
}

/** A face found in the piece, with its boxes and landmarks in the photo's pixels. */
export function faceFromPiece(p: Piece, face: DescribedFace): DescribedFace {
  const box = <T extends Box>(b: T): T => ({ ...b, ...boxFromPiece(p, b) });
  return { ...face, box: box(face.box), alignedBox: box(face.alignedBox), landmarks: face.landmarks.map((q) => pointFromPiece(p, q)) };
}

/** The photo with its longer side brought down to `side` pixels, for a detector that runs at that size. */
export function downscaled(image: RGBAImage, side: number): Piece {
  const scale = side / Math.max(image.width, image.height);
  return piece(image, { x: 0, y: 0, width: image.width, height: image.height }, scale);
}

/**
 * The photo's pixels under `box` (its hull of whole pixels, clipped to the photo), for a
 * network with a `side`-pixel input: at full resolution, so the crop reads exactly the pixels
 * the whole photo would, unless more than twice `side`; then averaged down to `side`.
 */
export function cropAround(image: RGBAImage, box: Box, side: number): Piece {
  const x0 = Math.min(Math.floor(Math.max(box.x, 0)), image.width - 1);
  const y0 = Math.min(Math.floor(Math.max(box.y, 0)), image.height - 1);
  const x1 = Math.max(x0 + 1, Math.min(image.width, Math.ceil(box.x + box.width)));
  const y1 = Math.max(y0 + 1, Math.min(image.height, Math.ceil(box.y + box.height)));
  const longer = Math.max(x1 - x0, y1 - y0);
  return piece(image, { x: x0, y: y0, width: x1 - x0, height: y1 - y0 }, longer > 2 * side ? side / longer : 1);
}

function piece(image: RGBAImage, region: Box, scale: number): Piece {
  const width = Math.max(1, Math.round(region.width * scale));
  const height = Math.max(1, Math.round(region.height * scale));
  return { image: resample(image, region, width, height), x: region.x, y: region.y, scaleX: region.width / width, scaleY: region.height / height };
}

/**
 * `region` (whole pixels inside the image) in width x height pixels, no larger than it: each
 * output pixel is the mean of the source pixels in its bin (a box filter, which does not alias
 * as point sampling does); at the region's own size, a copy.
 */
export function resample(image: RGBAImage, region: Box, width: number, height: number): RGBAImage {
  const { data, width: stride } = image;
  const out = new Uint8ClampedArray(width * height * 4);
  const cols = Int32Array.from({ length: width + 1 }, (_, i) => region.x + Math.floor((i * region.width) / width));
  const sums = new Float64Array(width * 4);
  for (let oy = 0; oy < height; oy++) {
    const y0 = region.y + Math.floor((oy * region.height) / height);
    const y1 = region.y + Math.floor(((oy + 1) * region.height) / height);
    sums.fill(0);
    for (let y = y0; y < y1; y++) {
      let i = (y * stride + cols[0]!) * 4;
      for (let ox = 0, s = 0; ox < width; ox++, s += 4) {
        let r = 0, g = 0, b = 0, a = 0;
        for (let x = cols[ox]!; x < cols[ox + 1]!; x++, i += 4) {
          r += data[i]!;
          g += data[i + 1]!;
          b += data[i + 2]!;
          a += data[i + 3]!;
        }
        sums[s]! += r;
        sums[s + 1]! += g;
        sums[s + 2]! += b;
        sums[s + 3]! += a;
      }
    }
    for (let ox = 0, o = oy * width * 4; ox < width; ox++, o += 4) {
      const n = (y1 - y0) * (cols[ox + 1]! - cols[ox]!);
      for (let c = 0; c < 4; c++) out[o + c] = sums[4 * ox + c]! / n;
    }
  }
  return { data: out, width, height };
}
