/**
 * The triplet training step, written once for trainEmbedding, the benchmark stepper and the
 * profiler: forward with a tape, the mined batch triplet loss, backward to the trainable
 * parameters, the optimiser update.
 */
import type { Tensor } from '../../gpu/tensor.js';
import type { Graph } from '../../nn/graph/graph.js';
import { OPTIMIZER_DEFAULTS, type Optimizer, type OptimizerSpec } from '../../nn/optimizers.js';
import { batchTripletLoss, type EmbeddingDistance } from '../../ops/loss.js';

export type Mining = 'all' | 'hard' | 'semihard';

/** The optimiser of trainEmbedding, the stepper and the profiler when none is given. */
export const DEFAULT_TRAINING_OPTIMIZER: OptimizerSpec = { kind: 'adam', lr: OPTIMIZER_DEFAULTS.adam.lr };

export interface TripletStepOptions {
  margin: number;
  mining: Mining;
  distance?: EmbeddingDistance;
  /** The model's input and embedding node names ('input', 'output'). */
  input?: string;
  output?: string;
}

export type TrainingPhase = 'forward' | 'loss' | 'backward' | 'optimizer';

export interface TripletStepResult {
  embeddings: Tensor;
  loss: Tensor;
  activeFraction: Tensor;
}

/**
 * A step function for `model` and `optimizer`: step(x, labels) trains on the batch x with its
 * labels ([B], class ids as floats) and returns the loss tensors and embeddings, not read back.
 * Call it inside engine.scope. `after`, when given, is awaited after each phase (the profiler
 * synchronises there).
 */
export function tripletStep(model: Graph, optimizer: Optimizer, o: TripletStepOptions): (x: Tensor, labels: Tensor, after?: (phase: TrainingPhase) => Promise<void>) => Promise<TripletStepResult> {
  const names = model.trainableNames;
  const params = model.trainableParams();
  const input = o.input ?? 'input';
  const output = o.output ?? 'output';
  const loss = { margin: o.margin, mining: o.mining, distance: o.distance };
  return async (x, labels, after) => {
    const { outputs, tape } = model.forward({ [input]: x }, [output], { record: true, wrt: names });
    if (after) await after('forward');
    const embeddings = outputs[output]!;
    const r = batchTripletLoss(embeddings, labels, loss);
    if (after) await after('loss');
    const grads = model.backward(tape!, { [output]: r.grad }, names);
    if (after) await after('backward');
    optimizer.step(params, names.map((n) => grads[n]!));
    if (after) await after('optimizer');
    return { embeddings, loss: r.loss, activeFraction: r.activeFraction };
  };
}
