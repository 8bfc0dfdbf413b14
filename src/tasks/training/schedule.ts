/**
 * Learning-rate schedules: the rate for each optimisation step, counted from 0 over the whole
 * run (a resumed run continues the count), so the trainer can set `optimizer.lr` before a step.
 */

/** The learning rate for step `step` (0-based, over the whole run). */
export type LearningRateSchedule = (step: number) => number;

export interface WarmupCosineOptions {
  /** The rate reached at the end of the warm-up. */
  peak: number;
  /** Steps in the whole run; the rate reaches `floor` at the last one (a one-step run takes the peak). */
  totalSteps: number;
  /** Linear warm-up from peak/warmupSteps to peak (0: none). 5% of the run by default. */
  warmupSteps?: number;
  /** The rate at the end, as a fraction of peak (0.02 by default). */
  floor?: number;
}

/**
 * Linear warm-up, then half a cosine from peak down to floor·peak (SGDR without restarts, as
 * most triplet-loss recipes train): large steps while the embedding is far off, small ones at
 * the end so the last epochs settle instead of wandering.
 */
export function warmupCosine(o: WarmupCosineOptions): LearningRateSchedule {
  const { peak, totalSteps } = o;
  if (!(peak > 0)) throw new RangeError(`warmupCosine: peak must be > 0, got ${peak}`);
  if (!(Number.isInteger(totalSteps) && totalSteps >= 1)) throw new RangeError(`warmupCosine: totalSteps must be an integer >= 1, got ${totalSteps}`);
  const warmup = o.warmupSteps ?? Math.round(0.05 * totalSteps);
  const floor = o.floor ?? 0.02;
  if (!(Number.isInteger(warmup) && warmup >= 0 && warmup < totalSteps)) throw new RangeError(`warmupCosine: warmupSteps must be an integer in [0, ${totalSteps}), got ${warmup}`);
  if (!(floor >= 0 && floor <= 1)) throw new RangeError(`warmupCosine: floor must be in [0, 1], got ${floor}`);
  const decaySteps = totalSteps - warmup;
  return (step) => {
    if (step < warmup) return (peak * (step + 1)) / warmup;
    const t = decaySteps <= 1 ? 0 : Math.min(1, (step - warmup) / (decaySteps - 1));
    return peak * (floor + (1 - floor) * 0.5 * (1 + Math.cos(Math.PI * t)));
  };
}
