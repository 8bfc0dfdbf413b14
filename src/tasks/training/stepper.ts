/**
 * One training step at a time, for benchmarks: the small encoder on a fixed seeded P×K batch,
 * batch-hard triplet loss and Adam — the same work as bench/tfjs/train-step.ts does on TF.js.
 */
import type { Engine } from '../../gpu/engine.js';
import type { Tensor } from '../../gpu/tensor.js';
import type { Graph } from '../../nn/graph/graph.js';
import { sequential } from '../../nn/layers.js';
import { createOptimizer, type Optimizer, type OptimizerSpec } from '../../nn/optimizers.js';
import { smallEncoder, type EncoderLayer } from './encoder.js';
import type { BatchShape } from './sampler.js';
import { DEFAULT_TRAINING_OPTIMIZER, tripletStep, type Mining, type TripletStepResult, type TrainingPhase } from './step.js';
import { syntheticTrainBatch } from './synthetic.js';

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

/** The stepper's model, optimiser, batch and step function (shared with profileTrainStep). */
export function stepperSetup(engine: Engine, o: TrainStepperOptions): {
  model: Graph;
  optimizer: Optimizer;
  inputShape: readonly [number, number, number];
  batchSize: number;
  data: { images: Float32Array; labels: Int32Array };
  step: (x: Tensor, labels: Tensor, after?: (phase: TrainingPhase) => Promise<void>) => Promise<TripletStepResult>;
} {
  const inputShape = o.inputShape ?? [28, 28, 1];
  const batch = o.batch ?? { persons: 8, perPerson: 4 };
  const seed = o.seed ?? 1;
  const data = o.images && o.labels ? { images: o.images, labels: o.labels } : syntheticTrainBatch(inputShape, batch, seed + 1);
  const model = sequential(engine, inputShape, o.layers ?? smallEncoder(), { seed });
  const optimizer = createOptimizer(o.optimizer ?? DEFAULT_TRAINING_OPTIMIZER);
  const step = tripletStep(model, optimizer, { margin: o.margin ?? 0.2, mining: o.mining ?? 'hard' });
  return { model, optimizer, inputShape, batchSize: batch.persons * batch.perPerson, data, step };
}

export function createTrainStepper(engine: Engine, o: TrainStepperOptions = {}): TrainStepper {
  const { model, optimizer, inputShape, batchSize: n, data, step } = stepperSetup(engine, o);
  const x = engine.keep(engine.tensor([n, ...inputShape], data.images, 'batch'));
  const labels = engine.keep(engine.tensor([n], Float32Array.from(data.labels), 'labels'));
  return {
    model,
    batchSize: n,
    step: () => engine.scope(async () => (await (await step(x, labels)).loss.read())[0]!),
    dispose() {
      optimizer.dispose();
      x.dispose();
      labels.dispose();
      model.dispose();
    },
  };
}
