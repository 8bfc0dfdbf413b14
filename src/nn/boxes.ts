/**
 * Boxes and the image geometry shared by the face detectors and the landmark net, written to
 * reproduce `@vladmandic/face-api` step by step (its Box, padToSquare and rescaling rules).
 */
import type { Engine } from '../gpu/engine.js';
import type { Tensor } from '../gpu/tensor.js';
import { imageToTensor, type ImageToTensorOptions, type RGBAImage } from '../ops/image.js';
import { WeightsError, type WeightMap } from './weights.js';

/** An axis-aligned box in pixels: top-left corner and size. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A detected face: its box in original image pixels and the detector's confidence. */
export interface FaceDetection extends Box {
  score: number;
}

export interface Point {
  x: number;
  y: number;
}

/** Options of both detectors' `detect`; each detector documents its defaults (face-api's). */
export interface DetectOptions {
  /** Side of the square network input in pixels. */
  inputSize?: number;
  /** Faces scoring at or below this are dropped. */
  scoreThreshold?: number;
  /** Non-maximum suppression drops a box overlapping a better one by more than this IoU. */
  iouThreshold?: number;
  /** At most this many faces, best first. */
  maxResults?: number;
}

/** What both detectors offer, so an application can switch between them. */
export interface FaceDetector {
  /** Faces in an RGBA image, best first, boxes in image pixels. */
  detect(image: RGBAImage, options?: DetectOptions): Promise<FaceDetection[]>;
  /** Frees the weights on the GPU. */
  dispose(): void;
}

/** Options with undefined entries replaced by the detector's defaults. */
export function withDefaults(defaults: Required<DetectOptions>, options: DetectOptions): Required<DetectOptions> {
  const given = Object.entries(options).filter(([, v]) => v !== undefined);
  return { ...defaults, ...Object.fromEntries(given) };
}

/**
 * Intersection over union. Corners are normalised (a negative size flips them), and a box
 * without area overlaps nothing (IoU 0), as in face-api's SSD suppression.
 */
export function iou(a: Box, b: Box): number {
  const ax0 = Math.min(a.x, a.x + a.width), ax1 = Math.max(a.x, a.x + a.width);
  const ay0 = Math.min(a.y, a.y + a.height), ay1 = Math.max(a.y, a.y + a.height);
  const bx0 = Math.min(b.x, b.x + b.width), bx1 = Math.max(b.x, b.x + b.width);
  const by0 = Math.min(b.y, b.y + b.height), by1 = Math.max(b.y, b.y + b.height);
  const areaA = (ax1 - ax0) * (ay1 - ay0);
  const areaB = (bx1 - bx0) * (by1 - by0);
  if (!(areaA > 0) || !(areaB > 0)) return 0;
  const inter = Math.max(0, Math.min(ax1, bx1) - Math.max(ax0, bx0)) * Math.max(0, Math.min(ay1, by1) - Math.max(ay0, by0));
  return inter / (areaA + areaB - inter);
}

/**
 * face-api's `computeReshapedDimensions`: the image's size once its longer side is scaled to
 * `inputSize`, rounded to whole pixels. Detectors map boxes back through these rounded sizes.
 */
export function reshapedDimensions(width: number, height: number, inputSize: number): { width: number; height: number } {
  const scale = inputSize / Math.max(width, height);
  return { width: Math.round(width * scale), height: Math.round(height * scale) };
}

/**
 * A detector's network input [1, size, size, 3], as face-api's `toBatchTensor(size, false)`:
 * the image padded with black at the right or bottom to a square, resized with TensorFlow's
 * bilinear rule (no half-pixel centres), then normalised by `norm`. One kernel does it all.
 */
export function squareInput(engine: Engine, image: RGBAImage, size: number, norm: Pick<ImageToTensorOptions, 'valueScale' | 'mean' | 'std'>): Tensor {
  const side = Math.max(image.width, image.height);
  return imageToTensor(engine, image, {
    ...norm,
    crop: { x: 0, y: 0, width: side, height: side },
    size: [size, size],
    sampling: 'asymmetric',
    zeroOutside: { x: 0, y: 0, width: image.width, height: image.height },
  });
}

/**
 * face-api's `Box.clipAtImageBorders`: the part of the box inside the image, each of x, y,
 * width and height then floored. Width or height may come out zero or negative (no overlap).
 */
export function clipToImage(box: Box, imageWidth: number, imageHeight: number): Box {
  const x = Math.max(box.x, 0);
  const y = Math.max(box.y, 0);
  const width = Math.min(box.x + box.width - x, imageWidth - x);
  const height = Math.min(box.y + box.height - y, imageHeight - y);
  return { x: Math.floor(x), y: Math.floor(y), width: Math.floor(width), height: Math.floor(height) };
}

/**
 * Checks up front that a weight map holds every tensor a network needs, with its shape, so
 * that wrong weights (another model's manifest, another version) fail with one clear error
 * instead of a shape error deep inside a forward pass.
 */
export function requireWeights(network: string, manifest: string, weights: WeightMap, specs: Record<string, readonly number[]>): void {
  const problems: string[] = [];
  for (const [name, shape] of Object.entries(specs)) {
    try {
      weights.get(name, shape);
    } catch (e) {
      problems.push((e as Error).message.replace(/^wrong weights: /, ''));
    }
  }
  if (problems.length) {
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more of its ${Object.keys(specs).length} weights missing or mis-shaped)` : '';
    throw new WeightsError(`wrong weights for ${network} (it needs face-api's ${manifest}): ${problems[0]}${more}`);
  }
}

export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/**
 * The image with a border of repeated edge pixels: `borderX` columns left and right,
 * `borderY` rows above and below. Faces that fill the frame (ORL) need about half the image
 * size on each side before detectors trained on ordinary photos find them. Boxes found in the
 * bordered image map back by subtracting (borderX, borderY).
 */
export function withEdgeBorder(image: { data: ArrayLike<number>; width: number; height: number }, borderX: number, borderY: number): { data: Uint8ClampedArray; width: number; height: number } {
  const width = image.width + 2 * borderX;
  const height = image.height + 2 * borderY;
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    const sy = Math.min(Math.max(y - borderY, 0), image.height - 1);
    for (let x = 0; x < width; x++) {
      const sx = Math.min(Math.max(x - borderX, 0), image.width - 1);
      const from = (sy * image.width + sx) * 4;
      const to = (y * width + x) * 4;
      for (let c = 0; c < 4; c++) data[to + c] = image.data[from + c]!;
    }
  }
  return { data, width, height };
}
