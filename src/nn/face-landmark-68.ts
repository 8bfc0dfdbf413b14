/**
 * face-api's 68-point face landmark nets on the engine's ops: the full `faceLandmark68Net`
 * (4 dense blocks of 4 convolutions, weights `face_landmark_68_model`) and the tiny one
 * (3 blocks of 3, `face_landmark_68_tiny_model`).
 *
 * face-api's steps, reproduced (DetectFaceLandmarksTasks, extractFaceTensors, NetInput,
 * FaceFeatureExtractor, FaceLandmark68NetBase.postProcess, FaceLandmarks.shiftBy):
 *   crop:  the face box clipped to the image and floored (Box.clipAtImageBorders)
 *   input: the crop padded with black to a square, centred (round(diff / 2) after, the rest
 *          before), bilinear-resized (TF rule) to 112, (rgb - [122.782, 117.001, 104.298]) / 255
 *   net:   dense block = relu(conv0) → out1; sep(out1) → out2; sep(relu(out1 + out2)) → out3;
 *          sep(relu(out1 + out2 + out3)) → out4; relu(out1 + … + out4), where conv0 is a 3x3/2
 *          conv + bias in the first block and a separable 3x3/2 conv + bias in the others,
 *          and sep is depthwise 3x3 + pointwise 1x1 + bias; then avgPool (7 or 14)/2 'valid'
 *          and a fully connected layer to 136 values
 *   points: (v·112 − pad) / (crop side scaled to 112), × crop size, + the face box's x and y
 *          (the unclipped box: face-api shifts by it, not by the crop)
 */
import type { Engine } from '../gpu/engine.js';
import { ShapeError } from '../gpu/errors.js';
import type { Tensor } from '../gpu/tensor.js';
import { conv } from '../ops/conv.js';
import { add, relu } from '../ops/elementwise.js';
import { checkImage, imageToTensor, type RGBAImage } from '../ops/image.js';
import { matmul } from '../ops/matmul.js';
import { avgPool } from '../ops/pool.js';
import { clipToImage, requireWeights, type Box, type Point } from './boxes.js';
import { FACE_API_MODELS } from './face-api-models.js';
import { GpuParams } from './params.js';
import type { WeightMap } from './weights.js';

const INPUT_SIZE = 112;
const MEAN_RGB = [122.782, 117.001, 104.298] as const;

interface Variant {
  name: string;
  manifest: string;
  channels: number[];
  convsPerBlock: number;
  poolSize: number;
}

const FULL: Variant = { name: 'FaceLandmark68Net', manifest: FACE_API_MODELS.faceLandmark68.manifest, channels: [32, 64, 128, 256], convsPerBlock: 4, poolSize: 7 };
const TINY: Variant = { name: 'FaceLandmark68TinyNet', manifest: FACE_API_MODELS.faceLandmark68Tiny.manifest, channels: [32, 64, 128], convsPerBlock: 3, poolSize: 14 };

function weightSpecs(v: Variant): Record<string, number[]> {
  const s: Record<string, number[]> = {};
  v.channels.forEach((cout, b) => {
    const cin = b === 0 ? 3 : v.channels[b - 1]!;
    for (let i = 0; i < v.convsPerBlock; i++) {
      const name = `dense${b}/conv${i}`;
      const inC = i === 0 ? cin : cout;
      if (b === 0 && i === 0) {
        s[`${name}/filters`] = [3, 3, 3, cout];
      } else {
        s[`${name}/depthwise_filter`] = [3, 3, inC, 1];
        s[`${name}/pointwise_filter`] = [1, 1, inC, cout];
      }
      s[`${name}/bias`] = [cout];
    }
  });
  s['fc/weights'] = [v.channels[v.channels.length - 1]!, 136];
  s['fc/bias'] = [136];
  return s;
}

/** Where face-api takes the 112x112 input from for a face box: a crop and its padded square. */
export interface LandmarkCrop {
  /** The face box clipped to the image and floored: the pixels the net sees. */
  face: Box;
  /** The square around it (centred padding), in image pixels. */
  square: Box;
}

export function landmarkCrop(box: Box, imageWidth: number, imageHeight: number): LandmarkCrop {
  const face = clipToImage(box, imageWidth, imageHeight);
  if (!(face.width > 0 && face.height > 0)) {
    throw new ShapeError(`face landmarks: the box ${JSON.stringify(box)} does not overlap the ${imageWidth}x${imageHeight} image`);
  }
  const side = Math.max(face.width, face.height);
  const diff = side - Math.min(face.width, face.height);
  const before = diff - Math.round(diff * 0.5);
  const square = face.width < face.height
    ? { x: face.x - before, y: face.y, width: side, height: side }
    : { x: face.x, y: face.y - before, width: side, height: side };
  return { face, square };
}

