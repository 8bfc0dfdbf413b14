/**
 * Face boxes and landmark dots drawn into a copy of an RGBA image: pure functions, no canvas,
 * the same in Node and browsers. Defaults are face-api's (blue boxes 2 px wide, magenta dots
 * of radius 2).
 */
import { ShapeError } from '../../gpu/errors.js';
import type { Box, Point } from '../../nn/boxes.js';
import { checkImage, type RGBAImage } from '../../ops/image.js';
import { pixelRegion } from './extract.js';

/** An opaque colour: red, green, blue, each an integer 0–255. */
export type RGB = readonly [number, number, number];

export interface DrawDetectionsOptions {
  color?: RGB;
  /** Width of the outline in whole pixels, drawn just inside the box. */
  lineWidth?: number;
}

export interface DrawLandmarksOptions {
  color?: RGB;
  /** Radius of each dot in pixels. */
  radius?: number;
}

/** The options with face-api's defaults filled in, checked; `fn` names the caller in errors. */
export function detectionStyle(options: DrawDetectionsOptions, fn: string): Required<DrawDetectionsOptions> {
  const lineWidth = options.lineWidth ?? 2;
  if (!(Number.isInteger(lineWidth) && lineWidth > 0)) throw new RangeError(`${fn}: lineWidth must be a positive integer, got ${lineWidth}`);
  return { color: checkColor(options.color ?? [0, 0, 255], fn), lineWidth };
}

export function landmarkStyle(options: DrawLandmarksOptions, fn: string): Required<DrawLandmarksOptions> {
  const radius = options.radius ?? 2;
  // At least the radius of a pixel's corner, so the pixel under each point is always drawn.
  if (!(Number.isFinite(radius) && radius >= Math.SQRT1_2)) throw new RangeError(`${fn}: radius must be a number of at least 0.71 px, got ${radius}`);
  return { color: checkColor(options.color ?? [255, 0, 255], fn), radius };
}

/** The box of a face from detect() or describe(), or a box. */
export const boxOf = (face: { box: Box } | Box): Box => ('box' in face ? face.box : face);

/** Each face's box outlined. */
export function drawDetections(image: RGBAImage, faces: readonly ({ box: Box } | Box)[], options: DrawDetectionsOptions = {}): RGBAImage {
  const { color, lineWidth: line } = detectionStyle(options, 'drawDetections');
  const out = copyOf(image);
  faces.forEach((face, i) => {
    // The outline frames the whole pixels extractFaces would cut for this box.
    const r = pixelRegion(image, boxOf(face), `drawDetections: face ${i}`);
    const [right, bottom] = [r.x + r.width, r.y + r.height];
    fill(out, r.x, r.y, right, Math.min(r.y + line, bottom), color);
    fill(out, r.x, Math.max(bottom - line, r.y), right, bottom, color);
    fill(out, r.x, r.y, Math.min(r.x + line, right), bottom, color);
    fill(out, Math.max(right - line, r.x), r.y, right, bottom, color);
  });
  return out;
}

/** A dot on each of each face's landmarks. */
export function drawLandmarks(image: RGBAImage, faces: readonly { landmarks: readonly Point[] }[], options: DrawLandmarksOptions = {}): RGBAImage {
  const { color, radius } = landmarkStyle(options, 'drawLandmarks');
  const out = copyOf(image);
  faces.forEach((face, i) => {
    const inside = face.landmarks.filter((p) => p.x >= 0 && p.y >= 0 && p.x < image.width && p.y < image.height);
    if (face.landmarks.length && !inside.length) throw new ShapeError(`drawLandmarks: face ${i}'s landmarks lie outside the ${image.width}x${image.height} image (faces of another image?)`);
    for (const p of face.landmarks) {
      for (let y = Math.max(0, Math.floor(p.y - radius)); y < Math.min(image.height, Math.ceil(p.y + radius)); y++) {
        for (let x = Math.max(0, Math.floor(p.x - radius)); x < Math.min(image.width, Math.ceil(p.x + radius)); x++) {
          if ((x + 0.5 - p.x) ** 2 + (y + 0.5 - p.y) ** 2 <= radius * radius) fill(out, x, y, x + 1, y + 1, color);
        }
      }
    }
  });
  return out;
}

function checkColor(color: RGB, fn: string): RGB {
  if (color.length !== 3 || !color.every((c) => Number.isInteger(c) && c >= 0 && c <= 255)) {
    throw new RangeError(`${fn}: color must be [r, g, b] with integers 0-255, got ${JSON.stringify(color)}`);
  }
  return color;
}

function copyOf(image: RGBAImage): RGBAImage {
  checkImage(image);
  return { data: new Uint8ClampedArray(image.data), width: image.width, height: image.height };
}

/** Pixels [x0, x1) x [y0, y1) set to the colour, opaque. */
function fill(image: RGBAImage, x0: number, y0: number, x1: number, y1: number, [r, g, b]: RGB): void {
  for (let y = y0; y < y1; y++) {
    for (let i = (y * image.width + x0) * 4, end = (y * image.width + x1) * 4; i < end; i += 4) {
      image.data[i] = r;
      image.data[i + 1] = g;
      image.data[i + 2] = b;
      image.data[i + 3] = 255;
    }
  }
}
