import type { Engine } from '../../src/gpu/engine.js';
import { createNodeEngine } from '../../src/host/node.js';

export const hostName = 'node';

export async function createTestEngine(): Promise<Engine> {
  const engine = await createNodeEngine();
  console.log(`  adapter: ${engine.adapterInfo.description || engine.adapterInfo.device || engine.adapterInfo.vendor} via ${engine.driver}`);
  return engine;
}
