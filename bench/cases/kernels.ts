/**
 * Kernel families, ours against TF.js on the same shapes: convolution (the face ResNet's layers
 * from shapes.ts), depthwise convolution, matmul, pooling, elementwise, softmax, L2
 * normalisation, bilinear resize, and the convolution's backward kernels (conv-backward.ts). Per size: tiny (one small shape each), small, full.
 */
import * as tf from '@tensorflow/tfjs';
import type { Tensor } from '../../src/gpu/tensor.js';
import { conv } from '../../src/ops/conv.js';
import { add, unary } from '../../src/ops/elementwise.js';
import { matmul } from '../../src/ops/matmul.js';
import { l2Normalize, softmax } from '../../src/ops/normalize.js';
import { avgPool, maxPool } from '../../src/ops/pool.js';
import { resizeBilinear } from '../../src/ops/resize.js';
import { convCases, flopsOf, matmulCases, shapeOf, type ConvCase } from './shapes.js';
import { convBackwardCases } from './conv-backward.js';
import { hwc, inputsFor, oursOp, tfOp } from './runners.js';
import type { BenchCase, BenchSize } from '../types.js';

/** Per-size picks: [tiny, small, full]. */
const bySize = <T>(size: BenchSize, tiny: T[], small: T[], full: T[]): T[] => (size === 'tiny' ? tiny : size === 'small' ? small : full);

/** An op whose inputs are random arrays of the given shapes, the same on both sides. */
function simpleCase(
  c: Omit<BenchCase, 'ours' | 'tfjs' | 'group'>,
  shapes: number[][],
  ours: (...xs: Tensor[]) => Tensor,
  theirs: (...xs: tf.Tensor[]) => tf.Tensor,
  scales: number[] = [],
  seed = 1,
): BenchCase {
  const data = inputsFor(shapes, seed, scales);
  return {
    group: 'kernel',
    tolerance: 1e-3,
    ...c,
    ours: async (ctx) => oursOp(ctx.engine, shapes, data, ours),
    tfjs: async () => tfOp(shapes, data, theirs),
  };
}

function convCase(c: ConvCase): BenchCase {
  const fanIn = c.filter[0] * c.filter[1] * c.filter[2];
  return simpleCase(
    { family: 'conv', name: c.name, shape: shapeOf(c), flops: flopsOf(c) },
    [c.input, c.filter],
    (x, w) => conv(x!, w!, { strides: c.stride, padding: 'same' }),
    (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.stride, 'same'),
    [1, 1 / Math.sqrt(fanIn)],
  );
}

/** Depthwise 3x3 (MobileNet-style): ours as a grouped conv with filter [3, 3, 1, C], TF.js depthwiseConv2d with [3, 3, C, 1] (the same memory). */
function depthwiseCase(hw: number, c: number, stride: number): BenchCase {
  const out = Math.ceil(hw / stride);
  return simpleCase(
    { family: 'depthwise conv', name: `depthwise 3x3${stride > 1 ? `/${stride}` : ''} ${c}`, shape: `${hw}x${hw}x${c} 3x3/${stride} > ${out}x${out}x${c}`, flops: 2 * out * out * c * 9 },
    [[1, hw, hw, c], [3, 3, 1, c]],
    (x, w) => conv(x!, w!, { strides: stride, padding: 'same', groups: c }),
    (x, w) => tf.depthwiseConv2d(x as tf.Tensor4D, w!.reshape([3, 3, c, 1]) as tf.Tensor4D, stride, 'same'),
    [1, 1 / 3],
  );
}

function matmulCase(n: number): BenchCase {
  const m = matmulCases.find((x) => x.n === n) ?? { kind: 'matmul' as const, name: `matmul ${n}`, m: n, n, k: n };
  return simpleCase(
    { family: 'matmul', name: m.name, shape: shapeOf(m), flops: flopsOf(m) },
    [[m.m, m.k], [m.k, m.n]],
    (a, b) => matmul(a!, b!),
    (a, b) => tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D),
    [1, 1 / Math.sqrt(m.k)],
  );
}

/** Max pool 3x3/2 or average pool 2x2/2, valid padding. */
function poolCase(kind: 'max' | 'avg', hw: number, c: number): BenchCase {
  const k = kind === 'max' ? 3 : 2;
  const out = Math.floor((hw - k) / 2) + 1;
  return simpleCase(
    { family: 'pooling', name: `${kind} pool ${k}x${k}/2`, shape: `${hw}x${hw}x${c} > ${out}x${out}x${c}`, flops: null },
    [[1, hw, hw, c]],
    (x) => (kind === 'max' ? maxPool : avgPool)(x!, { kernel: k, strides: 2 }),
    (x) => (kind === 'max' ? tf.maxPool : tf.avgPool)(x as tf.Tensor4D, k, 2, 'valid'),
  );
}

