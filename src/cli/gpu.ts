/** The GPU side of the command line: an engine on Dawn, with a clear error when there is none. */
import { createEngine, nodeGPU, WebGPUUnavailableError, type NodeEngine } from '../node.js';
import { CliError, EXIT } from './errors.js';

/** The Node host's "no adapter" errors already say what was found and what to do: shown as they are. */
async function orNoWebGPU<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    throw e instanceof WebGPUUnavailableError ? new CliError(e.message, EXIT.gpu, 'no-webgpu') : e;
  }
}

/** Dawn on the driver chosen for this machine (WGSL_VISION_DRIVER forces one). */
export function cliGPU(): ReturnType<typeof nodeGPU> {
  return orNoWebGPU(() => nodeGPU());
}

export function createCliEngine(): Promise<NodeEngine> {
  return orNoWebGPU(() => createEngine());
}

/** The adapter in one line: vendor, architecture and description. */
export function adapterLine(info: { vendor?: string; architecture?: string; description?: string; device?: string }): string {
  return [info.description || info.device, info.vendor && `vendor ${info.vendor}`, info.architecture && `arch ${info.architecture}`].filter(Boolean).join(', ') || 'unknown adapter';
}
