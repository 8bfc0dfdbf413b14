/** Small RGBA images for drawing tests. */
import type { RGBAImage } from '../../src/ops/image.js';

/** A w x h image of one grey, opaque. */
export const grey = (width: number, height: number): RGBAImage => ({ data: new Uint8ClampedArray(width * height * 4).map((_, i) => (i % 4 === 3 ? 255 : 100)), width, height });
export const pixel = (image: RGBAImage, x: number, y: number) => Array.from(image.data.subarray((y * image.width + x) * 4, (y * image.width + x) * 4 + 4));
/** The pixels of the image that are not the grey, as "x,y". */
export const drawn = (image: RGBAImage) => {
  const out: string[] = [];
  for (let y = 0; y < image.height; y++) for (let x = 0; x < image.width; x++) if (pixel(image, x, y)[0] !== 100) out.push(`${x},${y}`);
  return out;
};
