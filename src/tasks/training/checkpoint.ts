/**
 * Model weights to and from the tfjs weights-manifest format (the one src/nn/weights.ts loads):
 * every parameter is saved (trainable ones and batch-norm statistics) and restored in place, so
 * optimiser state and references to the parameter tensors stay valid.
 */
import type { Graph } from '../../nn/graph/graph.js';
import { loadGraphWeights, saveWeights } from '../../nn/save-weights.js';
import { loadWeights, WeightMap } from '../../nn/weights.js';

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
