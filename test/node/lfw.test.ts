// The LFW evaluation (npm run eval:lfw): pairs files in both formats and their errors, the
// command line, and a small run on real LFW photos through the face pipeline (a few pairs of
// each file: each photo takes about half a second through SSD, landmarks and the ResNet on lavapipe).
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { evaluateLfw } from '../../bench/eval/lfw-eval.js';
import { nearestCentre } from '../../bench/eval/lfw-descriptors.js';
import { parseLfwArgs } from '../../bench/eval/lfw-options.js';
import { imagePath, LfwPairsError, limitPairs, parsePairs } from '../../bench/eval/lfw-pairs.js';
import { decodeImage } from '../../src/host/node-image.js';
import { assert, assertEqual } from '../util/assert.js';
import { testEngine } from '../util/engine.js';

const DATA = '../shared/data/lfw-view1';

function assertThrows(fn: () => unknown, pattern: RegExp): void {
  try {
    fn();
  } catch (e) {
    assert(pattern.test((e as Error).message), `error '${(e as Error).message}' matches ${pattern}`);
    return;
  }
  throw new Error(`expected an error matching ${pattern}`);
}

describe('LFW pairs files', () => {
  it('View 1: a count, then that many same-person and different-person pairs', () => {
    const [fold, ...rest] = parsePairs('2\nAda\t1\t2\nBob 3 4\nAda\t1\tBob\t4\nCy 2 Di 1\n');
    assertEqual(rest.length, 0, 'one fold');
    assertEqual(fold!.map((p) => [p.a.name, p.a.index, p.b.name, p.b.index, p.same, p.line]), [
      ['Ada', 1, 'Ada', 2, true, 2], ['Bob', 3, 'Bob', 4, true, 3], ['Ada', 1, 'Bob', 4, false, 4], ['Cy', 2, 'Di', 1, false, 5],
    ]);
    assertEqual(imagePath('images', fold![2]!.b), 'images/Bob/Bob_0004.jpg');
  });

  it("View 2: 'folds n', then each fold's n same and n different pairs", () => {
    const folds = parsePairs('2\t1\r\nAda 1 2\r\nAda 1 Bob 1\r\nCy 1 2\r\nCy 2 Di 1\r\n');
    assertEqual(folds.map((f) => f.map((p) => `${p.a.name}${p.same ? '=' : '/'}${p.b.name}`)), [['Ada=Ada', 'Ada/Bob'], ['Cy=Cy', 'Cy/Di']]);
  });

  it('malformed files: the error names the file, the line and what was expected there', () => {
    assertThrows(() => parsePairs('two\nA 1 2\nA 1 B 1\n', 'x.txt'), /^x\.txt:1: expected a header line/);
    assertThrows(() => parsePairs('1\nA 1 B 2\nA 1 B 1\n', 'x.txt'), /^x\.txt:2: fold 1 expects a same-person pair 'name i j' here \(got 'A 1 B 2'\)/);
    assertThrows(() => parsePairs('1\nA 1 2\nA 1 B\n', 'x.txt'), /^x\.txt:3: fold 1 expects a different-person pair/);
    assertThrows(() => parsePairs('1\nA 0 2\nA 1 B 1\n', 'x.txt'), /^x\.txt:2: .*same-person/);
    assertThrows(() => parsePairs('2 1\nA 1 2\nA 1 B 1\nC 1 2\n', 'x.txt'), /^x\.txt:5: the file ends early: the header promises 2 fold\(s\) of 1 same \+ 1 different pairs \(4 lines\), the file has 3/);
    assertThrows(() => parsePairs('1\nA 1 2\nA 1 B 1\nC 1 2\n', 'x.txt'), /^x\.txt:4: a line past the last pair/);
    assert(new LfwPairsError('x') instanceof Error, 'LfwPairsError is an Error');
  });

  it("the shared DevTrain and DevTest files, and --limit's balanced share", () => {
    const train = parsePairs(readFileSync(`${DATA}/pairsDevTrain.txt`, 'utf8'));
    const test = parsePairs(readFileSync(`${DATA}/pairsDevTest.txt`, 'utf8'));
    assertEqual([train.length, train[0]!.length, train[0]!.filter((p) => p.same).length], [1, 2200, 1100]);
    assertEqual([test.length, test[0]!.length, test[0]!.filter((p) => p.same).length], [1, 1000, 500]);
    const few = limitPairs(train, 5)[0]!;
    assertEqual(few.map((p) => [p.same, p.line]), [[true, 2], [true, 3], [true, 4], [false, 1102], [false, 1103], [false, 1104]]);
    const folds = parsePairs('2 2\nA 1 2\nB 1 2\nA 1 B 1\nA 2 B 2\nC 1 2\nD 1 2\nC 1 D 1\nC 2 D 2\n');
    assertEqual(limitPairs(folds, 4).map((f) => f.map((p) => p.line)), [[2, 4], [6, 8]]);
  });
});

