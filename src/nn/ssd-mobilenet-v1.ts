/**
 * face-api's SsdMobilenetv1 face detector (MobileNetV1 at 512x512, six SSD box predictors,
 * 5118 anchors) on the engine's ops. Weights: face-api's `ssd_mobilenetv1_model`.
 *
 * Forward pass (face-api ssdMobilenetv1/*):
 *   input: image padded to a square at the right/bottom, bilinear-resized (TF rule) to 512,
 *          rgb / 127.5 - 1
 *   MobileNetV1: conv 3x3/2 + bias, relu6; 13 x [depthwise 3x3 (stride 2 at 2, 4, 6, 12) +
 *          batch norm, relu6; pointwise 1x1 + bias, relu6] (conv11 = output of pair 11)
 *   prediction layer: 4 x [1x1 + bias, relu6; 3x3/2 + bias, relu6]
 *   box predictors (1x1 convs: 4 box offsets and 3 class logits per anchor) on conv11, the
 *          MobileNet output and the four stride-2 prediction maps
 * Batch norm is folded into the depthwise filters and a bias at load time, and each box
 * predictor's two convolutions run as one (their filters side by side). Box decoding
 * (variances 10, 10, 5, 5), sigmoid scores, NMS (IoU 0.5) and rescaling run on the CPU, as
 * face-api's outputLayer, nonMaxSuppression and locateFaces do.
 */
import type { Engine } from '../gpu/engine.js';
import type { Tensor } from '../gpu/tensor.js';
import { conv } from '../ops/conv.js';
import { checkImage, type RGBAImage } from '../ops/image.js';
import { requireWeights, reshapedDimensions, sigmoid, squareInput, withDefaults, type Box, type DetectOptions, type FaceDetection, type FaceDetector } from './boxes.js';
import { FACE_API_MODELS } from './face-api-models.js';
import { nonMaxSuppression } from './nms.js';
import { GpuParams } from './params.js';
import { WeightMap, type Weight } from './weights.js';

const INPUT_SIZE = 512;
const ANCHOR_COUNT = 5118;
const BN_EPSILON = 0.0010000000474974513;
/** [in, out] channels of the 13 depthwise/pointwise pairs. */
const PAIRS: [number, number][] = [
  [32, 64], [64, 128], [128, 128], [128, 256], [256, 256], [256, 512],
  [512, 512], [512, 512], [512, 512], [512, 512], [512, 512], [512, 1024], [1024, 1024],
];
const STRIDE_2 = new Set([2, 4, 6, 12]);
/** Prediction layer convs: [kernel, in, out]; the odd ones have stride 2. */
const PREDICTION: [number, number, number][] = [
  [1, 1024, 256], [3, 256, 512], [1, 512, 128], [3, 128, 256], [1, 256, 128], [3, 128, 256], [1, 256, 64], [3, 64, 128],
];
/** Box predictors: input channels and anchors per position. */
const PREDICTORS: [number, number][] = [[512, 3], [1024, 6], [512, 6], [256, 6], [256, 6], [128, 6]];

function weightSpecs(): Record<string, number[]> {
  const s: Record<string, number[]> = {
    'MobilenetV1/Conv2d_0_pointwise/weights': [3, 3, 3, 32],
    'MobilenetV1/Conv2d_0_pointwise/convolution_bn_offset': [32],
  };
  PAIRS.forEach(([cin, cout], i) => {
    const d = `MobilenetV1/Conv2d_${i + 1}_depthwise`;
    s[`${d}/depthwise_weights`] = [3, 3, cin, 1];
    for (const bn of ['gamma', 'beta', 'moving_mean', 'moving_variance']) s[`${d}/BatchNorm/${bn}`] = [cin];
    s[`MobilenetV1/Conv2d_${i + 1}_pointwise/weights`] = [1, 1, cin, cout];
    s[`MobilenetV1/Conv2d_${i + 1}_pointwise/convolution_bn_offset`] = [cout];
  });
  PREDICTION.forEach(([k, cin, cout], i) => {
    s[`Prediction/Conv2d_${i}_pointwise/weights`] = [k, k, cin, cout];
    s[`Prediction/Conv2d_${i}_pointwise/convolution_bn_offset`] = [cout];
  });
  PREDICTORS.forEach(([cin, anchors], i) => {
    const b = `Prediction/BoxPredictor_${i}`;
    s[`${b}/BoxEncodingPredictor/weights`] = [1, 1, cin, anchors * 4];
    s[`${b}/BoxEncodingPredictor/biases`] = [anchors * 4];
    s[`${b}/ClassPredictor/weights`] = [1, 1, cin, anchors * 3];
    s[`${b}/ClassPredictor/biases`] = [anchors * 3];
  });
  s['Output/extra_dim'] = [1, ANCHOR_COUNT, 4];
  return s;
}

