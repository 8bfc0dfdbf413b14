import gridWGSL from '../../shaders/common/grid.wgsl';
import imageWGSL from '../../shaders/image.wgsl';
import type { Engine } from '../gpu/engine.js';
import { ImageTooLargeError, ShapeError } from '../gpu/errors.js';
import { defineKernel } from '../gpu/kernel.js';
import type { Tensor } from '../gpu/tensor.js';

const kernel = defineKernel('image', imageWGSL, [gridWGSL]);

/** 8-bit RGBA pixels, row-major, as in ImageData. */
export interface RGBAImage {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
}

export interface ImageToTensorOptions {
  /** Source box in pixels; the whole image by default. May extend past the edges (edges repeat). */
  crop?: { x: number; y: number; width: number; height: number };
  /** Output [height, width]; the crop's size by default. */
  size?: readonly [number, number];
  /** Values are first multiplied by this (1 keeps 0…255, 1/255 gives 0…1). */
  valueScale?: number;
  /** Per-channel RGB mean subtracted after scaling. */
  mean?: readonly [number, number, number];
  /** Per-channel RGB standard deviation divided by last. */
  std?: readonly [number, number, number];
  /**
   * How output pixels map into the crop. 'halfPixel' (the default): pixel centres line up.
   * 'asymmetric': output (x, y) samples the crop at (x·crop.width/outW, y·crop.height/outH) from
   * its top-left pixel, with neighbours past its last row and column clamped to them — exactly
   * tf.image.resizeBilinear (no half-pixel centres, no aligned corners) applied to the cropped
   * image. The crop must then be whole pixels.
   */
  sampling?: 'halfPixel' | 'asymmetric';
  /**
   * Source pixels outside this box (whole pixels) read as black, 0 before valueScale, mean and
   * std: zero padding, as face-api's padToSquare. By default every position reads the image,
   * its edges repeated.
   */
  zeroOutside?: { x: number; y: number; width: number; height: number };
}

export function checkImage(image: RGBAImage): void {
  const { width, height, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new ShapeError(`bad image: size ${width}x${height} is not a positive integer size`);
  }
  if (!data || data.length !== width * height * 4) {
    throw new ShapeError(`bad image: ${width}x${height} RGBA needs ${width * height * 4} bytes, got ${data?.length ?? 'none'}`);
  }
}

/** The most pixels an image may have to be decoded: 100 megapixels, 400 MB as RGBA. */
export const MAX_IMAGE_PIXELS = 100_000_000;

/** Refuses an image above MAX_IMAGE_PIXELS, before anything of its size is allocated. */
export function checkImageSize(width: number, height: number, name = 'the image'): void {
  if (width * height <= MAX_IMAGE_PIXELS) return;
  const mp = (Math.ceil((width * height) / 1e5) / 10).toFixed(1); // rounded up: over the limit reads as over it
  throw new ImageTooLargeError(width, height, `bad image: ${name} is too large (${width}x${height}, ${mp} megapixels; at most ${MAX_IMAGE_PIXELS / 1e6} are decoded): downscale it first`);
}

/** The image's RGBA bytes in a pooled storage buffer (one u32 per pixel), released by the caller. */
function uploadPixels(engine: Engine, image: RGBAImage): GPUBuffer {
  const pixels = engine.rawBuffer(image.data.length, 'rgba');
  engine.uploadBytes(pixels, image.data);
  return pixels;
}

/** The shader's y = (v · valueScale − mean) / std, as its uniforms. */
function normalisation(o: { valueScale?: number; mean?: readonly [number, number, number]; std?: readonly [number, number, number] }) {
  const mean = o.mean ?? [0, 0, 0];
  const std = o.std ?? [1, 1, 1];
  return { valueScale: o.valueScale ?? 1, mean: [...mean, 0], invStd: [1 / std[0], 1 / std[1], 1 / std[2], 0] };
}

/**
 * Uploads RGBA pixels and converts them to a normalised f32 RGB tensor [1, H, W, 3]. An image
 * the device cannot bind in one buffer is refused (ImageTooLargeError): crop or downscale it.
 */
