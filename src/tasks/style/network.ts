/**
 * Loading the style feature network from a tfjs graph model (model.json with modelTopology and
 * weightsManifest, plus its shards), by URL or through a host's file reader. Networks are built
 * once per engine, model and layer list, and shared.
 */
import type { Engine } from '../../gpu/engine.js';
import { featureNetwork, CENTERNET_LAYERS, type FeatureNetwork, type FeatureNetworkName } from '../../nn/graph/feature-networks.js';
import { fuseHardSwish } from './fuse-hard-swish.js';
import { loadWeights, WeightsError, type ShardReader } from '../../nn/weights.js';

/** The network's model.json and a reader of the shards it names (paths relative to it). */
export interface ModelSource {
  /** Names the model in errors and in the cache. */
  id: string;
  json(): Promise<unknown>;
  read: ShardReader;
}

export interface NetworkRequest {
  name?: FeatureNetworkName;
  /** Layers the graph must compute (friendly or node names); all CenterNet style/content candidates by default. */
  layers?: readonly string[];
}

const VGG_DEFAULT_LAYERS = ['conv1_1', 'conv2_1', 'conv3_1', 'conv4_1', 'conv4_2', 'conv5_1'];

const cache = new WeakMap<Engine, Map<string, Promise<FeatureNetwork>>>();

export function loadStyleNetwork(engine: Engine, source: ModelSource, request: NetworkRequest = {}): Promise<FeatureNetwork> {
  const name = request.name ?? 'centernet-mobilenetv3';
  // The defaults stay computable whatever else is asked for (an unknown layer fails in featureNetwork).
  const defaults = name === 'centernet-mobilenetv3' ? Object.keys(CENTERNET_LAYERS) : request.layers?.length ? VGG_DEFAULT_LAYERS : [];
  const layers = [...new Set([...defaults, ...(request.layers ?? [])])];
  const key = `${name}|${source.id}|${[...layers].sort().join(',')}`;
  let perEngine = cache.get(engine);
  if (!perEngine) cache.set(engine, (perEngine = new Map()));
  let p = perEngine.get(key);
  if (!p) {
    p = (async () => {
      let json: { weightsManifest?: unknown };
      try {
        json = (await source.json()) as { weightsManifest?: unknown };
      } catch (e) {
        throw new WeightsError(`missing or unreadable style model ${source.id}: ${(e as Error).message}`);
      }
      if (!json || !Array.isArray(json.weightsManifest)) throw new WeightsError(`${source.id} is not a tfjs graph model (no weightsManifest)`);
      const weights = await loadWeights(json.weightsManifest, source.read, { source: source.id });
      // One hardSwish kernel per x·relu6(x + 3)/6 pattern instead of four elementwise ones.
      return (await fuseHardSwish(engine, featureNetwork(engine, name, json, weights, layers))).network;
    })();
    perEngine.set(key, p);
    p.catch(() => perEngine!.delete(key));
  }
  return p;
}

/** A model served over HTTP(S); relative URLs resolve against the page. */
export function urlModelSource(modelURL: string | URL): ModelSource {
  const base = new URL(modelURL, (globalThis as { location?: { href: string } }).location?.href);
  const get = async (url: URL): Promise<Response> => {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`HTTP ${res.status} for ${url.href}`);
    return res;
  };
  return {
    id: base.href,
    json: async () => (await get(base)).json(),
    read: async (path) => (await get(new URL(path, base))).arrayBuffer(),
  };
}
