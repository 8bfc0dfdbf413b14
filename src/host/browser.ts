/** Browser host glue: the engine on `navigator.gpu`. */
import { Engine, type EngineOptions } from '../gpu/engine.js';
import type { GalleryJSON, GalleryStore } from '../tasks/face/gallery.js';

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
