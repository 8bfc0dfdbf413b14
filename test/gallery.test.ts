import { FaceGallery, type GalleryChange, type GalleryStorage, type PersonDescriptors } from '../src/tasks/face/gallery.js';
import { GpuGalleryIndex } from '../src/tasks/face/gpu-gallery-index.js';
import { assert, assertClose, assertEqual, assertRejects } from './util/assert.js';
import { testEngine } from './util/engine.js';
import { Rng } from './util/random.js';

/** A storage in memory that can also play a second writer: `others` is returned by the next write. */
function memoryStorage(): GalleryStorage & { people: Map<string, Float32Array[]>; others: GalleryChange[]; writes: number } {
  const people = new Map<string, Float32Array[]>();
  return {
    people,
    others: [],
    writes: 0,
    async load() {
      return [...people].map(([id, descriptors]) => ({ id, descriptors }));
    },
    async append(added: readonly PersonDescriptors[]) {
      this.writes++;
      for (const p of added) people.set(p.id, [...(people.get(p.id) ?? []), ...p.descriptors]);
      return this.others.splice(0);
    },
    async remove(id: string) {
      this.writes++;
      people.delete(id);
      return this.others.splice(0);
    },
    async clear() {
      people.clear();
      return this.others.splice(0);
    },
    async close() {},
  };
}

/** The k nearest people by a float64 scan: the answer the gallery must give. */
function bruteForce(enrolled: Map<string, Float32Array[]>, query: ArrayLike<number>, k: number): { id: string; distance: number }[] {
  return [...enrolled]
    .map(([id, ds]) => ({ id, distance: Math.min(...ds.map((d) => Math.sqrt(d.reduce((a, v, i) => a + (v - query[i]!) ** 2, 0)))) }))
    .sort((a, b) => a.distance - b.distance)
    .slice(0, k);
}

