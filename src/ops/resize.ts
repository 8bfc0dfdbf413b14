import gridWGSL from '../../shaders/common/grid.wgsl';
import resizeWGSL from '../../shaders/resize.wgsl';
import { shapeCheck } from '../gpu/errors.js';
import { defineKernel } from '../gpu/kernel.js';
import type { Tensor } from '../gpu/tensor.js';

const kernel = defineKernel('resize', resizeWGSL, [gridWGSL]);

/**
 * 'asymmetric': src = dst · in/out (TensorFlow's default); 'halfPixel': pixel centres line up
 * (src = (dst + ½) · in/out − ½); 'alignCorners': the corner pixels line up.
 */
export type ResizeMode = 'asymmetric' | 'halfPixel' | 'alignCorners';

function mapping(inSize: number, outSize: number, mode: ResizeMode): [number, number] {
  if (mode === 'alignCorners') return [outSize > 1 ? (inSize - 1) / (outSize - 1) : 0, 0];
  const scale = inSize / outSize;
  return mode === 'halfPixel' ? [scale, 0.5 * scale - 0.5] : [scale, 0];
}

/** Bilinear resize of x [N, H, W, C] to [N, outH, outW, C]. */
export function resizeBilinear(x: Tensor, size: readonly [number, number], mode: ResizeMode = 'halfPixel'): Tensor {
  const op = 'resizeBilinear';
  shapeCheck(x.rank === 4, op, `input must be [N, H, W, C], got [${x.shape}]`);
  const [outH, outW] = size;
  shapeCheck(Number.isInteger(outH) && Number.isInteger(outW) && outH > 0 && outW > 0, op, `size must be two positive integers, got [${size}]`);
  const [batch, inH, inW, channels] = x.shape as [number, number, number, number];
  const [scaleH, offsetH] = mapping(inH, outH, mode);
  const [scaleW, offsetW] = mapping(inW, outW, mode);
  const y = x.engine.empty([batch, outH, outW, channels], op);
  x.engine.dispatch({
    op,
    kernel,
    entry: 'resize_bilinear',
    uniforms: { batch, inH, inW, channels, outH, outW, scaleH, scaleW, offsetH, offsetW },
    buffers: { x, y },
    threads: y.size,
  });
  return y;
}
