import { Engine } from '../../src/gpu/engine.js';

export const hostName = 'chromium';

export function createTestEngine(): Promise<Engine> {
  return Engine.create();
}

/** Reads a file by its path from the repository root (served by web-test-runner). */
export async function readFile(path: string): Promise<Uint8Array> {
  const res = await fetch(`/${path}`);
  if (!res.ok) throw new Error(`HTTP ${res.status} for /${path}`);
  return new Uint8Array(await res.arrayBuffer());
}
