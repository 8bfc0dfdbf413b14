/**
 * The networks the visualisations run on, as Graphs with named layers (shallow to deep): the face
 * ResNet (face-api's descriptor net, 150x150 chips) and CenterNet's MobileNet-V3 backbone.
 * Both take RGB 0…255; preprocessing is inside the graph.
 */
import type { Engine } from '../../gpu/engine.js';
import type { Graph } from '../../nn/graph/graph.js';
import { CENTERNET_LAYERS } from '../../nn/graph/feature-networks.js';
import { faceRecognitionGraph } from '../../nn/face-recognition-graph.js';
import type { WeightMap } from '../../nn/weights.js';
import { loadStyleNetwork, type ModelSource } from '../style/network.js';

export type VisualNetworkName = 'face-resnet' | 'centernet';
export const VISUAL_NETWORKS: readonly VisualNetworkName[] = ['face-resnet', 'centernet'];

/** Five layers of each network from shallow to deep (what `visualize` shows by default; known before loading). */
export const VISUAL_DEFAULT_LAYERS: Readonly<Record<VisualNetworkName, readonly string[]>> = {
  'face-resnet': ['conv32_down', 'conv32_2', 'conv64_down', 'conv128_down', 'conv256_2'],
  centernet: ['conv', 'expanded_conv_1', 'expanded_conv_3', 'expanded_conv_5', 'expanded_conv_7'],
};

export interface VisualNetwork {
  name: VisualNetworkName;
  graph: Graph;
  input: string;
  /** Layer name → graph node, shallow to deep. */
  layers: Record<string, string>;
  /** Five layers from shallow to deep: what `visualize` shows by default. */
  defaultLayers: readonly string[];
  /** The input size [H, W] images are brought to. */
  inputSize: [number, number];
  /** Images per forward pass the graph takes (CenterNet's input is fixed at one). */
  maxBatch: number;
}


/** The face ResNet from face-api's face_recognition_model weights. */
export function faceResNetVisualNetwork(engine: Engine, weights: WeightMap): VisualNetwork {
  const g = faceRecognitionGraph(engine, weights);
  const layers = Object.fromEntries(Object.entries(g.layers).filter(([name]) => name !== 'descriptor'));
  return { name: 'face-resnet', graph: g.graph, input: g.input, layers, defaultLayers: VISUAL_DEFAULT_LAYERS['face-resnet'], inputSize: [150, 150], maxBatch: 8 };
}

/** The stem (first conv + hard-swish, stride 2) is not among the style layers. */
const CENTERNET_STEM = 'tower_0/MobilenetV3/Conv/hard_swish/mul_1';

/** CenterNet's MobileNet-V3 (the style-transfer network), images brought to `size` x `size` (default 160). */
export async function centernetVisualNetwork(engine: Engine, source: ModelSource, size = 160): Promise<VisualNetwork> {
  if (!(Number.isInteger(size) && size >= 32)) throw new Error(`centernet input size must be a whole number ≥ 32, got ${size}`);
  const net = await loadStyleNetwork(engine, source, { layers: [CENTERNET_STEM] });
  if (!net.graph.node(CENTERNET_STEM)) throw new Error(`centernet: the stem node ${CENTERNET_STEM} is missing from the graph`);
  const layers: Record<string, string> = { conv: CENTERNET_STEM };
  for (const name of Object.keys(CENTERNET_LAYERS)) if (net.layers[name]) layers[name] = net.layers[name]!;
  return { name: 'centernet', graph: net.graph, input: net.input, layers, defaultLayers: VISUAL_DEFAULT_LAYERS.centernet, inputSize: [size, size], maxBatch: 1 };
}

/** The graph node of a layer, or an error that lists the layers. */
export function layerNode(net: VisualNetwork, layer: string): string {
  const node = net.layers[layer];
  if (!node) throw new Error(`unknown layer '${layer}' of ${net.name} (layers: ${Object.keys(net.layers).join(', ')})`);
  return node;
}

const shapes = new WeakMap<Graph, Map<string, readonly number[]>>();

/** A layer's output shape [1, H, W, C] at the network's input size (one forward pass the first time). */
export async function layerShape(net: VisualNetwork, layer: string): Promise<readonly number[]> {
  const node = layerNode(net, layer);
  let known = shapes.get(net.graph);
  if (!known) shapes.set(net.graph, (known = new Map()));
  const hit = known.get(node);
  if (hit) return hit;
  const [h, w] = net.inputSize;
  const x = net.graph.engine.tensor([1, h, w, 3], new Float32Array(h * w * 3).fill(128));
  try {
    const y = net.graph.forward({ [net.input]: x }, [node]).outputs[node]!;
    known.set(node, y.shape);
    y.dispose();
    return y.shape;
  } finally {
    x.dispose();
  }
}

/** Checks units against a layer's channel count: an error names the layer and the valid range. */
export async function checkUnits(net: VisualNetwork, layer: string, units: readonly number[]): Promise<number> {
  const shape = await layerShape(net, layer);
  const c = shape[shape.length - 1]!;
  for (const u of units) if (!(Number.isInteger(u) && u >= 0 && u < c)) throw new Error(`unknown unit ${u} of layer '${layer}': it has ${c} units (0–${c - 1})`);
  return c;
}
