/** The GPU side of the command line: an engine on Dawn, with a clear error when there is none. */
import { existsSync } from 'node:fs';
import { createEngine, nodeGPU, type NodeEngine } from '../node.js';
import { CliError, EXIT } from './errors.js';

/**
 * Fails early, with the reason, when VK_ICD_FILENAMES names a driver file that is not there:
 * Dawn would find no adapter and print its own Vulkan loader warnings first.
 */
export function checkVulkanDriverFile(): void {
  const files = process.env.VK_ICD_FILENAMES;
  if (!files) return;
  const missing = files.split(':').filter((f) => f && !existsSync(f));
  if (missing.length && missing.length === files.split(':').filter(Boolean).length) {
    throw new CliError(`no WebGPU adapter: VK_ICD_FILENAMES names ${missing.join(', ')}, which does not exist`, EXIT.gpu, 'no-webgpu');
  }
}

export async function createCliEngine(): Promise<NodeEngine> {
  checkVulkanDriverFile();
  return createEngine();
}

/** The adapter in one line: vendor, architecture and description. */
export function adapterLine(info: { vendor?: string; architecture?: string; description?: string; device?: string }): string {
  return [info.description || info.device, info.vendor && `vendor ${info.vendor}`, info.architecture && `arch ${info.architecture}`].filter(Boolean).join(', ') || 'unknown adapter';
}

export { nodeGPU };
