/**
 * Model weights to and from the tfjs weights-manifest format (the one src/nn/weights.ts loads):
 * every parameter is saved (trainable ones and batch-norm statistics) and restored in place, so
 * optimiser state and references to the parameter tensors stay valid; and whole training
 * checkpoints (parameters, optimiser state, progress) for resuming a run.
 */
import type { Graph } from '../../nn/graph/graph.js';
import type { Optimizer } from '../../nn/optimizers.js';
import { loadGraphWeights, saveWeights } from '../../nn/save-weights.js';
import { loadWeights, WeightMap } from '../../nn/weights.js';
import type { EpochRecord } from './trainer.js';

/** A weights manifest and its single shard (what saveWeights returns). */
export interface SavedWeights {
  manifest: unknown;
  data: ArrayBuffer;
}

export function saveModelWeights(model: Graph): Promise<SavedWeights> {
  return saveWeights(model.params);
}

/** Copies saved weights into the model's parameters (every parameter must be present, shapes must match). */
export async function restoreWeights(model: Graph, weights: SavedWeights | WeightMap): Promise<void> {
  const map = weights instanceof WeightMap ? weights : await loadWeights(weights.manifest, async () => weights.data, { source: 'saved training weights' });
  loadGraphWeights(model, map);
}

/**
 * A training run's state after an epoch, enough to resume it as if it had never stopped: the
 * model's parameters and the optimiser's state (one manifest + shard, the latter's tensors named
 * 'optimizer/…'), the epochs and steps done and the history so far.
 */
export interface TrainingCheckpoint {
  format: typeof CHECKPOINT_FORMAT;
  version: 1;
  /** Epochs completed. */
  epoch: number;
  /** Optimisation steps taken (what a learning-rate schedule counts). */
  step: number;
  /** The optimiser's own step count, or null when it keeps no state a checkpoint can hold. */
  optimizerSteps: number | null;
  history: EpochRecord[];
  weights: SavedWeights;
}

export const CHECKPOINT_FORMAT = 'wgsl-vision-training-checkpoint';
const OPTIMIZER_PREFIX = 'optimizer/';

export async function saveTrainingCheckpoint(model: Graph, optimizer: Optimizer, progress: Pick<TrainingCheckpoint, 'epoch' | 'step' | 'history'>): Promise<TrainingCheckpoint> {
  const state = optimizer.saveState?.(model.trainableParams(), model.trainableNames);
  const tensors = new Map(model.params);
  for (const [name, t] of state?.tensors ?? []) tensors.set(OPTIMIZER_PREFIX + name, t);
  const weights = await saveWeights(tensors);
  return { format: CHECKPOINT_FORMAT, version: 1, ...progress, history: [...progress.history], optimizerSteps: state ? state.steps : null, weights };
}

/** Puts a checkpoint's parameters into the model and its optimiser state into `optimizer`. */
export async function restoreTrainingCheckpoint(model: Graph, optimizer: Optimizer, c: TrainingCheckpoint): Promise<void> {
  if (c?.format !== CHECKPOINT_FORMAT || c.version !== 1) throw new Error(`not a training checkpoint (format ${JSON.stringify(c?.format)}, version ${JSON.stringify(c?.version)})`);
  const all = await loadWeights(c.weights.manifest, async () => c.weights.data, { source: `the training checkpoint of epoch ${c.epoch}` });
  loadGraphWeights(model, all);
  if (c.optimizerSteps === null || !optimizer.loadState) return;
  const state = new Map(all.names.filter((n) => n.startsWith(OPTIMIZER_PREFIX)).map((n) => [n.slice(OPTIMIZER_PREFIX.length), all.get(n)]));
  optimizer.loadState(model.trainableParams(), model.trainableNames, new WeightMap(all.source, state), c.optimizerSteps);
}
