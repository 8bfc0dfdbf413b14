/**
 * Random augmentation of a training batch on the CPU, in place, before it is uploaded: the
 * encoder sees each image shifted by up to a few pixels and mirrored half of the time, so it
 * learns what an item looks like rather than where its pixels fall, which is what carries over
 * to classes it never saw. Randomness comes from the trainer's per-epoch generator, so a
 * resumed run augments as an uninterrupted one would.
 */
import type { SeededRandom } from './random.js';

/** Changes `count` examples of shape `shape` in `batch` in place. */
export type Augmentation = (batch: Float32Array, count: number, shape: readonly number[], random: SeededRandom) => void;

export interface ShiftFlipOptions {
  /** Largest shift in pixels along each image axis (2 by default); uncovered pixels take `fill`. */
  maxShift?: number;
  /** Mirror left–right with probability 1/2 (true by default). */
  flip?: boolean;
  /** The value of pixels shifted in from outside (0 by default). */
  fill?: number;
}

/** Shifts and mirrors images [H, W, C]. */
export function shiftAndFlip(o: ShiftFlipOptions = {}): Augmentation {
  const maxShift = o.maxShift ?? 2;
  const flip = o.flip ?? true;
  const fill = o.fill ?? 0;
  if (!(Number.isInteger(maxShift) && maxShift >= 0)) throw new RangeError(`shiftAndFlip: maxShift must be an integer >= 0, got ${maxShift}`);
  return (batch, count, shape, random) => {
    if (shape.length !== 3) throw new RangeError(`shiftAndFlip: needs images [H, W, C], got examples of shape [${shape}]`);
    const [h, w, c] = shape as [number, number, number];
    const size = h * w * c;
    const copy = new Float32Array(size);
    for (let n = 0; n < count; n++) {
      const dy = random.below(2 * maxShift + 1) - maxShift;
      const dx = random.below(2 * maxShift + 1) - maxShift;
      const mirror = flip && random.next() < 0.5;
      const image = batch.subarray(n * size, (n + 1) * size);
      copy.set(image);
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          // Output (y, x) shows input (y - dy, x' - dx), x' mirrored when flipping.
          const sy = y - dy, sx = (mirror ? w - 1 - x : x) - dx;
          const inside = sy >= 0 && sy < h && sx >= 0 && sx < w;
          for (let k = 0; k < c; k++) image[(y * w + x) * c + k] = inside ? copy[(sy * w + sx) * c + k]! : fill;
        }
      }
    }
  };
}
