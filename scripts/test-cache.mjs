// Tuned kernel picks of a test run (src/gpu/autotune.ts) stay in build/test-cache/, emptied at the
// start of each run: tests read neither a user's cache nor an earlier run's picks. A folder the
// caller names in WGSL_VISION_CACHE_DIR is left as it is.
import { rmSync } from 'node:fs';

export function useFreshTestCache() {
  if (process.env.WGSL_VISION_CACHE_DIR) return;
  const dir = new URL('../build/test-cache/', import.meta.url).pathname;
  rmSync(dir, { recursive: true, force: true });
  process.env.WGSL_VISION_CACHE_DIR = dir;
}
