/** Browser host glue: the engine on `navigator.gpu`. */
import { Engine, type EngineOptions } from '../gpu/engine.js';
import type { GalleryStorage } from '../tasks/face/gallery.js';
import { indexedDBTuneStore } from './autotune-indexeddb.js';
import { indexedDBGalleryStorage } from './gallery-indexeddb.js';
import { FACE_API_MODELS } from '../nn/face-api-models.js';
import { loadWeightsFromURL } from '../nn/load-url.js';
import { FaceRecognizer, type FaceRecognizerOptions, type GraphModelLoader } from '../tasks/face/recognizer.js';
import { WeightsError } from '../nn/weights.js';
import { toRGBA, type BrowserImageInput } from './browser-image.js';

/** The engine on navigator.gpu, its tuned kernel picks kept in this origin's IndexedDB. */
export function createBrowserEngine(options: EngineOptions = {}): Promise<Engine> {
  return Engine.create({ tuneStore: indexedDBTuneStore(), ...options });
}



export interface BrowserFaceRecognizerOptions extends Omit<FaceRecognizerOptions, 'store'> {
  /** Folder URL of face-api's model files, served from your own origin. */
  modelBaseURL?: string;
  /** Where human-models' graph models are served (the other descriptors, passive liveness); './models/human/' by default. */
  graphModelBaseURL?: string;
  /** An engine to share; one is created otherwise. */
  engine?: Engine;
  /** Gallery persistence: this origin's IndexedDB (indexedDBGalleryStorage()) by default, `null` for memory only. */
  store?: GalleryStorage | null;
}

/** The face pipeline in a browser: images as ImageBitmap, <img>, <canvas>, ImageData or Blob. */
export async function createFaceRecognizer(options: BrowserFaceRecognizerOptions = {}): Promise<FaceRecognizer<BrowserImageInput>> {
  const engine = options.engine ?? (await createBrowserEngine());
  const base = new URL(options.modelBaseURL ?? './models/', globalThis.location?.href);
  return FaceRecognizer.create(
    engine,
    (model) => loadWeightsFromURL(new URL(FACE_API_MODELS[model].manifest, base), { sha256: FACE_API_MODELS[model].sha256 }),
    toRGBA,
    {
      ...options,
      graphModels: options.graphModels ?? urlGraphModels(new URL(options.graphModelBaseURL ?? './models/human/', globalThis.location?.href)),
      store: options.store === null ? undefined : (options.store ?? indexedDBGalleryStorage()),
    },
  );
}

/** Graph models by URL: `base`/<file> and its shards beside it, from the page's own origin or wherever base points. */
function urlGraphModels(base: URL): GraphModelLoader {
  return (file) => {
    const url = new URL(file, base);
    const get = async (u: URL) => {
      const r = await fetch(u);
      if (!r.ok) throw new WeightsError(`model file ${u} could not be loaded (HTTP ${r.status})`);
      return r;
    };
    return {
      json: async () => {
        const text = await (await get(url)).text();
        try {
          return JSON.parse(text);
        } catch {
          throw new WeightsError(`model file ${url} is not JSON (truncated or not a model.json?)`);
        }
      },
      read: async (shard) => new Uint8Array(await (await get(new URL(shard, url))).arrayBuffer()),
    };
  };
}
