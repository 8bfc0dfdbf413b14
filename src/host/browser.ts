/** Browser host glue: the engine on `navigator.gpu`. */
import { Engine, type EngineOptions } from '../gpu/engine.js';
import type { GalleryJSON, GalleryStore } from '../tasks/face/gallery.js';
import { FACE_API_MODELS } from '../nn/face-api-models.js';
import { loadWeightsFromURL } from '../nn/load-url.js';
import { FaceRecognizer, type FaceRecognizerOptions, type GraphModelLoader } from '../tasks/face/recognizer.js';
import { WeightsError } from '../nn/weights.js';
import { toRGBA, type BrowserImageInput } from './browser-image.js';

export function createBrowserEngine(options: EngineOptions = {}): Promise<Engine> {
  return Engine.create(options);
}


function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

/** Persists a face gallery in this origin's IndexedDB, so it survives a reload. Nothing leaves the device. */
export function indexedDBGalleryStore(database = 'wgsl-vision', key = 'gallery'): GalleryStore {
  const open = (): Promise<IDBDatabase> => {
    const r = indexedDB.open(database, 1);
    r.onupgradeneeded = () => r.result.createObjectStore('galleries');
    return request(r);
  };
  return {
    async load() {
      const db = await open();
      try {
        return ((await request(db.transaction('galleries').objectStore('galleries').get(key))) as GalleryJSON | undefined) ?? null;
      } finally {
        db.close();
      }
    },
    async save(json) {
      const db = await open();
      try {
        const tx = db.transaction('galleries', 'readwrite');
        tx.objectStore('galleries').put(json, key);
        await new Promise<void>((resolve, reject) => {
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(tx.error);
        });
      } finally {
        db.close();
      }
    },
  };
}

export interface BrowserFaceRecognizerOptions extends FaceRecognizerOptions {
  /** Folder URL of face-api's model files, served from your own origin. */
  modelBaseURL?: string;
  /** Where human-models' graph models are served (the other descriptors, passive liveness); './models/human/' by default. */
  graphModelBaseURL?: string;
  /** An engine to share; one is created otherwise. */
  engine?: Engine;
  /** Gallery persistence; IndexedDB ('wgsl-vision' database) by default, `null` for memory only. */
  store?: GalleryStore;
}

/** The face pipeline in a browser: images as ImageBitmap, <img>, <canvas>, ImageData or Blob. */
export async function createFaceRecognizer(options: BrowserFaceRecognizerOptions = {}): Promise<FaceRecognizer<BrowserImageInput>> {
  const engine = options.engine ?? (await Engine.create());
  const base = new URL(options.modelBaseURL ?? './models/', globalThis.location?.href);
  return FaceRecognizer.create(
    engine,
    (model) => loadWeightsFromURL(new URL(FACE_API_MODELS[model].manifest, base), { sha256: FACE_API_MODELS[model].sha256 }),
    toRGBA,
    {
      ...options,
      graphModels: options.graphModels ?? urlGraphModels(new URL(options.graphModelBaseURL ?? './models/human/', globalThis.location?.href)),
      store: options.store === null ? undefined : (options.store ?? indexedDBGalleryStore()),
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
