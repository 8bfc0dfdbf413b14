import { Engine } from '../../src/gpu/engine.js';

export const hostName = 'chromium';

export function createTestEngine(): Promise<Engine> {
  return Engine.create();
}

/** The repository root's URL: web-test-runner serves its parent folder (for ../shared). */
export const repoURL = new URL(import.meta.url.slice(0, import.meta.url.indexOf('/build/') + 1));

/** Reads a file by its path from the repository root. */
export async function readFile(path: string): Promise<Uint8Array> {
  const url = new URL(path, repoURL);
  const res = await fetch(url);
  if (!res.ok) throw new Error(`HTTP ${res.status} for ${url}`);
  return new Uint8Array(await res.arrayBuffer());
}
