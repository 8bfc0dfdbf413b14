import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { nodeGPU } from '../../src/host/node.js';

/**
 * TF.js's WebGPU backend looks for navigator.gpu: give it Dawn's, the same instance our engine
 * uses, so both run on one adapter (benchmarks then build the backend on the engine's device).
 */
export async function shareDawnWithTfjs(): Promise<void> {
  const { gpu } = await nodeGPU();
  const nav = (globalThis as { navigator?: object }).navigator;
  if (nav) Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu, userAgent: `Node.js ${process.version}` }, configurable: true, writable: true });
}

/**
 * The folder of TF.js WASM's .wasm files, ending in '/'. TF.js is bundled into our ES modules,
 * where the WASM backend's Emscripten loader finds no CommonJS __dirname: this gives it the
 * package's folder too (it only locates its .wasm files with it).
 */
export function tfjsWasmDir(): string {
  const dir = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'));
  (globalThis as { __dirname?: string }).__dirname ??= dir;
  return dir + '/';
}
