/**
 * Where a training step's time goes: the stepper's work split into phases (forward with tape,
 * loss and mining, backward, optimiser update), each waited for on its own. Synchronising after
 * every phase costs extra, so the phases add up to more than a normal step.
 */
import type { Engine } from '../../gpu/engine.js';
import { sequential } from '../../nn/layers.js';
import { batchTripletLoss } from '../../ops/loss.js';
import { smallEncoder } from './encoder.js';
import { createOptimizer } from './optimizer.js';
import { syntheticTrainBatch } from './synthetic.js';
import type { TrainStepperOptions } from './stepper.js';

export async function profileTrainStep(engine: Engine, o: TrainStepperOptions = {}, repeats = 5): Promise<Record<string, number>> {
  const inputShape = o.inputShape ?? [28, 28, 1];
  const batch = o.batch ?? { persons: 8, perPerson: 4 };
  const n = batch.persons * batch.perPerson;
  const data = syntheticTrainBatch(inputShape, batch, (o.seed ?? 1) + 1);
  const model = sequential(engine, inputShape, o.layers ?? smallEncoder(), { seed: o.seed ?? 1 });
  const optimizer = createOptimizer(o.optimizer ?? { kind: 'adam', lr: 1e-3 });
  const names = model.trainableNames;
  const params = model.trainableParams();
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
        const { outputs, tape } = model.forward({ input: x }, ['output'], { record: true, wrt: names });
        await mark();
        const l = batchTripletLoss(outputs.output!, labels, { margin: o.margin ?? 0.2, mining: o.mining ?? 'hard' });
        await mark();
        const grads = model.backward(tape!, { output: l.grad }, names);
        await mark();
        optimizer.step(params, names.map((k) => grads[k]!));
        await mark();
        await l.loss.read();
        t.push(performance.now());
        if (r > 0) Object.keys(samples).forEach((k, i) => samples[k]!.push(t[i + 1]! - t[i]!)); // the first run compiles pipelines
      });
    }
  } finally {
    optimizer.dispose();
    model.dispose();
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
}
