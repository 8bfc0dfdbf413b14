/** wgsl-vision public API (Node build): the browser API plus Dawn host glue. */
export { Engine, type DispatchSpec, type EngineOptions } from './gpu/engine.js';
export { DeviceLostError, GPUOpError, ShapeError, WebGPUUnavailableError } from './gpu/errors.js';
export { Tensor } from './gpu/tensor.js';
export type { PoolStats } from './gpu/buffer-pool.js';
export * as ops from './ops/index.js';
export { createNodeEngine as createEngine, nodeGPU, type NodeEngine } from './host/node.js';
