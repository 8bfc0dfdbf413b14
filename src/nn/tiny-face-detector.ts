/**
 * face-api's TinyFaceDetector (a Tiny-YOLOv2 with depthwise-separable convolutions, 5 anchors,
 * one class) on the engine's ops. Weights: face-api's `tiny_face_detector_model`.
 *
 * Forward pass (face-api TinyYolov2Base.runMobilenet with isFirstLayerConv2d):
 *   input: image padded to a square at the right/bottom, bilinear-resized (TF rule) to
 *          inputSize, (rgb - MEAN_RGB) / 255
 *   conv0 3x3 'valid' + bias, leaky(0.1); maxPool 2x2/2 'same'
 *   conv1..conv5: pad 1, depthwise 3x3, pointwise 1x1 + bias, leaky(0.1); maxPool after each
 *          (stride 2 after conv1..conv4, stride 1 after conv5)
 *   conv8 1x1 + bias → [1, g, g, 5 anchors x (tx, ty, tw, th, score)]
 * Decoding, thresholding and NMS follow TinyYolov2Base.extractBoxes/detect on the CPU.
 */
import type { Engine } from '../gpu/engine.js';
import type { Tensor } from '../gpu/tensor.js';
import { conv } from '../ops/conv.js';
import { checkImage, type RGBAImage } from '../ops/image.js';
import { maxPool } from '../ops/pool.js';
import { requireWeights, reshapedDimensions, sigmoid, squareInput, withDefaults, type Box, type DetectOptions, type FaceDetection, type FaceDetector } from './boxes.js';
import { FACE_API_MODELS } from './face-api-models.js';
import { nonMaxSuppression } from './nms.js';
import { GpuParams } from './params.js';
import type { WeightMap } from './weights.js';

const CHANNELS = [3, 16, 32, 64, 128, 256, 512];
const ANCHORS: readonly [number, number][] = [
  [1.603231, 2.094468],
  [6.041143, 7.080126],
  [2.882459, 3.518061],
  [4.266906, 5.178857],
  [9.041765, 10.66308],
];
const MEAN_RGB = [117.001, 114.697, 97.404] as const;
/** face-api's leaky relu: relu(x - 0.1x) + 0.1x with 0.1 as a float32. */
const LEAKY = 0.10000000149011612;

function weightSpecs(): Record<string, number[]> {
  const specs: Record<string, number[]> = { 'conv0/filters': [3, 3, 3, 16], 'conv0/bias': [16] };
  for (let i = 1; i <= 5; i++) {
    const [cin, cout] = [CHANNELS[i]!, CHANNELS[i + 1]!];
    specs[`conv${i}/depthwise_filter`] = [3, 3, cin, 1];
    specs[`conv${i}/pointwise_filter`] = [1, 1, cin, cout];
    specs[`conv${i}/bias`] = [cout];
  }
  specs['conv8/filters'] = [1, 1, 512, ANCHORS.length * 5];
  specs['conv8/bias'] = [ANCHORS.length * 5];
  return specs;
}

export class TinyFaceDetector implements FaceDetector {
  /** face-api's defaults (TinyFaceDetectorOptions; the IoU threshold is its fixed 0.4). */
  static readonly defaults: Readonly<Required<DetectOptions>> = {
    inputSize: 416,
    scoreThreshold: 0.5,
    iouThreshold: 0.4,
    maxResults: Infinity,
  };

  readonly params: GpuParams;

  /** Checks every weight's name and shape now: wrong weights fail here, clearly. */
  constructor(readonly engine: Engine, weights: WeightMap) {
    requireWeights('TinyFaceDetector', FACE_API_MODELS.tinyFaceDetector.manifest, weights, weightSpecs());
    this.params = new GpuParams(engine, weights);
  }

