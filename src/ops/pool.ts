import gridWGSL from '../../shaders/common/grid.wgsl';
import windowWGSL from '../../shaders/common/window.wgsl';
import poolWGSL from '../../shaders/pool.wgsl';
import { shapeCheck } from '../gpu/errors.js';
import { defineKernel } from '../gpu/kernel.js';
import type { Tensor } from '../gpu/tensor.js';
import { windowGeometry, windowOutputShape, windowUniforms, type Padding } from './window.js';

const kernel = defineKernel('pool', poolWGSL, [gridWGSL, windowWGSL]);

export interface PoolOptions {
  /** Window size per spatial dimension (or one number for all). */
  kernel: number | readonly number[];
  /** Defaults to the window size. */
  strides?: number | readonly number[];
  dilations?: number | readonly number[];
  padding?: Padding;
  ceilMode?: boolean;
  /** Average pooling: divide by the padded window size instead of the positions inside the input. */
  countIncludePad?: boolean;
}

function pool(kind: 'maxPool' | 'avgPool', x: Tensor, options: PoolOptions): Tensor {
  const rank = x.rank - 2;
  shapeCheck(rank >= 1 && rank <= 3, kind, `input must be [N, spatial (1-3 dims), C], got [${x.shape}]`);
  const kernelSize = typeof options.kernel === 'number' ? Array(rank).fill(options.kernel) : [...options.kernel];
  shapeCheck(kernelSize.length === rank, kind, `kernel needs ${rank} value(s), got [${kernelSize}]`);
  const g = windowGeometry(kind, x.shape.slice(1, 1 + rank), kernelSize, { ...options, strides: options.strides ?? kernelSize });
  const channels = x.shape[x.rank - 1]!;
  const y = x.engine.empty(windowOutputShape(g, x.shape[0]!, rank, channels), kind);
  x.engine.dispatch({
    op: kind,
    kernel,
    entry: 'pool',
    overrides: { POOL_MAX: kind === 'maxPool' ? 1 : 0 },
    uniforms: {
      batch: x.shape[0]!, channels, ...windowUniforms(g),
      padEndD: g.padEnd[0], padEndH: g.padEnd[1], padEndW: g.padEnd[2],
      countIncludePad: options.countIncludePad ? 1 : 0,
    },
    buffers: { x, y },
    threads: y.size,
  });
  return y;
}

/** Max pooling over 1, 2 or 3 spatial dimensions of x [N, ...spatial, C]. */
export function maxPool(x: Tensor, options: PoolOptions): Tensor {
  return pool('maxPool', x, options);
}

/** Average pooling over 1, 2 or 3 spatial dimensions of x [N, ...spatial, C]. */
export function avgPool(x: Tensor, options: PoolOptions): Tensor {
  return pool('avgPool', x, options);
}

function globalPool(kind: 'globalAvgPool' | 'globalMaxPool', x: Tensor): Tensor {
  const rank = x.rank - 2;
  shapeCheck(rank >= 1 && rank <= 3, kind, `input must be [N, spatial (1-3 dims), C], got [${x.shape}]`);
  const spatial = [...Array(3 - rank).fill(1), ...x.shape.slice(1, 1 + rank)];
  const channels = x.shape[x.rank - 1]!;
  const y = x.engine.empty([x.shape[0]!, ...Array(rank).fill(1), channels], kind);
  x.engine.dispatch({
    op: kind,
    kernel,
    entry: 'global_pool',
    overrides: { POOL_MAX: kind === 'globalMaxPool' ? 1 : 0 },
    uniforms: {
      batch: x.shape[0]!, channels,
      inD: spatial[0], inH: spatial[1], inW: spatial[2],
      outD: 1, outH: 1, outW: 1,
      kD: spatial[0], kH: spatial[1], kW: spatial[2],
      strideD: 1, strideH: 1, strideW: 1,
      dilD: 1, dilH: 1, dilW: 1,
    },
    buffers: { x, y },
    threads: y.size,
  });
  return y;
}

/** Mean over all spatial positions: [N, ...spatial, C] → [N, 1, ..., 1, C]. */
export function globalAvgPool(x: Tensor): Tensor {
  return globalPool('globalAvgPool', x);
}

/** Max over all spatial positions: [N, ...spatial, C] → [N, 1, ..., 1, C]. */
export function globalMaxPool(x: Tensor): Tensor {
  return globalPool('globalMaxPool', x);
}
