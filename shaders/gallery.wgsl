// 1:K search over a face gallery kept on the GPU in fixed-size chunks of descriptor rows.
//
// Rows are stored as 8-bit codes: row g is approximated by ĝ = m · c / 127 with m = max |g_k| and
// c_k = round(127 g_k / m), four codes to a u32 (unpack4x8snorm). A search reads a quarter of the
// bytes of f32 rows, which is what bounds it; the caller re-ranks the candidates with the exact
// f32 descriptors and proves no other person can be nearer (see GpuGalleryIndex).
//
// Chunk layout: tiles of TILE rows, each tile dims-major: the u32 holding values 4j..4j+3 of row r
// is at (r / TILE) * (DIMS / 4) * TILE + j * TILE + r % TILE, so neighbouring threads (rows) read
// neighbouring words: coalesced on a GPU, one vector load for a SIMD row of invocations on a CPU.
//
// A row's key is ||ĝ||² - 2 q·ĝ, its squared distance to the query less ||q||² (the same for every
// row; the caller adds it back), as an f32 mapped to u32 so that unsigned order is float order
// (ordered()). Candidates are (key, person) pairs, ordered by key then person.
//
// Entries, in the order a search runs them:
//   nearest:    8 rows per thread of one chunk: the pair of each row, written at `base` + row
//               of rowPairs (free rows, owner NONE, write (NONE, NONE)). No atomics: each row
//               has its own word.
//   thread_top: each thread takes every T-th pair (T threads, so neighbouring threads read
//               neighbouring pairs) and keeps its K smallest with distinct persons, sorted.
//   select_top: each workgroup merges WG * PER_THREAD pairs (the threads' lists) into its K
//               smallest with distinct persons; run again on those until one workgroup remains.
// Every person outside a list has no row with a key below the list's last: a person is left out
// of a thread's list only behind K others with smaller keys, and so of every later list.

const TILE = 32u;
const NONE = 0xffffffffu;
const MAX_K = 32u;

