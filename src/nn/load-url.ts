import { loadWeights, WeightsError, type LoadWeightsOptions, type WeightMap } from './weights.js';

/**
 * Loads a weights manifest and its shards by URL (relative URLs resolve against the page).
 * Serve models from your own origin: nothing else is contacted.
 */
export async function loadWeightsFromURL(manifestURL: string | URL, options: Omit<LoadWeightsOptions, 'source'> = {}): Promise<WeightMap> {
  const base = new URL(manifestURL, (globalThis as { location?: { href: string } }).location?.href);
  const get = async (url: URL): Promise<Response> => {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`HTTP ${res.status} for ${url.href}`);
    return res;
  };
  let manifest: unknown;
  try {
    manifest = await (await get(base)).json();
  } catch (e) {
    throw new WeightsError(`missing or unreadable weights manifest ${base.href}: ${(e as Error).message}`);
  }
  return loadWeights(manifest, async (path) => (await get(new URL(path, base))).arrayBuffer(), { ...options, source: base.href });
}
