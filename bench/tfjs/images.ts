/** Pictures as TF.js wants them: RGBA pixels as a float [h, w, 3] tensor in 0..255 (what face-api takes). */
import * as tf from '@tensorflow/tfjs';
import type { RGBAImage } from '../../src/ops/image.js';

export function rgbTensor(image: RGBAImage): tf.Tensor3D {
  const rgb = new Float32Array(image.width * image.height * 3);
  for (let i = 0; i < image.width * image.height; i++) for (let c = 0; c < 3; c++) rgb[3 * i + c] = image.data[4 * i + c]!;
  return tf.tensor3d(rgb, [image.height, image.width, 3]);
}
