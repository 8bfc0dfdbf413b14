import { Engine } from '../../src/gpu/engine.js';

export const hostName = 'chromium';

export function createTestEngine(): Promise<Engine> {
  return Engine.create();
}
