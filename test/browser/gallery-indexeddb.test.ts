import { indexedDBGalleryStore } from '../../src/host/browser.js';
import { FaceGallery } from '../../src/tasks/face/gallery.js';
import { assertEqual } from '../util/assert.js';
import { testEngine } from '../util/engine.js';

describe('face gallery in IndexedDB', () => {
  it('a gallery opened again on the same database has the enrolled people', async () => {
    const engine = await testEngine();
    const db = `wgsl-vision-test-${Date.now()}`;
    const g = await new FaceGallery(engine, 3, indexedDBGalleryStore(db)).open();
    assertEqual(g.size, 0);
    await g.enroll('ada', [[1, 0, 0]]);
    await g.enroll('bob', [[0, 1, 0], [0, 0.9, 0.1]]);
    await g.remove('ada');
    const again = await new FaceGallery(engine, 3, indexedDBGalleryStore(db)).open();
    assertEqual(again.list(), [{ id: 'bob', descriptors: 2 }]);
    assertEqual((await again.identify([0, 0.95, 0.05])).id, 'bob');
    indexedDB.deleteDatabase(db);
  });
});
