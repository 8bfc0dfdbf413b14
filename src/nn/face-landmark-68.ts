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
import { concat } from '../ops/concat.js';
import { conv } from '../ops/conv.js';
import { add, relu } from '../ops/elementwise.js';
import { checkImage, imageToTensor, type ImageToTensorOptions, type RGBAImage } from '../ops/image.js';
import { matmul } from '../ops/matmul.js';
import { avgPool } from '../ops/pool.js';
import { inBatches, maxBatch } from './batches.js';
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

/** The pixels of `box` (whole pixels inside the image), copied row by row; the image itself if the box covers it. */
function cropPixels(image: RGBAImage, box: Box): RGBAImage {
  if (box.x === 0 && box.y === 0 && box.width === image.width && box.height === image.height) return image;
  const data = new Uint8ClampedArray(box.width * box.height * 4);
  const row = box.width * 4;
  for (let y = 0; y < box.height; y++) {
    const from = ((box.y + y) * image.width + box.x) * 4;
    data.set(image.data.subarray(from, from + row), y * row);
  }
  return { data, width: box.width, height: box.height };
}

/**
 * A face box as face-api feeds its networks: the box clipped to the image (landmarkCrop),
 * padded with black to a centred square and resized to size x size with TensorFlow's bilinear
 * rule, normalised by `norm`: [1, size, size, 3]. Only the clipped box's pixels are read (the
 * padding is black), so only those are uploaded: the values are those of the whole image.
 */
export function paddedFaceInput(engine: Engine, image: RGBAImage, box: Box, size: number, norm: Pick<ImageToTensorOptions, 'mean' | 'std'> = {}): Tensor {
  const { face, square } = landmarkCrop(box, image.width, image.height);
  return imageToTensor(engine, cropPixels(image, face), {
    ...norm,
    crop: { x: square.x - face.x, y: square.y - face.y, width: square.width, height: square.height },
    size: [size, size],
    sampling: 'asymmetric',
    zeroOutside: { x: 0, y: 0, width: face.width, height: face.height },
  });
}

/** A face box in the image it was found in (a photo, or a crop of one around the face). */
export interface FaceInImage {
  image: RGBAImage;
  box: Box;
}

class FaceLandmarkNet {
  readonly params: GpuParams;
  /** Faces per forward pass: the largest activation (the first block's, 56x56 per face) of a batch fits one buffer. */
  readonly maxBatch: number;

  constructor(readonly engine: Engine, weights: WeightMap, private readonly v: Variant) {
    requireWeights(v.name, v.manifest, weights, weightSpecs(v));
    this.params = new GpuParams(engine, weights);
    this.maxBatch = maxBatch(engine, (INPUT_SIZE / 2) ** 2 * v.channels[0]!);
  }

  /** The network input [1, 112, 112, 3] for a face box, as face-api builds it. */
  input(image: RGBAImage, box: Box): Tensor {
    return paddedFaceInput(this.engine, image, box, INPUT_SIZE, { mean: MEAN_RGB, std: [255, 255, 255] });
  }

  private separable(x: Tensor, name: string, strides: number): Tensor {
    const p = this.params;
    const c = x.shape[3]!;
    const dw = conv(x, p.get(`${name}/depthwise_filter`, undefined, [3, 3, 1, c]), { groups: c, strides, padding: 'same' });
    return conv(dw, p.get(`${name}/pointwise_filter`), { bias: p.get(`${name}/bias`) });
  }

  /** The raw output [N, 136] of inputs [N, 112, 112, 3] (x, y interleaved, relative to each padded 112 square). */
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
    const batch = x.shape[0]!;
    const features = pooled.reshape([batch, pooled.size / batch]);
    return matmul(features, p.get('fc/weights'), { bias: p.get('fc/bias') });
  }

  /** 68 landmarks (x, y) in image pixels for a face box (e.g. a detection). */
  detect(image: RGBAImage, box: Box): Promise<Point[]>;
  /**
   * 68 landmarks per face, each box in its own image (a photo, or a crop of it around the face),
   * in that image's pixels: one pass, the faces as one batch [N, 112, 112, 3] with one read-back
   * (split into batches of at most `maxBatch` where the device needs it).
   */
  detect(faces: readonly FaceInImage[]): Promise<Point[][]>;
  async detect(what: RGBAImage | readonly FaceInImage[], box?: Box): Promise<Point[] | Point[][]> {
    if (!Array.isArray(what)) return (await this.detectBatch([{ image: what as RGBAImage, box: box! }]))[0]!;
    return this.detectBatch(what as readonly FaceInImage[]);
  }

  /** 68 landmarks per face box of one image: the faces go through the network as one batch. */
  detectAll(image: RGBAImage, boxes: readonly Box[]): Promise<Point[][]> {
    return this.detect(boxes.map((box) => ({ image, box })));
  }

  private async detectBatch(faces: readonly FaceInImage[]): Promise<Point[][]> {
    faces.forEach(({ image }) => checkImage(image));
    // Every box is checked before any work is recorded.
    const crops = faces.map(({ image, box }) => landmarkCrop(box, image.width, image.height).face);
    const points: Point[][] = [];
    for (const batch of inBatches(faces, this.maxBatch)) {
      const out = this.engine.tidy(() => {
        const inputs = batch.map(({ image, box }) => this.input(image, box));
        return this.forward(inputs.length === 1 ? inputs[0]! : concat(inputs));
      });
      let raw: Float32Array;
      try {
        raw = await out.read();
      } finally {
        out.dispose();
      }
      batch.forEach(({ box }, i) => points.push(toPoints(raw.subarray(136 * i, 136 * (i + 1)), crops[points.length]!, box)));
    }
    return points;
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
