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

const sized = (bytes: number) => (bytes < 2 ** 20 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 2 ** 20).toFixed(1)} MiB`);

/**
 * A buffer larger than the device lets a kernel bind (maxStorageBufferBindingSize, or a lower
 * limit the engine was given), refused before any GPU work is recorded.
 */
export class BufferTooLargeError extends Error {
  override name = 'BufferTooLargeError';
  constructor(readonly what: string, readonly bytes: number, readonly limit: number) {
    super(
      `${what}: a buffer of ${bytes} bytes (${sized(bytes)}) is larger than the ${limit} bytes (${sized(limit)}) this device binds at once ` +
        '(maxStorageBufferBindingSize); use a smaller input or split the work into pieces that fit',
    );
  }
}

export class ShapeError extends Error {
  override name = 'ShapeError';
}

/** An image with more pixels than can be decoded, or than the device takes in one piece: an input problem. */
export class ImageTooLargeError extends ShapeError {
  override name = 'ImageTooLargeError';
  constructor(readonly width: number, readonly height: number, message: string) {
    super(message);
  }
}

export function assert(condition: unknown, make: () => Error): asserts condition {
  if (!condition) throw make();
}

export function shapeCheck(condition: unknown, op: string, message: string): asserts condition {
  if (!condition) throw new ShapeError(`${op}: ${message}`);
}
