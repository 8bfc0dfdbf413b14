/**
 * Uniform data for a batch of dispatches, sub-allocated from shared 64 KiB uniform buffers.
 * Values are staged on the CPU while recording and written once, just before the batch is
 * submitted; a chunk is reused only after the GPU has finished the batch that read it.
 */

const CHUNK_BYTES = 64 * 1024;

interface Chunk {
  buffer: GPUBuffer;
  staging: Uint8Array<ArrayBuffer>;
  used: number;
}

export interface UniformSlice {
  buffer: GPUBuffer;
  offset: number;
  size: number;
}

export class UniformArena {
  private readonly idle: Chunk[] = [];
  private batch: Chunk[] = [];
  private readonly align: number;

  constructor(private readonly device: GPUDevice) {
    this.align = device.limits.minUniformBufferOffsetAlignment;
  }

  alloc(data: ArrayBuffer): UniformSlice {
    const size = data.byteLength;
    let chunk = this.batch[this.batch.length - 1];
    if (!chunk || chunk.used + size > CHUNK_BYTES) {
      chunk = this.idle.pop() ?? {
        buffer: this.device.createBuffer({
          size: CHUNK_BYTES,
          usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
          label: 'uniforms',
        }),
        staging: new Uint8Array(CHUNK_BYTES),
        used: 0,
      };
      chunk.used = 0;
      this.batch.push(chunk);
    }
    const offset = chunk.used;
    chunk.staging.set(new Uint8Array(data), offset);
    chunk.used = Math.ceil((offset + size) / this.align) * this.align;
    return { buffer: chunk.buffer, offset, size };
  }

  /** Writes the batch's uniforms to the GPU; returns a callback that recycles its chunks. */
  upload(queue: GPUQueue): () => void {
    const chunks = this.batch;
    this.batch = [];
    for (const c of chunks) queue.writeBuffer(c.buffer, 0, c.staging, 0, c.used);
    return () => this.idle.push(...chunks);
  }

  destroy(): void {
    for (const c of [...this.idle, ...this.batch]) c.buffer.destroy();
    this.idle.length = 0;
    this.batch = [];
  }
}
