/**
 * The TF.js reference of one style-transfer step: the same Gatys loss on the same CenterNet
 * MobileNet-V3 sub-graph as src/tasks/style/, written with TensorFlow.js (tf.loadGraphModel,
 * model.execute up to the named layers, autodiff, tf.train.adam, pixels clamped to [0, 255]).
 * Host-agnostic: the caller passes the TF.js module (with its backend already chosen), the
 * model.json object and its weight shards' bytes. Used by bench/eval/ (eval:style), the benchmark
 * suite and test/node/style-parity.test.ts.
 *
 *   Jcontent = 1/(4·nH·nW·nC) · Σ (a(C) − a(G))²
 *   Jstyle   = Σ_l λ_l · 1/(4·nC²·(nH·nW)²) · Σ (Gram(S) − Gram(G))²
 *   J        = α·Jcontent + β·Jstyle
 */
import type * as TF from '@tensorflow/tfjs';
import { CENTERNET_CONTENT_LAYER, CENTERNET_INPUT, CENTERNET_STYLE_LAYERS, MIX_NOISE_STD } from '../../src/tasks/style/defaults.js';
import { gaussianNoise } from '../../src/tasks/style/noise.js';

type Tf = typeof TF;

/** f32 RGB pixels in [0, 255], row-major [height, width, 3]. */
export interface FloatImage {
  data: Float32Array;
  width: number;
  height: number;
}

export interface TfStyleStepOptions {
  tf: Tf;
  /** The graph model's model.json (parsed). */
  modelJson: unknown;
  /** The weight shards' bytes, in the order of the manifest's paths. */
  weightData: ArrayBuffer;
  content: FloatImage;
  style: FloatImage;
  /** The generated image's start; content + N(0, 0.05·255) from `seed` by default. */
  init?: FloatImage;
  seed?: number;
  /** J = contentWeight · Jcontent + styleWeight · Jstyle, as the library's style transfer weighs them. */
  contentWeight?: number;
  styleWeight?: number;
  contentLayer?: string;
  styleLayers?: Record<string, number>;
  learningRate?: number;
}

export interface TfStyleLoss {
  J: number;
  Jcontent: number;
  Jstyle: number;
  /** dJ/dG, [H·W·3]. */
  grad: Float32Array;
}

export interface TfStyleStepper {
  /** One Adam step (then clamping); returns J before the step. */
  step(): Promise<number>;
  /** J, its parts and dJ/dG at the current image (no step). */
  evaluate(): Promise<TfStyleLoss>;
  /** The current generated image. */
  image(): Promise<FloatImage>;
  dispose(): void;
}

/**
 * A copy of the model.json with its input's height and width left free (CenterNet says 512x512)
 * and its fused convolutions renamed to the ops registered below.
 */
function prepareModelJson(modelJson: unknown, input: string): { modelTopology: unknown; weightSpecs: unknown[] } {
  const json = JSON.parse(JSON.stringify(modelJson)) as {
    modelTopology: { node: { name: string; op: string; attr?: { shape?: { shape?: { dim?: { size: string }[] } } } }[] };
    weightsManifest: { weights: unknown[] }[];
  };
  for (const node of json.modelTopology.node) {
    if (node.name === input) {
      const dims = node.attr?.shape?.shape?.dim;
      if (dims && dims.length === 4) dims[1] = dims[2] = { size: '-1' };
    }
    const renamed = RENAMED_OPS[node.op];
    if (renamed) node.op = renamed;
  }
  return { modelTopology: json.modelTopology, weightSpecs: json.weightsManifest.flatMap((g) => g.weights) };
}

/**
 * TF.js's fused convolutions compute the filter gradient eagerly in their backward pass (wasted
 * work here, and a kernel the WASM backend lacks): the reference runs them as plain conv2d +
 * add + activation, whose gradients are lazy. The WASM backend also lacks the depthwise input
 * gradient; there it is written with ops it has (a depthwise convolution of the stride-dilated,
 * padded dy with the flipped filter).
 */
const RENAMED_OPS: Record<string, string> = {
  _FusedConv2D: 'StyleRefConv2D',
  Conv2D: 'StyleRefConv2D',
  FusedDepthwiseConv2dNative: 'StyleRefDepthwise',
  DepthwiseConv2dNative: 'StyleRefDepthwise',
};

interface ConvAttrs { strides?: number[]; padding?: string; fused_ops?: string[]; dilations?: number[] }

