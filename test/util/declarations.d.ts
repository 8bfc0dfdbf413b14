declare module 'test-host' {
  import type { Engine } from '../../src/gpu/engine.js';
  export const hostName: 'chromium' | 'node';
  export function createTestEngine(): Promise<Engine>;
  export function readFile(path: string): Promise<Uint8Array>;
}
