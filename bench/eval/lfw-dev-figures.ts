/**
 * LFW View 1 figures of a set of descriptors (photo path → descriptor, null where no face was
 * found): the threshold chosen on DevTrain, accuracy on DevTrain and DevTest at it, AUC of both
 * and DevTest's TAR at FAR 1e-3. A pair with a photo without a face is "not matched" (infinite
 * distance); pairs with a photo not in the map are left out.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { accuracyAt, bestThreshold, rocAuc, rocCurve, tarAtFar, type LabelledPair } from '../../src/tasks/face/calibration.js';
import { LFW_DATA } from './lfw-faces.js';
import { imagePath, parsePairs } from './lfw-pairs.js';

export function lfwDevFigures(descriptors: ReadonlyMap<string, Float32Array | null>, distance: (a: Float32Array, b: Float32Array) => number) {
  const dir = join(LFW_DATA, 'images');
  const set = (file: string): LabelledPair[] => parsePairs(readFileSync(join(LFW_DATA, file), 'utf8'), file).flat()
    .filter((p) => descriptors.has(imagePath(dir, p.a)) && descriptors.has(imagePath(dir, p.b)))
    .map((p) => {
      const [a, b] = [descriptors.get(imagePath(dir, p.a)), descriptors.get(imagePath(dir, p.b))];
      return { same: p.same, distance: a && b ? distance(a, b) : Infinity };
    });
  const [train, test] = [set('pairsDevTrain.txt'), set('pairsDevTest.txt')];
  const { threshold, accuracy } = bestThreshold(train);
  const testRoc = rocCurve(test);
  return {
    threshold: +threshold.toFixed(4), train: +accuracy.toFixed(4), test: +accuracyAt(test, threshold).toFixed(4),
    trainAuc: +rocAuc(rocCurve(train)).toFixed(4), testAuc: +rocAuc(testRoc).toFixed(4), testTarAtFar1e3: +tarAtFar(testRoc, 1e-3).tar.toFixed(4),
    trainPairs: train.length, testPairs: test.length,
  };
}