export function imageToTensor(engine: Engine, image: RGBAImage, options: ImageToTensorOptions = {}): Tensor {
  checkImage(image);
  const crop = options.crop ?? { x: 0, y: 0, width: image.width, height: image.height };
  if (!(crop.width > 0 && crop.height > 0)) throw new ShapeError(`imageToTensor: crop ${crop.width}x${crop.height} is empty`);
  const [outH, outW] = options.size ?? [Math.round(crop.height), Math.round(crop.width)];
  const sampling = options.sampling ?? 'halfPixel';
  if (sampling !== 'halfPixel' && sampling !== 'asymmetric') throw new ShapeError(`imageToTensor: unknown sampling '${sampling}'`);
  if (sampling === 'asymmetric' && ![crop.x, crop.y, crop.width, crop.height].every(Number.isInteger)) {
    throw new ShapeError(`imageToTensor: asymmetric sampling needs a crop of whole pixels, got ${JSON.stringify(crop)}`);
  }
  const valid = options.zeroOutside;
  if (valid && ![valid.x, valid.y, valid.width, valid.height].every(Number.isInteger)) {
    throw new ShapeError(`imageToTensor: zeroOutside must be whole pixels, got ${JSON.stringify(valid)}`);
  }
  if (!engine.fits(image.data.length)) {
    throw new ImageTooLargeError(image.width, image.height,
      `imageToTensor: the ${image.width}x${image.height} image takes ${image.data.length} bytes as RGBA, more than the ${engine.maxBindingSize} bytes ` +
        'this device binds at once (maxStorageBufferBindingSize): crop or downscale it first (the face pipeline does this itself)');
  }
  // The output first: if it is too large, nothing has been acquired yet.
  const y = engine.empty([1, outH, outW, 3], 'imageToTensor');
  const pixels = uploadPixels(engine, image);
  engine.dispatch({
    op: 'imageToTensor',
    kernel,
    entry: 'rgba_to_tensor',
    uniforms: {
      srcW: image.width, srcH: image.height, outW, outH,
      cropX: crop.x, cropY: crop.y, cropW: crop.width, cropH: crop.height,
      ...normalisation(options),
      sampling: sampling === 'asymmetric' ? 1 : 0,
      scaleX: crop.width / outW,
      scaleY: crop.height / outH,
      zeroOutside: valid ? 1 : 0,
      validX0: valid?.x ?? 0,
      validY0: valid?.y ?? 0,
      validX1: valid ? valid.x + valid.width : 0,
      validY1: valid ? valid.y + valid.height : 0,
      chips: 1,
    },
    buffers: { pixels, y },
    threads: outW * outH,
  });
  engine.releaseStorage(pixels);
  return y;
}

/**
 * A 2-D affine map from chip to image coordinates, both continuous pixel coordinates (an
 * image's top-left corner is (0, 0), its first pixel's centre (0.5, 0.5)):
 * image x = a·u + b·v + c, image y = d·u + e·v + f for chip point (u, v).
 */
export interface Affine { a: number; b: number; c: number; d: number; e: number; f: number }

export interface WarpOptions {
  /** Values are first multiplied by this (1 keeps 0…255). */
  valueScale?: number;
  mean?: readonly [number, number, number];
  std?: readonly [number, number, number];
}

/**
 * One chip of size x size per transform, cut from `image` by sampling it bilinearly at each
 * chip pixel centre's image point (pixels outside the image read as black): aligned face chips
 * as OpenCV's warpAffine or dlib's extract_image_chip make them. Returns [N, size, size, 3],
 * normalised as imageToTensor does.
 */
export function warpAffine(engine: Engine, image: RGBAImage, transforms: readonly Affine[], size: number, options: WarpOptions = {}): Tensor {
  checkImage(image);
  if (!Number.isInteger(size) || size < 1) throw new ShapeError(`warpAffine: chip size must be a positive integer, got ${size}`);
  if (transforms.length === 0) throw new ShapeError('warpAffine: no transforms (one chip per transform)');
  for (const t of transforms) {
    if (![t.a, t.b, t.c, t.d, t.e, t.f].every(Number.isFinite)) throw new ShapeError(`warpAffine: transform ${JSON.stringify(t)} has a non-finite coefficient`);
  }
  if (!engine.fits(image.data.length)) {
    throw new ImageTooLargeError(image.width, image.height,
      `warpAffine: the ${image.width}x${image.height} image takes ${image.data.length} bytes as RGBA, more than the ${engine.maxBindingSize} bytes this device binds at once: crop it around the faces first`);
  }
  const y = engine.empty([transforms.length, size, size, 3], 'warpAffine');
  const coefficients = engine.tensor([transforms.length, 6], transforms.flatMap((t) => [t.a, t.b, t.c, t.d, t.e, t.f]), 'warp transforms');
  const pixels = uploadPixels(engine, image);
  engine.dispatch({
    op: 'warpAffine',
    kernel,
    entry: 'warp_affine',
    uniforms: {
      // The crop, scale and valid-area fields are imageToTensor's: zero here.
      srcW: image.width, srcH: image.height, outW: size, outH: size,
      ...normalisation(options),
      chips: transforms.length,
    },
    buffers: { pixels, y, transforms: coefficients },
    threads: transforms.length * size * size,
  });
  engine.releaseStorage(pixels);
  coefficients.dispose();
  return y;
}
