/** The command line of `npm run eval:lfw` (bench/eval-lfw.ts), parsed and checked before any model loads. */
import { join, resolve } from 'node:path';
import { parseOptions } from '../args.js';
import { descriptorNamed } from './lfw-descriptors.js';

export interface LfwOptions {
  images: string;
  /** View 1: thresholds chosen on `train`, accuracy reported on `test`. */
  train: string;
  test: string;
  /** Instead of train/test: one pairs file, cross-validated over its folds. */
  pairs?: string;
  descriptor: string;
  /** About this many pairs of each file (half same, half different), for quick runs. */
  limit?: number;
  json: string;
  roc: string;
  border: 'auto' | 'none';
}

export const LFW_USAGE = 'usage: eval-lfw [--images DIR] [--train FILE --test FILE | --pairs FILE] [--descriptor dlib|dlib-chip|mobilefacenet|mobileface|faceres] [--limit N] [--json FILE] [--roc FILE] [--border auto|none]';

/** `root`: the repository root, which the defaults are relative to; given paths are relative to the working folder. */
export function parseLfwArgs(argv: readonly string[], root: string): LfwOptions {
  const str = { type: 'string' } as const;
  const values = parseOptions(argv, { images: str, train: str, test: str, pairs: str, descriptor: str, limit: str, json: str, roc: str, border: str }, LFW_USAGE);
  const data = join(root, '../shared/data/lfw-view1');
  if (values.pairs && (values.train || values.test)) throw new Error(`--pairs is one file cross-validated over its folds: it does not go with --train/--test\n${LFW_USAGE}`);
  const descriptor = values.descriptor ?? 'dlib';
  descriptorNamed(descriptor);
  let limit: number | undefined;
  if (values.limit !== undefined) {
    limit = Number(values.limit);
    if (!Number.isInteger(limit) || limit < 2) throw new Error(`--limit: expected a whole number of pairs of at least 2, got '${values.limit}'`);
  }
  const border = values.border ?? 'auto';
  if (border !== 'auto' && border !== 'none') throw new Error(`--border: expected auto or none, got '${border}'`);
  const path = (given: string | undefined, fallback: string) => resolve(given ?? fallback);
  return {
    images: path(values.images, join(data, 'images')),
    train: path(values.train, join(data, 'pairsDevTrain.txt')),
    test: path(values.test, join(data, 'pairsDevTest.txt')),
    pairs: values.pairs === undefined ? undefined : resolve(values.pairs),
    descriptor,
    limit,
    json: path(values.json, join(root, 'bench/results/lfw.json')),
    roc: path(values.roc, join(root, 'bench/results/lfw-roc.png')),
    border,
  };
}