struct Params {
  rows: u32,       // nearest: rows in use in this chunk
  base: u32,       // nearest: this chunk's first row in rowPairs
  candidates: u32, // thread_top, select_top: pairs in the input
  k: u32,          // thread_top, select_top: how many to keep (<= MAX_K)
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> query: array<vec4f>;
// Four rows' words for one dims group are neighbours in a tile: one vec4 load reads them.
@group(0) @binding(2) var<storage, read> codes: array<vec4u>;
// Per row: (m, ||ĝ||²).
@group(0) @binding(3) var<storage, read> scales: array<vec2f>;
@group(0) @binding(4) var<storage, read> owner: array<u32>;
@group(0) @binding(5) var<storage, read_write> rowPairs: array<vec2u>;
@group(0) @binding(6) var<storage, read> pairsIn: array<vec2u>;
@group(0) @binding(7) var<storage, read_write> pairsOut: array<vec2u>;

override WG: u32 = 64u;
// Descriptor size, a multiple of 4.
override DIMS: u32 = 128u;
override PER_THREAD: u32 = 16u;

fn ordered(f: f32) -> u32 {
  let u = bitcast<u32>(f);
  return select(u | 0x80000000u, ~u, (u & 0x80000000u) != 0u);
}

// The query, read once per workgroup: the per-row loop then loads only codes.
var<workgroup> q: array<vec4f, DIMS / 4u>;

@compute @workgroup_size(WG)
fn nearest(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  for (var j = lid.x; j < DIMS / 4u; j += WG) { q[j] = query[j]; }
  workgroupBarrier();
  // Eight neighbouring rows of a tile per thread: two vec4 loads per dims group feed 8 dot products.
  let r = ((wid.x + wid.y * nwg.x) * WG + lid.x) * 8u;
  if (r >= p.rows) { return; }
  let at = ((r / TILE) * (DIMS / 4u) * TILE + r % TILE) / 4u;
  var lo = vec4f(0.0);
  var hi = vec4f(0.0);
  for (var j = 0u; j < DIMS / 4u; j++) {
    let a = codes[at + j * (TILE / 4u)];
    let b = codes[at + j * (TILE / 4u) + 1u];
    let qj = q[j];
    lo += vec4f(dot(qj, unpack4x8snorm(a.x)), dot(qj, unpack4x8snorm(a.y)), dot(qj, unpack4x8snorm(a.z)), dot(qj, unpack4x8snorm(a.w)));
    hi += vec4f(dot(qj, unpack4x8snorm(b.x)), dot(qj, unpack4x8snorm(b.y)), dot(qj, unpack4x8snorm(b.z)), dot(qj, unpack4x8snorm(b.w)));
  }
  for (var e = 0u; e < 8u; e++) {
    let row = r + e;
    // Chunks hold whole tiles, so rows past `rows` can be read; they are not written.
    if (row >= p.rows) { break; }
    let who = owner[row];
    let s = scales[row];
    let dot_ = select(hi[e & 3u], lo[e & 3u], e < 4u);
    rowPairs[p.base + row] = select(vec2u(ordered(s.y - 2.0 * s.x * dot_), who), vec2u(NONE, NONE), who == NONE);
  }
}

fn less(a: vec2u, b: vec2u) -> bool {
  return a.x < b.x || (a.x == b.x && a.y < b.y);
}

/**
 * Puts c into the sorted list `mine` of k pairs with distinct persons: a person already listed
 * keeps the smaller of its two keys. Most candidates are rejected before this (c < the last).
 */
fn insert(mine: ptr<function, array<vec2u, MAX_K>>, k: u32, c: vec2u) {
  var j = k - 1u;
  for (var i = 0u; i < k; i++) {
    if ((*mine)[i].y == c.y) {
      if (!less(c, (*mine)[i])) { return; }
      j = i;
      break;
    }
  }
  while (j > 0u && less(c, (*mine)[j - 1u])) {
    (*mine)[j] = (*mine)[j - 1u];
    j--;
  }
  (*mine)[j] = c;
}

// The smallest "k-th best key" of this workgroup's threads so far: a thread whose list is full
// holds k persons at or below it, so a row above it cannot be among the k best persons.
var<workgroup> bound: atomic<u32>;

@compute @workgroup_size(WG)
fn thread_top(@builtin(local_invocation_id) lid: vec3u, @builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let threads = nwg.x * nwg.y * WG;
  let t = gid.x + gid.y * nwg.x * WG;
  let k = min(p.k, MAX_K);
  if (lid.x == 0u) { atomicStore(&bound, NONE); }
  workgroupBarrier();
  var mine: array<vec2u, MAX_K>;
  for (var j = 0u; j < MAX_K; j++) { mine[j] = vec2u(NONE, NONE); }
  var last = vec2u(NONE, NONE);
  for (var i = t; i < p.candidates; i += threads) {
    let c = pairsIn[i];
    if (less(c, last) && c.x <= atomicLoad(&bound)) {
      insert(&mine, k, c);
      last = mine[k - 1u];
      if (last.x != NONE) { atomicMin(&bound, last.x); }
    }
  }
  for (var j = 0u; j < k; j++) { pairsOut[t * k + j] = mine[j]; }
}

var<workgroup> heads: array<vec2u, WG>;
var<workgroup> heldBy: array<u32, WG>;
var<workgroup> listed: array<u32, MAX_K>;
var<workgroup> count: u32;
var<workgroup> done: u32;

@compute @workgroup_size(WG)
fn select_top(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let group = wid.x + wid.y * nwg.x;
  let start = group * WG * PER_THREAD;
  let k = min(p.k, MAX_K);
  // This thread's k smallest of its PER_THREAD pairs, persons distinct.
  var mine: array<vec2u, MAX_K>;
  for (var j = 0u; j < MAX_K; j++) { mine[j] = vec2u(NONE, NONE); }
  for (var t = 0u; t < PER_THREAD; t++) {
    let i = start + t * WG + lid.x;
    let c = select(vec2u(NONE, NONE), pairsIn[min(i, p.candidates - 1u)], i < p.candidates);
    if (less(c, mine[k - 1u])) { insert(&mine, k, c); }
  }
  if (lid.x == 0u) { count = 0u; }
  // Rounds: the smallest of the threads' heads wins and its thread moves to its next; a winner
  // whose person is listed already (from another thread's list) is dropped. Ends with k listed
  // or every list spent.
  var next = 0u;
  loop {
    heads[lid.x] = select(vec2u(NONE, NONE), mine[min(next, MAX_K - 1u)], next < k);
    heldBy[lid.x] = lid.x;
    workgroupBarrier();
    for (var stride = WG / 2u; stride > 0u; stride /= 2u) {
      if (lid.x < stride && less(heads[lid.x + stride], heads[lid.x])) {
        heads[lid.x] = heads[lid.x + stride];
        heldBy[lid.x] = heldBy[lid.x + stride];
      }
      workgroupBarrier();
    }
    let winner = heads[0];
    if (lid.x == heldBy[0]) { next++; }
    if (lid.x == 0u) {
      var seen = false;
      for (var j = 0u; j < count; j++) { seen = seen || listed[j] == winner.y; }
      if (!seen && winner.x != NONE) {
        pairsOut[group * k + count] = winner;
        listed[count] = winner.y;
        count++;
      }
      done = select(0u, 1u, count >= k || winner.x == NONE);
    }
    // (Also keeps this round's reads of heads and heldBy before the next round's writes.)
    if (workgroupUniformLoad(&done) == 1u) { break; }
  }
  let listedCount = workgroupUniformLoad(&count);
  for (var j = listedCount + lid.x; j < k; j += WG) { pairsOut[group * k + j] = vec2u(NONE, NONE); }
}
