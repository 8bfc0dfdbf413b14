import type { Engine } from '../../src/gpu/engine.js';
import { createTestEngine, hostName, readFile } from 'test-host';

export { hostName, readFile };

let shared: Promise<Engine> | null = null;

/** One engine per test bundle, shared by its tests (device creation is slow on CPU Vulkan). */
export function testEngine(): Promise<Engine> {
  return (shared ??= createTestEngine());
}

/** A fresh engine for tests that destroy or lose their device. */
export function freshEngine(): Promise<Engine> {
  return createTestEngine();
}
