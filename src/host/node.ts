/**
 * Node host glue: Dawn (npm `webgpu`) on a Vulkan driver. The only module that touches Node APIs.
 */
import { existsSync } from 'node:fs';
import { create, globals } from 'webgpu';
import { Engine, type EngineOptions } from '../gpu/engine.js';

/** CPU Vulkan drivers tried in order when VK_ICD_FILENAMES is not set. */
const CPU_DRIVERS: [string, string][] = [
  ['Mesa lavapipe', '/usr/share/vulkan/icd.d/lvp_icd.json'],
  ['SwiftShader (Chromium)', '/usr/lib/chromium/vk_swiftshader_icd.json'],
];

export interface NodeGPU {
  gpu: GPU;
  /** The Vulkan driver in use: an ICD chosen here, or what the environment configured. */
  driver: string;
}

// Dawn's GPU object must stay reachable for the life of every device made from it, or the
// process crashes when it is collected: keep it for the process.
let instance: NodeGPU | null = null;

export function nodeGPU(): NodeGPU {
  if (instance) return instance;
  let driver = process.env.VK_ICD_FILENAMES ? `VK_ICD_FILENAMES=${process.env.VK_ICD_FILENAMES}` : 'system Vulkan driver';
  if (!process.env.VK_ICD_FILENAMES) {
    const found = CPU_DRIVERS.find(([, path]) => existsSync(path));
    if (found) {
      process.env.VK_ICD_FILENAMES = found[1];
      driver = `${found[0]} (${found[1]})`;
    }
  }
  Object.assign(globalThis, globals);
  instance = { gpu: create([]) as unknown as GPU, driver };
  return instance;
}

export interface NodeEngine extends Engine {
  driver: string;
}

/** An engine on Dawn; `engine.driver` and `engine.adapterInfo` say which adapter was chosen. */
export async function createNodeEngine(options: Omit<EngineOptions, 'gpu'> = {}): Promise<NodeEngine> {
  const { gpu, driver } = nodeGPU();
  const engine = (await Engine.create({ ...options, gpu })) as NodeEngine;
  engine.driver = driver;
  return engine;
}
