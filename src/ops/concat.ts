import gridWGSL from '../../shaders/common/grid.wgsl';
import concatWGSL from '../../shaders/concat.wgsl';
import { shapeCheck } from '../gpu/errors.js';
import { defineKernel } from '../gpu/kernel.js';
import { axisView, type Tensor } from '../gpu/tensor.js';

const kernel = defineKernel('concat', concatWGSL, [gridWGSL]);

/**
 * The tensors joined along `axis` (0 by default; negative counts from the end), as
 * tf.concat / ONNX Concat: every other dimension must match. One copy dispatch per input.
 */
export function concat(xs: readonly Tensor[], axisArg = 0): Tensor {
  shapeCheck(xs.length > 0, 'concat', 'no tensors to join');
  const first = xs[0]!;
  const { axis, outer, inner } = axisView('concat', first.shape, axisArg);
  for (const x of xs) {
    shapeCheck(x.engine === first.engine, 'concat', 'tensors belong to different engines');
    shapeCheck(
      x.rank === first.rank && x.shape.every((d, i) => i === axis || d === first.shape[i]),
      'concat',
      `shape [${x.shape}] does not match [${first.shape}] outside axis ${axis}`,
    );
  }
  const total = xs.reduce((s, x) => s + x.shape[axis]!, 0);
  const shape = first.shape.map((d, i) => (i === axis ? total : d));
  const y = first.engine.empty(shape, 'concat');
  let offset = 0;
  for (const x of xs) {
    first.engine.dispatch({
      op: 'concat',
      kernel,
      entry: 'concat_into',
      uniforms: { outer, axis: x.shape[axis]!, inner, total, offset },
      buffers: { x, y },
      threads: x.size,
    });
    offset += x.shape[axis]!;
  }
  return y;
}
