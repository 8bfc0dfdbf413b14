/** Browser host glue: the engine on `navigator.gpu`. */
import { Engine, type EngineOptions } from '../gpu/engine.js';
import type { GalleryJSON, GalleryStore } from '../tasks/face/gallery.js';
import { FACE_API_MODELS } from '../nn/face-api-models.js';
import { loadWeightsFromURL } from '../nn/load-url.js';
import { FaceRecognizer, type FaceRecognizerOptions } from '../tasks/face/recognizer.js';
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
    { ...options, store: options.store === null ? undefined : (options.store ?? indexedDBGalleryStore()) },
  );
}