/** The weights the GPU runs: batch norm folded into depthwise filters, predictor pairs merged. */
function deriveWeights(w: WeightMap): WeightMap {
  const out = new Map<string, Weight>();
  const copy = (name: string) => out.set(name, w.get(name));
  copy('MobilenetV1/Conv2d_0_pointwise/weights');
  copy('MobilenetV1/Conv2d_0_pointwise/convolution_bn_offset');
  PAIRS.forEach(([cin], i) => {
    const d = `MobilenetV1/Conv2d_${i + 1}_depthwise`;
    const filters = w.get(`${d}/depthwise_weights`).data;
    const gamma = w.get(`${d}/BatchNorm/gamma`).data;
    const beta = w.get(`${d}/BatchNorm/beta`).data;
    const mean = w.get(`${d}/BatchNorm/moving_mean`).data;
    const variance = w.get(`${d}/BatchNorm/moving_variance`).data;
    const scale = new Float64Array(cin).map((_, c) => gamma[c]! / Math.sqrt(variance[c]! + BN_EPSILON));
    // [3, 3, C, 1] and the engine's depthwise layout [3, 3, 1, C] are the same array.
    out.set(`${d}/folded_weights`, { shape: [3, 3, 1, cin], data: filters.map((v, i) => v * scale[i % cin]!) });
    out.set(`${d}/folded_bias`, { shape: [cin], data: new Float32Array(cin).map((_, c) => beta[c]! - mean[c]! * scale[c]!) });
    copy(`MobilenetV1/Conv2d_${i + 1}_pointwise/weights`);
    copy(`MobilenetV1/Conv2d_${i + 1}_pointwise/convolution_bn_offset`);
  });
  PREDICTION.forEach((_, i) => {
    copy(`Prediction/Conv2d_${i}_pointwise/weights`);
    copy(`Prediction/Conv2d_${i}_pointwise/convolution_bn_offset`);
  });
  PREDICTORS.forEach(([cin, anchors], i) => {
    const b = `Prediction/BoxPredictor_${i}`;
    const boxW = w.get(`${b}/BoxEncodingPredictor/weights`).data;
    const clsW = w.get(`${b}/ClassPredictor/weights`).data;
    const nb = anchors * 4, nc = anchors * 3, n = nb + nc;
    const merged = new Float32Array(cin * n);
    for (let c = 0; c < cin; c++) {
      merged.set(boxW.subarray(c * nb, (c + 1) * nb), c * n);
      merged.set(clsW.subarray(c * nc, (c + 1) * nc), c * n + nb);
    }
    const bias = new Float32Array(n);
    bias.set(w.get(`${b}/BoxEncodingPredictor/biases`).data, 0);
    bias.set(w.get(`${b}/ClassPredictor/biases`).data, nb);
    out.set(`${b}/merged/weights`, { shape: [1, 1, cin, n], data: merged });
    out.set(`${b}/merged/biases`, { shape: [n], data: bias });
  });
  return new WeightMap(`${w.source} (folded for the GPU)`, out);
}

export class SsdMobilenetV1 implements FaceDetector {
  /** face-api's defaults (SsdMobilenetv1Options: minConfidence 0.5, maxResults 100; IoU fixed 0.5). */
  static readonly defaults: Readonly<Required<DetectOptions>> = { inputSize: INPUT_SIZE, scoreThreshold: 0.5, iouThreshold: 0.5, maxResults: 100 };

  readonly params: GpuParams;
  /** Anchor boxes [ymin, xmin, ymax, xmax] in input-relative units, 5118 x 4. */
  private readonly anchors: Float32Array;

  /** Checks every weight's name and shape now: wrong weights fail here, clearly. */
  constructor(readonly engine: Engine, weights: WeightMap) {
    requireWeights('SsdMobilenetV1', FACE_API_MODELS.ssdMobilenetV1.manifest, weights, weightSpecs());
    this.anchors = weights.get('Output/extra_dim').data;
    this.params = new GpuParams(engine, deriveWeights(weights));
  }

  /** The network input for an image: padded to a square, resized to 512, scaled to [-1, 1]. */
  input(image: RGBAImage): Tensor {
    return squareInput(this.engine, image, INPUT_SIZE, { valueScale: 1 / 127.5, mean: [1, 1, 1] });
  }

  /**
   * The six box-predictor outputs for a prepared input [1, 512, 512, 3]: per position and
   * anchor, 4 box offsets (all anchors first), then 3 class logits.
   */
  forward(x: Tensor): Tensor[] {
    const p = this.params;
    const relu6 = { activation: 'relu6' as const };
    let out = conv(x, p.get('MobilenetV1/Conv2d_0_pointwise/weights'), { strides: 2, padding: 'same', bias: p.get('MobilenetV1/Conv2d_0_pointwise/convolution_bn_offset'), ...relu6 });
    let conv11: Tensor | null = null;
    PAIRS.forEach(([cin], i) => {
      const layer = i + 1;
      const d = `MobilenetV1/Conv2d_${layer}_depthwise`;
      out = conv(out, p.get(`${d}/folded_weights`), { groups: cin, strides: STRIDE_2.has(layer) ? 2 : 1, padding: 'same', bias: p.get(`${d}/folded_bias`), ...relu6 });
      const pw = `MobilenetV1/Conv2d_${layer}_pointwise`;
      out = conv(out, p.get(`${pw}/weights`), { bias: p.get(`${pw}/convolution_bn_offset`), ...relu6 });
      if (layer === 11) conv11 = out;
    });
    const features: Tensor[] = [conv11!, out];
    let y = out;
    PREDICTION.forEach((_, i) => {
      const pw = `Prediction/Conv2d_${i}_pointwise`;
      y = conv(y, p.get(`${pw}/weights`), { strides: i % 2 ? 2 : 1, padding: 'same', bias: p.get(`${pw}/convolution_bn_offset`), ...relu6 });
      if (i % 2) features.push(y);
    });
    return features.map((f, i) => conv(f, p.get(`Prediction/BoxPredictor_${i}/merged/weights`), { bias: p.get(`Prediction/BoxPredictor_${i}/merged/biases`) }));
  }

