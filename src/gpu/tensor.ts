import type { Engine } from './engine.js';
import { shapeCheck } from './errors.js';

/** GPU memory shared by a tensor and its reshaped views; returned to the pool with the last one. */
export interface Storage {
  buffer: GPUBuffer;
  refs: number;
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** A shape viewed as [outer, length, inner] around one axis (negative counts from the end). */
export function axisView(op: string, shape: readonly number[], axisArg: number): { axis: number; outer: number; length: number; inner: number } {
  const axis = axisArg < 0 ? shape.length + axisArg : axisArg;
  shapeCheck(Number.isInteger(axis) && axis >= 0 && axis < shape.length, op, `axis ${axisArg} is out of range for [${shape}]`);
  return { axis, outer: sizeOf(shape.slice(0, axis)), length: shape[axis]!, inner: sizeOf(shape.slice(axis + 1)) };
}

/**
 * An f32 array on the GPU with a shape. Images and activations are NHWC (channels last).
 * Dispose it (or create it inside `engine.tidy`) to give its memory back.
 */
export class Tensor {
  private disposed = false;

  constructor(
    readonly engine: Engine,
    readonly shape: readonly number[],
    private readonly storage: Storage,
  ) {}

  get size(): number {
    return sizeOf(this.shape);
  }

  get rank(): number {
    return this.shape.length;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  get buffer(): GPUBuffer {
    if (this.disposed) throw new Error(`Tensor [${this.shape}] was used after dispose()`);
    return this.storage.buffer;
  }

  /** A view with another shape of the same element count, sharing memory. */
  reshape(shape: readonly number[]): Tensor {
    const known = shape.filter((d) => d !== -1);
    const resolved = shape.map((d) => (d === -1 ? this.size / sizeOf(known) : d));
    if (sizeOf(resolved) !== this.size || !resolved.every(Number.isInteger)) {
      throw new Error(`reshape: cannot view [${this.shape}] as [${shape}]`);
    }
    void this.buffer;
    this.storage.refs++;
    return this.engine.adopt(new Tensor(this.engine, resolved, this.storage));
  }

  read(): Promise<Float32Array> {
    return this.engine.read(this);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (--this.storage.refs === 0) this.engine.releaseStorage(this.storage.buffer);
  }
}
