/**
 * face-api's 128-D face recognition network (`faceRecognitionNet`, ported from dlib's
 * `dlib_face_recognition_resnet_model_v1`): a 29-layer ResNet on 150x150 RGB face chips.
 *
 * The forward pass is the one in @vladmandic/face-api src/faceRecognitionNet, op for op:
 *   x = (rgb − meanRgb) / 255
 *   conv 7x7/2 'valid' + bias → scale layer (x·w + b per channel) → relu; max pool 3x3/2 'valid'
 *   residual blocks: relu(x + scale(conv(relu(scale(conv(x))))))  (3x3 'same' convolutions)
 *   down blocks: the first conv is 3x3/2 'valid'; the shortcut is a 2x2/2 average pool whose
 *     channels are zero-extended to the block's width; where the conv path comes out one row
 *     and column smaller than the shortcut, it is zero-extended at the bottom and right
 *   mean over the remaining 2x2 positions, then a 256→128 projection (no normalisation).
 *
 * On the engine: each scale layer is folded into its convolution at load time
 * (w' = w·s, b' = b·s + t, exact up to f32 rounding), so a conv layer is one conv dispatch with
 * the relu fused; each shortcut sum with its zero-extension and relu is one `addPadded`.
 */
import type { Engine } from '../gpu/engine.js';
import { shapeCheck } from '../gpu/errors.js';
import type { Tensor } from '../gpu/tensor.js';
import { conv } from '../ops/conv.js';
import { addPadded, scaleShift } from '../ops/elementwise.js';
import { matmul } from '../ops/matmul.js';
import { avgPool, globalAvgPool, maxPool } from '../ops/pool.js';
import { maxBatch } from './batches.js';
import { GpuParams } from './params.js';
import { WeightMap, type Weight } from './weights.js';

/** Height and width of the face chips the network was trained on. */
export const FACE_RECOGNITION_INPUT_SIZE = 150;
/** Length of a face descriptor. */
export const FACE_DESCRIPTOR_SIZE = 128;
/** Per-channel RGB mean subtracted before the network divides by 255 (face-api's values). */
export const FACE_RECOGNITION_MEAN_RGB = [122.782, 117.001, 104.298] as const;

export interface ResidualBlock {
  name: string;
  inC: number;
  outC: number;
  /** Stride-2 first conv with an average-pooled, zero-extended shortcut. */
  down: boolean;
}

export const STEM = { name: 'conv32_down', kernel: 7, inC: 3, outC: 32 };

export const BLOCKS: readonly ResidualBlock[] = [
  { name: 'conv32_1', inC: 32, outC: 32, down: false },
  { name: 'conv32_2', inC: 32, outC: 32, down: false },
  { name: 'conv32_3', inC: 32, outC: 32, down: false },
  { name: 'conv64_down', inC: 32, outC: 64, down: true },
  { name: 'conv64_1', inC: 64, outC: 64, down: false },
  { name: 'conv64_2', inC: 64, outC: 64, down: false },
  { name: 'conv64_3', inC: 64, outC: 64, down: false },
  { name: 'conv128_down', inC: 64, outC: 128, down: true },
  { name: 'conv128_1', inC: 128, outC: 128, down: false },
  { name: 'conv128_2', inC: 128, outC: 128, down: false },
  { name: 'conv256_down', inC: 128, outC: 256, down: true },
  { name: 'conv256_1', inC: 256, outC: 256, down: false },
  { name: 'conv256_2', inC: 256, outC: 256, down: false },
  { name: 'conv256_down_out', inC: 256, outC: 256, down: true },
];

export const FC_SHAPE = [256, FACE_DESCRIPTOR_SIZE] as const;

/** The largest activation of one chip: the stem's output, 72x72x32. */
const STEM_SIDE = Math.floor((FACE_RECOGNITION_INPUT_SIZE - STEM.kernel) / 2) + 1;
const LARGEST_PER_CHIP = STEM_SIDE * STEM_SIDE * STEM.outC;

/**
 * Reads `prefix/conv/{filters,bias}` and `prefix/scale/{weights,biases}` (shapes checked) and
 * returns the convolution with the scale layer folded in.
 */
function foldConvLayer(weights: WeightMap, prefix: string, kernel: number, inC: number, outC: number): [Weight, Weight] {
  const filters = weights.get(`${prefix}/conv/filters`, [kernel, kernel, inC, outC]).data;
  const bias = weights.get(`${prefix}/conv/bias`, [outC]).data;
  const scale = weights.get(`${prefix}/scale/weights`, [outC]).data;
  const shift = weights.get(`${prefix}/scale/biases`, [outC]).data;
  const w = new Float32Array(filters.length);
  for (let i = 0; i < w.length; i++) w[i] = filters[i]! * scale[i % outC]!;
  const b = new Float32Array(outC);
  for (let o = 0; o < outC; o++) b[o] = Math.fround(bias[o]! * scale[o]!) + shift[o]!;
  return [{ shape: [kernel, kernel, inC, outC], data: w }, { shape: [outC], data: b }];
}