  /**
   * Faces in an RGBA image, best first, boxes in image pixels. Options default to face-api's
   * (scoreThreshold 0.5, iouThreshold 0.5, maxResults 100); the input size is fixed at 512.
   */
  async detect(image: RGBAImage, options: DetectOptions = {}): Promise<FaceDetection[]> {
    checkImage(image);
    const o = withDefaults(SsdMobilenetV1.defaults, options);
    if (o.inputSize !== INPUT_SIZE) throw new Error(`SsdMobilenetV1: the input size is fixed at ${INPUT_SIZE} (its anchors are), got ${o.inputSize}`);
    const outputs = this.engine.tidy(() => this.forward(this.input(image)));
    let maps: Float32Array[];
    try {
      maps = await Promise.all(outputs.map((t) => t.read()));
    } finally {
      outputs.forEach((t) => t.dispose());
    }
    const { boxes, scores } = this.decode(maps);
    // boxes holds [ymin, xmin, ymax, xmax] per anchor.
    const asBoxes: Box[] = Array.from({ length: ANCHOR_COUNT }, (_, k) => ({
      x: boxes[4 * k + 1]!, y: boxes[4 * k]!, width: boxes[4 * k + 3]! - boxes[4 * k + 1]!, height: boxes[4 * k + 2]! - boxes[4 * k]!,
    }));
    const keep = nonMaxSuppression(asBoxes, scores, { iouThreshold: o.iouThreshold, scoreThreshold: o.scoreThreshold, maxResults: o.maxResults, ties: 'first' });
    const reshaped = reshapedDimensions(image.width, image.height, INPUT_SIZE);
    const padX = INPUT_SIZE / reshaped.width;
    const padY = INPUT_SIZE / reshaped.height;
    return keep.map((k) => {
      const top = Math.max(0, boxes[4 * k]!) * padY;
      const bottom = Math.min(1, boxes[4 * k + 2]!) * padY;
      const left = Math.max(0, boxes[4 * k + 1]!) * padX;
      const right = Math.min(1, boxes[4 * k + 3]!) * padX;
      return { x: left * image.width, y: top * image.height, width: (right - left) * image.width, height: (bottom - top) * image.height, score: scores[k]! };
    });
  }

  /** outputLayer: anchors + offsets → [ymin, xmin, ymax, xmax] per anchor; sigmoid face score. */
  private decode(maps: Float32Array[]): { boxes: Float64Array; scores: Float64Array } {
    const boxes = new Float64Array(ANCHOR_COUNT * 4);
    const scores = new Float64Array(ANCHOR_COUNT);
    const a = this.anchors;
    let k = 0;
    maps.forEach((map, i) => {
      const anchors = PREDICTORS[i]![1];
      const n = anchors * 7;
      for (let at = 0; at < map.length; at += n) {
        for (let j = 0; j < anchors; j++, k++) {
          const [v0, v1, v2, v3] = [a[4 * k]!, a[4 * k + 1]!, a[4 * k + 2]!, a[4 * k + 3]!];
          const sizeY = v2 - v0, sizeX = v3 - v1;
          const centerY = v0 + sizeY / 2, centerX = v1 + sizeX / 2;
          const [p0, p1, p2, p3] = [map[at + 4 * j]!, map[at + 4 * j + 1]!, map[at + 4 * j + 2]!, map[at + 4 * j + 3]!];
          const halfY = (Math.exp(p2 / 5) * sizeY) / 2;
          const cy = (p0 / 10) * sizeY + centerY;
          const halfX = (Math.exp(p3 / 5) * sizeX) / 2;
          const cx = (p1 / 10) * sizeX + centerX;
          boxes.set([cy - halfY, cx - halfX, cy + halfY, cx + halfX], 4 * k);
          scores[k] = sigmoid(map[at + 4 * anchors + 3 * j + 1]!);
        }
      }
    });
    if (k !== ANCHOR_COUNT) throw new Error(`SsdMobilenetV1: the predictors gave ${k} anchors, expected ${ANCHOR_COUNT}`);
    return { boxes, scores };
  }

  dispose(): void {
    this.params.dispose();
  }
}
