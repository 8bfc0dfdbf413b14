/**
 * Batches that fit the device: a network run on N inputs at once holds N times each per-input
 * activation in one buffer, and a buffer may not exceed what the device binds
 * (maxStorageBufferBindingSize; Engine.maxBindingSize).
 */
import type { Engine } from '../gpu/engine.js';

/**
 * The most inputs per batch for a network whose largest per-input tensor holds `floatsPerInput`
 * f32 values: every buffer of the batch, rounded up to the pool's size class, fits; at least 1.
 */
export function maxBatch(engine: Engine, floatsPerInput: number): number {
  let n = Math.max(1, Math.floor(engine.maxBindingSize / (floatsPerInput * 4)));
  while (n > 1 && !engine.fits(n * floatsPerInput * 4)) n--;
  return n;
}

/** `items` in consecutive groups of at most `size`, in order. */
export function inBatches<T>(items: readonly T[], size: number): T[][] {
  const groups: T[][] = [];
  for (let i = 0; i < items.length; i += size) groups.push(items.slice(i, i + size));
  return groups;
}