function convParams(tf: Tf, node: { attrs: Record<string, unknown> }): { stride: [number, number]; pad: 'same' | 'valid'; fused: string[] } {
  const a = node.attrs as ConvAttrs;
  const pad = (a.padding ?? 'VALID').toLowerCase();
  if (pad !== 'same' && pad !== 'valid') throw new Error(`style reference: padding ${a.padding} is not supported`);
  if (a.dilations && a.dilations.some((d) => d !== 1)) throw new Error('style reference: dilated convolutions are not supported');
  void tf;
  return { stride: [a.strides?.[1] ?? 1, a.strides?.[2] ?? 1], pad, fused: (a.fused_ops ?? []).map((f) => f.toLowerCase()) };
}

function fusedTail(tf: Tf, y: TF.Tensor4D, bias: TF.Tensor | undefined, fused: string[]): TF.Tensor4D {
  for (const f of fused) {
    if (f === 'biasadd') y = tf.add(y, bias!);
    else if (f === 'relu') y = tf.relu(y);
    else if (f === 'relu6') y = tf.relu6(y);
    else throw new Error(`style reference: fused op ${f} is not supported`);
  }
  return y;
}

/** dL/dx of a depthwise convolution, from ops every backend has. */
function depthwiseInputGrad(tf: Tf, dy: TF.Tensor4D, w: TF.Tensor4D, inputShape: number[], stride: [number, number], pad: 'same' | 'valid'): TF.Tensor4D {
  const [, oh, ow, c] = dy.shape;
  const [kh, kw] = w.shape;
  const [, ih, iw] = inputShape as [number, number, number];
  const before = (i: number, o: number, k: number, s: number) => (pad === 'same' ? Math.floor(Math.max((o - 1) * s + k - i, 0) / 2) : 0);
  const pt = before(ih, oh, kh, stride[0]);
  const pl = before(iw, ow, kw, stride[1]);
  let d: TF.Tensor4D = dy;
  if (stride[0] > 1 || stride[1] > 1) {
    d = dy.reshape([1, oh, 1, ow, 1, c]).pad([[0, 0], [0, 0], [0, stride[0] - 1], [0, 0], [0, stride[1] - 1], [0, 0]])
      .reshape([1, oh * stride[0], ow * stride[1], c])
      .slice([0, 0, 0, 0], [1, (oh - 1) * stride[0] + 1, (ow - 1) * stride[1] + 1, c]) as TF.Tensor4D;
  }
  const padded = d.pad([[0, 0], [kh - 1 - pt, ih + pt - (oh - 1) * stride[0] - 1], [kw - 1 - pl, iw + pl - (ow - 1) * stride[1] - 1], [0, 0]]) as TF.Tensor4D;
  return tf.depthwiseConv2d(padded, tf.reverse(w, [0, 1]) as TF.Tensor4D, 1, 'valid') as TF.Tensor4D;
}

let opsRegistered: Tf | null = null;
function registerReferenceOps(tf: Tf): void {
  if (opsRegistered === tf) return;
  opsRegistered = tf;
  tf.registerOp('StyleRefConv2D', (node) => {
    const [x, w, bias] = node.inputs as [TF.Tensor4D, TF.Tensor4D, TF.Tensor?];
    const { stride, pad, fused } = convParams(tf, node);
    return fusedTail(tf, tf.conv2d(x, w, stride, pad), bias, fused);
  });
  tf.registerOp('StyleRefDepthwise', (node) => {
    const [x, w, bias] = node.inputs as [TF.Tensor4D, TF.Tensor4D, TF.Tensor?];
    const { stride, pad, fused } = convParams(tf, node);
    let y: TF.Tensor4D;
    if (tf.getKernel('DepthwiseConv2dNativeBackpropInput', tf.getBackend())) {
      y = tf.depthwiseConv2d(x, w, stride, pad);
    } else {
      const op = tf.customGrad(((xi: TF.Tensor4D, wi: TF.Tensor4D) => ({
        value: tf.depthwiseConv2d(xi, wi, stride, pad),
        gradFunc: (dy: TF.Tensor4D) => [depthwiseInputGrad(tf, dy, wi, xi.shape, stride, pad), tf.zerosLike(wi)],
      })) as unknown as Parameters<Tf['customGrad']>[0]);
      y = op(x, w) as TF.Tensor4D;
    }
    return fusedTail(tf, y, bias, fused);
  });
}

