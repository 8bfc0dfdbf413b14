import galleryWGSL from '../../shaders/gallery.wgsl';
import type { Engine } from '../gpu/engine.js';
import { GPUOpError } from '../gpu/errors.js';
import { defineKernel } from '../gpu/kernel.js';
import { Tensor } from '../gpu/tensor.js';

const kernel = defineKernel('gallery', galleryWGSL);

/** Rows per tile of a chunk: a tile stores its rows' codes dims-major (see shaders/gallery.wgsl). */
export const GALLERY_TILE = 32;
/** An owner slot that holds no person (a free row), and a person slot no row reached. */
export const NO_PERSON = 0xffffffff;
/** The most people one search returns (the shader's MAX_K). */
export const MAX_TOP_K = 32;

const WG = 64;
/** Rows each thread of `nearest` scores (the shader's 8). */
const ROWS_PER_NEAREST_THREAD = 8;
/** Threads of a top-k workgroup: their lists (WG × 32 pairs) fill 8 KB of workgroup memory. */
const SELECT_WG = 32;
/**
 * Pairs each thread of a top-k pass scans at most: on lavapipe the cost is mostly the first k
 * insertions of every thread, so fewer, longer threads win (1M rows: 58 ms at 1,024 rows per
 * thread, 6 ms at 4,096 with the workgroup's shared bound).
 */
const ROWS_PER_THREAD = 4096;

/** One chunk of gallery rows on the GPU. */
export interface GalleryChunk {
  /** 8-bit codes, tiled: GALLERY_TILE rows × dims / 4 u32 per tile. */
  codes: GPUBuffer;
  /** Per row (m, ||ĝ||²) as two f32. */
  scales: GPUBuffer;
  /** The person slot of each row (NO_PERSON: a free row). */
  owner: GPUBuffer;
  /** Rows in use, from the start (free rows inside have owner NO_PERSON). */
  count: number;
  /** The chunk's first row in the gallery (its place in the search's row scratch). */
  base: number;
}

/** Where the u32 holding values 4j..4j+3 of row `r` sits in a chunk's tiled codes. */
export function tiledWord(r: number, j: number, dims: number): number {
  return Math.floor(r / GALLERY_TILE) * (dims / 4) * GALLERY_TILE + j * GALLERY_TILE + (r % GALLERY_TILE);
}

/**
 * A descriptor as the shader reads it: codes c_k = round(127 g_k / m), m = max |g_k|, four to a
 * u32 (unpack4x8snorm's byte order); `norm2` = ||ĝ||² and `error` = ||g − ĝ|| of the decoded ĝ.
 */
export function encodeRow(g: ArrayLike<number>): { words: Uint32Array; m: number; norm2: number; error: number } {
  let m = 0;
  for (let k = 0; k < g.length; k++) m = Math.max(m, Math.abs(g[k]!));
  const words = new Uint32Array(g.length / 4);
  let norm2 = 0;
  let error2 = 0;
  const mf = Math.fround(m);
  for (let k = 0; k < g.length; k++) {
    const c = m > 0 ? Math.round((127 * g[k]!) / m) : 0;
    words[k >> 2] = (words[k >> 2]! | ((c & 0xff) << (8 * (k & 3)))) >>> 0;
    const decoded = Math.fround(mf * Math.fround(c / 127));
    norm2 += decoded * decoded;
    error2 += (g[k]! - decoded) ** 2;
  }
  return { words, m: mf, norm2, error: Math.sqrt(error2) };
}

/** The f32 behind a key the shader's `ordered` made (unsigned order is float order). */
function fromOrderedBits(u: number): number {
  const bits = (u & 0x80000000 ? u & 0x7fffffff : ~u) >>> 0;
  return new Float32Array(new Uint32Array([bits]).buffer)[0]!;
}

/**
 * The k persons whose nearest row has the smallest approximate squared distance to the query
 * ([dims] on the GPU; `queryNorm2` = ||q||²), nearest first, each with that distance. `rowPairs`
 * is scratch of 8 bytes per row (up to the last chunk's base + count). Only the k pairs are read back.
 * `rowsPerThread`: the most pairs a thread of a top-k pass scans (tests set it low to run many threads).
 */
export async function searchGallery(engine: Engine, query: Tensor, queryNorm2: number, chunks: readonly GalleryChunk[], rowPairs: GPUBuffer, k: number, rowsPerThread = ROWS_PER_THREAD): Promise<{ squared: number; person: number }[]> {
  if (!(Number.isInteger(k) && k >= 1 && k <= MAX_TOP_K)) throw new GPUOpError('searchGallery', `k must be an integer from 1 to ${MAX_TOP_K}, got ${k}`);
  const dims = query.size;
  if (dims % 4 !== 0) throw new GPUOpError('searchGallery', `descriptor size ${dims} is not a multiple of 4`);
  const rows = Math.max(0, ...chunks.map((c) => c.base + c.count));
  if (rows === 0) return [];
  if (rowPairs.size < rows * 8) throw new GPUOpError('searchGallery', `the row scratch holds ${rowPairs.size / 8} rows, the chunks ${rows}`);
  for (const c of chunks) {
    if (c.count === 0) continue;
    engine.dispatch({
      op: 'gallery.nearest',
      kernel,
      entry: 'nearest',
      overrides: { WG, DIMS: dims },
      uniforms: { rows: c.count, base: c.base },
      buffers: { query, codes: c.codes, scales: c.scales, owner: c.owner, rowPairs },
      threads: Math.ceil(c.count / ROWS_PER_NEAREST_THREAD),
    });
  }
  const scratch: GPUBuffer[] = [];
  const pairs = (count: number) => {
    const b = engine.rawBuffer(count * 8, 'gallery.top');
    scratch.push(b);
    return b;
  };
  try {
    // Workgroups of threads each keep the k best persons of their share, merge them, and pass
    // their lists on, until one workgroup holds them all.
    let input = { buffer: rowPairs, count: rows };
    for (;;) {
      // Long threads: each thread's first k insertions are most of the cost (on lavapipe, more
      // workgroups over 10,000 rows were slower, not faster).
      const perThread = Math.min(rowsPerThread, Math.ceil(input.count / SELECT_WG));
      const groups = Math.ceil(input.count / (SELECT_WG * perThread));
      const out = pairs(groups * k);
      engine.dispatch({ op: 'gallery.select', kernel, entry: 'select_top', overrides: { WG: SELECT_WG }, uniforms: { candidates: input.count, k, perThread }, buffers: { pairsIn: input.buffer, pairsOut: out }, workgroups: groups });
      input = { buffer: out, count: groups * k };
      if (groups === 1) break;
    }
    // A view for the read-back only, never disposed: the buffer goes back to the pool with `scratch`.
    const view = new Tensor(engine, [k * 2], { buffer: input.buffer, refs: 1 });
    const words = new Uint32Array((await view.read()).buffer);
    const found: { squared: number; person: number }[] = [];
    for (let i = 0; i < k; i++) {
      if (words[2 * i] !== NO_PERSON) found.push({ squared: Math.max(0, fromOrderedBits(words[2 * i]!) + queryNorm2), person: words[2 * i + 1]! });
    }
    return found;
  } finally {
    for (const b of scratch) engine.releaseStorage(b);
  }
}
