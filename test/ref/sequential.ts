/**
 * A plain-loop forward pass of sequential layer specs (src/nn/layers.ts) on the CPU, with the
 * parameters read back from the model: the reference for 1-D, 2-D and 3-D sequential models.
 * Batch norm runs in training mode (the batch's statistics).
 */
import type { LayerSpec } from '../../src/nn/layers.js';
import { refBatchNormTrain } from './backward.js';
import { refConv } from './conv.js';
import { refActivation } from './elementwise.js';
import { refMatmul } from './matmul.js';
import { refAlongAxis, refL2 } from './misc.js';
import { refPool } from './pool.js';

const each = (v: number | readonly number[], rank: number) => (typeof v === 'number' ? Array<number>(rank).fill(v) : [...v]);

/** TensorFlow's SAME padding of one axis. */
function samePad(size: number, k: number, s: number): [number, number] {
  const total = Math.max(0, (Math.ceil(size / s) - 1) * s + k - size);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

export function refSequential(layers: readonly LayerSpec[], params: Record<string, Float32Array>, x: Float32Array, shape: readonly number[]): { data: Float32Array; shape: number[] } {
  let data = x;
  let s = [...shape]; // [N, ...spatial, C] or [N, K]
  const counts: Record<string, number> = {};
  const nameOf = (kind: string) => `${kind}_${(counts[kind] = (counts[kind] ?? 0) + 1)}`;
  for (const l of layers) {
    const rank = s.length - 2;
    const C = s[s.length - 1]!;
    switch (l.type) {
      case 'conv1d':
      case 'conv2d':
      case 'conv3d': {
        const name = nameOf(l.type);
        const kernel = each(l.kernel, rank), strides = each(l.strides ?? 1, rank);
        const pads = s.slice(1, 1 + rank).map((d, a) => (l.padding === 'valid' ? [0, 0] : samePad(d, kernel[a]!, strides[a]!)));
        const r = refConv(data, params[`${name}/kernel`]!, { inShape: s, kernel, outC: l.filters, groups: 1, strides, dilations: kernel.map(() => 1), padBegin: pads.map((p) => p[0]!), padEnd: pads.map((p) => p[1]!) });
        const bias = params[`${name}/bias`]!;
        data = r.data.map((v, i) => refActivation(l.activation ?? 'none', v + bias[i % l.filters]!));
        s = r.shape;
        break;
      }
      case 'maxPool':
      case 'avgPool': {
        const kernel = each(l.size, rank), strides = each(l.strides ?? l.size, rank);
        const outSpatial = s.slice(1, 1 + rank).map((d, a) => Math.floor((d - kernel[a]!) / strides[a]!) + 1);
        const zeros = kernel.map(() => 0);
        data = refPool(data, { inShape: s, kernel, strides, dilations: kernel.map(() => 1), padBegin: zeros, padEnd: zeros, outSpatial, kind: l.type === 'maxPool' ? 'max' : 'avg', countIncludePad: false });
        s = [s[0]!, ...outSpatial, C];
        break;
      }
      case 'batchNorm': {
        const name = nameOf('batch_normalization');
        data = Float32Array.from(refBatchNormTrain(data, params[`${name}/gamma`]!, params[`${name}/beta`]!, C, 1e-3).y);
        break;
      }
      case 'globalAvgPool': {
        const count = data.length / (s[0]! * C);
        const out = new Float32Array(s[0]! * C);
        for (let i = 0; i < data.length; i++) out[Math.floor(i / (count * C)) * C + (i % C)]! += data[i]! / count;
        data = out;
        s = [s[0]!, C];
        break;
      }
      case 'flatten':
        s = [s[0]!, data.length / s[0]!];
        break;
      case 'dense': {
        const name = nameOf('dense');
        const K = data.length / s[0]!;
        const b = params[`${name}/bias`]!;
        data = refMatmul(data, params[`${name}/kernel`]!, { batch: 1, M: s[0]!, N: l.units, K, transA: false, transB: false, bias: (_m, n) => b[n]! }).map((v) => refActivation(l.activation ?? 'none', v));
        s = [s[0]!, l.units];
        break;
      }
      case 'l2Normalize':
        data = refAlongAxis(data, s, s.length - 1, refL2(1e-12));
        break;
    }
  }
  return { data, shape: s };
}
