import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { classesOf, filterClasses, splitClasses } from '../../src/tasks/training/dataset.js';
import { FASHION_MNIST_CLASSES, loadFashionMnist } from '../../src/tasks/training/fashion-mnist.js';
import { parseIdx, readIdx } from '../../src/tasks/training/idx.js';
import { PKSampler } from '../../src/tasks/training/sampler.js';
import { assert, assertEqual, assertRejects } from '../util/assert.js';

const DIR = '/usr/share/datasets/fashion-mnist';
const read = async (name: string) => new Uint8Array(await readFile(join(DIR, name)));

/** An IDX file written by hand: magic 0x00000803 (ubyte, 3 dims), dims, values. */
function idx(dims: number[], values: number[]): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + values.length);
  const view = new DataView(out.buffer);
  out[2] = 0x08;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  out.set(values, 4 + 4 * dims.length);
  return out;
}

describe('training data: IDX reader and Fashion-MNIST', () => {
  it('parses hand-written IDX files (big-endian dims) and names what is wrong', async () => {
    const a = parseIdx(idx([2, 2, 3], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 255]));
    assertEqual(a.dims, [2, 2, 3]);
    assertEqual(Array.from(a.data), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 255]);
    const big = parseIdx(idx([300], Array.from({ length: 300 }, (_, i) => i % 256)));
    assertEqual(big.dims, [300], 'a dimension above 255 reads big-endian');
    await assertRejects(() => parseIdx(idx([2, 2], [1, 2, 3]), 'x.idx'), /x\.idx: truncated: \[2,2\] needs 4 values, the file holds 3/);
    const wrongType = idx([1], [0]);
    wrongType[2] = 0x0d;
    await assertRejects(() => parseIdx(wrongType), /IDX type 0xd is not supported/);
    await assertRejects(() => parseIdx(new Uint8Array([0x1f, 0x8b, 8, 0])), /not an IDX file/);
  });

  it('reads the real Fashion-MNIST training set: 60000 28x28 images, labels 0-9, the first an ankle boot (9)', async () => {
    const labels = await readIdx(await read('train-labels-idx1-ubyte.gz'), 'train labels');
    assertEqual(labels.dims, [60000]);
    assertEqual(labels.data[0], 9, 'first training label');
    assertEqual(FASHION_MNIST_CLASSES[labels.data[0]!], 'Ankle boot');
    const counts = new Array(10).fill(0);
    for (const c of labels.data) counts[c]++;
    assertEqual(counts, new Array(10).fill(6000), 'Fashion-MNIST is balanced: 6000 per class');
    const images = await readIdx(await read('train-images-idx3-ubyte.gz'), 'train images');
    assertEqual(images.dims, [60000, 28, 28]);
    let max = 0;
    for (let i = 0; i < 784; i++) max = Math.max(max, images.data[i]!);
    assert(max > 100, `the first image has ink (max pixel ${max})`);
  });

  it('loads the test split as standardised [N, 28, 28, 1] tensors and splits classes 8 seen / 2 held out', async () => {
    const test = await loadFashionMnist(read, 'test', { limit: 2000 });
    assertEqual([test.count, ...test.shape], [2000, 28, 28, 1]);
    assertEqual(test.images.length, 2000 * 784);
    assert(test.labels.every((c) => c >= 0 && c <= 9), 'labels in 0-9');
    let mean = 0;
    for (const v of test.images) mean += v;
    mean /= test.images.length;
    assert(Math.abs(mean) < 0.1, `standardised pixels have mean near 0, got ${mean}`);
    const raw = await loadFashionMnist(read, 'test', { limit: 10, standardize: false });
    assert(raw.images.every((v) => v >= 0 && v <= 1), 'unstandardised pixels lie in [0, 1]');
    const { seen, unseen } = splitClasses(test, [8, 9]);
    assertEqual(classesOf(seen), [0, 1, 2, 3, 4, 5, 6, 7]);
    assertEqual(classesOf(unseen), [8, 9]);
    assertEqual(seen.count + unseen.count, test.count);
    assertEqual(filterClasses(test, [3]).labels.every((c) => c === 3), true);
  });

  it('P×K sampler: P distinct classes of K images each, every image used before any repeats, seeded', () => {
    const labels = Int32Array.from({ length: 40 }, (_, i) => i % 5); // 5 classes x 8 images
    const sampler = new PKSampler(labels, { persons: 3, perPerson: 4 }, 7);
    const seen = new Map<number, number>();
    for (let b = 0; b < 10; b++) {
      const batch = sampler.next();
      assertEqual(batch.length, 12);
      const classes = new Set<number>();
      for (let p = 0; p < 3; p++) {
        const c = labels[batch[p * 4]!]!;
        classes.add(c);
        for (let k = 0; k < 4; k++) assertEqual(labels[batch[p * 4 + k]!], c, `batch ${b} run ${p} is one class`);
        assertEqual(new Set(batch.subarray(p * 4, p * 4 + 4)).size, 4, 'no image twice in a run');
      }
      assertEqual(classes.size, 3, 'distinct classes');
      for (const i of batch) seen.set(i, (seen.get(i) ?? 0) + 1);
    }
    // 120 draws over 40 images, cycled per class: each image 2-4 times.
    for (let i = 0; i < 40; i++) assert((seen.get(i) ?? 0) >= 2 && (seen.get(i) ?? 0) <= 4, `image ${i} drawn ${seen.get(i)} times`);
    assertEqual(Array.from(new PKSampler(labels, { persons: 3, perPerson: 4 }, 7).next()), Array.from(new PKSampler(labels, { persons: 3, perPerson: 4 }, 7).next()), 'same seed, same batch');
    let threw = false;
    try {
      new PKSampler(labels, { persons: 6, perPerson: 2 });
    } catch (e) {
      threw = /needs that many; the data has 5/.test((e as Error).message);
    }
    assert(threw, 'too many persons per batch is refused by name');
  });
});
