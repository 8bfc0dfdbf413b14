/**
 * LFW verification (`npm run eval:lfw`): every photo the pairs refer to is described once, each
 * pair's distance compared against a threshold chosen on DevTrain, and the figures reported on
 * DevTest (View 1); or one pairs file cross-validated over its folds (View 2). A photo without a
 * face leaves its pairs at distance Infinity: "not matched" at every threshold, as verify() says.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, relative } from 'node:path';
import { encodePNG } from '../../src/host/node-image.js';
import type { Engine } from '../../src/gpu/engine.js';
import { accuracyAt, bestThreshold, crossValidate, equalErrorRate, kFoldAccuracy, rocAuc, rocCurve, tarAtFar, type CrossValidation, type LabelledPair, type RocPoint } from '../../src/tasks/face/calibration.js';
import { mean, median } from '../stats.js';
import { descriptorNamed } from './lfw-descriptors.js';
import type { LfwOptions } from './lfw-options.js';
import { imagePath, limitPairs, parsePairs, type LfwPair } from './lfw-pairs.js';
import { rocPlot, type RocSeries } from './lfw-roc-plot.js';

/** The FARs TAR is reported at. */
const FARS = [1e-3, 1e-4];
/** Folds for a pairs file without its own (View 1's). */
const DEFAULT_FOLDS = 10;

export interface TarAtFarFigure {
  far: number;
  tar: number;
  threshold: number;
  /** ⌊far · N⌋ of the N different-person pairs may be accepted. */
  falseAcceptsAllowed: number;
  negatives: number;
  /** Where N is too small for this FAR to mean what it says. */
  caveat?: string;
}

export interface PairSetFigures {
  file: string;
  pairs: number;
  same: number;
  different: number;
  /** Pairs with a photo in which no face was found (not matched at any threshold). */
  withoutFace: number;
  /** At the threshold the result reports (chosen on DevTrain; for --pairs, on this same file). */
  accuracy: number;
  tar: number;
  far: number;
  auc: number;
  eer: number;
  eerThreshold: number;
  tarAtFar: TarAtFarFigure[];
}

export interface LfwResult {
  protocol: string;
  partial: false | { limit: number; note: string };
  descriptor: string;
  descriptorAbout: string;
  distance: string;
  border: LfwOptions['border'];
  threshold: number;
  test?: PairSetFigures;
  train?: PairSetFigures;
  all?: PairSetFigures;
  crossValidation?: CrossValidation & { k: number; foldsFrom: string };
  detection: { rate: number; photos: number; withFace: number; withoutFace: string[] };
  timing: { msPerImageMedian: number; msPerImageMean: number; images: number; note: string; seconds: number };
  adapter: string;
  node: string;
}

interface PairSet {
  role: 'train' | 'test' | 'pairs';
  file: string;
  folds: LfwPair[][];
}

export interface LfwRun {
  result: LfwResult;
  /** The ROC curves, as drawn in the PNG. */
  rocs: RocSeries[];
  /** The summary printed to stdout. */
  table: string;
}

