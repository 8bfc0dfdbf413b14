import { adapterKey, Autotuner, type AutotuneMode, type TuneRequest, type TuneResult, type TuneStore } from './autotune.js';
import { BufferPool, sizeClass, type PoolStats } from './buffer-pool.js';
import { acquireDevice, type AcquireOptions, type AdapterDescription } from './device.js';
import { BufferTooLargeError, DeviceLostError, GPUOpError } from './errors.js';
import type { KernelSource } from './kernel.js';
import { packUniforms, workgroupSize, type EntryInfo, type UniformValues } from './reflect.js';
import { sizeOf, Tensor } from './tensor.js';
import { UniformArena } from './uniform-arena.js';

export interface DispatchSpec {
  /** Name of the calling op, used in labels and error messages. */
  op: string;
  kernel: KernelSource;
  entry: string;
  overrides?: Record<string, number>;
  uniforms?: UniformValues;
  /** Buffers by their WGSL binding name. */
  buffers: Record<string, Tensor | GPUBuffer>;
  /**
   * Invocations per dimension: the engine divides them by the entry point's workgroup size
   * (reflected, with the overrides given). Past the device's limit of workgroups per dimension a
   * 1-D grid (a number or [x]) is folded into x·y and a 2-D one ([x, y]) has its y folded into
   * y·z: kernels read their index with `shaders/common/grid.wgsl`. A 3-D grid is not folded.
   */
  threads?: number | readonly [number, number?, number?];
  /** Workgroup counts instead, for kernels where a workgroup owns one item (a row, a reduction); folded the same way. */
  workgroups?: number | readonly [number, number?, number?];
}

type Grid = [number, number, number];

/** Workgroups for `counts` of a grid of `dims` dimensions, folded past `limit` as DispatchSpec.threads says. */
export function foldGrid([x, y, z]: Grid, dims: number, limit: number): Grid {
  if (dims === 1 && x > limit) {
    const rows = Math.ceil(x / limit);
    return [Math.ceil(x / rows), rows, 1];
  }
  if (dims === 2 && y > limit) {
    const layers = Math.ceil(y / limit);
    return [x, Math.ceil(y / layers), layers];
  }
  return [x, y, z];
}

function asGrid(v: number | readonly [number, number?, number?]): { grid: Grid; dims: number } {
  const list = typeof v === 'number' ? [v] : v.filter((d) => d !== undefined);
  const [x, y = 1, z = 1] = list;
  return { grid: [x!, y, z], dims: list.length };
}

export interface EngineOptions extends AcquireOptions {
  /** Use this device instead of acquiring one. */
  device?: GPUDevice;
  adapterInfo?: AdapterDescription;
  /**
   * Bind at most this many bytes per buffer, below the device's limit: tests use it to send
   * inputs through the paths for those that do not fit without allocating hundreds of MB.
   */
  maxBindingSize?: number;
  /** Kernel choice per shape class: 'cached' (default) uses picks timed earlier on this adapter; 'full' also queues new classes for `engine.tune()`; 'off' keeps the hand-set choices. */
  autotune?: AutotuneMode;
  /** Where tuned picks persist (the hosts give one: a file in the user's cache folder, IndexedDB); memory only without. */
  tuneStore?: TuneStore;
}

/**
 * Submit after this many recorded dispatches: the GPU starts on them while JS records the rest
 * (on lavapipe the 192 px style step, 174 dispatches, fell from ~140 to ~117 ms against one
 * submit at the read-back), and no command buffer grows unbounded. TF.js WebGPU batches 15.
 */
const MAX_OPS_PER_BATCH = 8;

type TensorList = Set<Tensor>;

/**
 * The dispatcher: owns the device, pipelines (cached by shader, entry point and overrides),
 * pooled storage buffers, and one command encoder into which all work is recorded until a
 * read-back (or a full batch) submits it.
 */
export class Engine {
  readonly device: GPUDevice;
  readonly adapterInfo: AdapterDescription;
  /** Resolves with the error once the device is lost; every later call throws it. */
  readonly lost: Promise<DeviceLostError>;
  /**
   * The largest buffer a kernel may bind, in bytes (the device's maxStorageBufferBindingSize and
   * maxBufferSize, or EngineOptions.maxBindingSize if lower). Larger ones are refused with
   * BufferTooLargeError before any work is recorded.
   */
  readonly maxBindingSize: number;

