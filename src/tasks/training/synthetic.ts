/** Seeded synthetic batches, so our step and the TF.js reference see identical data. */
import { SeededRandom } from './random.js';
import type { BatchShape } from './sampler.js';

/** Seeded synthetic batch: P×K labels (class = index / K), standard-normal pixels. */
export function syntheticTrainBatch(inputShape: readonly [number, number, number], batch: BatchShape, seed = 1): { images: Float32Array; labels: Int32Array } {
  const random = new SeededRandom(seed);
  const n = batch.persons * batch.perPerson;
  const images = new Float32Array(n * inputShape[0] * inputShape[1] * inputShape[2]);
  for (let i = 0; i < images.length; i++) images[i] = random.normal();
  return { images, labels: Int32Array.from({ length: n }, (_, i) => Math.floor(i / batch.perPerson)) };
}

/**
 * A small clustered set for tests and demos, of any example shape [...spatial, C] (signals,
 * images, volumes): each class is a random smooth prototype (a few Gaussian blobs), its examples
 * the prototype plus Gaussian noise of `noise` standard deviations.
 */
export function clusteredImages<S extends readonly number[]>(o: { classes: number; perClass: number; shape: S; noise?: number; seed?: number }): { images: Float32Array; labels: Int32Array; shape: S; count: number } {
  const random = new SeededRandom(o.seed ?? 1);
  const spatial = o.shape.slice(0, -1);
  const c = o.shape[o.shape.length - 1]!;
  const positions = spatial.reduce((a, b) => a * b, 1);
  const size = positions * c;
  const prototypes = Array.from({ length: o.classes }, () => {
    // A few random blobs per class: smooth patterns a small CNN can tell apart.
    const p = new Float32Array(size);
    for (let blob = 0; blob < 3; blob++) {
      const centre = spatial.map((d) => random.next() * d);
      const r = 1 + random.next() * (spatial[0]! / 3), sign = random.next() < 0.5 ? -1 : 1;
      for (let at = 0; at < positions; at++) {
        let d2 = 0;
        for (let axis = spatial.length - 1, rest = at; axis >= 0; axis--) {
          d2 += ((rest % spatial[axis]!) - centre[axis]!) ** 2;
          rest = Math.floor(rest / spatial[axis]!);
        }
        for (let ch = 0; ch < c; ch++) p[at * c + ch]! += sign * Math.exp(-d2 / (2 * r * r));
      }
    }
    return p;
  });
  const count = o.classes * o.perClass;
  const images = new Float32Array(count * size);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const cls = i % o.classes;
    labels[i] = cls;
    for (let k = 0; k < size; k++) images[i * size + k] = prototypes[cls]![k]! + (o.noise ?? 0.3) * random.normal();
  }
  return { images, labels, shape: o.shape, count };
}
