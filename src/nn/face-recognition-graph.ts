/**
 * face-api's face recognition ResNet (face-recognition-net.ts) as a Graph, from the same folded
 * weights, so that its layers can be read out and differentiated down to the pixels
 * (activation maximisation). FaceRecognitionNet stays the fast path for descriptors.
 *
 * The down blocks' zero-extensions are written with existing graph ops, exactly: the shortcut's
 * extra channels as a 1x1 convolution by [I | 0], and the conv path's missing bottom row and
 * right column as a 1x1 identity convolution with one row/column of end padding.
 */
import type { Engine } from '../gpu/engine.js';
import type { Tensor } from '../gpu/tensor.js';
import { Graph, type GraphNode } from './graph/graph.js';
import { BLOCKS, FACE_RECOGNITION_INPUT_SIZE, prepareWeights, STEM } from './face-recognition-net.js';
import type { WeightMap } from './weights.js';

export interface FaceRecognitionGraph {
  graph: Graph;
  /** The input node: chips [N, 150, 150, 3], RGB in 0…255. */
  input: string;
  /** Layer name → graph node, shallow to deep: the stem, the pool, each residual block's output, the descriptor. */
  layers: Record<string, string>;
  /** The 128-D descriptor node. */
  output: string;
}

/** [inC, outC] with ones on the diagonal: x → x followed by outC − inC zero channels. */
function identityFilter(inC: number, outC: number): Float32Array {
  const w = new Float32Array(inC * outC);
  for (let c = 0; c < inC; c++) w[c * outC + c] = 1;
  return w;
}

/** Builds the graph; `weights` is face-api's face_recognition_model manifest (shapes checked). */
export function faceRecognitionGraph(engine: Engine, weights: WeightMap): FaceRecognitionGraph {
  const folded = prepareWeights(weights);
  const params = new Map<string, Tensor>();
  const nodes: GraphNode[] = [];
  const constant = (name: string, shape: readonly number[], data: Float32Array) => {
    params.set(name, engine.keep(engine.tensor(shape, data, name)));
    nodes.push({ name, op: 'const', inputs: [], attrs: {} });
    return name;
  };
  const weight = (name: string) => {
    const w = folded.get(name);
    return constant(name, w.shape, w.data);
  };
  const node = (name: string, op: GraphNode['op'], inputs: string[], attrs: Record<string, unknown> = {}) => {
    nodes.push({ name, op, inputs, attrs });
    return name;
  };
  const convLayer = (x: string, prefix: string, strides: number, padding: 'same' | 'valid', relu: boolean) =>
    node(prefix, 'conv', [x, weight(`${prefix}/filters`), weight(`${prefix}/bias`)], { strides, padding, activation: relu ? 'relu' : 'none' });
  const valid = (size: number, k: number, s: number) => Math.floor((size - k) / s) + 1;

  const input = node('input', 'input', [], { shape: [null, FACE_RECOGNITION_INPUT_SIZE, FACE_RECOGNITION_INPUT_SIZE, 3] });
  const scaled = node('preprocess/scaled', 'mul', [input, weight('input/scale')]);
  let x = node('preprocess', 'add', [scaled, weight('input/shift')]);
  x = convLayer(x, STEM.name, 2, 'valid', true);
  let side = valid(FACE_RECOGNITION_INPUT_SIZE, STEM.kernel, 2);
  const layers: Record<string, string> = { [STEM.name]: x };
  x = node('pool', 'maxPool', [x], { kernel: 3, strides: 2 });
  side = valid(side, 3, 2);
  layers.pool = x;
  for (const b of BLOCKS) {
    const h = convLayer(x, `${b.name}/conv1`, b.down ? 2 : 1, b.down ? 'valid' : 'same', true);
    let path = convLayer(h, `${b.name}/conv2`, 1, 'same', false);
    let shortcut = x;
    if (b.down) {
      const pathSide = valid(side, 3, 2);
      side = Math.floor(side / 2);
      shortcut = node(`${b.name}/shortcut`, 'avgPool', [x], { kernel: 2, strides: 2 });
      shortcut = node(`${b.name}/shortcut/widen`, 'conv', [shortcut, constant(`${b.name}/shortcut/widen/filters`, [1, 1, b.inC, b.outC], identityFilter(b.inC, b.outC))], {});
      const missing = side - pathSide;
      if (missing > 0) {
        const eye = constant(`${b.name}/conv2/extend/filters`, [1, 1, b.outC, b.outC], identityFilter(b.outC, b.outC));
        path = node(`${b.name}/conv2/extend`, 'conv', [path, eye], { padding: [0, 0, missing, missing] });
      }
    }
    const sum = node(`${b.name}/add`, 'add', [path, shortcut]);
    x = node(b.name, 'activation', [sum], { activation: 'relu' });
    layers[b.name] = x;
  }
  const features = node('features', 'mean', [x], { axes: [1, 2] });
  const output = node('descriptor', 'dense', [features, weight('fc')]);
  layers.descriptor = output;
  return { graph: new Graph(engine, { inputs: [input], nodes, params }), input, layers, output };
}
