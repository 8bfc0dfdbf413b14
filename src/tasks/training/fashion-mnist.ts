/**
 * Fashion-MNIST (Zalando; 60,000 training and 10,000 test images of 28×28 grey clothes in 10
 * classes) from its IDX files — Debian's `dataset-fashion-mnist` installs them under
 * /usr/share/datasets/fashion-mnist/. `read` fetches a file by name: from disk in Node, by URL
 * in browsers (`urlFileReader`).
 */
import type { LabelledImages } from './dataset.js';
import { IdxError, readIdx } from './idx.js';

export const FASHION_MNIST_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'] as const;

export const FASHION_MNIST_FILES = {
  train: { images: 'train-images-idx3-ubyte.gz', labels: 'train-labels-idx1-ubyte.gz' },
  test: { images: 't10k-images-idx3-ubyte.gz', labels: 't10k-labels-idx1-ubyte.gz' },
} as const;

/** Pixel statistics of the training set (after scaling to [0, 1]); inputs are standardised with them. */
export const FASHION_MNIST_MEAN = 0.286;
export const FASHION_MNIST_STD = 0.353;

/** Reads one of a dataset's files by its name (not the DOM's FileReader). */
export type DatasetFileReader = (name: string) => Promise<Uint8Array>;

/** Reads files relative to a base URL (e.g. './data/fashion-mnist/'). */
export function urlFileReader(base: string | URL): DatasetFileReader {
  return async (name) => {
    const url = new URL(name, base instanceof URL ? base : new URL(base, globalThis.location?.href ?? 'file:///'));
    const res = await fetch(url);
    if (!res.ok) throw new Error(`HTTP ${res.status} for ${url}`);
    return new Uint8Array(await res.arrayBuffer());
  };
}

export interface FashionMnistOptions {
  /** Keep only the first `limit` images (the files are still read whole). */
  limit?: number;
  /** Standardise pixels with the training mean/std (default), or scale to [0, 1] (false). */
  standardize?: boolean;
}

/** One split as [N, 28, 28, 1] f32 images and labels 0-9. */
export async function loadFashionMnist(read: DatasetFileReader, split: 'train' | 'test', options: FashionMnistOptions = {}): Promise<LabelledImages> {
  const files = FASHION_MNIST_FILES[split];
  const [imagesFile, labelsFile] = await Promise.all([read(files.images), read(files.labels)]);
  const images = await readIdx(imagesFile, files.images);
  const labels = await readIdx(labelsFile, files.labels);
  if (images.dims.length !== 3) throw new IdxError(`${files.images}: expected [N, rows, cols], got [${images.dims}]`);
  if (labels.dims.length !== 1 || labels.dims[0] !== images.dims[0]) throw new IdxError(`${files.labels}: [${labels.dims}] labels for ${images.dims[0]} images`);
  const [total, h, w] = images.dims as [number, number, number];
  const count = Math.min(total, options.limit ?? total);
  const standardize = options.standardize ?? true;
  const scale = standardize ? 1 / (255 * FASHION_MNIST_STD) : 1 / 255;
  const shift = standardize ? -FASHION_MNIST_MEAN / FASHION_MNIST_STD : 0;
  const pixels = new Float32Array(count * h * w);
  for (let i = 0; i < pixels.length; i++) pixels[i] = images.data[i]! * scale + shift;
  const ids = Int32Array.from(labels.data.subarray(0, count));
  for (const c of ids) if (c > 9) throw new IdxError(`${files.labels}: label ${c} is not a Fashion-MNIST class (0-9)`);
  return { images: pixels, labels: ids, shape: [h, w, 1], count, classNames: FASHION_MNIST_CLASSES };
}