describe('eval:lfw command line and face choice', () => {
  const root = resolve('.');

  it('defaults to View 1 on the shared data and the committed result files', () => {
    const o = parseLfwArgs([], root);
    assertEqual([o.images, o.train, o.test, o.json, o.roc], [
      resolve(DATA, 'images'), resolve(DATA, 'pairsDevTrain.txt'), resolve(DATA, 'pairsDevTest.txt'), resolve('bench/results/lfw.json'), resolve('bench/results/lfw-roc.png'),
    ]);
    assertEqual([o.pairs, o.descriptor, o.limit, o.border], [undefined, 'dlib', undefined, 'auto']);
    assertEqual(parseLfwArgs(['--limit', '20', '--border', 'none', '--pairs', 'p.txt'], root).limit, 20);
  });

  it('refuses unknown descriptors, options and values, naming them', () => {
    assertThrows(() => parseLfwArgs(['--descriptor', 'arcface'], root), /unknown descriptor 'arcface'; available: dlib/);
    assertThrows(() => parseLfwArgs(['--descriptor', 'toString'], root), /unknown descriptor 'toString'/);
    assertThrows(() => parseLfwArgs(['--folds', '3'], root), /--folds[\s\S]*usage: eval-lfw/);
    assertThrows(() => parseLfwArgs(['--limit', '1.5'], root), /--limit: expected a whole number/);
    assertThrows(() => parseLfwArgs(['--border', '0.5'], root), /--border: expected auto or none/);
    assertThrows(() => parseLfwArgs(['--pairs', 'p.txt', '--test', 't.txt'], root), /does not go with --train\/--test/);
  });

  it('the labelled face is the one nearest the image centre, not the largest or best scored', () => {
    const face = (x: number, y: number, size: number) => ({ box: { x, y, width: size, height: size } });
    const faces = [face(0, 0, 120), face(100, 95, 50), face(180, 180, 60)];
    assertEqual(nearestCentre(faces, 250, 250), faces[1]);
    assertEqual(nearestCentre([], 250, 250), null);
  });
});

describe('eval:lfw on real LFW photos', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'lfw-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('View 1 with --limit 4: threshold from DevTrain, DevTest figures, JSON and ROC plot written', async () => {
    const o = parseLfwArgs(['--limit', '4', '--json', join(dir, 'lfw.json'), '--roc', join(dir, 'roc.png')], resolve('.'));
    const { result, table } = await evaluateLfw(o, { root: resolve('.'), engine: await testEngine() });
    const json = JSON.parse(readFileSync(o.json, 'utf8')) as typeof result;
    assertEqual(json, JSON.parse(JSON.stringify(result)), 'the file holds the result');
    assertEqual([json.test!.pairs, json.test!.same, json.train!.pairs, json.partial && json.partial.limit], [4, 2, 4, 4]);
    assert(json.threshold > 0.2 && json.threshold < 1, `threshold ${json.threshold}`);
    for (const f of [json.test!, json.train!]) {
      assert(f.accuracy >= 0.75 && f.auc >= 0.75 && f.eer <= 0.5, `${f.file}: accuracy ${f.accuracy}, AUC ${f.auc}, EER ${f.eer}`);
      assertEqual(f.tarAtFar.map((t) => [t.far, t.falseAcceptsAllowed, t.negatives]), [[1e-3, 0, 2], [1e-4, 0, 2]]);
      assert(f.tarAtFar.every((t) => /TAR at 0 false accepts/.test(t.caveat ?? '')), 'FAR below 1/N is said to be TAR at zero false accepts');
    }
    const photos = new Set([o.train, o.test].flatMap((f) => limitPairs(parsePairs(readFileSync(f, 'utf8')), 4).flat().flatMap((p) => [imagePath('', p.a), imagePath('', p.b)])));
    assertEqual([json.detection.photos, json.detection.withFace + json.detection.withoutFace.length], [photos.size, photos.size], 'each photo described once');
    assert(json.timing.msPerImageMedian > 0 && /via/.test(json.adapter), `timing ${json.timing.msPerImageMedian} ms on ${json.adapter}`);
    assert(/accuracy \(DevTest\)/.test(table) && /PARTIAL/.test(table), table);
    const png = decodeImage(new Uint8Array(readFileSync(o.roc)));
    assertEqual([png.width, png.height], [720, 540]);
  });

  it('--pairs in View 2 format: cross-validated over the file’s folds', async () => {
    const pairs = join(dir, 'pairs.txt');
    writeFileSync(pairs, '2 1\nAaron_Peirsol 1 2\nAbdullah_Gul 13 Adel_Al-Jubeir 1\nAbdullah_Gul 13 14\nAaron_Peirsol 1 Adel_Al-Jubeir 3\n');
    const o = parseLfwArgs(['--pairs', pairs, '--images', `${DATA}/images`, '--json', join(dir, 'v2.json'), '--roc', join(dir, 'v2.png')], resolve('.'));
    const { result } = await evaluateLfw(o, { root: resolve('.'), engine: await testEngine() });
    assertEqual([result.crossValidation!.k, result.crossValidation!.foldsFrom, result.all!.pairs, result.detection.photos], [2, 'the file', 4, 6]);
    assert(existsSync(o.roc), 'ROC plot written');
  });

  it('a missing photo fails before the models load, naming the pairs file line', async () => {
    const pairs = join(dir, 'missing.txt');
    writeFileSync(pairs, '1\nAaron_Peirsol 1 99\nAaron_Peirsol 1 Abdullah_Gul 13\n');
    const o = parseLfwArgs(['--pairs', pairs, '--json', join(dir, 'm.json'), '--roc', join(dir, 'm.png')], resolve('.'));
    await evaluateLfw(o, { root: resolve('.') }).then(
      () => { throw new Error('expected a missing-image error'); },
      (e: Error) => assert(/missing\.txt:2: image not found: .*Aaron_Peirsol_0099\.jpg/.test(e.message), e.message),
    );
  });
});
