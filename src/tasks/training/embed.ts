/** Embeddings of many images, batch by batch (inference: no tape, batch norm in eval mode). */
import type { Graph } from '../../nn/graph/graph.js';
import { gatherImages, imageSize, type LabelledImages } from './dataset.js';

export interface EmbedOptions {
  input?: string;
  output?: string;
  batchSize?: number;
  signal?: AbortSignal;
}

export async function embedImages(model: Graph, data: LabelledImages, o: EmbedOptions = {}): Promise<Float32Array[]> {
  const input = o.input ?? 'input';
  const output = o.output ?? 'output';
  const batchSize = o.batchSize ?? 128;
  const engine = model.engine;
  const size = imageSize(data);
  const out: Float32Array[] = [];
  for (let start = 0; start < data.count; start += batchSize) {
    o.signal?.throwIfAborted();
    const n = Math.min(batchSize, data.count - start);
    const values = await engine.scope(async () => {
      const x = engine.tensor([n, ...data.shape], data.images.subarray(start * size, (start + n) * size), 'images');
      return model.forward({ [input]: x }, [output], { training: false }).outputs[output]!.read();
    });
    const dim = values.length / n;
    for (let i = 0; i < n; i++) out.push(values.slice(i * dim, (i + 1) * dim));
  }
  return out;
}

/** Embeddings of the images at `indices` (one batch). */
export async function embedIndices(model: Graph, data: LabelledImages, indices: ArrayLike<number>, o: EmbedOptions = {}): Promise<Float32Array> {
  const engine = model.engine;
  return engine.scope(async () => {
    const x = engine.tensor([indices.length, ...data.shape], gatherImages(data, indices), 'images');
    return model.forward({ [o.input ?? 'input']: x }, [o.output ?? 'output'], { training: false }).outputs[o.output ?? 'output']!.read();
  });
}

/**
 * One embedding per image from several models' (an ensemble's) embeddings of the same images:
 * each model's vectors joined end to end and scaled by 1/sqrt(models), so joined unit vectors
 * stay unit vectors and every model weighs the same in a distance.
 */
export function concatEmbeddings(perModel: readonly (readonly ArrayLike<number>[])[]): Float32Array[] {
  if (perModel.length === 0) throw new RangeError('concatEmbeddings: no models');
  const count = perModel[0]!.length;
  perModel.forEach((e, m) => {
    if (e.length !== count) throw new RangeError(`concatEmbeddings: model ${m} has ${e.length} embeddings, model 0 has ${count}`);
  });
  const scale = 1 / Math.sqrt(perModel.length);
  return Array.from({ length: count }, (_, i) => {
    const parts = perModel.map((e) => e[i]!);
    const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) for (let j = 0; j < p.length; j++) out[at++] = p[j]! * scale;
    return out;
  });
}
