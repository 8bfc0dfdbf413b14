import { encodeRow, NO_PERSON, searchGallery, tiledWord, GALLERY_TILE, type GalleryChunk } from '../src/ops/gallery-search.js';
import { assert, assertClose, assertEqual } from './util/assert.js';
import { testEngine } from './util/engine.js';
import { Rng } from './util/random.js';

/** What unpack4x8snorm gives back for the codes of a row, times m: the ĝ the shader sees. */
function decoded(words: Uint32Array, m: number, dims: number): Float64Array {
  const g = new Float64Array(dims);
  for (let k = 0; k < dims; k++) {
    const byte = (words[k >> 2]! >>> (8 * (k & 3))) & 0xff;
    const c = byte >= 128 ? byte - 256 : byte;
    g[k] = m * Math.max(c / 127, -1);
  }
  return g;
}

describe('gallery search kernel (8-bit codes, nearest per person, top-k on the GPU)', () => {
  it('encodeRow: codes within half a step of each value, error = ||g − ĝ||', () => {
    const rng = new Rng(5);
    for (const dims of [4, 128, 192]) {
      const g = rng.array(dims, -0.3, 0.3);
      const { words, m, norm2, error } = encodeRow(g);
      const back = decoded(words, m, dims);
      let e2 = 0;
      let n2 = 0;
      for (let k = 0; k < dims; k++) {
        assert(Math.abs(back[k]! - g[k]!) <= m / 254 + 1e-7, `value ${k} within half a code step`);
        e2 += (back[k]! - g[k]!) ** 2;
        n2 += back[k]! ** 2;
      }
      assertClose([error, norm2], [Math.sqrt(e2), n2], { atol: 1e-6, rtol: 1e-5 });
    }
  });

  it('equals a CPU scan over the decoded rows: per-person minimum, k smallest persons by (key, person), over several chunks with free rows, one thread or many', async () => {
    const engine = await testEngine();
    const rng = new Rng(11);
    const dims = 32;
    const people = 300; // about eight rows each, spread over the chunks
    // Chunk sizes as the index makes them: full ones, then a partly used last one.
    const sizes = [1024, 1024, 333];
    const chunks: GalleryChunk[] = [];
    const firstOwner: number[] = [];
    const rows: { g: Float64Array; owner: number }[] = [];
    for (const n of sizes) {
      const capacity = Math.ceil(n / GALLERY_TILE) * GALLERY_TILE;
      const codes = new Uint32Array((capacity * dims) / 4);
      const scales = new Float32Array(capacity * 2);
      const owner = new Uint32Array(capacity).fill(NO_PERSON);
      for (let r = 0; r < n; r++) {
        const free = rng.next() < 0.1;
        const g = rng.array(dims, -0.5, 0.5);
        const e = encodeRow(g);
        for (let j = 0; j < dims / 4; j++) codes[tiledWord(r, j, dims)] = e.words[j]!;
        scales.set([e.m, e.norm2], 2 * r);
        owner[r] = free ? NO_PERSON : rng.int(0, people - 1);
        if (!free) rows.push({ g: decoded(e.words, e.m, dims), owner: owner[r]! });
      }
      const upload = (data: ArrayBufferView) => {
        const b = engine.rawBuffer(data.byteLength, 'test');
        engine.uploadBytes(b, data);
        return b;
      };
      firstOwner.push(owner[0]!);
      chunks.push({ codes: upload(codes), scales: upload(scales), owner: upload(owner), count: n, base: chunks.length * 1024 });
    }
    const rowPairs = engine.rawBuffer(3 * 1024 * 8, 'rowPairs');
    // 4,096 rows per thread as in use (one thread here), and 3 rows per thread: 13 workgroups
    // of threads whose lists and shared bounds must agree.
    for (const [k, rowsPerThread] of [[1, 4096], [5, 3], [32, 3], [32, 4096], [7, 40]] as const) {
      const q = rng.array(dims, -0.5, 0.5);
      const qn = q.reduce((a, v) => a + v * v, 0);
      const query = engine.tensor([dims], q);
      const found = await searchGallery(engine, query, qn, chunks, rowPairs, k, rowsPerThread);
      query.dispose();
      const nearest = new Map<number, number>();
      for (const { g, owner } of rows) {
        let s = 0;
        for (let i = 0; i < dims; i++) s += (g[i]! - q[i]!) ** 2;
        nearest.set(owner, Math.min(nearest.get(owner) ?? Infinity, s));
      }
      const want = [...nearest].sort((a, b) => a[1] - b[1] || a[0] - b[0]).slice(0, k);
      assertEqual(found.map((f) => f.person), want.map((w) => w[0]), `k=${k}, ${rowsPerThread} rows a thread: persons, each once`);
      assertClose(found.map((f) => f.squared), want.map((w) => w[1]), { atol: 1e-4, rtol: 1e-4 }, `k=${k}, ${rowsPerThread} rows a thread: squared distances`);
    }
    // Fewer people than k: only those come back (the first row of each chunk: its owner, unless free).
    const firstRows = chunks.map((c, i) => ({ ...c, count: 1, base: i }));
    const query = engine.tensor([dims], rng.array(dims));
    const few = await searchGallery(engine, query, 0, firstRows, rowPairs, 5);
    query.dispose();
    assertEqual(few.map((f) => f.person).sort(), [...new Set(firstOwner.filter((o) => o !== NO_PERSON))].sort(), 'only the people of the rows searched');
    for (const c of chunks) for (const b of [c.codes, c.scales, c.owner]) engine.releaseStorage(b);
    engine.releaseStorage(rowPairs);
  });
});
