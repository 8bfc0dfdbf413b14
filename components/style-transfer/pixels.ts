import type { RGBAImage } from '../../src/index.js';

/** Paints RGBA pixels onto a canvas, resizing the canvas to the image. */
export function paint(canvas: HTMLCanvasElement | OffscreenCanvas, image: RGBAImage): void {
  if (canvas.width !== image.width) canvas.width = image.width;
  if (canvas.height !== image.height) canvas.height = image.height;
  const ctx = canvas.getContext('2d') as CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;
  ctx.putImageData(new ImageData(new Uint8ClampedArray(image.data), image.width, image.height), 0, 0);
}

/** Encodes RGBA pixels as a PNG file. */
export function toPNG(image: RGBAImage): Promise<Blob> {
  const canvas = new OffscreenCanvas(image.width, image.height);
  paint(canvas, image);
  return canvas.convertToBlob({ type: 'image/png' });
}
