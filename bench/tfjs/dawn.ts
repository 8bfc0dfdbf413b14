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
