/**
 * Where tuned kernel picks persist in Node (src/gpu/autotune.ts): one JSON file in the user's
 * cache folder, keyed by adapter. A file that cannot be read counts as empty; a pick is only a
 * speed choice, so nothing is lost with it.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TuneStore } from '../gpu/autotune.js';

/** The cache folder: $WGSL_VISION_CACHE_DIR, else $XDG_CACHE_HOME/wgsl-vision, else ~/.cache/wgsl-vision. */
export function nodeCacheDir(): string {
  const env = process.env;
  return env.WGSL_VISION_CACHE_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'wgsl-vision');
}

/** Picks in `file` (default: autotune.json in the cache folder), written whole through a temporary file and a rename. */
export function fileTuneStore(file?: string): TuneStore {
  const path = () => file ?? join(nodeCacheDir(), 'autotune.json');
  const readAll = async (): Promise<Record<string, Record<string, string>>> => {
    try {
      const data: unknown = JSON.parse(await readFile(path(), 'utf8'));
      return data && typeof data === 'object' ? (data as Record<string, Record<string, string>>) : {};
    } catch {
      return {};
    }
  };
  return {
    async load(adapterKey) {
      return (await readAll())[adapterKey] ?? {};
    },
    async save(adapterKey, picks) {
      const target = path();
      const all = await readAll();
      all[adapterKey] = picks;
      await mkdir(dirname(target), { recursive: true });
      const tmp = `${target}.${process.pid}.tmp`;
      await writeFile(tmp, JSON.stringify(all, null, 1));
      await rename(tmp, target);
    },
  };
}
