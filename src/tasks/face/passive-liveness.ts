/**
 * Passive liveness hints from single frames: human-models' `antispoof` (128x128, a sigmoid:
 * near 1 for a real face, near 0 for a photo or screen of one) and `liveness` (32x32, a softmax
 * over two classes, the first read as "live", as Human reads it). Both were trained on small
 * sets (about 2,000 images): their scores are a hint to combine with the active check
 * (liveness.ts), never the only factor.
 */
import type { Engine } from '../../gpu/engine.js';
import type { Box } from '../../nn/boxes.js';
import type { Graph } from '../../nn/graph/graph.js';
import { graphFromTfjsModel, loadGraphModelWeights } from '../../nn/graph/tfjs-graph-model.js';
import { warpAffine, type Affine, type RGBAImage } from '../../ops/image.js';
import type { GraphModelSource } from './descriptor-models.js';

export interface PassiveScores {
  /** antispoof: near 1 for a real face, near 0 for a spoof (photo, screen). */
  antispoof: number;
  /** liveness: probability of the "live" class. */
  liveness: number;
}

interface ScoreModel { file: string; sha256: Record<string, string>; size: number; output: string; score: (row: Float32Array) => number }

/** The two models, their input sides and how their outputs read as scores. */
export const PASSIVE_MODELS = {
  antispoof: { file: 'antispoof.json', sha256: { 'antispoof.bin': '4490fecb2becdb6869edc7e60f5e59962be013a8def8719b1373afb0f905c094' }, size: 128, output: 'Identity', score: (row: Float32Array) => row[0]! },
  liveness: { file: 'liveness.json', sha256: { 'liveness.bin': 'fc6a6b6b3b9721bdb8bff67a457a15b7cbfd81715cfb27f3e65b757e81dd663e' }, size: 32, output: 'Identity', score: (row: Float32Array) => row[0]! },
} satisfies Record<keyof PassiveScores, ScoreModel>;

/** The chip → image map that draws `box` (made square about its centre) at `size` pixels. */
export function boxTransform(box: Box, size: number): Affine {
  const side = Math.max(box.width, box.height);
  const k = side / size;
  return { a: k, b: 0, c: box.x + box.width / 2 - side / 2, d: 0, e: k, f: box.y + box.height / 2 - side / 2 };
}

export class PassiveLivenessNets {
  private constructor(readonly engine: Engine, private readonly graphs: Record<keyof PassiveScores, Graph>) {}

  /** `source(file)`: where a model file of human-models' models/ folder comes from. */
  static async load(engine: Engine, source: (file: string) => GraphModelSource): Promise<PassiveLivenessNets> {
    const graphs = {} as Record<keyof PassiveScores, Graph>;
    try {
      for (const [name, m] of Object.entries(PASSIVE_MODELS) as [keyof PassiveScores, ScoreModel][]) {
        const s = source(m.file);
        const json = await s.json();
        graphs[name] = graphFromTfjsModel(engine, json, await loadGraphModelWeights(json, s.read, { source: m.file, sha256: m.sha256 }), { outputs: [m.output] });
      }
    } catch (e) {
      Object.values(graphs).forEach((g) => g.dispose());
      throw e;
    }
    return new PassiveLivenessNets(engine, graphs);
  }

  /** Scores for each face box of `image` (all faces of one model in one batch), pixels in 0…1 as the models were trained. */
  async score(image: RGBAImage, boxes: readonly Box[]): Promise<PassiveScores[]> {
    const out: PassiveScores[] = boxes.map(() => ({ antispoof: NaN, liveness: NaN }));
    if (boxes.length === 0) return out;
    for (const [name, m] of Object.entries(PASSIVE_MODELS) as [keyof PassiveScores, ScoreModel][]) {
      const graph = this.graphs[name];
      const y = this.engine.tidy(() => {
        const chips = warpAffine(this.engine, image, boxes.map((b) => boxTransform(b, m.size)), m.size, { valueScale: 1 / 255 });
        return graph.forward({ [graph.inputs[0]!]: chips }, [m.output]).outputs[m.output]!;
      });
      try {
        const data = await y.read();
        const width = data.length / boxes.length;
        boxes.forEach((_, i) => { out[i]![name] = m.score(data.subarray(i * width, (i + 1) * width)); });
      } finally {
        y.dispose();
      }
    }
    return out;
  }

  dispose(): void {
    Object.values(this.graphs).forEach((g) => g.dispose());
  }
}
