/**
 * P×K batches for online triplet mining: P classes ("persons"), K images each, so every anchor
 * in the batch has K−1 positives and (P−1)·K negatives. Seeded, so runs repeat.
 */
import { SeededRandom } from './random.js';

export interface BatchShape {
  /** Classes per batch (P). */
  persons: number;
  /** Images per class (K ≥ 2). */
  perPerson: number;
}

export class PKSampler {
  private readonly byClass: Map<number, number[]>;
  private readonly classes: number[];
  private readonly random: SeededRandom;
  /** Per class, a shuffled queue of its images: each is used once before any repeats. */
  private readonly queues = new Map<number, number[]>();
  private classQueue: number[] = [];

  constructor(labels: ArrayLike<number>, readonly batch: BatchShape, seed = 1) {
    if (!(Number.isInteger(batch.persons) && batch.persons >= 2)) throw new RangeError(`batch.persons must be an integer >= 2, got ${batch.persons}`);
    if (!(Number.isInteger(batch.perPerson) && batch.perPerson >= 2)) throw new RangeError(`batch.perPerson must be an integer >= 2 (anchors need a positive), got ${batch.perPerson}`);
    this.random = new SeededRandom(seed);
    this.byClass = new Map();
    for (let i = 0; i < labels.length; i++) {
      const c = labels[i]!;
      let list = this.byClass.get(c);
      if (!list) this.byClass.set(c, (list = []));
      list.push(i);
    }
    this.classes = [...this.byClass.keys()].sort((a, b) => a - b);
    if (this.classes.length < batch.persons) throw new RangeError(`a batch of ${batch.persons} classes needs that many; the data has ${this.classes.length}`);
  }

  get size(): number {
    return this.batch.persons * this.batch.perPerson;
  }

  /** Classes are drawn from shuffled rounds, so each appears about equally often. */
  private nextClass(taken: Set<number>): number {
    for (;;) {
      const at = this.classQueue.findIndex((c) => !taken.has(c));
      if (at >= 0) return this.classQueue.splice(at, 1)[0]!;
      this.classQueue.push(...this.random.shuffle([...this.classes]));
    }
  }

  private nextOf(c: number): number {
    let q = this.queues.get(c);
    if (!q || q.length === 0) this.queues.set(c, (q = this.random.shuffle([...this.byClass.get(c)!])));
    return q.pop()!;
  }

  /** Image indices of the next batch, grouped by class (P runs of K). A class with fewer than K images repeats some. */
  next(): Int32Array {
    const out = new Int32Array(this.size);
    const taken = new Set<number>();
    for (let p = 0; p < this.batch.persons; p++) {
      const c = this.nextClass(taken);
      taken.add(c);
      for (let k = 0; k < this.batch.perPerson; k++) out[p * this.batch.perPerson + k] = this.nextOf(c);
    }
    return out;
  }
}