/** The network's weights with every shape checked and the scale layers folded into the convolutions. */
export function prepareWeights(weights: WeightMap): WeightMap {
  const out = new Map<string, Weight>();
  const layer = (prefix: string, kernel: number, inC: number, outC: number) => {
    const [w, b] = foldConvLayer(weights, prefix, kernel, inC, outC);
    out.set(`${prefix}/filters`, w);
    out.set(`${prefix}/bias`, b);
  };
  layer(STEM.name, STEM.kernel, STEM.inC, STEM.outC);
  for (const block of BLOCKS) {
    layer(`${block.name}/conv1`, 3, block.inC, block.outC);
    layer(`${block.name}/conv2`, 3, block.outC, block.outC);
  }
  out.set('fc', weights.get('fc', FC_SHAPE));
  // (x − mean) / 255 as one multiply-add per channel.
  out.set('input/scale', { shape: [3], data: new Float32Array([1 / 255, 1 / 255, 1 / 255]) });
  out.set('input/shift', { shape: [3], data: Float32Array.from(FACE_RECOGNITION_MEAN_RGB, (m) => -m / 255) });
  return new WeightMap(`${weights.source} (scale layers folded into the convolutions)`, out);
}

export class FaceRecognitionNet {
  readonly params: GpuParams;
  /** Chips per forward pass such that every activation of the batch fits one buffer the device binds. */
  readonly maxBatch: number;

  /**
   * Checks every weight of `weights` (face-api's `face_recognition_model` manifest) by name and
   * shape, failing with a WeightsError that names the first wrong one, and uploads them.
   */
  constructor(readonly engine: Engine, weights: WeightMap) {
    this.params = new GpuParams(engine, prepareWeights(weights));
    this.maxBatch = maxBatch(engine, LARGEST_PER_CHIP);
    // Upload everything now: the first forward pass then times like every other.
    this.params.get('input/scale');
    this.params.get('input/shift');
    this.params.get('fc');
    this.params.get(`${STEM.name}/filters`);
    this.params.get(`${STEM.name}/bias`);
    for (const block of BLOCKS) {
      for (const c of ['conv1', 'conv2']) {
        this.params.get(`${block.name}/${c}/filters`);
        this.params.get(`${block.name}/${c}/bias`);
      }
    }
  }

  private convLayer(x: Tensor, prefix: string, strides: number, padding: 'same' | 'valid', relu: boolean): Tensor {
    return conv(x, this.params.get(`${prefix}/filters`), {
      strides,
      padding,
      bias: this.params.get(`${prefix}/bias`),
      activation: relu ? 'relu' : 'none',
    });
  }

  private residual(x: Tensor, block: ResidualBlock): Tensor {
    const name = block.name;
    if (!block.down) {
      const h = this.convLayer(x, `${name}/conv1`, 1, 'same', true);
      return addPadded(this.convLayer(h, `${name}/conv2`, 1, 'same', false), x, { activation: 'relu' });
    }
    const h = this.convLayer(x, `${name}/conv1`, 2, 'valid', true);
    const out = this.convLayer(h, `${name}/conv2`, 1, 'same', false);
    const shortcut = avgPool(x, { kernel: 2, strides: 2 });
    // face-api: concat(pooled, zeros) on channels; the conv path zero-extended where smaller.
    return addPadded(shortcut, out, { activation: 'relu' });
  }

  /**
   * Face descriptors of a batch of face chips: input [N, 150, 150, 3], RGB values in 0…255
   * (what face-api feeds its net after cropping, padding to square and resizing); returns
   * [N, 128]. Runs in its own scope: only the result stays allocated.
   */
  forward(input: Tensor): Tensor {
    const size = FACE_RECOGNITION_INPUT_SIZE;
    shapeCheck(
      input.rank === 4 && input.shape[1] === size && input.shape[2] === size && input.shape[3] === 3,
      'FaceRecognitionNet',
      `input must be a batch of ${size}x${size} RGB face chips [N, ${size}, ${size}, 3], got [${input.shape}]`,
    );
    const batch = input.shape[0]!;
    return this.engine.tidy(() => {
      let x = scaleShift(input, this.params.get('input/scale'), this.params.get('input/shift'));
      x = this.convLayer(x, STEM.name, 2, 'valid', true);
      x = maxPool(x, { kernel: 3, strides: 2 });
      for (const block of BLOCKS) x = this.residual(x, block);
      const features = globalAvgPool(x).reshape([batch, FC_SHAPE[0]]);
      return matmul(features, this.params.get('fc'));
    });
  }

  /** One 128-D descriptor per face chip of `input` [N, 150, 150, 3] (0…255 RGB). */
  async describe(input: Tensor): Promise<Float32Array[]> {
    const out = this.forward(input);
    try {
      const data = await out.read();
      return Array.from({ length: out.shape[0]! }, (_, i) => data.slice(i * FACE_DESCRIPTOR_SIZE, (i + 1) * FACE_DESCRIPTOR_SIZE));
    } finally {
      out.dispose();
    }
  }

  /** Frees the uploaded weights. */
  dispose(): void {
    this.params.dispose();
  }
}