describe('face gallery (1:K) on the GPU index', () => {
  it('identifies against K people with several descriptors each: exact nearest per person, top-k, threshold', async () => {
    const engine = await testEngine();
    const rng = new Rng(61);
    const gallery = FaceGallery.onGPU(engine);
    const people = Array.from({ length: 250 }, (_, i) => `person-${i}`);
    const enrolled = new Map<string, Float32Array[]>();
    for (const id of people) {
      const ds = Array.from({ length: rng.int(1, 4) }, () => rng.array(128, -0.1, 0.1));
      enrolled.set(id, ds);
      await gallery.enroll(id, ds);
    }
    assertEqual(await gallery.count(), { people: 250, descriptors: [...enrolled.values()].reduce((n, d) => n + d.length, 0) });
    for (let trial = 0; trial < 8; trial++) {
      const target = rng.pick(people);
      const query = Float32Array.from(enrolled.get(target)![0]!, (v) => v + (rng.next() - 0.5) * 0.01);
      const result = await gallery.identify(query, { threshold: 0.6, topK: 3 });
      const brute = bruteForce(enrolled, query, 3);
      assertEqual(result.candidates.map((c) => c.id), brute.map((b) => b.id), 'top-3 ids');
      assertClose(result.candidates.map((c) => c.distance), brute.map((b) => b.distance), { atol: 1e-5, rtol: 1e-5 });
      assertEqual(result.id, target);
    }
    assertEqual((gallery.index as GpuGalleryIndex).stats().exactScans, 0, 'every answer came from the GPU candidates, proven exact');
    // Searches may overlap each other and other GPU work (no async scope is held open).
    const queries = people.slice(0, 4).map((id) => enrolled.get(id)![0]!);
    const together = await Promise.all([...queries.map((q) => gallery.identify(q)), engine.scope(async () => engine.tensor([2], [1, 2]).read())]);
    assertEqual(together.slice(0, 4).map((r) => (r as { id: string }).id), people.slice(0, 4));
    const stranger = await gallery.identify(rng.array(128, 0.5, 1), { threshold: 0.6 });
    assertEqual(stranger.id, null, 'not recognized beyond the threshold');
    assert(stranger.distance > 0.6, 'distance reported');
    await gallery.close();
  });

  it('stays exact through forgetting, reuse of freed rows, chunk growth and a second chunk (70,000 rows)', async () => {
    const engine = await testEngine();
    const rng = new Rng(7);
    const dims = 8;
    const index = new GpuGalleryIndex(engine, { dims, descriptor: 'dlib' });
    const gallery = new FaceGallery(index);
    const enrolled = new Map<string, Float32Array[]>();
    const batch: { id: string; descriptors: Float32Array[] }[] = [];
    for (let i = 0; i < 35_000; i++) {
      const ds = [rng.array(dims), rng.array(dims)];
      enrolled.set(`p${i}`, ds);
      batch.push({ id: `p${i}`, descriptors: ds });
    }
    await gallery.enrollMany(batch.slice(0, 500)); // the first chunk grows from 1,024 rows ...
    await gallery.identify(rng.array(dims)); // ... with rows already on the GPU
    await gallery.enrollMany(batch.slice(500)); // ... then fills, and a second chunk starts
    const check = async (what: string) => {
      for (let t = 0; t < 6; t++) {
        const query = t % 2 ? rng.array(dims) : Float32Array.from(enrolled.get(rng.pick([...enrolled.keys()]))![1]!, (v) => v + 0.001);
        const got = await gallery.identify(query, { topK: 5, threshold: 0.1 });
        const want = bruteForce(enrolled, query, 5);
        assertEqual(got.candidates.map((c) => c.id), want.map((w) => w.id), `${what}: ids`);
        assertClose(got.candidates.map((c) => c.distance), want.map((w) => w.distance), { atol: 1e-5, rtol: 1e-5 }, `${what}: distances`);
      }
    };
    await check('70,000 rows');
    for (let i = 0; i < 3000; i++) {
      const id = `p${rng.int(0, 34_999)}`;
      assertEqual(await gallery.forget(id), enrolled.delete(id), `forget ${id}`);
    }
    await check('after forgetting');
    assertEqual(await gallery.has('p1'), enrolled.has('p1'));
    const before = index.stats();
    for (let i = 0; i < 1000; i++) {
      const ds = [rng.array(dims)];
      enrolled.set(`new${i}`, ds);
      await gallery.enroll(`new${i}`, ds);
    }
    assertEqual(index.stats().gpuBytes, before.gpuBytes, 'new people fill freed rows: no new GPU memory');
    await check('after re-enrolling into freed rows');
    assertEqual(await gallery.count(), { people: enrolled.size, descriptors: [...enrolled.values()].reduce((n, d) => n + d.length, 0) });
    await gallery.close();
  });

  it('answers exactly by a scan when the codes cannot separate the candidates (near-ties)', async () => {
    const engine = await testEngine();
    const rng = new Rng(3);
    const gallery = FaceGallery.onGPU(engine, { dims: 16 });
    const centre = rng.array(16, -0.2, 0.2);
    const enrolled = new Map<string, Float32Array[]>();
    for (let i = 0; i < 80; i++) {
      const d = Float32Array.from(centre, (v) => v + (rng.next() - 0.5) * 1e-4);
      enrolled.set(`twin${i}`, [d]);
    }
    await gallery.enrollMany([...enrolled].map(([id, descriptors]) => ({ id, descriptors })));
    const query = Float32Array.from(centre, (v) => v + 0.05);
    const got = await gallery.identify(query, { topK: 4 });
    assertEqual(got.candidates.map((c) => c.id), bruteForce(enrolled, query, 4).map((b) => b.id), 'exact order among near-ties');
    assert((gallery.index as GpuGalleryIndex).stats().exactScans > 0, 'the bound could not prove the GPU candidates, so the exact scan answered');
    await gallery.close();
  });

  it('persists through a storage, applies other writers\' changes, exports and imports', async () => {
    const engine = await testEngine();
    const storage = memoryStorage();
    const g = await FaceGallery.onGPU(engine, { dims: 4 }, storage).open();
    await g.enroll('ada', [[1, 0, 0, 0], [0.9, 0.1, 0, 0]]);
    await g.enroll('bob', [[0, 1, 0, 0]]);
    await g.enroll('ada', [[0.8, 0, 0.2, 0]]);
    assertEqual(await g.list(), [{ id: 'ada', descriptors: 3 }, { id: 'bob', descriptors: 1 }]);
    const reopened = await FaceGallery.onGPU(engine, { dims: 4 }, storage).open();
    assertEqual(await reopened.list(), await g.list(), 'a new gallery on the same storage sees the enrolled people');
    assertEqual((await reopened.identify([0, 0.95, 0, 0])).id, 'bob');
    assert(await g.forget('bob'), 'forgotten');
    assertEqual([...storage.people.keys()], ['ada'], 'forgetting reached the storage');
    assertEqual(await g.forget('bob'), false, 'not enrolled any more');
    storage.others.push({ kind: 'add', person: { id: 'cy', descriptors: [Float32Array.from([0, 0, 1, 0])] } }, { kind: 'remove', id: 'ada' });
    await g.enroll('dee', [[0, 0, 0, 1]]);
    assertEqual((await g.list()).map((p) => p.id), ['cy', 'dee'], "another writer's changes applied before ours");
    assertEqual((await g.identify([0, 0, 0.9, 0])).id, 'cy');
    const copy = FaceGallery.onGPU(engine, { dims: 4 });
    assertEqual(await copy.import(JSON.parse(JSON.stringify(await g.export()))), { people: 2, descriptors: 2 });
    assertEqual(await copy.export(), await g.export());
    const exported = await g.export();
    await assertRejects(() => copy.import(exported), /'cy' is already enrolled/);
    assertEqual(await copy.import(await g.export(), { mode: 'merge' }), { people: 2, descriptors: 2 });
    assertEqual(await copy.list(), [{ id: 'cy', descriptors: 2 }, { id: 'dee', descriptors: 2 }]);
    await copy.import(await g.export(), { mode: 'replace' });
    assertEqual(await copy.list(), [{ id: 'cy', descriptors: 1 }, { id: 'dee', descriptors: 1 }]);
    for (const x of [g, reopened, copy]) await x.close();
  });

  it('rejects bad input by name without losing what is enrolled', async () => {
    const engine = await testEngine();
    const storage = memoryStorage();
    const g = await FaceGallery.onGPU(engine, { dims: 4 }, storage).open();
    await g.enroll('ada', [[1, 0, 0, 0]]);
    const writes = storage.writes;
    await assertRejects(() => g.enroll('bob', [[1, 2]]), /descriptor has 2 values, the gallery holds 4/);
    await assertRejects(() => g.enroll('bob', [[1, 2, NaN, 0]]), /descriptor value 2 is NaN, not a finite number/);
    await assertRejects(() => g.enroll('', [[1, 0, 0, 0]]), /non-empty id/);
    await assertRejects(() => g.enroll('bob', []), /no descriptors \(no face found\?\)/);
    await assertRejects(() => g.enrollMany([{ id: 'x', descriptors: [[0, 0, 0, 1]] }, { id: 'x', descriptors: [[0, 0, 1, 0]] }]), /duplicate id 'x' \(entry 0 and entry 1\)/);
    await assertRejects(() => g.import({ format: 'other' }), /not a wgsl-vision gallery: missing format/);
    await assertRejects(() => g.import({ format: 'wgsl-vision-gallery', version: 1, dims: 4, people: [{ id: 'x', descriptors: [[1, 2, 3, NaN]] }] }), /'x' has a malformed descriptor: descriptor 0 value 3 is NaN/);
    await assertRejects(() => g.import({ format: 'wgsl-vision-gallery', version: 1, dims: 4, people: [{ id: 'x', descriptors: [[1, 2, 3, 4]] }, { id: 'x', descriptors: [[1, 2, 3, 4]] }] }), /duplicate id 'x' \(people\[0\] and people\[1\]\)/);
    await assertRejects(() => g.import({ format: 'wgsl-vision-gallery', version: 1, dims: 4, descriptor: 'faceres', people: [] }), /enrolled with the 'faceres' descriptor/);
    await assertRejects(() => g.identify([1, 2, 3]), /descriptor has 3 values/);
    await assertRejects(() => g.identify([1, 2, 3, 4], { topK: 0 }), /topK must be an integer from 1 to 32/);
    await assertRejects(() => g.descriptorsOf('nobody'), /'nobody' is not enrolled/);
    assertEqual(await g.list(), [{ id: 'ada', descriptors: 1 }], 'unchanged');
    assertEqual(storage.writes, writes, 'nothing reached the storage');
    await g.close();
    await assertRejects(() => g.enroll('bob', [[1, 0, 0, 0]]), /closed/);
  });
});
