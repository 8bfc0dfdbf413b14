/**
 * `npm run eval:lfw`: face verification on Labeled Faces in the Wild. By default View 1: the
 * threshold chosen on pairsDevTrain.txt, accuracy, TAR at FAR 1e-3 / 1e-4, AUC and EER reported
 * on pairsDevTest.txt; with --pairs, one pairs file cross-validated over its folds (View 2).
 * Writes bench/results/lfw.json and the ROC plot bench/results/lfw-roc.png; prints a summary.
 * Usage: node build/bench/eval-lfw.js [--images DIR] [--train FILE --test FILE | --pairs FILE]
 *   [--descriptor dlib] [--limit N] [--json FILE] [--roc FILE] [--border auto|none]
 */
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluateLfw } from './lfw-eval.js';
import { parseLfwArgs } from './lfw-options.js';
import { runMain } from '../hosts/drive.js';

// This file runs as build/bench/eval-lfw.js: the repository root is two folders up.
const root = fileURLToPath(new URL('../../', import.meta.url));

async function main(): Promise<void> {
  const options = parseLfwArgs(process.argv.slice(2), root);
  const { table } = await evaluateLfw(options, { root, log: (line) => console.error(line) });
  console.log(table);
  console.log(`wrote ${relative(process.cwd(), options.json)} and ${relative(process.cwd(), options.roc)}`);
}

runMain(main, 'eval-lfw');
