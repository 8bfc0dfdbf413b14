/**
 * Labelled images for embedding training, held on the CPU as one f32 array [N, H, W, C]
 * (channels last, like the engine's tensors) with integer class labels.
 */

export interface LabelledImages {
  /** [count, H, W, C] values, row-major. */
  images: Float32Array;
  /** Integer class id per image. */
  labels: Int32Array;
  /** [H, W, C] of one image. */
  shape: readonly [number, number, number];
  count: number;
  /** Names of the class ids, when known. */
  classNames?: readonly string[];
}

export const imageSize = (d: LabelledImages): number => d.shape[0] * d.shape[1] * d.shape[2];

/** The images at `indices`, in that order, as one [indices.length, H, W, C] array. */
export function gatherImages(d: LabelledImages, indices: ArrayLike<number>): Float32Array {
  const size = imageSize(d);
  const out = new Float32Array(indices.length * size);
  for (let i = 0; i < indices.length; i++) {
    const at = indices[i]!;
    if (!(at >= 0 && at < d.count)) throw new RangeError(`image index ${at} is outside 0..${d.count - 1}`);
    out.set(d.images.subarray(at * size, (at + 1) * size), i * size);
  }
  return out;
}

/** A new dataset of the images at `indices`. */
export function subset(d: LabelledImages, indices: ArrayLike<number>): LabelledImages {
  return {
    images: gatherImages(d, indices),
    labels: Int32Array.from(indices, (i) => d.labels[i]!),
    shape: d.shape,
    count: indices.length,
    classNames: d.classNames,
  };
}

/** Images whose class is in `classes`. */
export function filterClasses(d: LabelledImages, classes: readonly number[]): LabelledImages {
  const keep = new Set(classes);
  const indices: number[] = [];
  for (let i = 0; i < d.count; i++) if (keep.has(d.labels[i]!)) indices.push(i);
  return subset(d, indices);
}

/** The first `n` images of each class (in dataset order), for small evaluation sets. */
export function firstPerClass(d: LabelledImages, n: number): LabelledImages {
  const taken = new Map<number, number>();
  const indices: number[] = [];
  for (let i = 0; i < d.count; i++) {
    const c = d.labels[i]!;
    const k = taken.get(c) ?? 0;
    if (k < n) {
      indices.push(i);
      taken.set(c, k + 1);
    }
  }
  return subset(d, indices);
}

/** The distinct class ids, ascending. */
export function classesOf(d: { labels: ArrayLike<number> }): number[] {
  return [...new Set(Array.from(d.labels))].sort((a, b) => a - b);
}

/**
 * Splits by class: `heldOut` classes are never seen in training (one-shot evaluation on them
 * measures how the embedding generalises to new classes).
 */
export function splitClasses(d: LabelledImages, heldOut: readonly number[]): { seen: LabelledImages; unseen: LabelledImages } {
  const out = new Set(heldOut);
  const seen = classesOf(d).filter((c) => !out.has(c));
  return { seen: filterClasses(d, seen), unseen: filterClasses(d, heldOut) };
}