  private readonly pool: BufferPool;
  private readonly uniforms: UniformArena;
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  private readonly layouts = new Map<string, { layout: GPUBindGroupLayout; pipelineLayout: GPUPipelineLayout }>();
  private encoder: GPUCommandEncoder | null = null;
  private opsInBatch = 0;
  private readonly batchOps = new Set<string>();
  private afterSubmit: (() => void)[] = [];
  private readonly errorChecks: Promise<GPUError | null>[] = [];
  private readonly errorOps: string[] = [];
  private lostError: DeviceLostError | null = null;
  private destroyed = false;
  private readonly scopes: TensorList[] = [];
  private readonly pendingReads = new Set<(e: Error) => void>();

  static async create(options: EngineOptions = {}): Promise<Engine> {
    const settings = { maxBindingSize: options.maxBindingSize, autotune: options.autotune, tuneStore: options.tuneStore };
    const engine = options.device
      ? new Engine(options.device, options.adapterInfo ?? { vendor: '', architecture: '', device: '', description: 'external device' }, settings)
      : await acquireDevice(options).then(({ device, adapterInfo }) => new Engine(device, adapterInfo, settings));
    await engine.tuner.open();
    return engine;
  }

  /** Kernel picks per shape class on this adapter (see autotune.ts). */
  readonly tuner: Autotuner;