function addCase(hw: number, c: number): BenchCase {
  const s = [1, hw, hw, c];
  return simpleCase(
    { family: 'elementwise', name: 'add', shape: `${hw}x${hw}x${c} + ${hw}x${hw}x${c}`, flops: null },
    [s, s],
    (a, b) => add(a!, b!),
    (a, b) => tf.add(a!, b!),
  );
}

function biasReluCase(hw: number, c: number): BenchCase {
  return simpleCase(
    { family: 'elementwise', name: 'add bias (broadcast) + relu', shape: `${hw}x${hw}x${c} + ${c}`, flops: null },
    [[1, hw, hw, c], [c]],
    // Two dispatches on our side (add, then relu), as TF.js does them.
    (x, b) => {
      const s = add(x!, b!);
      const y = unary(s, 'relu');
      s.dispose();
      return y;
    },
    (x, b) => tf.relu(tf.add(x!, b!)),
  );
}

function softmaxCase(rows: number, cols: number): BenchCase {
  return simpleCase(
    { family: 'softmax', name: 'softmax', shape: `${rows}x${cols}, last axis`, flops: null },
    [[rows, cols]],
    (x) => softmax(x!, -1),
    (x) => tf.softmax(x!, -1),
    [4],
  );
}

function l2Case(rows: number, dims: number): BenchCase {
  return simpleCase(
    { family: 'l2 normalise', name: 'l2 normalise', shape: `${rows}x${dims}, last axis`, flops: null },
    [[rows, dims]],
    (x) => l2Normalize(x!, -1),
    // TF.js has no fused op: x / sqrt(max(sum(x²), eps)) as in tf.layers' l2 normalisation.
    (x) => tf.div(x!, tf.sqrt(tf.maximum(tf.sum(tf.square(x!), -1, true), 1e-12))),
  );
}

function resizeCase(hw: number, c: number, outHw: number): BenchCase {
  const s = [1, hw, hw, c];
  return simpleCase(
    { family: 'resize', name: 'resize bilinear', shape: `${hwc(s)} > ${outHw}x${outHw}x${c}`, flops: null },
    [s],
    (x) => resizeBilinear(x!, [outHw, outHw], 'halfPixel'),
    (x) => tf.image.resizeBilinear(x as tf.Tensor4D, [outHw, outHw], false, true),
  );
}

const conv_ = (name: string) => convCase(convCases.find((c) => c.name === name)!);

/** Every kernel family at the given size. */
export function kernelCases(size: BenchSize): BenchCase[] {
  return [
    ...bySize(size, [conv_('conv 3x3 64')], ['conv 7x7/2 stem', 'conv 3x3 32', 'conv 3x3/2 64>128', 'conv 3x3 256'].map(conv_), convCases.map(convCase)),
    ...bySize(size, [depthwiseCase(19, 64, 1)], [depthwiseCase(38, 128, 1), depthwiseCase(38, 128, 2)], [depthwiseCase(75, 64, 1), depthwiseCase(38, 128, 1), depthwiseCase(38, 128, 2), depthwiseCase(19, 512, 1)]),
    ...bySize(size, [128], [256, 512], [256, 512, 1024]).map(matmulCase),
    ...bySize(size, [poolCase('max', 37, 32)], [poolCase('max', 75, 32), poolCase('avg', 38, 64)], [poolCase('max', 75, 32), poolCase('max', 150, 64), poolCase('avg', 38, 64)]),
    ...bySize(size, [addCase(37, 32)], [addCase(75, 32), biasReluCase(75, 32)], [addCase(75, 32), addCase(150, 64), biasReluCase(150, 64)]),
    ...bySize(size, [softmaxCase(64, 100)], [softmaxCase(256, 1000)], [softmaxCase(256, 1000), softmaxCase(1024, 1000)]),
    ...bySize(size, [l2Case(256, 128)], [l2Case(10_000, 128)], [l2Case(10_000, 128), l2Case(100_000, 128)]),
    ...bySize(size, [resizeCase(19, 32, 38)], [resizeCase(75, 32, 150)], [resizeCase(75, 32, 150), resizeCase(150, 3, 300)]),
    ...convBackwardCases(size),
  ];
}