export async function loadTfGraphModel(tf: Tf, modelJson: unknown, weightData: ArrayBuffer, input = CENTERNET_INPUT): Promise<TF.GraphModel> {
  registerReferenceOps(tf);
  const { modelTopology, weightSpecs } = prepareModelJson(modelJson, input);
  const handler: TF.io.IOHandler = {
    load: async () => ({ modelTopology: modelTopology as TF.io.ModelArtifacts['modelTopology'], weightSpecs: weightSpecs as TF.io.WeightsManifestEntry[], weightData, format: 'graph-model' }),
  };
  return tf.loadGraphModel(handler);
}

/** The default start: content + N(0, 0.05·255) noise from the seed, clamped to [0, 255]. */
export function mixInit(content: FloatImage, seed: number): FloatImage {
  const noise = gaussianNoise(content.data.length, seed, MIX_NOISE_STD);
  const data = Float32Array.from(content.data, (v, i) => Math.min(255, Math.max(0, v + noise[i]!)));
  return { data, width: content.width, height: content.height };
}

export async function createTfStyleStepper(o: TfStyleStepOptions): Promise<TfStyleStepper> {
  const { tf } = o;
  const contentWeight = o.contentWeight ?? 1;
  const styleWeight = o.styleWeight ?? 1;
  const contentLayer = o.contentLayer ?? CENTERNET_CONTENT_LAYER;
  const styleLayers = o.styleLayers ?? { ...CENTERNET_STYLE_LAYERS };
  const styleNames = Object.keys(styleLayers);
  const model = await loadTfGraphModel(tf, o.modelJson, o.weightData);
  const toTensor = (img: FloatImage) => tf.tensor4d(img.data, [1, img.height, img.width, 3]);

  const gram = (a: TF.Tensor): TF.Tensor => {
    const [, h, w, c] = a.shape as [number, number, number, number];
    const m = a.reshape([h * w, c]);
    return tf.matMul(m, m, true, false);
  };
  const features = (x: TF.Tensor, names: string[]): TF.Tensor[] => {
    const out = model.execute({ [CENTERNET_INPUT]: x }, names);
    return Array.isArray(out) ? out : [out];
  };

  // Targets, computed once.
  const contentTarget = tf.tidy(() => {
    const [a] = features(toTensor(o.content), [contentLayer]);
    return tf.keep(a!.clone());
  });
  const styleTargets = tf.tidy(() => features(toTensor(o.style), styleNames).map((a) => tf.keep(gram(a))));

  const init = o.init ?? mixInit(o.content, o.seed ?? 1);
  const G = tf.variable(toTensor(init), true);

  /** [J, Jcontent, Jstyle] as scalars. */
  const losses = (): [TF.Scalar, TF.Scalar, TF.Scalar] => {
    const acts = features(G, [contentLayer, ...styleNames]);
    const aG = acts[0]!;
    const [, h, w, c] = aG.shape as [number, number, number, number];
    const Jcontent = tf.sum(tf.squaredDifference(contentTarget, aG)).div(4 * h * w * c) as TF.Scalar;
    let Jstyle = tf.scalar(0);
    styleNames.forEach((name, i) => {
      const a = acts[i + 1]!;
      const [, sh, sw, sc] = a.shape as [number, number, number, number];
      const norm = styleLayers[name]! / (4 * sc * sc * (sh * sw) ** 2);
      Jstyle = Jstyle.add(tf.sum(tf.squaredDifference(styleTargets[i]!, gram(a))).mul(norm));
    });
    const J = Jcontent.mul(contentWeight).add(Jstyle.mul(styleWeight)) as TF.Scalar;
    return [J, Jcontent, Jstyle as TF.Scalar];
  };

  const optimizer = tf.train.adam(o.learningRate ?? 4);
  return {
    async step() {
      const J = optimizer.minimize(() => losses()[0], true, [G])!;
      tf.tidy(() => { G.assign(tf.clipByValue(G, 0, 255)); });
      const value = (await J.data())[0]!;
      J.dispose();
      return value;
    },
    async evaluate() {
      const parts = tf.tidy(() => losses().map((s) => s.clone()));
      const { grads } = tf.variableGrads(() => losses()[0], [G]);
      const grad = grads[G.name]!;
      const [J, Jcontent, Jstyle] = await Promise.all(parts.map(async (s) => (await s.data())[0]!));
      const g = (await grad.data()) as Float32Array;
      parts.forEach((s) => s.dispose());
      grad.dispose();
      return { J: J!, Jcontent: Jcontent!, Jstyle: Jstyle!, grad: g };
    },
    async image() {
      return { data: (await G.data()) as Float32Array, width: init.width, height: init.height };
    },
    dispose() {
      optimizer.dispose();
      G.dispose();
      contentTarget.dispose();
      styleTargets.forEach((t) => t.dispose());
      model.dispose();
    },
  };
}
