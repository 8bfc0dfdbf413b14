/** Browser image inputs → RGBA pixels, via a 2-D canvas. */
import { ShapeError } from '../gpu/errors.js';
import { checkImageSize, type RGBAImage } from '../ops/image.js';

export type BrowserImageInput =
  | RGBAImage
  | ImageData
  | ImageBitmap
  | HTMLImageElement
  | HTMLCanvasElement
  | OffscreenCanvas
  | HTMLVideoElement
  | Blob;

function draw(source: CanvasImageSource, width: number, height: number): RGBAImage {
  if (!(width > 0 && height > 0)) throw new ShapeError(`bad image: it has no pixels (${width}x${height}); is it loaded?`);
  checkImageSize(width, height);
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new ShapeError('bad image: no 2-D canvas context to read pixels with');
  ctx.drawImage(source, 0, 0);
  const { data } = ctx.getImageData(0, 0, width, height);
  return { data, width, height };
}

/** Reads the pixels of any browser image source (decoding Blobs and waiting for <img> loads). */
export async function toRGBA(input: BrowserImageInput): Promise<RGBAImage> {
  if (input instanceof Blob) {
    let bitmap: ImageBitmap;
    try {
      // Upright, as the EXIF orientation of a phone photo says (the default in current browsers).
      bitmap = await createImageBitmap(input, { imageOrientation: 'from-image' });
    } catch {
      throw new ShapeError(`bad image: the ${input.type || 'file'} could not be decoded as an image`);
    }
    try {
      return draw(bitmap, bitmap.width, bitmap.height);
    } finally {
      bitmap.close();
    }
  }
  if (typeof ImageData !== 'undefined' && input instanceof ImageData) return { data: input.data, width: input.width, height: input.height };
  if (typeof HTMLImageElement !== 'undefined' && input instanceof HTMLImageElement) {
    try {
      await input.decode();
    } catch {
      throw new ShapeError(`bad image: ${input.src ? `'${input.src.slice(0, 80)}'` : 'the <img>'} could not be loaded or decoded`);
    }
    return draw(input, input.naturalWidth, input.naturalHeight);
  }
  if (typeof HTMLVideoElement !== 'undefined' && input instanceof HTMLVideoElement) return draw(input, input.videoWidth, input.videoHeight);
  if ((typeof ImageBitmap !== 'undefined' && input instanceof ImageBitmap) || (typeof HTMLCanvasElement !== 'undefined' && input instanceof HTMLCanvasElement) || input instanceof OffscreenCanvas) {
    return draw(input, input.width, input.height);
  }
  if ('data' in input && 'width' in input && 'height' in input) return input;
  throw new ShapeError('bad image: expected an ImageBitmap, <img>, <canvas>, <video>, ImageData, Blob or RGBA pixels');
}
