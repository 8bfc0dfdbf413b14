/** wgsl-vision public API (browser build). */
export { Engine, type DispatchSpec, type EngineOptions } from './gpu/engine.js';
export { DeviceLostError, GPUOpError, ShapeError, WebGPUUnavailableError } from './gpu/errors.js';
export { Tensor } from './gpu/tensor.js';
export type { PoolStats } from './gpu/buffer-pool.js';
export * as ops from './ops/index.js';
export { loadWeights, WeightMap, WeightsError, type Weight, type WeightGroup, type ShardReader } from './nn/weights.js';
export { loadWeightsFromURL } from './nn/load-url.js';
export { FACE_API_MODELS } from './nn/face-api-models.js';

export { createBrowserEngine as createEngine } from './host/browser.js';
