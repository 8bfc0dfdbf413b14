// The browser gallery storage (src/host/gallery-indexeddb.ts): one IndexedDB record per person.
// Checked against the database itself (its object stores read directly), including the move of
// a gallery that the single-record store of version 1 left behind.
import { indexedDBGalleryStorage } from '../../src/host/gallery-indexeddb.js';
import type { PersonDescriptors } from '../../src/tasks/face/gallery-index.js';
import { assert, assertEqual, assertRejects } from '../util/assert.js';

const DLIB3 = { dims: 3, descriptor: 'dlib' };
let count = 0;
const newDatabase = () => `wgsl-vision-test-${Date.now()}-${count++}`;
const plain = (people: PersonDescriptors[]) => people.map((p) => ({ id: p.id, descriptors: p.descriptors.map((d) => Array.from(d)) }));
const f32 = (...values: number[]) => Float32Array.from(values);

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

/** The database as it is, opened without the storage (at whatever version it has). */
async function raw<T>(database: string, store: string, read: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await request(indexedDB.open(database));
  try {
    return await request(read(db.transaction(store).objectStore(store)));
  } finally {
    db.close();
  }
}

async function drop(database: string): Promise<void> {
  await request(indexedDB.deleteDatabase(database));
}

/** A database as version 1 (src/host/browser.ts's indexedDBGalleryStore) left it: the whole gallery in one record. */
async function legacyDatabase(database: string, json: unknown): Promise<void> {
  const open = indexedDB.open(database, 1);
  open.onupgradeneeded = () => open.result.createObjectStore('galleries');
  const db = await request(open);
  const tx = db.transaction('galleries', 'readwrite');
  tx.objectStore('galleries').put(json, 'gallery');
  await new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
  });
  db.close();
}

