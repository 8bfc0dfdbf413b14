import { accuracyAt, bestThreshold, calibrate, crossValidate, equalErrorRate, fitLogistic, kFoldAccuracy, rocAuc, rocCurve, tarAtFar, type LabelledPair } from '../src/tasks/face/calibration.js';
import { assert, assertClose, assertEqual } from './util/assert.js';
import { Rng } from './util/random.js';

function gaussian(rng: Rng, mean: number, sd: number): number {
  return mean + sd * Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
}

describe('threshold calibration', () => {
  it('ROC, AUC and EER on a hand-checked example', () => {
    const pairs: LabelledPair[] = [
      { distance: 0.1, same: true }, { distance: 0.2, same: true }, { distance: 0.35, same: false },
      { distance: 0.4, same: true }, { distance: 0.5, same: false }, { distance: 0.7, same: false },
    ];
    const roc = rocCurve(pairs);
    assertEqual(roc.slice(1).map((p) => [p.threshold, +p.tar.toFixed(3), +p.far.toFixed(3)]), [
      [0.1, 0.333, 0], [0.2, 0.667, 0], [0.35, 0.667, 0.333], [0.4, 1, 0.333], [0.5, 1, 0.667], [0.7, 1, 1],
    ]);
    const c = calibrate(pairs);
    // Area: 2/3 of width 1/3 at TAR 2/3 … exact trapezoids: (1/3)(2/3) + (1/3)(1) + (1/3)(1) = 8/9.
    assertClose([c.auc], [8 / 9], { atol: 1e-9, rtol: 0 });
    assertClose([c.eer], [1 / 3], { atol: 1e-9, rtol: 0 }, 'EER');
    const best = bestThreshold(pairs);
    assertEqual(best.accuracy, 5 / 6);
    assertEqual(accuracyAt(pairs, best.threshold), 5 / 6);
    assert(c.thresholdForFar(0) < 0.35 && c.thresholdForFar(0) >= 0.2, `FAR 0 threshold ${c.thresholdForFar(0)}`);
  });

  it('threshold for a target FAR keeps the FAR on random data; calibrated confidence matches frequencies', () => {
    const rng = new Rng(7);
    const pairs: LabelledPair[] = [];
    for (let i = 0; i < 2000; i++) pairs.push({ distance: gaussian(rng, 0.4, 0.1), same: true }, { distance: gaussian(rng, 0.8, 0.12), same: false });
    const c = calibrate(pairs);
    for (const target of [0.001, 0.01, 0.1]) {
      const t = c.thresholdForFar(target);
      const far = pairs.filter((p) => !p.same && p.distance <= t).length / 2000;
      assert(far <= target + 1e-12, `FAR ${far} at threshold ${t} exceeds ${target}`);
      const tNext = t + 0.01;
      assert(pairs.filter((p) => !p.same && p.distance <= tNext).length / 2000 >= far, 'monotone');
    }
    assert(c.auc > 0.98 && c.auc <= 1, `AUC ${c.auc}`);
    // Equal priors, equal-variance-ish Gaussians: P(same | d) crosses 0.5 near the midpoint 0.6.
    const mid = -c.logistic.intercept / c.logistic.slope;
    assert(Math.abs(mid - 0.6) < 0.03, `logistic midpoint ${mid}`);
    // Calibration: among pairs with confidence in [0.6, 0.8), about 70% are same-person.
    const bin = pairs.filter((p) => c.confidence(p.distance) >= 0.6 && c.confidence(p.distance) < 0.8);
    const rate = bin.filter((p) => p.same).length / bin.length;
    assert(Math.abs(rate - 0.7) < 0.1, `observed same rate ${rate} in the 0.6–0.8 confidence bin`);
    const kf = kFoldAccuracy(pairs, 10);
    assert(Math.abs(kf.mean - c.bestAccuracy) < 0.02 && kf.std < 0.05, `10-fold ${kf.mean} ± ${kf.std}`);
  });

  it('logistic fit stays finite on perfectly separable pairs', () => {
    const fit = fitLogistic([{ distance: 0.1, same: true }, { distance: 0.2, same: true }, { distance: 0.9, same: false }]);
    assert(Number.isFinite(fit.slope) && fit.slope < 0, `slope ${fit.slope}`);
  });

  // Same-person at 0.1, 0.3, 0.5 and different-person at 0.2, 0.4, 0.6: of the 9 (same, different)
  // couples, 3 + 2 + 1 have the same-person pair closer.
  const interleaved: LabelledPair[] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6].map((distance, i) => ({ distance, same: i % 2 === 0 }));

  it('AUC is the fraction of (same, different) couples ranked right, ties counting half', () => {
    assertClose([rocAuc(rocCurve(interleaved))], [6 / 9], { atol: 1e-12, rtol: 0 });
    const tie = [{ distance: 0.2, same: true }, { distance: 0.2, same: false }, { distance: 0.5, same: false }];
    assertClose([rocAuc(rocCurve(tie))], [(0.5 + 1) / 2], { atol: 1e-12, rtol: 0 }, 'tie');
    // A pair without a face (distance Infinity) is accepted at no finite threshold.
    const noFace = [{ distance: 0.1, same: true }, { distance: Infinity, same: true }, { distance: 0.5, same: false }];
    assertClose([rocAuc(rocCurve(noFace))], [0.5], { atol: 1e-12, rtol: 0 }, 'no face');
    assertEqual(accuracyAt(noFace, bestThreshold(noFace).threshold), 2 / 3, 'no-face pair never matched');
  });

  it('EER where FRR meets FAR: on a ROC point, and interpolated across a tie', () => {
    // At 0.3: FRR = 1/3 (0.5 rejected), FAR = 1/3 (0.2 accepted).
    const onPoint = equalErrorRate(rocCurve(interleaved));
    assertClose([onPoint.eer, onPoint.threshold], [1 / 3, 0.3], { atol: 1e-12, rtol: 0 });
    // Same at 0.1, 0.3; different at 0.3, 0.5: from (FRR 1/2, FAR 0) at 0.1 the step to 0.3 reaches
    // (0, 1/2); the straight line between them crosses FRR = FAR at 1/4, halfway, threshold 0.2.
    const tied = [{ distance: 0.1, same: true }, { distance: 0.3, same: true }, { distance: 0.3, same: false }, { distance: 0.5, same: false }];
    const { eer, threshold } = equalErrorRate(rocCurve(tied));
    assertClose([eer, threshold], [0.25, 0.2], { atol: 1e-12, rtol: 0 });
  });

  it('TAR at a FAR: the largest threshold within the FAR; below 1/N it is TAR at zero false accepts', () => {
    const at = (far: number) => tarAtFar(rocCurve(interleaved), far);
    assertEqual([at(1e-3).tar, at(1e-3).far, at(1e-3).threshold], [1 / 3, 0, 0.1]);
    assertEqual([at(1 / 3).tar, at(1 / 3).threshold], [2 / 3, 0.3]);
    assertEqual(at(0.5).tar, 2 / 3);
    assertEqual(at(1).tar, 1);
    // Nothing accepted before the first different-person pair: TAR 0 at the curve's start.
    assertEqual(tarAtFar(rocCurve([{ distance: 0.1, same: false }, { distance: 0.2, same: true }]), 0).tar, 0);
  });

  it('cross-validation over given folds: each fold at the threshold best on the others', () => {
    const a = [{ distance: 0.1, same: true }, { distance: 0.5, same: false }];
    const b = [{ distance: 0.3, same: true }, { distance: 0.2, same: false }];
    // Fold a at b's best (just below 0.2: both of a right); fold b at a's best (0.3: 0.2 falsely accepted).
    const cv = crossValidate([a, b]);
    assertClose([...cv.folds, cv.mean, cv.std, ...cv.thresholds], [1, 0.5, 0.75, 0.25, 0.2 - 1e-6, 0.3], { atol: 1e-12, rtol: 0 });
    const byIndex = [0, 1, 2].map((f) => interleaved.filter((_, i) => i % 3 === f));
    assertEqual(kFoldAccuracy(interleaved, 3), crossValidate(byIndex), 'kFoldAccuracy: pair i in fold i mod k');
  });
});
