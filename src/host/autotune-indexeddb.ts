/**
 * Where tuned kernel picks persist in browsers (src/gpu/autotune.ts): this origin's IndexedDB,
 * one record per adapter. A store that cannot be read counts as empty.
 */
import type { TuneStore } from '../gpu/autotune.js';

/** Picks in this origin's IndexedDB (database 'wgsl-vision-autotune', one record per adapter). */
export function indexedDBTuneStore(database = 'wgsl-vision-autotune'): TuneStore {
  const open = () =>
    new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open(database, 1);
      request.onupgradeneeded = () => request.result.createObjectStore('picks');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  const run = async <T>(mode: IDBTransactionMode, f: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> => {
    const db = await open();
    try {
      return await new Promise<T>((resolve, reject) => {
        const request = f(db.transaction('picks', mode).objectStore('picks'));
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
    } finally {
      db.close();
    }
  };
  return {
    async load(adapterKey) {
      if (typeof indexedDB === 'undefined') return {};
      return ((await run('readonly', (s) => s.get(adapterKey))) as Record<string, string> | undefined) ?? {};
    },
    async save(adapterKey, picks) {
      if (typeof indexedDB === 'undefined') return;
      await run('readwrite', (s) => s.put(picks, adapterKey));
    },
  };
}