describe('face gallery storage in IndexedDB (one record per person)', () => {
  it('stores each person in their own record and reads everyone back, in enrolment order, after a reopen', async () => {
    const database = newDatabase();
    const s = indexedDBGalleryStorage({ database });
    assertEqual(await s.load(DLIB3), [], 'a new gallery');
    assertEqual(await s.append([{ id: 'zoe', descriptors: [f32(1, 0, 0)] }, { id: 'bob', descriptors: [f32(0, 1, 0), f32(0, 0.5, 0.25)] }]), [], 'changes');
    await s.append([{ id: 'zoe', descriptors: [f32(0.75, 0, 0.125)] }, { id: 'amy', descriptors: [f32(0, 0, 1)] }]);
    await s.close();
    const again = indexedDBGalleryStorage({ database });
    assertEqual(
      plain(await again.load(DLIB3)),
      [
        { id: 'zoe', descriptors: [[1, 0, 0], [0.75, 0, 0.125]] },
        { id: 'bob', descriptors: [[0, 1, 0], [0, 0.5, 0.25]] },
        { id: 'amy', descriptors: [[0, 0, 1]] },
      ],
      'reopened',
    );
    await again.close();
    const records = (await raw(database, 'people', (st) => st.getAll())) as { gallery: string; id: string; count: number; data: Float32Array }[];
    assertEqual(records.map((r) => [r.gallery, r.id, r.count]).sort(), [['gallery', 'amy', 1], ['gallery', 'bob', 2], ['gallery', 'zoe', 2]], 'records (gallery, id, count)');
    const zoe = records.find((r) => r.id === 'zoe')!;
    assert(zoe.data instanceof Float32Array, 'descriptors are stored as a Float32Array');
    assertEqual(Array.from(zoe.data), [1, 0, 0, 0.75, 0, 0.125], "zoe's record");
    await drop(database);
  });

  it('forget deletes the person’s record; clear deletes this gallery’s records and no other’s', async () => {
    const database = newDatabase();
    const one = indexedDBGalleryStorage({ database, gallery: 'one' });
    const two = indexedDBGalleryStorage({ database, gallery: 'two' });
    await one.load(DLIB3);
    await two.load({ dims: 4, descriptor: 'mobilefacenet' });
    await one.append([{ id: 'ada', descriptors: [f32(1, 0, 0)] }, { id: 'bob', descriptors: [f32(0, 1, 0)] }]);
    await two.append([{ id: 'ada', descriptors: [f32(1, 2, 3, 4)] }]);
    assert((await raw(database, 'people', (st) => st.get(['one', 'bob']))) !== undefined, 'bob has a record before');
    assertEqual(await one.remove('bob'), [], 'changes');
    assertEqual(await raw(database, 'people', (st) => st.get(['one', 'bob'])), undefined, "bob's record after forget");
    assertEqual(await raw(database, 'people', (st) => st.count()), 2, 'records left');
    assertEqual(plain(await indexedDBGalleryStorage({ database, gallery: 'one' }).load(DLIB3)), [{ id: 'ada', descriptors: [[1, 0, 0]] }], 'one reopened');
    await one.clear();
    assertEqual(await raw(database, 'people', (st) => st.getAllKeys()), [['two', 'ada']], 'records after clearing one');
    await one.append([{ id: 'cy', descriptors: [f32(0, 0, 1)] }]);
    assertEqual(plain(await indexedDBGalleryStorage({ database, gallery: 'one' }).load(DLIB3)), [{ id: 'cy', descriptors: [[0, 0, 1]] }], 'one after clear and an enrolment');
    await one.close();
    await two.close();
    await drop(database);
  });

  it('refuses a gallery of another network or size, changing nothing', async () => {
    const database = newDatabase();
    const s = indexedDBGalleryStorage({ database });
    await s.load(DLIB3);
    await s.append([{ id: 'ada', descriptors: [f32(1, 0, 0)] }]);
    await s.close();
    await assertRejects(() => indexedDBGalleryStorage({ database }).load({ dims: 4, descriptor: 'dlib' }), /GalleryError: gallery 'gallery' in IndexedDB database '.*' holds 3-value 'dlib' descriptors, not the 4-value 'dlib' descriptors/);
    await assertRejects(() => indexedDBGalleryStorage({ database }).load({ dims: 3, descriptor: 'mobilefacenet' }), /holds 3-value 'dlib' descriptors, not the 3-value 'mobilefacenet' descriptors/);
    assertEqual(plain(await indexedDBGalleryStorage({ database }).load(DLIB3)), [{ id: 'ada', descriptors: [[1, 0, 0]] }], 'the gallery after the refusals');
    const wrong = indexedDBGalleryStorage({ database });
    await wrong.load(DLIB3);
    await assertRejects(() => wrong.append([{ id: 'bob', descriptors: [f32(1, 0)] }]), /GalleryError: .*a descriptor of 'bob' has 2 values, the gallery holds 3/);
    await wrong.close();
    await drop(database);
  });

  it('moves the single-record gallery of version 1 into per-person records and deletes the old record', async () => {
    const database = newDatabase();
    // Before there was a choice of network, galleries had no 'descriptor': dlib's.
    await legacyDatabase(database, { format: 'wgsl-vision-gallery', version: 1, dims: 3, people: [{ id: 'ada', descriptors: [[1, 0, 0], [0.5, 0.5, 0]] }, { id: 'bob', descriptors: [[0, 1, 0]] }] });
    // Another network: refused, and the old record stays.
    await assertRejects(() => indexedDBGalleryStorage({ database }).load({ dims: 3, descriptor: 'mobilefacenet' }), /holds 3-value 'dlib' descriptors, not the 3-value 'mobilefacenet' descriptors.*left as it was/);
    assert((await raw(database, 'galleries', (st) => st.get('gallery'))) !== undefined, 'the old record after the refusal');
    assertEqual(await raw(database, 'people', (st) => st.count()), 0, 'records after the refusal');
    const s = indexedDBGalleryStorage({ database });
    const expected = [{ id: 'ada', descriptors: [[1, 0, 0], [0.5, 0.5, 0]] }, { id: 'bob', descriptors: [[0, 1, 0]] }];
    assertEqual(plain(await s.load(DLIB3)), expected, 'loaded');
    await s.close();
    assertEqual(await raw(database, 'galleries', (st) => st.get('gallery')), undefined, 'the old record');
    assertEqual(await raw(database, 'people', (st) => st.getAllKeys()), [['gallery', 'ada'], ['gallery', 'bob']], 'per-person records');
    assertEqual(plain(await indexedDBGalleryStorage({ database }).load(DLIB3)), expected, 'reopened');
    await drop(database);
  });

  it('a damaged old record is refused and left as it was', async () => {
    const database = newDatabase();
    await legacyDatabase(database, { format: 'wgsl-vision-gallery', version: 1, dims: 3, descriptor: 'dlib', people: [{ id: 'ada', descriptors: [[1, 0]] }] });
    await assertRejects(() => indexedDBGalleryStorage({ database }).load(DLIB3), /GalleryError: .*cannot be moved: descriptor 0 of 'ada': descriptor has 2 values, the gallery holds 3; it is left as it was/);
    assert((await raw(database, 'galleries', (st) => st.get('gallery'))) !== undefined, 'the old record');
    await drop(database);
  });
});
