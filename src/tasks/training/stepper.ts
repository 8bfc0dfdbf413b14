/**
 * One training step at a time, for benchmarks: the small encoder on a fixed seeded P×K batch,
 * batch-hard triplet loss and Adam — the same work as bench/tfjs/train-step.ts does on TF.js.
 */
import type { Engine } from '../../gpu/engine.js';
import type { Graph } from '../../nn/graph/graph.js';
import { sequential } from '../../nn/layers.js';
import { batchTripletLoss } from '../../ops/loss.js';
import type { Optimizer } from '../../nn/optimizers.js';
import { smallEncoder, type EncoderLayer } from './encoder.js';
import { createOptimizer, type OptimizerSpec } from './optimizer.js';
import { syntheticTrainBatch } from './synthetic.js';
import type { BatchShape } from './sampler.js';
import type { Mining } from './trainer.js';

export interface TrainStepperOptions {
  layers?: readonly EncoderLayer[];
  inputShape?: readonly [number, number, number];
  batch?: BatchShape;
  /** The batch [B·H·W·C] and its labels [B]; seeded noise and P×K labels if absent. */
  images?: Float32Array;
  labels?: Int32Array;
  margin?: number;
  mining?: Mining;
  optimizer?: OptimizerSpec;
  seed?: number;
}

export interface TrainStepper {
  readonly model: Graph;
  readonly batchSize: number;
  /** One forward + backward + optimiser update; resolves with the loss (read back). */
  step(): Promise<number>;
  dispose(): void;
}

export function createTrainStepper(engine: Engine, o: TrainStepperOptions = {}): TrainStepper {
  const inputShape = o.inputShape ?? [28, 28, 1];
  const batch = o.batch ?? { persons: 8, perPerson: 4 };
  const n = batch.persons * batch.perPerson;
  const seed = o.seed ?? 1;
  const data = o.images && o.labels ? { images: o.images, labels: o.labels } : syntheticTrainBatch(inputShape, batch, seed + 1);
  const model = sequential(engine, inputShape, o.layers ?? smallEncoder(), { seed });
  const names = model.trainableNames;
  const params = model.trainableParams();
  const optimizer: Optimizer = createOptimizer(o.optimizer ?? { kind: 'adam', lr: 1e-3 });
  const x = engine.keep(engine.tensor([n, ...inputShape], data.images, 'batch'));
  const labels = engine.keep(engine.tensor([n], Float32Array.from(data.labels), 'labels'));
  const margin = o.margin ?? 0.2;
  const mining = o.mining ?? 'hard';
  return {
    model,
    batchSize: n,
    step: () => engine.scope(async () => {
      const { outputs, tape } = model.forward({ input: x }, ['output'], { record: true, wrt: names });
      const r = batchTripletLoss(outputs.output!, labels, { margin, mining });
      const grads = model.backward(tape!, { output: r.grad }, names);
      optimizer.step(params, names.map((k) => grads[k]!));
      return (await r.loss.read())[0]!;
    }),
    dispose() {
      optimizer.dispose();
      x.dispose();
      labels.dispose();
      model.dispose();
    },
  };
}
