import { WebGPUUnavailableError } from './errors.js';

export interface AdapterDescription {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** The adapter's subgroup sizes (absent where the browser does not report them). */
  subgroupMinSize?: number;
  subgroupMaxSize?: number;
}

export interface AcquiredDevice {
  device: GPUDevice;
  adapterInfo: AdapterDescription;
}

export interface AcquireOptions {
  /** The `GPU` object; defaults to `navigator.gpu`. Node hosts pass Dawn's; null means none. */
  gpu?: GPU | null;
  powerPreference?: GPUPowerPreference;
  /** Optional features to request besides 'subgroups' (e.g. 'timestamp-query' for profiling),
   *  each only where the adapter has it. */
  features?: GPUFeatureName[];
}

/** Requests an adapter and a device with the adapter's full limits for storage buffers. */
export async function acquireDevice(options: AcquireOptions = {}): Promise<AcquiredDevice> {
  const gpu = 'gpu' in options ? options.gpu : (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (!gpu) {
    throw new WebGPUUnavailableError(
      'WebGPU is not available in this browser: navigator.gpu is missing. ' +
        'Use a recent Chrome, Edge or Safari over https or localhost, or enable WebGPU.',
    );
  }
  const adapter = await gpu.requestAdapter({ powerPreference: options.powerPreference ?? 'high-performance' });
  if (!adapter) {
    throw new WebGPUUnavailableError(
      'WebGPU is not available in this browser: no GPU adapter was found (the GPU may be blocklisted or disabled).',
    );
  }
  const wanted: (keyof GPUSupportedLimits)[] = [
    'maxStorageBufferBindingSize',
    'maxBufferSize',
    'maxComputeWorkgroupStorageSize',
    'maxComputeInvocationsPerWorkgroup',
    'maxStorageBuffersPerShaderStage',
  ];
  const requiredLimits: Record<string, number> = {};
  for (const key of wanted) requiredLimits[key] = adapter.limits[key] as number;
  // Subgroups let the matmul kernels for CPU drivers share loads between SIMD lanes.
  const requiredFeatures = (['subgroups', ...(options.features ?? [])] as GPUFeatureName[]).filter((f) => adapter.features.has(f));
  const device = await adapter.requestDevice({ requiredLimits, requiredFeatures, label: 'wgsl-vision' });
  const info = adapter.info;
  return {
    device,
    adapterInfo: {
      vendor: info?.vendor ?? '',
      architecture: info?.architecture ?? '',
      device: info?.device ?? '',
      description: info?.description ?? '',
      subgroupMinSize: (info as { subgroupMinSize?: number } | undefined)?.subgroupMinSize,
      subgroupMaxSize: (info as { subgroupMaxSize?: number } | undefined)?.subgroupMaxSize,
    },
  };
}