/** Runs the evaluation and writes the JSON and the ROC plot. `root`: paths in the output are relative to it. */
export async function evaluateLfw(o: LfwOptions, { root, engine, log = () => {} }: { root: string; engine?: Engine; log?: (line: string) => void }): Promise<LfwRun> {
  const started = performance.now();
  const rel = (p: string) => relative(root, p) || '.';
  const descriptor = descriptorNamed(o.descriptor);
  const sets: PairSet[] = (o.pairs ? [['pairs', o.pairs] as const] : [['train', o.train] as const, ['test', o.test] as const]).map(([role, file]) => {
    if (!existsSync(file)) throw new Error(`pairs file not found: ${file}`);
    const folds = parsePairs(readFileSync(file, 'utf8'), rel(file));
    return { role, file, folds: o.limit ? limitPairs(folds, o.limit) : folds };
  });

  // Every photo once, in first-use order; a missing one fails before the models load.
  const paths = new Map<string, LfwPair & { file: string }>();
  for (const s of sets) for (const p of s.folds.flat()) for (const ref of [p.a, p.b]) if (!paths.has(imagePath(o.images, ref))) paths.set(imagePath(o.images, ref), { ...p, file: s.file });
  for (const [path, p] of paths) if (!existsSync(path)) throw new Error(`${rel(p.file)}:${p.line}: image not found: ${path}`);

  const session = await descriptor.open({ border: o.border, engine });
  const descriptors = new Map<string, Float32Array | null>();
  const ms: number[] = [];
  try {
    log(`describing ${paths.size} photos on ${session.adapter}`);
    for (const path of paths.keys()) {
      const t0 = performance.now();
      descriptors.set(path, await session.describe(path));
      if (descriptors.size > 1) ms.push(performance.now() - t0); // the first compiles the pipelines
      if (descriptors.size % 100 === 0) {
        const left = (median(ms) * (paths.size - descriptors.size)) / 1000;
        log(`  ${descriptors.size}/${paths.size} photos, ~${Math.round(left / 60)} min left`);
      }
    }
  } finally {
    session.dispose();
  }

  const labelled = (pairs: readonly LfwPair[]): LabelledPair[] => pairs.map((p) => {
    const [a, b] = [descriptors.get(imagePath(o.images, p.a)), descriptors.get(imagePath(o.images, p.b))];
    return { distance: a && b ? descriptor.distance(a, b) : Infinity, same: p.same };
  });
  const figures = (s: PairSet, threshold: number): PairSetFigures & { roc: RocPoint[] } => {
    const pairs = labelled(s.folds.flat());
    const roc = rocCurve(pairs);
    const eer = equalErrorRate(roc);
    const different = pairs.filter((p) => !p.same).length;
    const same = pairs.length - different;
    return {
      file: rel(s.file), pairs: pairs.length, same, different,
      withoutFace: pairs.filter((p) => p.distance === Infinity).length,
      accuracy: accuracyAt(pairs, threshold),
      tar: pairs.filter((p) => p.same && p.distance <= threshold).length / same,
      far: pairs.filter((p) => !p.same && p.distance <= threshold).length / different,
      auc: rocAuc(roc), eer: eer.eer, eerThreshold: eer.threshold,
      tarAtFar: FARS.map((far) => tarAtFarFigure(roc, far, different)),
      roc,
    };
  };

  const missed = [...descriptors].filter(([, d]) => !d).map(([path]) => relative(o.images, path));
  const times = { msPerImageMedian: round(median(ms), 1), msPerImageMean: round(ms.length ? mean(ms) : 0, 1) };
  const common = {
    partial: o.limit ? { limit: o.limit, note: `only the first ~${o.limit / 2} same-person and ~${o.limit / 2} different-person pairs of each file (spread over its folds): not the benchmark's figures` } : false as const,
    descriptor: o.descriptor,
    descriptorAbout: descriptor.about,
    distance: descriptor.distanceName,
    border: o.border,
  };
  const finish = (): Pick<LfwResult, 'detection' | 'timing' | 'adapter' | 'node'> => ({
    detection: { rate: round((paths.size - missed.length) / paths.size, 5), photos: paths.size, withFace: paths.size - missed.length, withoutFace: missed },
    timing: { ...times, images: paths.size, note: 'per photo: read, decode, detect, landmarks, align, describe (and the border retry where no face was found); the first photo, which compiles the pipelines, left out', seconds: Math.round((performance.now() - started) / 1000) },
    adapter: session.adapter,
    node: process.version,
  });

  let result: LfwResult;
  let rocs: RocSeries[];
  const strip = ({ roc, ...f }: PairSetFigures & { roc: RocPoint[] }): PairSetFigures => roundFigures(f);
  if (o.pairs) {
    const set = sets[0]!;
    const folds = set.folds.map(labelled);
    const cv = folds.length > 1 ? crossValidate(folds) : kFoldAccuracy(folds[0]!, DEFAULT_FOLDS);
    const threshold = bestThreshold(folds.flat()).threshold;
    const all = figures(set, threshold);
    result = {
      protocol: `${rel(set.file)}: ${cv.folds.length}-fold cross-validation (threshold chosen on ${cv.folds.length - 1} folds, accuracy on the remaining one), mean ± std; "all" figures over every pair, its accuracy at the threshold best on all pairs (optimistic)`,
      ...common,
      threshold: round(threshold, 5),
      crossValidation: { k: cv.folds.length, foldsFrom: folds.length > 1 ? 'the file' : `pair i in fold i mod ${DEFAULT_FOLDS} (the file has one fold)`, mean: round(cv.mean, 5), std: round(cv.std, 5), folds: cv.folds.map((x) => round(x, 5)), thresholds: cv.thresholds.map((x) => round(x, 5)) },
      all: strip(all),
      ...finish(),
    };
    rocs = [{ label: `${setLabel(set.file)} AUC ${all.auc.toFixed(4)}`, roc: all.roc, color: COLORS[1] }];
  } else {
    const [train, test] = sets as [PairSet, PairSet];
    const { threshold } = bestThreshold(labelled(train.folds.flat()));
    const [fTrain, fTest] = [figures(train, threshold), figures(test, threshold)];
    result = {
      protocol: `LFW View 1: threshold (and every setting) chosen on ${rel(train.file)}, figures reported on ${rel(test.file)}; the labelled face is the one nearest the image centre; a photo without a face: its pairs not matched`,
      ...common,
      threshold: round(threshold, 5),
      test: strip(fTest),
      train: strip(fTrain),
      ...finish(),
    };
    rocs = [
      { label: `${setLabel(train.file)} AUC ${fTrain.auc.toFixed(4)}`, roc: fTrain.roc, color: COLORS[0] },
      { label: `${setLabel(test.file)} AUC ${fTest.auc.toFixed(4)}`, roc: fTest.roc, color: COLORS[1] },
    ];
  }

  mkdirSync(dirname(o.json), { recursive: true });
  writeFileSync(o.json, JSON.stringify(result, null, 2) + '\n');
  mkdirSync(dirname(o.roc), { recursive: true });
  writeFileSync(o.roc, encodePNG(rocPlot(`LFW ROC - ${o.descriptor}${o.limit ? ` (PARTIAL: LIMIT ${o.limit})` : ''}`, rocs)));
  return { result, rocs, table: summary(result) };
}

