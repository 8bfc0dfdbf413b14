/**
 * Short clips of an item moving in a straight line, for 3-D convnets on video: each clip is T
 * frames [T, S, S, 1] of one image (e.g. a Fashion-MNIST item, shrunk 2x) sliding `speed` pixels
 * per frame in one of 4 (or 8) directions, the direction being the label. The canvas is a torus
 * (the item wraps around the edges) and the start is uniformly random, so any single frame is a
 * uniformly random shift of the item whatever the direction: a 2-D net on one frame can only
 * guess, and what tells the directions apart is how the frames follow one another.
 */
import { imageSize, type LabelledImages } from './dataset.js';
import { SeededRandom } from './random.js';

/** Unit steps (dx, dy) per direction; y grows downwards. */
export const MOTION_DIRECTIONS = {
  right: [1, 0], left: [-1, 0], down: [0, 1], up: [0, -1],
  'down-right': [1, 1], 'up-left': [-1, -1], 'down-left': [-1, 1], 'up-right': [1, -1],
} as const;
export type MotionDirection = keyof typeof MOTION_DIRECTIONS;

export interface MotionClipOptions {
  /** Frames per clip (8). */
  frames?: number;
  /** Side of the square canvas (16). */
  size?: number;
  /** Shrink the item by this integer factor first (2: 28x28 → 14x14), averaging blocks. */
  shrink?: number;
  /** 4 (right, left, down, up) or 8 (and the diagonals). */
  directions?: 4 | 8;
  /** Pixels per frame, one drawn at random per clip (1 or 2). */
  speeds?: readonly number[];
  seed?: number;
}

/** Averages s x s blocks of a [H, W] image (rows and columns past a whole block are dropped). */
function shrinkImage(src: Float32Array, h: number, w: number, s: number): { data: Float32Array; h: number; w: number } {
  const oh = Math.floor(h / s), ow = Math.floor(w / s);
  const data = new Float32Array(oh * ow);
  for (let y = 0; y < oh * s; y++) for (let x = 0; x < ow * s; x++) data[Math.floor(y / s) * ow + Math.floor(x / s)]! += src[y * w + x]! / (s * s);
  return { data, h: oh, w: ow };
}

/**
 * One clip per item, in item order, with a random direction, speed and start each.
 * Items must be single-channel [H, W, 1]; the result is [count, T, S, S, 1] with direction labels.
 */
export function motionClips(items: LabelledImages, o: MotionClipOptions = {}): LabelledImages & { speeds: Int32Array } {
  const frames = o.frames ?? 8, size = o.size ?? 16, shrink = o.shrink ?? 2;
  const names = Object.keys(MOTION_DIRECTIONS).slice(0, o.directions ?? 4) as MotionDirection[];
  const speeds = o.speeds ?? [1, 2];
  if (items.shape.length !== 3 || items.shape[2] !== 1) throw new RangeError(`motionClips: items must be [H, W, 1] images, got [${items.shape}]`);
  if (o.directions !== undefined && o.directions !== 4 && o.directions !== 8) throw new RangeError(`motionClips: directions must be 4 or 8, got ${o.directions}`);
  const [h, w] = items.shape as [number, number, number];
  if (Math.floor(h / shrink) > size || Math.floor(w / shrink) > size) throw new RangeError(`motionClips: a ${h}x${w} item shrunk ${shrink}x does not fit a ${size}x${size} canvas`);
  const random = new SeededRandom(o.seed ?? 1);
  const clip = frames * size * size;
  const images = new Float32Array(items.count * clip);
  const labels = new Int32Array(items.count);
  const clipSpeeds = new Int32Array(items.count);
  for (let i = 0; i < items.count; i++) {
    const item = shrinkImage(items.images.subarray(i * imageSize(items), (i + 1) * imageSize(items)), h, w, shrink);
    const label = random.below(names.length);
    const speed = speeds[random.below(speeds.length)]!;
    const [dx, dy] = MOTION_DIRECTIONS[names[label]!];
    const x0 = random.below(size), y0 = random.below(size);
    labels[i] = label;
    clipSpeeds[i] = speed;
    for (let t = 0; t < frames; t++) {
      const base = i * clip + t * size * size;
      const ox = x0 + t * speed * dx, oy = y0 + t * speed * dy;
      for (let y = 0; y < item.h; y++) {
        const row = base + (((oy + y) % size) + size) % size * size;
        for (let x = 0; x < item.w; x++) images[row + ((((ox + x) % size) + size) % size)] = item.data[y * item.w + x]!;
      }
    }
  }
  return { images, labels, shape: [frames, size, size, 1], count: items.count, classNames: names, speeds: clipSpeeds };
}

/** Frame `t` of every clip, as [S, S, C] images with the clips' labels (the 2-D baseline's input). */
export function clipFrames(clips: LabelledImages, t = 0): LabelledImages {
  if (clips.shape.length !== 4) throw new RangeError(`clipFrames: clips must be [T, H, W, C], got [${clips.shape}]`);
  const [frames, h, w, c] = clips.shape as [number, number, number, number];
  if (!(Number.isInteger(t) && t >= 0 && t < frames)) throw new RangeError(`clipFrames: frame ${t} is outside 0..${frames - 1}`);
  const frame = h * w * c;
  const images = new Float32Array(clips.count * frame);
  for (let i = 0; i < clips.count; i++) images.set(clips.images.subarray((i * frames + t) * frame, (i * frames + t + 1) * frame), i * frame);
  return { images, labels: clips.labels, shape: [h, w, c], count: clips.count, classNames: clips.classNames };
}
