/** Face crops on the host, as face-api's extractFaces cuts them: no GPU, any photo size. */
import { ShapeError } from '../../gpu/errors.js';
import { clipToImage, type Box } from '../../nn/boxes.js';
import type { RGBAImage } from '../../ops/image.js';
import { resample } from './image-pieces.js';

/** A face to crop: a described face (its aligned box), a detected one (its box), or a box. */
export type FaceRegion = Box | { box: Box; alignedBox?: Box };

/** The box a face is cropped at: the aligned box where there is one, as face-api crops its alignedRect. */
const regionOf = (face: FaceRegion): Box => ('box' in face ? (face.alignedBox ?? face.box) : face);

/**
 * The whole pixels of `box` inside the image, by face-api's rule (floored, then clipped at the
 * image's borders). A box that misses the image entirely belongs to another image: an error.
 */
export function pixelRegion(image: { width: number; height: number }, box: Box, what: string): Box {
  const floored = { x: Math.floor(box.x), y: Math.floor(box.y), width: Math.floor(box.width), height: Math.floor(box.height) };
  const region = clipToImage(floored, image.width, image.height);
  if (!(region.width > 0 && region.height > 0)) {
    throw new ShapeError(`${what}: box ${JSON.stringify(box)} lies outside the ${image.width}x${image.height} image (faces of another image?)`);
  }
  return region;
}

/**
 * Each face's crop as a new RGBA image in the photo's own pixels (full resolution, however
 * large the photo): the aligned box, or the box, clipped at the photo's borders.
 */
export function extractFaces(image: RGBAImage, faces: readonly FaceRegion[]): RGBAImage[] {
  return faces.map((face, i) => {
    const region = pixelRegion(image, regionOf(face), `extractFaces: face ${i}`);
    return resample(image, region, region.width, region.height);
  });
}
