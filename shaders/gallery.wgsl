// 1:K search over a face gallery kept on the GPU in fixed-size chunks of descriptor rows.
//
// Rows are stored as 8-bit codes: row g is approximated by ĝ = m · c / 127 with m = max |g_k| and
// c_k = round(127 g_k / m), four codes to a u32 (unpack4x8snorm). A search reads a quarter of the
// bytes of f32 rows, which is what bounds it; the caller re-ranks the best candidates with the
// exact f32 descriptors and proves no other person can be nearer (see GpuGalleryIndex).
//
// Chunk layout: tiles of TILE rows, each tile dims-major: the u32 holding values 4j..4j+3 of row r
// is at (r / TILE) * (DIMS / 4) * TILE + j * TILE + r % TILE, so neighbouring threads (rows) read
// neighbouring words: coalesced on a GPU, one vector load for a SIMD row of invocations on a CPU.
//
// Keys are f32 mapped to u32 so that unsigned order is float order (ordered()), which lets
// atomicMin on u32 take the minimum of floats. The key of a row is ||ĝ||² - 2 q·ĝ, its squared
// distance to the query less ||q||² (the same for every row; the caller adds it back).
//
// Entries, in the order a search runs them:
//   reset:      best[i] = NONE for every person slot.
//   nearest:    ROWS rows per thread of one chunk: the key of each, atomicMin into best[owner[row]]
//               (rows whose owner is NONE are free and skipped).
//   select_top: each workgroup scans SPAN = WG * PER_THREAD candidates (person slots of best[],
//               or (key, slot) pairs from an earlier select) and writes its K smallest, ordered
//               by (key, slot), as pairs; run again on those until one workgroup remains.

const TILE = 32u;
const NONE = 0xffffffffu;
const MAX_K = 32u;

struct Params {
  rows: u32,       // nearest: rows in use in this chunk
  candidates: u32, // reset: person slots; select_top: candidates in the input
  k: u32,          // select_top: how many to keep per workgroup (<= MAX_K)
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> query: array<vec4f>;
@group(0) @binding(2) var<storage, read> codes: array<u32>;
// Per row: (m, ||ĝ||²).
@group(0) @binding(3) var<storage, read> scales: array<vec2f>;
@group(0) @binding(4) var<storage, read> owner: array<u32>;
@group(0) @binding(5) var<storage, read_write> best: array<atomic<u32>>;
@group(0) @binding(6) var<storage, read> bestKeys: array<u32>;
@group(0) @binding(7) var<storage, read> pairsIn: array<vec2u>;
@group(0) @binding(8) var<storage, read_write> pairsOut: array<vec2u>;

override WG: u32 = 64u;
// Descriptor size, a multiple of 4.
override DIMS: u32 = 128u;
override ROWS: u32 = 8u;
// select_top reads person slots from bestKeys (0) or pairs from pairsIn (1).
override FROM_PAIRS: u32 = 0u;
override PER_THREAD: u32 = 16u;

fn ordered(f: f32) -> u32 {
  let u = bitcast<u32>(f);
  return select(u | 0x80000000u, ~u, (u & 0x80000000u) != 0u);
}

@compute @workgroup_size(WG)
fn reset(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i < p.candidates) { atomicStore(&best[i], NONE); }
}

// The query, read once per workgroup: the per-row loop then loads only codes.
var<workgroup> q: array<vec4f, DIMS / 4u>;

@compute @workgroup_size(WG)
fn nearest(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  for (var j = lid.x; j < DIMS / 4u; j += WG) { q[j] = query[j]; }
  workgroupBarrier();
  let first = (wid.x + wid.y * nwg.x) * WG * ROWS;
  for (var i = 0u; i < ROWS; i++) {
    let r = first + i * WG + lid.x;
    if (r >= p.rows) { break; }
    let who = owner[r];
    if (who == NONE) { continue; }
    let base = (r / TILE) * (DIMS / 4u) * TILE + r % TILE;
    var dot_ = 0.0;
    for (var j = 0u; j < DIMS / 4u; j++) { dot_ += dot(q[j], unpack4x8snorm(codes[base + j * TILE])); }
    let s = scales[r];
    let bits = ordered(s.y - 2.0 * s.x * dot_);
    // Most rows do not improve on their person's best once it is set: read before the atomic.
    if (bits < atomicLoad(&best[who])) { atomicMin(&best[who], bits); }
  }
}

var<workgroup> heads: array<vec2u, WG>;
var<workgroup> heldBy: array<u32, WG>;

fn less(a: vec2u, b: vec2u) -> bool {
  return a.x < b.x || (a.x == b.x && a.y < b.y);
}

fn candidate(i: u32) -> vec2u {
  if (i >= p.candidates) { return vec2u(NONE, NONE); }
  if (FROM_PAIRS == 1u) { return pairsIn[i]; }
  return vec2u(bestKeys[i], i);
}

@compute @workgroup_size(WG)
fn select_top(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let group = wid.x + wid.y * nwg.x;
  let start = group * WG * PER_THREAD;
  let k = min(p.k, MAX_K);
  // This thread's k smallest of its PER_THREAD candidates, sorted (insertion: most are rejected at once).
  var mine: array<vec2u, MAX_K>;
  for (var j = 0u; j < MAX_K; j++) { mine[j] = vec2u(NONE, NONE); }
  for (var t = 0u; t < PER_THREAD; t++) {
    let c = candidate(start + t * WG + lid.x);
    if (!less(c, mine[k - 1u])) { continue; }
    var j = k - 1u;
    while (j > 0u && less(c, mine[j - 1u])) {
      mine[j] = mine[j - 1u];
      j--;
    }
    mine[j] = c;
  }
  // k rounds: the smallest of the threads' heads wins and its thread moves to its next.
  var next = 0u;
  for (var round = 0u; round < k; round++) {
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
    let winner = heldBy[0];
    if (lid.x == 0u) { pairsOut[group * k + round] = heads[0]; }
    if (lid.x == winner) { next++; }
    workgroupBarrier();
  }
}
