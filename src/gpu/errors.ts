/** Errors the engine throws. Each names the problem so a caller can show it to a user as is. */

export class WebGPUUnavailableError extends Error {
  override name = 'WebGPUUnavailableError';
}

export class DeviceLostError extends Error {
  override name = 'DeviceLostError';
}

/** A kernel call was rejected: bad uniforms, missing buffers, or a GPU validation error. */
export class GPUOpError extends Error {
  override name = 'GPUOpError';
  constructor(readonly op: string, message: string) {
    super(`${op}: ${message}`);
  }
}

export class ShapeError extends Error {
  override name = 'ShapeError';
}

export function assert(condition: unknown, make: () => Error): asserts condition {
  if (!condition) throw make();
}

export function shapeCheck(condition: unknown, op: string, message: string): asserts condition {
  if (!condition) throw new ShapeError(`${op}: ${message}`);
}
