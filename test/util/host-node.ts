import type { Engine } from '../../src/gpu/engine.js';
import { readFile as fsReadFile } from 'node:fs/promises';
import { createNodeEngine } from '../../src/host/node.js';

export const hostName = 'node';

export async function createTestEngine(): Promise<Engine> {
  const engine = await createNodeEngine();
  console.log(`  adapter: ${engine.adapterInfo.description || engine.adapterInfo.device || engine.adapterInfo.vendor} via ${engine.driver}`);
  return engine;
}

/** Reads a file by its path from the repository root. */
export async function readFile(path: string): Promise<Uint8Array> {
  return new Uint8Array(await fsReadFile(path));
}