  constructor(device: GPUDevice, adapterInfo: AdapterDescription, limits: Pick<EngineOptions, 'maxBindingSize' | 'autotune' | 'tuneStore'> = {}) {
    this.device = device;
    this.adapterInfo = adapterInfo;
    this.tuner = new Autotuner(limits.autotune ?? 'cached', adapterKey(adapterInfo), limits.tuneStore);
    this.maxBindingSize = Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize, limits.maxBindingSize ?? Infinity);
    this.pool = new BufferPool(device);
    this.uniforms = new UniformArena(device);
    this.lost = device.lost.then((info) => {
      const why = this.destroyed ? 'the engine was destroyed' : `${info.reason}: ${info.message || 'no details'}`;
      this.lostError = new DeviceLostError(`GPU device was lost (${why}). Create a new engine to continue.`);
      for (const reject of this.pendingReads) reject(this.lostError);
      this.pendingReads.clear();
      return this.lostError;
    });
  }

  get limits(): GPUSupportedLimits {
    return this.device.limits;
  }

  /**
   * The subgroup size where kernels may rely on it: the device has the 'subgroups' feature and
   * the adapter reports one fixed size; otherwise 0.
   */
  get subgroupSize(): number {
    const { subgroupMinSize: min, subgroupMaxSize: max } = this.adapterInfo;
    return this.device.features.has('subgroups') && min !== undefined && min === max ? min : 0;
  }

  private checkAlive(): void {
    if (this.lostError) throw this.lostError;
  }

  // ---- tensors -------------------------------------------------------------------------------

  /** Registers a new tensor with the innermost scope, if any. */
  adopt(t: Tensor): Tensor {
    this.scopes[this.scopes.length - 1]?.add(t);
    return t;
  }

  /** Whether a pooled buffer of this many bytes can be bound (pooled sizes round up by up to 25%). */
  fits(bytes: number): boolean {
    return sizeClass(bytes) <= this.maxBindingSize;
  }

  /** A pooled buffer, or BufferTooLargeError (nothing acquired) where it cannot be bound. */
  private acquire(bytes: number, label: string): GPUBuffer {
    if (!this.fits(bytes)) {
      if (bytes > this.maxBindingSize) throw new BufferTooLargeError(label, bytes, this.maxBindingSize);
      throw new BufferTooLargeError(`${label} (${bytes} bytes, rounded up to the pool's size class)`, sizeClass(bytes), this.maxBindingSize);
    }
    return this.pool.acquire(bytes, label);
  }

  /** An uninitialised tensor (its contents are whatever the pooled buffer held). */
  empty(shape: readonly number[], label = 'tensor'): Tensor {
    this.checkAlive();
    if (!shape.every((d) => Number.isInteger(d) && d >= 0)) throw new Error(`${label}: bad shape [${shape}]`);
    const buffer = this.acquire(sizeOf(shape) * 4, label);
    return this.adopt(new Tensor(this, shape, { buffer, refs: 1 }));
  }

  /** Uploads f32 data. The copy is recorded in the command stream, in order with dispatches. */
  tensor(shape: readonly number[], data: ArrayLike<number>, label = 'input'): Tensor {
    if (data.length !== sizeOf(shape)) {
      throw new Error(`${label}: ${data.length} values do not fill shape [${shape}] (${sizeOf(shape)} elements)`);
    }
    const t = this.empty(shape, label);
    this.uploadBytes(t.buffer, data instanceof Float32Array ? data : Float32Array.from(data));
    return t;
  }

  /** Uploads raw bytes (e.g. RGBA pixels) into a pooled storage buffer the caller releases. */
  uploadBytes(target: GPUBuffer, data: ArrayBufferView): void {
    this.checkAlive();
    const bytes = Math.ceil(data.byteLength / 4) * 4;
    if (bytes === 0) return;
    const staging = this.device.createBuffer({ size: bytes, usage: GPUBufferUsage.COPY_SRC, mappedAtCreation: true, label: 'upload' });
    new Uint8Array(staging.getMappedRange()).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    staging.unmap();
    this.commandEncoder().copyBufferToBuffer(staging, 0, target, 0, bytes);
    this.afterSubmit.push(() => staging.destroy());
  }

  /**
   * Writes bytes into part of a buffer, after all work recorded so far and before any recorded
   * later (it flushes first). For data that changes in place between dispatches (gallery rows).
   */
  writeBuffer(target: GPUBuffer, offset: number, data: ArrayBufferView): void {
    this.checkAlive();
    if (data.byteLength === 0) return;
    this.flush();
    this.device.queue.writeBuffer(target, offset, data.buffer, data.byteOffset, data.byteLength);
  }

  /** Records a copy between buffers, in order with dispatches (growing a buffer without re-uploading it). */
  copyBuffer(source: GPUBuffer, target: GPUBuffer, bytes: number): void {
    this.checkAlive();
    if (bytes > 0) this.commandEncoder().copyBufferToBuffer(source, 0, target, 0, bytes);
  }

  /** A raw pooled buffer for kernels whose input is not f32 (e.g. packed RGBA bytes). */
  rawBuffer(bytes: number, label: string): GPUBuffer {
    this.checkAlive();
    return this.acquire(bytes, label);
  }

  private placeholder_: GPUBuffer | null = null;
  /** A tiny buffer bound where a kernel declares an input the call does not use (e.g. no bias). */
  placeholder(): GPUBuffer {
    return (this.placeholder_ ??= this.device.createBuffer({ size: 16, usage: GPUBufferUsage.STORAGE, label: 'unused' }));
  }

  releaseStorage(buffer: GPUBuffer): void {
    if (!this.lostError) this.pool.release(buffer);
  }

  /** Copies a tensor's values to the CPU. Submits pending work; surfaces GPU errors. */
  async read(t: Tensor): Promise<Float32Array> {
    this.checkAlive();
    const bytes = t.size * 4;
    const staging = this.device.createBuffer({ size: Math.max(4, bytes), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, label: 'readback' });
    if (bytes > 0) this.commandEncoder().copyBufferToBuffer(t.buffer, 0, staging, 0, bytes);
    this.flush();
    try {
      await this.untilLost(staging.mapAsync(GPUMapMode.READ));
      const out = new Float32Array(staging.getMappedRange(0, bytes).slice(0));
      staging.unmap();
      await this.throwGPUErrors();
      return out;
    } finally {
      staging.destroy();
    }
  }

  /** Waits for all submitted work; rethrows any GPU error with the op that caused it. */
  async sync(): Promise<void> {
    this.checkAlive();
    this.flush();
    await this.untilLost(this.device.queue.onSubmittedWorkDone());
    await this.throwGPUErrors();
  }

  private untilLost<T>(work: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pendingReads.add(reject);
      work
        .then(resolve, async (e: unknown) => {
          // A destroyed device fails its mappings a moment before `device.lost` settles.
          await Promise.race([this.lost, new Promise((r) => setTimeout(r, 200))]);
          reject(this.lostError ?? e);
        })
        .finally(() => this.pendingReads.delete(reject));
    });
  }

  private async throwGPUErrors(): Promise<void> {
    const checks = this.errorChecks.splice(0);
    const ops = this.errorOps.splice(0);
    const errors = await Promise.all(checks);
    const i = errors.findIndex((e) => e !== null);
    if (i >= 0) throw new GPUOpError(ops[i]!, `GPU error: ${errors[i]!.message}`);
  }

  // ---- scopes --------------------------------------------------------------------------------

  /** Runs `fn`; disposes every tensor it created except those in its result. */
  tidy<T>(fn: () => T): T {
    const scope: TensorList = new Set();
    this.scopes.push(scope);
    try {
      const result = fn();
      this.closeScope(scope, result);
      return result;
    } catch (e) {
      this.closeScope(scope, undefined);
      throw e;
    }
  }

  /** Async form of `tidy`. Scopes must not interleave: await one before starting another. */
  async scope<T>(fn: () => Promise<T>): Promise<T> {
    const scope: TensorList = new Set();
    this.scopes.push(scope);
    try {
      const result = await fn();
      this.closeScope(scope, result);
      return result;
    } catch (e) {
      this.closeScope(scope, undefined);
      throw e;
    }
  }

  /** Moves a tensor out of every open scope so it survives them. */
  keep<T extends Tensor>(t: T): T {
    for (const s of this.scopes) s.delete(t);
    return t;
  }

  private closeScope(scope: TensorList, result: unknown): void {
    if (this.scopes[this.scopes.length - 1] !== scope) throw new Error('tensor scopes were interleaved: await each scope before opening another');
    this.scopes.pop();
    const kept = new Set<Tensor>();
    collectTensors(result, kept);
    const parent = this.scopes[this.scopes.length - 1];
    for (const t of scope) {
      if (kept.has(t)) parent?.add(t);
      else t.dispose();
    }
  }

  // ---- dispatch ------------------------------------------------------------------------------

  private commandEncoder(): GPUCommandEncoder {
    return (this.encoder ??= this.device.createCommandEncoder({ label: 'wgsl-vision batch' }));
  }

  private pipeline(kernel: KernelSource, entry: EntryInfo, overrides: Record<string, number>): { pipeline: GPUComputePipeline; layout: GPUBindGroupLayout } {
    const layoutKey = `${kernel.name}:${entry.name}`;
    let layouts = this.layouts.get(layoutKey);
    if (!layouts) {
      const layout = this.device.createBindGroupLayout({
        label: layoutKey,
        entries: entry.bindings.map((b) => ({
          binding: b.binding,
          visibility: GPUShaderStage.COMPUTE,
          buffer: { type: b.kind, hasDynamicOffset: false },
        })),
      });
      layouts = { layout, pipelineLayout: this.device.createPipelineLayout({ label: layoutKey, bindGroupLayouts: [layout] }) };
      this.layouts.set(layoutKey, layouts);
    }
    const constantKeys = Object.keys(overrides).sort();
    const key = `${layoutKey}{${constantKeys.map((k) => `${k}=${overrides[k]}`).join(',')}}`;
    let pipeline = this.pipelines.get(key);
    if (!pipeline) {
      pipeline = this.device.createComputePipeline({
        label: key,
        layout: layouts.pipelineLayout,
        compute: { module: this.shaderModule(kernel), entryPoint: entry.name, constants: overrides },
      });
      this.pipelines.set(key, pipeline);
    }
    return { pipeline, layout: layouts.layout };
  }

  private readonly modules = new Map<string, GPUShaderModule>();
  private shaderModule(kernel: KernelSource): GPUShaderModule {
    let m = this.modules.get(kernel.name);
    if (!m) this.modules.set(kernel.name, (m = this.device.createShaderModule({ label: kernel.name, code: kernel.code })));
    return m;
  }

  /** Validates a call against the kernel's reflected interface, then records it. */
  dispatch(spec: DispatchSpec): void {
    this.checkAlive();
    const where = `${spec.op} (${spec.kernel.name}.${spec.entry})`;
    const info = spec.kernel.info;
    const entry = info.entries.get(spec.entry);
    if (!entry) throw new GPUOpError(spec.op, `shader '${info.name}' has no entry point '${spec.entry}'`);
    const overrides = spec.overrides ?? {};
    for (const k of Object.keys(overrides)) {
      if (!info.overrides.has(k)) throw new GPUOpError(spec.op, `shader '${info.name}' has no override '${k}'`);
    }
    const given = new Set(Object.keys(spec.buffers));
    const entries: GPUBindGroupEntry[] = [];
    const bound: [string, GPUBuffer, boolean][] = [];
    const layouts = entry.bindings.filter((b) => b.kind === 'uniform').map((b) => info.uniforms.get(b.name)!);
    for (const b of entry.bindings) {
      if (b.kind === 'uniform') {
        const layout = info.uniforms.get(b.name)!;
        const data = packUniforms(layout, spec.uniforms ?? {}, where, layouts);
        entries.push({ binding: b.binding, resource: this.uniforms.alloc(data) });
        continue;
      }
      const value = spec.buffers[b.name];
      if (!value) throw new GPUOpError(spec.op, `missing buffer '${b.name}' for ${where}`);
      given.delete(b.name);
      const buffer = value instanceof Tensor ? value.buffer : value;
      // Pooled buffers were checked when acquired; this catches buffers made elsewhere.
      if (buffer.size > this.maxBindingSize) throw new BufferTooLargeError(`${spec.op}: buffer '${b.name}'`, buffer.size, this.maxBindingSize);
      entries.push({ binding: b.binding, resource: { buffer } });
      bound.push([b.name, buffer, b.kind === 'storage']);
    }
    // WebGPU forbids a buffer bound writable alongside any other binding of it; say so here,
    // with names, rather than as an anonymous error when the batch is submitted.
    for (const [name, buffer, writable] of bound) {
      const twin = bound.find(([other, buf, w]) => other !== name && buf === buffer && (writable || w));
      if (twin) throw new GPUOpError(spec.op, `buffer '${name}' is also bound as '${twin[0]}'; an output cannot alias an input (use a new tensor)`);
    }
    if (given.size) throw new GPUOpError(spec.op, `unknown buffer(s) ${[...given].join(', ')} for ${where}`);
    if (layouts.length === 0 && spec.uniforms && Object.keys(spec.uniforms).length) {
      throw new GPUOpError(spec.op, `${where} does not read uniforms`);
    }

    if ((spec.threads === undefined) === (spec.workgroups === undefined)) throw new GPUOpError(spec.op, `${where}: give threads or workgroups (one of them)`);
    const { grid, dims } = asGrid(spec.threads ?? spec.workgroups!);
    const size = spec.threads !== undefined ? workgroupSize(entry, overrides) : [1, 1, 1];
    const counts = grid.map((t, i) => Math.ceil(t / size[i]!)) as Grid;
    if (counts.some((c) => !Number.isInteger(c) || c < 0)) throw new GPUOpError(spec.op, `${where}: bad grid [${grid}]`);
    if (counts.includes(0)) return;
    const limit = this.device.limits.maxComputeWorkgroupsPerDimension;
    const [wx, wy, wz] = foldGrid(counts, dims, limit);
    if (wx > limit || wy > limit || wz > limit) throw new GPUOpError(spec.op, `dispatch of ${wx}x${wy}x${wz} workgroups exceeds the device limit ${limit}`);

    this.device.pushErrorScope('validation');
    const { pipeline, layout } = this.pipeline(spec.kernel, entry, overrides);
    const bindGroup = this.device.createBindGroup({ label: spec.op, layout, entries });
    const pass = this.commandEncoder().beginComputePass({ label: spec.op });
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(wx, wy, wz);
    pass.end();
    this.errorChecks.push(this.device.popErrorScope());
    this.errorOps.push(spec.op);
    this.batchOps.add(spec.op);
    if (++this.opsInBatch >= MAX_OPS_PER_BATCH) this.flush();
  }

  /** Submits the recorded work. Called by read-backs; call it to start work early. */
  flush(): void {
    if (!this.encoder || this.lostError) return;
    const encoder = this.encoder;
    this.encoder = null;
    this.opsInBatch = 0;
    const recycleUniforms = this.uniforms.upload(this.device.queue);
    this.device.pushErrorScope('validation');
    this.device.queue.submit([encoder.finish()]);
    this.errorChecks.push(this.device.popErrorScope());
    // Errors found when the batch is finished cannot be traced to one dispatch: name them all.
    this.errorOps.push(`batch of [${[...this.batchOps].join(', ')}]`);
    this.batchOps.clear();
    const done = this.afterSubmit.splice(0);
    done.forEach((f) => f());
    this.device.queue.onSubmittedWorkDone().then(recycleUniforms, () => undefined);
  }

  /**
   * Times the kernel variants of each shape (by default the shape classes queued in 'full'
   * mode), keeps the fastest per shape class on this adapter and saves the picks.
   */
  tune(requests?: readonly TuneRequest[], repeats?: number): Promise<TuneResult[]> {
    return this.tuner.tune(this, requests, repeats);
  }

  /** Pool statistics: a flat count over repeated runs means nothing leaks. */
  memory(): PoolStats {
    return this.pool.stats();
  }

  /** Frees pooled buffers not owned by live tensors. */
  trim(): void {
    this.pool.trim();
  }

  /** Releases the device. Pending reads reject with DeviceLostError. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.pool.trim();
    this.uniforms.destroy();
    this.placeholder_?.destroy();
    this.device.destroy();
  }
}

function collectTensors(value: unknown, into: Set<Tensor>, depth = 0): void {
  if (value instanceof Tensor) into.add(value);
  else if (depth < 4 && value && typeof value === 'object') {
    for (const v of Array.isArray(value) ? value : Object.values(value)) collectTensors(v, into, depth + 1);
  }
}
