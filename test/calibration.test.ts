import { accuracyAt, bestThreshold, calibrate, fitLogistic, kFoldAccuracy, rocCurve, type LabelledPair } from '../src/tasks/face/calibration.js';
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
});
