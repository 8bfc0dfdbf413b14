/**
 * Weights in the tfjs weights-manifest format (one float32 shard) that loadWeights() reads, and
 * loading such weights back into a Graph's parameters in place.
 */
import { ShapeError } from '../gpu/errors.js';
import type { Tensor } from '../gpu/tensor.js';
import type { Graph } from './graph/graph.js';
import type { WeightGroup, WeightMap } from './weights.js';

export interface SaveWeightsOptions {
  /** The shard's file name in the manifest (default 'weights.bin'). */
  path?: string;
}

/** Reads the tensors back and packs them as a tfjs weights manifest + one float32 shard. */
export async function saveWeights(params: Map<string, Tensor> | Record<string, Tensor>, o: SaveWeightsOptions = {}): Promise<{ manifest: WeightGroup[]; data: ArrayBuffer }> {
  const entries = params instanceof Map ? [...params] : Object.entries(params);
  const values = await Promise.all(entries.map(([, t]) => t.read()));
  const total = values.reduce((a, v) => a + v.byteLength, 0);
  const data = new Uint8Array(total);
  let at = 0;
  for (const v of values) {
    data.set(new Uint8Array(v.buffer, v.byteOffset, v.byteLength), at);
    at += v.byteLength;
  }
  const manifest: WeightGroup[] = [{
    paths: [o.path ?? 'weights.bin'],
    weights: entries.map(([name, t]) => ({ name, shape: [...t.shape], dtype: 'float32' as const })),
  }];
  return { manifest, data: data.buffer };
}

/**
 * Copies weights into a graph's parameters (same names and shapes), in place, so optimiser state
 * and references to the parameter tensors stay valid. Names the graph has and `weights` lacks
 * are an error unless `allowMissing`.
 */
export function loadGraphWeights(graph: Graph, weights: WeightMap, o: { allowMissing?: boolean } = {}): void {
  for (const [name, t] of graph.params) {
    if (!weights.has(name)) {
      if (o.allowMissing) continue;
      throw new ShapeError(`loadGraphWeights: the weights have no '${name}' (${weights.source})`);
    }
    const w = weights.get(name);
    if (w.data.length !== t.size) throw new ShapeError(`loadGraphWeights: '${name}' has shape [${w.shape}] in ${weights.source}, the model's is [${t.shape}]`);
    graph.engine.uploadBytes(t.buffer, w.data);
  }
}
