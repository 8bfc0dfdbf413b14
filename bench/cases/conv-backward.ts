/**
 * The convolution's backward kernels on the face ResNet's shapes: convInputGrad (dL/dx, a
 * transposed convolution of dy) against tf.conv2dTranspose, and convFilterGrad (dL/dw) against
 * TF.js's Conv2DBackpropFilter kernel — what their autodiff runs for conv2d.
 */
import * as tf from '@tensorflow/tfjs';
import { convFilterGrad, convInputGrad } from '../../src/ops/conv-backward.js';
import { convCases, convOutput, flopsOf, type ConvCase } from './shapes.js';
import { inputsFor, oursOp, tfOp } from './runners.js';
import type { BenchCase, BenchSize } from '../types.js';

function inputGradCase(c: ConvCase): BenchCase {
  const dyShape = convOutput(c);
  const shapes = [dyShape, c.filter];
  const data = inputsFor(shapes, 21, [1, 1 / Math.sqrt(c.filter[0] * c.filter[1] * c.filter[3])]);
  return {
    group: 'kernel',
    family: 'conv backward',
    name: `convInputGrad ${c.name.replace(/^conv /, '')}`,
    shape: `dy ${dyShape.slice(1).join('x')} > dx ${c.input.slice(1).join('x')}, ${c.filter[0]}x${c.filter[1]}/${c.stride}`,
    flops: flopsOf(c),
    tolerance: 1e-3,
    ours: async (ctx) => oursOp(ctx.engine, shapes, data, (dy, w) => convInputGrad(dy!, w!, c.input, { strides: c.stride, padding: 'same' })),
    tfjs: async () => tfOp(shapes, data, (dy, w) => tf.conv2dTranspose(dy as tf.Tensor4D, w as tf.Tensor4D, c.input, c.stride, 'same')),
  };
}

function filterGradCase(c: ConvCase): BenchCase {
  const dyShape = convOutput(c);
  const shapes = [c.input, dyShape];
  const data = inputsFor(shapes, 31);
  return {
    group: 'kernel',
    family: 'conv backward',
    name: `convFilterGrad ${c.name.replace(/^conv /, '')}`,
    shape: `x ${c.input.slice(1).join('x')}, dy ${dyShape.slice(1).join('x')} > dw ${c.filter.join('x')}`,
    flops: flopsOf(c),
    tolerance: 1e-3,
    ours: async (ctx) => oursOp(ctx.engine, shapes, data, (x, dy) => convFilterGrad(x!, dy!, c.filter, { strides: c.stride, padding: 'same' })),
    tfjs: async () => tfOp(shapes, data, (x, dy) =>
      tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: [c.stride, c.stride], pad: 'same', dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: c.filter } as never) as tf.Tensor),
  };
}

const pick = (...names: string[]): ConvCase[] => names.map((n) => convCases.find((c) => c.name === n)!);

export function convBackwardCases(size: BenchSize): BenchCase[] {
  const cases = size === 'tiny' ? pick('conv 3x3 64') : size === 'small' ? pick('conv 3x3 32', 'conv 3x3/2 64>128') : pick('conv 7x7/2 stem', 'conv 3x3 32', 'conv 3x3/2 64>128', 'conv 3x3 128', 'conv 3x3 256');
  return [...cases.map(inputGradCase), ...cases.map(filterGradCase)];
}
