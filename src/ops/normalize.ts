import normalizeWGSL from '../../shaders/normalize.wgsl';
import { defineKernel } from '../gpu/kernel.js';
import { axisView, type Tensor } from '../gpu/tensor.js';

const kernel = defineKernel('normalize', normalizeWGSL);

function alongAxis(op: string, entry: string, x: Tensor, axisArg: number, epsilon: number): Tensor {
  const { outer, length, inner } = axisView(op, x.shape, axisArg);
  const y = x.engine.empty(x.shape, op);
  x.engine.dispatch({
    op,
    kernel,
    entry,
    uniforms: { outer, axis: length, inner, epsilon },
    buffers: { x, y },
    workgroups: outer * inner,
  });
  return y;
}

/** Softmax along one axis (the last by default). */
export function softmax(x: Tensor, axis = -1): Tensor {
  return alongAxis('softmax', 'softmax', x, axis, 0);
}

/** x / ‖x‖₂ along one axis (the last by default); ‖x‖² is floored at epsilon. */
export function l2Normalize(x: Tensor, axis = -1, epsilon = 1e-12): Tensor {
  return alongAxis('l2Normalize', 'l2_normalize', x, axis, epsilon);
}
