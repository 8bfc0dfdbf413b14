import { FaceGallery, type GalleryJSON, type GalleryStore } from '../src/tasks/face/gallery.js';
import { assert, assertClose, assertEqual, assertRejects } from './util/assert.js';
import { testEngine } from './util/engine.js';
import { Rng } from './util/random.js';

function memoryStore(): GalleryStore & { saved: GalleryJSON | null } {
  return { saved: null, async load() { return this.saved; }, async save(j) { this.saved = JSON.parse(JSON.stringify(j)); } };
}

describe('face gallery (1:K)', () => {
  it('identifies against K people with several descriptors each: nearest per person, top-k, threshold', async () => {
    const engine = await testEngine();
    const rng = new Rng(61);
    const gallery = new FaceGallery(engine, 128);
    const people = Array.from({ length: 250 }, (_, i) => `person-${i}`);
    const enrolled = new Map<string, Float32Array[]>();
    for (const id of people) {
      const ds = Array.from({ length: rng.int(1, 4) }, () => rng.array(128, -0.1, 0.1));
      enrolled.set(id, ds);
      await gallery.enroll(id, ds);
    }
    assertEqual(gallery.size, 250);
    for (let trial = 0; trial < 5; trial++) {
      const target = rng.pick(people);
      const query = Float32Array.from(enrolled.get(target)![0]!, (v) => v + (rng.next() - 0.5) * 0.01);
      const result = await gallery.identify(query, { threshold: 0.6, topK: 3 });
      // CPU brute force: nearest descriptor per person.
      const brute = [...enrolled].map(([id, ds]) => ({ id, distance: Math.min(...ds.map((d) => Math.sqrt(d.reduce((a, v, k) => a + (v - query[k]!) ** 2, 0)))) }))
        .sort((a, b) => a.distance - b.distance).slice(0, 3);
      assertEqual(result.candidates.map((c) => c.id), brute.map((b) => b.id), 'top-3 ids');
      assertClose(result.candidates.map((c) => c.distance), brute.map((b) => b.distance), { atol: 1e-5, rtol: 1e-5 });
      assertEqual(result.id, target);
    }
    // Searches may overlap each other and other GPU work (no async scope is held open).
    const queries = people.slice(0, 4).map((id) => enrolled.get(id)![0]!);
    const together = await Promise.all([...queries.map((q) => gallery.identify(q)), engine.scope(async () => engine.tensor([2], [1, 2]).read())]);
    assertEqual(together.slice(0, 4).map((r) => (r as { id: string }).id), people.slice(0, 4));
    const stranger = await gallery.identify(rng.array(128, 0.5, 1), { threshold: 0.6 });
    assertEqual(stranger.id, null, 'not recognized beyond the threshold');
    assert(stranger.distance > 0.6, 'distance reported');
    gallery.dispose();
  });

  it('remove, list, export/import round trip and persistence through a store', async () => {
    const engine = await testEngine();
    const store = memoryStore();
    const g = await new FaceGallery(engine, 4, store).open();
    await g.enroll('ada', [[1, 0, 0, 0], [0.9, 0.1, 0, 0]]);
    await g.enroll('bob', [[0, 1, 0, 0]]);
    await g.enroll('ada', [[0.8, 0, 0.2, 0]]);
    assertEqual(g.list(), [{ id: 'ada', descriptors: 3 }, { id: 'bob', descriptors: 1 }]);
    const reopened = await new FaceGallery(engine, 4, store).open();
    assertEqual(reopened.list(), g.list(), 'a new gallery on the same store sees the enrolled people');
    assertEqual((await reopened.identify([0, 0.95, 0, 0])).id, 'bob');
    assert(await g.remove('bob'), 'removed');
    assertEqual(store.saved!.people.map((p) => p.id), ['ada'], 'removal persisted');
    const copy = new FaceGallery(engine, 4);
    copy.import(JSON.parse(JSON.stringify(g.export())));
    assertEqual(copy.export(), g.export());
    assertEqual((await copy.identify([0, 1, 0, 0], { threshold: 0.5 })).id, null);
  });

  it('rejects bad input without losing what is enrolled', async () => {
    const engine = await testEngine();
    const g = new FaceGallery(engine, 4);
    await g.enroll('ada', [[1, 0, 0, 0]]);
    await assertRejects(() => g.enroll('bob', [[1, 2]]), /descriptor has 2 values, the gallery holds 4/);
    await assertRejects(() => g.enroll('', [[1, 0, 0, 0]]), /non-empty id/);
    await assertRejects(() => g.enroll('bob', []), /no descriptors \(no face found\?\)/);
    await assertRejects(() => g.import({ format: 'other' }), /not a wgsl-vision gallery: missing format/);
    await assertRejects(() => g.import({ format: 'wgsl-vision-gallery', version: 1, dims: 4, people: [{ id: 'x', descriptors: [[1, 2, 3, NaN]] }] }), /'x' has a malformed descriptor/);
    await assertRejects(() => g.identify([1, 2, 3]), /descriptor has 3 values/);
    assertEqual(g.list(), [{ id: 'ada', descriptors: 1 }], 'unchanged');
  });
});
