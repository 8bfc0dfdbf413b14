/**
 * Storage buffers pooled by size class. A released buffer may be handed out again at once, even
 * while recorded-but-unsubmitted work still reads it: commands on one queue run in order, and
 * uploads go through the command stream too (Engine.uploadBytes), so no write can overtake a read.
 */

const STORAGE_USAGE = () =>
  GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;

/** Rounds up to one of four classes per power of two, so at most 25% of a buffer is wasted. */
export function sizeClass(bytes: number): number {
  const b = Math.max(16, Math.ceil(bytes / 4) * 4);
  if (b <= 256) return Math.ceil(b / 16) * 16;
  const top = 2 ** Math.floor(Math.log2(b));
  const step = top / 4;
  return Math.ceil(b / step) * step;
}

export interface PoolStats {
  /** Buffers created by the pool and not yet destroyed. */
  buffers: number;
  /** Bytes held by those buffers. */
  bytes: number;
  /** Buffers waiting in the pool for reuse. */
  free: number;
  /** Buffers currently owned by live tensors. */
  inUse: number;
}

export class BufferPool {
  private readonly free = new Map<number, GPUBuffer[]>();
  private readonly sizes = new WeakMap<GPUBuffer, number>();
  private stats_: PoolStats = { buffers: 0, bytes: 0, free: 0, inUse: 0 };

  constructor(private readonly device: GPUDevice) {}

  acquire(bytes: number, label: string): GPUBuffer {
    const size = sizeClass(bytes);
    const list = this.free.get(size);
    const reused = list?.pop();
    this.stats_.inUse++;
    if (reused) {
      this.stats_.free--;
      reused.label = label;
      return reused;
    }
    const buffer = this.device.createBuffer({ size, usage: STORAGE_USAGE(), label });
    this.sizes.set(buffer, size);
    this.stats_.buffers++;
    this.stats_.bytes += size;
    return buffer;
  }

  release(buffer: GPUBuffer): void {
    const size = this.sizes.get(buffer);
    if (size === undefined) throw new Error('BufferPool.release: buffer does not belong to this pool');
    let list = this.free.get(size);
    if (!list) this.free.set(size, (list = []));
    list.push(buffer);
    this.stats_.inUse--;
    this.stats_.free++;
  }

  /** Destroys the buffers that wait for reuse (memory pressure, or the end of a task). */
  trim(): void {
    for (const list of this.free.values()) {
      for (const buffer of list) {
        this.stats_.bytes -= this.sizes.get(buffer)!;
        this.stats_.buffers--;
        buffer.destroy();
      }
    }
    this.stats_.free = 0;
    this.free.clear();
  }

  stats(): PoolStats {
    return { ...this.stats_ };
  }
}