  /** The raw network output [1, g, g, 25] for a prepared input [1, S, S, 3] (S divisible by 32). */
  forward(x: Tensor): Tensor {
    const p = this.params;
    const leaky = { activation: 'leakyRelu' as const, slope: LEAKY };
    let out = conv(x, p.get('conv0/filters'), { padding: 'valid', bias: p.get('conv0/bias'), ...leaky });
    out = maxPool(out, { kernel: 2, strides: 2, padding: 'same' });
    for (let i = 1; i <= 5; i++) {
      const c = CHANNELS[i]!;
      const depthwise = p.get(`conv${i}/depthwise_filter`, undefined, [3, 3, 1, c]);
      out = conv(out, depthwise, { groups: c, padding: [1, 1, 1, 1] });
      out = conv(out, p.get(`conv${i}/pointwise_filter`), { bias: p.get(`conv${i}/bias`), ...leaky });
      out = maxPool(out, { kernel: 2, strides: i < 5 ? 2 : 1, padding: 'same' });
    }
    return conv(out, p.get('conv8/filters'), { bias: p.get('conv8/bias') });
  }

  /** The network input for an image: padded to a square, resized, mean-subtracted, /255. */
  input(image: RGBAImage, inputSize: number): Tensor {
    return squareInput(this.engine, image, inputSize, { mean: MEAN_RGB, std: [255, 255, 255] });
  }

  /**
   * Faces in an RGBA image, best first, boxes in image pixels. Options default to face-api's
   * (inputSize 416, scoreThreshold 0.5, iouThreshold 0.4, no result limit).
   */
  async detect(image: RGBAImage, options: DetectOptions = {}): Promise<FaceDetection[]> {
    checkImage(image);
    const { inputSize, scoreThreshold, iouThreshold, maxResults } = withDefaults(TinyFaceDetector.defaults, options);
    if (!Number.isInteger(inputSize) || inputSize <= 0 || inputSize % 32 !== 0) {
      throw new Error(`TinyFaceDetector: inputSize must be a positive multiple of 32, got ${inputSize}`);
    }
    const out = this.engine.tidy(() => this.forward(this.input(image, inputSize)));
    let grid: Float32Array;
    try {
      grid = await out.read();
    } finally {
      out.dispose();
    }
    return decode(grid, out.shape[1]!, image, inputSize, { scoreThreshold, iouThreshold, maxResults });
  }

  dispose(): void {
    this.params.dispose();
  }
}

/** TinyYolov2Base.extractBoxes + detect + ObjectDetection, operation for operation. */
function decode(grid: Float32Array, cells: number, image: RGBAImage, inputSize: number, o: { scoreThreshold: number; iouThreshold: number; maxResults: number }): FaceDetection[] {
  const reshaped = reshapedDimensions(image.width, image.height, inputSize);
  const side = Math.max(reshaped.width, reshaped.height);
  const corrX = side / reshaped.width;
  const corrY = side / reshaped.height;
  const boxes: Box[] = [];
  const scores: number[] = [];
  for (let row = 0; row < cells; row++) {
    for (let col = 0; col < cells; col++) {
      for (let a = 0; a < ANCHORS.length; a++) {
        const at = ((row * cells + col) * ANCHORS.length + a) * 5;
        const score = sigmoid(grid[at + 4]!);
        if (!(score > o.scoreThreshold)) continue;
        const ctX = ((col + sigmoid(grid[at]!)) / cells) * corrX;
        const ctY = ((row + sigmoid(grid[at + 1]!)) / cells) * corrY;
        const w = ((Math.exp(grid[at + 2]!) * ANCHORS[a]![0]) / cells) * corrX;
        const h = ((Math.exp(grid[at + 3]!) * ANCHORS[a]![1]) / cells) * corrY;
        const x = ctX - w / 2;
        const y = ctY - h / 2;
        // BoundingBox(x, y, x + w, y + h) as a Box: its width is (x + w) - x.
        boxes.push({ x, y, width: x + w - x, height: y + h - y });
        scores.push(score);
      }
    }
  }
  // face-api suppresses on boxes scaled to the input size, highest score first (ties: last).
  const scaled = boxes.map((b) => ({ x: b.x * inputSize, y: b.y * inputSize, width: b.width * inputSize, height: b.height * inputSize }));
  const keep = nonMaxSuppression(scaled, scores, { iouThreshold: o.iouThreshold, maxResults: o.maxResults, ties: 'last' });
  return keep.map((i) => {
    const b = boxes[i]!;
    return { x: b.x * image.width, y: b.y * image.height, width: b.width * image.width, height: b.height * image.height, score: scores[i]! };
  });
}
