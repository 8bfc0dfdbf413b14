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
//   select_top: each workgroup takes WG * perThread pairs (the rows' pairs, or the lists of an
//               earlier select_top); each thread keeps the K smallest of every WG-th one with
//               distinct persons, then one thread merges the threads' lists into the
//               workgroup's K smallest with distinct persons; run again on those until one
//               workgroup remains.
// Every person outside a list has no row with a key below the list's last: a person is left out
// of a thread's list only behind K others with smaller keys, and so of every later list.

const TILE = 32u;
const NONE = 0xffffffffu;
const MAX_K = 32u;
// select_top's workgroup size at most (its merge keeps a position per thread's list).
const MAX_SELECT_WG = 64u;

struct Params {
  rows: u32,       // nearest: rows in use in this chunk
  base: u32,       // nearest: this chunk's first row in rowPairs
  candidates: u32, // select_top: pairs in the input
  k: u32,          // select_top: how many to keep (<= MAX_K)
  perThread: u32,  // select_top: pairs each thread scans
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

// The threads' lists, for the merge; and the workgroup's bound: the smallest "k-th best key" of
// its threads so far (a thread whose list is full holds k persons at or below it, so a pair
// above it cannot be among the k best persons).
var<workgroup> lists: array<vec2u, WG * MAX_K>;
var<workgroup> bound: atomic<u32>;

@compute @workgroup_size(WG)
fn select_top(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let group = wid.x + wid.y * nwg.x;
  let start = group * WG * p.perThread;
  let k = min(p.k, MAX_K);
  if (lid.x == 0u) { atomicStore(&bound, NONE); }
  workgroupBarrier();
  // This thread's k smallest of its share (every WG-th pair of the workgroup's span), persons distinct.
  var mine: array<vec2u, MAX_K>;
  for (var j = 0u; j < MAX_K; j++) { mine[j] = vec2u(NONE, NONE); }
  var last = vec2u(NONE, NONE);
  for (var t = 0u; t < p.perThread; t++) {
    let i = start + t * WG + lid.x;
    if (i >= p.candidates) { break; }
    let c = pairsIn[i];
    if (less(c, last) && c.x <= atomicLoad(&bound)) {
      insert(&mine, k, c);
      last = mine[k - 1u];
      if (last.x != NONE) { atomicMin(&bound, last.x); }
    }
  }
  for (var j = 0u; j < MAX_K; j++) { lists[lid.x * MAX_K + j] = mine[j]; }
  workgroupBarrier();
  // One thread merges the sorted lists (WG * k compares at most): the smallest head each time,
  // a person already taken (from another thread's list) skipped. Ends with k or the lists spent.
  if (lid.x != 0u) { return; }
  var next: array<u32, MAX_SELECT_WG>;
  for (var l = 0u; l < WG; l++) { next[l] = 0u; }
  var taken: array<u32, MAX_K>;
  var count = 0u;
  while (count < k) {
    var source = 0u;
    var head = vec2u(NONE, NONE);
    for (var l = 0u; l < WG; l++) {
      if (next[l] < k && less(lists[l * MAX_K + next[l]], head)) {
        head = lists[l * MAX_K + next[l]];
        source = l;
      }
    }
    if (head.x == NONE) { break; }
    next[source]++;
    var seen = false;
    for (var j = 0u; j < count; j++) { seen = seen || taken[j] == head.y; }
    if (!seen) {
      pairsOut[group * k + count] = head;
      taken[count] = head.y;
      count++;
    }
  }
  for (var j = count; j < k; j++) { pairsOut[group * k + j] = vec2u(NONE, NONE); }
}
