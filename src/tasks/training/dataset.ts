/**
 * Labelled examples for training, held on the CPU as one f32 array [N, ...shape] (channels
 * last, like the engine's tensors) with integer class labels. Examples are images [H, W, C],
 * signals [length, C], volumes or clips [D, H, W, C], or feature vectors [K].
 */
import type { Graph } from '../../nn/graph/graph.js';
import { ShapeError } from '../../gpu/errors.js';

export interface LabelledImages {
  /** [count, ...shape] values, row-major. */
  images: Float32Array;
  /** Integer class id per example. */
  labels: Int32Array;
  /** The shape of one example: [H, W, C], [length, C], [D, H, W, C] or [K]. */
  shape: readonly number[];
  count: number;
  /** Names of the class ids, when known. */
  classNames?: readonly string[];
}

/** Values in one example. */
export const imageSize = (d: Pick<LabelledImages, 'shape'>): number => d.shape.reduce((a, b) => a * b, 1);

/** Checks that a dataset is consistent: example shape of rank 1-4, values and labels for `count` examples. */
export function checkExamples(d: LabelledImages, what: string): void {
  if (!(d.shape.length >= 1 && d.shape.length <= 4 && d.shape.every((x) => Number.isInteger(x) && x >= 1))) {
    throw new ShapeError(`${what}: an example's shape must be [length, C], [H, W, C], [D, H, W, C] or [K] of positive sizes, got [${d.shape}]`);
  }
  if (!(Number.isInteger(d.count) && d.count >= 0)) throw new RangeError(`${what}: count must be a non-negative integer, got ${d.count}`);
  if (d.images.length !== d.count * imageSize(d)) throw new ShapeError(`${what}: ${d.count} examples of [${d.shape}] need ${d.count * imageSize(d)} values, got ${d.images.length}`);
  if (d.labels.length !== d.count) throw new ShapeError(`${what}: ${d.count} examples need ${d.count} labels, got ${d.labels.length}`);
  for (const c of d.labels) if (!(c >= 0)) throw new RangeError(`${what}: labels must be class ids >= 0, got ${c}`);
}

/** Checks that the model's input takes examples of the dataset's shape (when its input declares one). */
export function checkModelInput(model: Graph, input: string, shape: readonly number[], what: string): void {
  const node = model.node(input);
  if (!node || node.op !== 'input') throw new Error(`${what}: the model has no input named '${input}'`);
  const want = node.attrs.shape as (number | null)[] | undefined;
  if (!want) return;
  const fits = want.length === shape.length + 1 && want.slice(1).every((d, i) => d === null || d < 0 || d === shape[i]);
  if (!fits) throw new ShapeError(`${what}: the model's input '${input}' takes examples of [${want.slice(1).map((d) => d ?? '?')}], the data's are [${shape}]`);
}

/** What a trainer checks before it starts: its data and validation sets, each consistent and of the model's input shape. */
export function checkTrainingSets(model: Graph, input: string, sets: { data: LabelledImages; validation?: LabelledImages }, trainer: string): void {
  for (const [name, d] of Object.entries(sets)) {
    if (!d) continue;
    checkExamples(d, `${trainer} (${name})`);
    checkModelInput(model, input, d.shape, `${trainer} (${name})`);
  }
}

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
