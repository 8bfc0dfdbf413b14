import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jsonFileGalleryStore } from '../../src/host/node.js';
import { FaceGallery } from '../../src/tasks/face/gallery.js';
import { assertEqual, assertRejects } from '../util/assert.js';
import { testEngine } from '../util/engine.js';

describe('face gallery in a JSON file', () => {
  it('persists enrolments to the file and reads them back', async () => {
    const engine = await testEngine();
    const path = join(mkdtempSync(join(tmpdir(), 'gallery-')), 'g.json');
    const g = await new FaceGallery(engine, 2, jsonFileGalleryStore(path)).open();
    await g.enroll('ada', [[1, 0]]);
    assertEqual(JSON.parse(readFileSync(path, 'utf8')).people[0].id, 'ada');
    const again = await new FaceGallery(engine, 2, jsonFileGalleryStore(path)).open();
    assertEqual(again.list(), [{ id: 'ada', descriptors: 1 }]);
    writeFileSync(path, '{ not json');
    await assertRejects(() => new FaceGallery(engine, 2, jsonFileGalleryStore(path)).open(), /gallery file .* is not valid JSON/);
  });
});