const COLORS = [[40, 110, 200], [220, 100, 20]] as const;
const round = (x: number, digits: number) => (Number.isFinite(x) ? Number(x.toFixed(digits)) : x);
const pct = (x: number, digits = 2) => `${(100 * x).toFixed(digits)}%`;
/** pairsDevTest.txt → DEVTEST: letters the plot's font has. */
const setLabel = (file: string) => basename(file).replace(/\.txt$/i, '').replace(/^pairs(?=.)/i, '').replace(/[^A-Za-z0-9.\- ]/g, ' ').toUpperCase();

function tarAtFarFigure(roc: readonly RocPoint[], far: number, negatives: number): TarAtFarFigure {
  const p = tarAtFar(roc, far);
  const allowed = Math.floor(far * negatives + 1e-9);
  const needed = `FAR ${far} needs at least ${Math.ceil(1 / far)} different-person pairs to allow one false accept, and some ${Math.ceil(10 / far)} for a stable figure`;
  const caveat = allowed === 0
    ? `TAR at 0 false accepts: with ${negatives} different-person pairs FAR moves in steps of ${(1 / negatives).toPrecision(2)}; ${needed}`
    : allowed < 10 ? `${allowed} false accept(s) allowed of ${negatives}: a coarse figure; ${needed}` : undefined;
  return { far, tar: round(p.tar, 5), threshold: round(p.threshold, 5), falseAcceptsAllowed: allowed, negatives, ...(caveat ? { caveat } : {}) };
}

function roundFigures(f: PairSetFigures): PairSetFigures {
  return { ...f, accuracy: round(f.accuracy, 5), tar: round(f.tar, 5), far: round(f.far, 5), auc: round(f.auc, 5), eer: round(f.eer, 5), eerThreshold: round(f.eerThreshold, 5) };
}

/** The short table printed to stdout. */
function summary(r: LfwResult): string {
  const rows: [string, string][] = [];
  const headline = r.test ?? r.all!;
  const name = r.test ? 'DevTest' : 'all pairs';
  if (r.crossValidation) rows.push([`${r.crossValidation.k}-fold accuracy`, `${pct(r.crossValidation.mean)} ± ${pct(r.crossValidation.std)}`]);
  if (r.test && r.train) {
    rows.push([`accuracy (${name})`, `${pct(r.test.accuracy)}  (${r.test.pairs} pairs; TAR ${pct(r.test.tar)}, FAR ${pct(r.test.far)})`]);
    rows.push(['threshold (from DevTrain)', `${r.threshold} ${r.distance}; DevTrain accuracy ${pct(r.train.accuracy)}`]);
  } else rows.push(['threshold (all pairs)', `${r.threshold} ${r.distance}; accuracy there ${pct(headline.accuracy)} (optimistic)`]);
  for (const t of headline.tarAtFar) rows.push([`TAR @ FAR ${t.far.toExponential(0)} (${name})`, `${pct(t.tar)}${t.falseAcceptsAllowed === 0 ? `  (= TAR at 0 false accepts of ${t.negatives})` : `  (${t.falseAcceptsAllowed} false accepts allowed of ${t.negatives})`}`]);
  rows.push([`AUC, EER (${name})`, `${headline.auc.toFixed(5)}, ${pct(headline.eer)}`]);
  const d = r.detection;
  rows.push(['detection rate', `${pct(d.rate)}  (${d.withFace}/${d.photos} photos${d.withoutFace.length ? `; no face: ${d.withoutFace.slice(0, 5).join(', ')}${d.withoutFace.length > 5 ? ', …' : ''}` : ''})`]);
  rows.push(['time per photo', `${r.timing.msPerImageMedian} ms median, ${r.timing.msPerImageMean} ms mean (${r.timing.images} photos, ${r.timing.seconds} s in all)`]);
  rows.push(['adapter', r.adapter]);
  const width = Math.max(...rows.map(([k]) => k.length));
  const title = `LFW, descriptor ${r.descriptor} (${r.distance}), border ${r.border}${r.partial ? `; PARTIAL: --limit ${r.partial.limit}` : ''}`;
  return [title, ...rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`)].join('\n');
}