class FaceLandmarkNet {
  readonly params: GpuParams;

  constructor(readonly engine: Engine, weights: WeightMap, private readonly v: Variant) {
    requireWeights(v.name, v.manifest, weights, weightSpecs(v));
    this.params = new GpuParams(engine, weights);
  }

  /** The network input [1, 112, 112, 3] for a face box, as face-api builds it. */
  input(image: RGBAImage, box: Box): Tensor {
    const { face, square } = landmarkCrop(box, image.width, image.height);
    return imageToTensor(this.engine, image, {
      crop: square,
      size: [INPUT_SIZE, INPUT_SIZE],
      sampling: 'asymmetric',
      zeroOutside: face,
      mean: MEAN_RGB,
      std: [255, 255, 255],
    });
  }

  private separable(x: Tensor, name: string, strides: number): Tensor {
    const p = this.params;
    const c = x.shape[3]!;
    const dw = conv(x, p.get(`${name}/depthwise_filter`, undefined, [3, 3, 1, c]), { groups: c, strides, padding: 'same' });
    return conv(dw, p.get(`${name}/pointwise_filter`), { bias: p.get(`${name}/bias`) });
  }

  /** The raw output [1, 136] (x, y interleaved, relative to the padded 112 square). */
  forward(x: Tensor): Tensor {
    const p = this.params;
    let out = x;
    this.v.channels.forEach((_, b) => {
      const first = b === 0
        ? conv(out, p.get('dense0/conv0/filters'), { strides: 2, padding: 'same', bias: p.get('dense0/conv0/bias'), activation: 'relu' })
        : relu(this.separable(out, `dense${b}/conv0`, 2));
      let sum = first;
      let next = first;
      for (let i = 1; i < this.v.convsPerBlock; i++) {
        const y = this.separable(next, `dense${b}/conv${i}`, 1);
        sum = add(sum, y);
        next = relu(sum);
      }
      out = next;
    });
    const pooled = avgPool(out, { kernel: this.v.poolSize, strides: 2, padding: 'valid' });
    const features = pooled.reshape([1, pooled.size]);
    return matmul(features, p.get('fc/weights'), { bias: p.get('fc/bias') });
  }

  /** 68 landmarks (x, y) in image pixels for a face box (e.g. a detection). */
  async detect(image: RGBAImage, box: Box): Promise<Point[]> {
    return (await this.detectAll(image, [box]))[0]!;
  }

  /** 68 landmarks per face box, all faces recorded before one wait for the results. */
  async detectAll(image: RGBAImage, boxes: readonly Box[]): Promise<Point[][]> {
    checkImage(image);
    const crops = boxes.map((box) => landmarkCrop(box, image.width, image.height).face);
    const outs = this.engine.tidy(() => boxes.map((box) => this.forward(this.input(image, box))));
    let raw: Float32Array[];
    try {
      raw = await Promise.all(outs.map((t) => t.read()));
    } finally {
      outs.forEach((t) => t.dispose());
    }
    return raw.map((r, i) => toPoints(r, crops[i]!, boxes[i]!));
  }

  dispose(): void {
    this.params.dispose();
  }
}

/** FaceLandmark68NetBase.postProcess, then FaceLandmarks scaled to the crop and shifted by the box. */
function toPoints(raw: Float32Array, face: Box, box: Box): Point[] {
  const scale = INPUT_SIZE / Math.max(face.height, face.width);
  const width = face.width * scale;
  const height = face.height * scale;
  const padX = width < height ? Math.abs(width - height) / 2 : 0;
  const padY = height < width ? Math.abs(width - height) / 2 : 0;
  return Array.from({ length: 68 }, (_, i) => ({
    x: ((raw[2 * i]! * INPUT_SIZE - padX) / width) * face.width + box.x,
    y: ((raw[2 * i + 1]! * INPUT_SIZE - padY) / height) * face.height + box.y,
  }));
}

/** face-api's `faceLandmark68Net`. */
export class FaceLandmark68Net extends FaceLandmarkNet {
  constructor(engine: Engine, weights: WeightMap) {
    super(engine, weights, FULL);
  }
}

/** face-api's `faceLandmark68TinyNet`. */
export class FaceLandmark68TinyNet extends FaceLandmarkNet {
  constructor(engine: Engine, weights: WeightMap) {
    super(engine, weights, TINY);
  }
}
