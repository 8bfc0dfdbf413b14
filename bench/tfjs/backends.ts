/**
 * TF.js's WebGPU backend on our engine's GPUDevice, so both run on one adapter and queue (its own
 * factory, registered on import where navigator.gpu exists, would request another device).
 */
import * as tf from '@tensorflow/tfjs';
import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type { Engine } from '../../src/gpu/engine.js';

export function tfjsWebGPUOnEngine(engine: Engine): void {
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', () => new WebGPUBackend(engine.device, engine.adapterInfo as unknown as GPUAdapterInfo));
}
