/**
 * Where a training step's time goes: the stepper's work split into phases (upload, forward with
 * tape, loss and mining, backward, optimiser update, reading the loss), each waited for on its
 * own. Synchronising after every phase costs extra, so the phases add up to more than a normal
 * step. For the benchmarks (bench/cases/training.ts), not part of the public API.
 */
import type { Engine } from '../../gpu/engine.js';
import { stepperSetup, type TrainStepperOptions } from './stepper.js';

/** The milliseconds of each phase in each of `repeats` steps (after one that compiles pipelines). */
export async function profileTrainStep(engine: Engine, o: TrainStepperOptions = {}, repeats = 5): Promise<Record<string, number[]>> {
  const { model, optimizer, inputShape, batchSize: n, data, step } = stepperSetup(engine, o);
  const samples: Record<string, number[]> = { upload: [], forward: [], loss: [], backward: [], optimizer: [], readLoss: [] };
  try {
    for (let r = 0; r < repeats + 1; r++) {
      await engine.scope(async () => {
        const t: number[] = [performance.now()];
        const mark = async () => {
          await engine.sync();
          t.push(performance.now());
        };
        const x = engine.tensor([n, ...inputShape], data.images);
        const labels = engine.tensor([n], Float32Array.from(data.labels));
        await mark();
        const { loss } = await step(x, labels, mark);
        await loss.read();
        t.push(performance.now());
        if (r > 0) Object.keys(samples).forEach((k, i) => samples[k]!.push(t[i + 1]! - t[i]!)); // the first run compiles pipelines
      });
    }
  } finally {
    optimizer.dispose();
    model.dispose();
  }
  return samples;
}
