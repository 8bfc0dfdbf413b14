// Distances between query descriptors q [Q, D] and gallery descriptors g [K, D], → [Q, K].
// Each thread compares one query with ROWS = 4 gallery rows, so a query element is read once
// for four comparisons; the gallery streams through once per query.
// METRIC 0: squared euclidean Σ (q - g)²; 1: euclidean; 2: the learned similarity
//   ŷ = σ(Σ w_k |q_k - g_k| + b); 3: its chi-square variant ŷ = σ(Σ w_k (q_k - g_k)² / (q_k + g_k) + b)
//   (w = head[0..D), b = head[D]).
//
// Joined after common/grid.wgsl.

struct Params {
  queries: u32,
  gallery: u32,
  dims: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> q: array<f32>;
@group(0) @binding(2) var<storage, read> g: array<f32>;
@group(0) @binding(3) var<storage, read> head: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;

override METRIC: u32 = 0u;
override WG: u32 = 64u;

fn term(a: f32, b: f32, k: u32) -> f32 {
  let d = a - b;
  switch METRIC {
    case 2u: { return head[k] * abs(d); }
    case 3u: { let s = a + b; return select(0.0, head[k] * d * d / s, abs(s) > 1e-12); }
    default: { return d * d; }
  }
}

fn finish(sum: f32) -> f32 {
  switch METRIC {
    case 1u: { return sqrt(sum); }
    case 2u, 3u: { return 1.0 / (1.0 + exp(-(sum + head[p.dims]))); }
    default: { return sum; }
  }
}

@compute @workgroup_size(WG)
fn distances(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let blocks = (p.gallery + 3u) / 4u;
  let index = flatIndex(gid, nwg, WG);
  if (index >= blocks * p.queries) { return; }
  let query = index / blocks;
  let k0 = (index % blocks) * 4u;
  // Rows past the gallery's end reuse the last row and are not written.
  let last = p.gallery - 1u;
  let r0 = k0 * p.dims;
  let r1 = min(k0 + 1u, last) * p.dims;
  let r2 = min(k0 + 2u, last) * p.dims;
  let r3 = min(k0 + 3u, last) * p.dims;
  let qBase = query * p.dims;
  var acc = vec4f(0.0);
  for (var k = 0u; k < p.dims; k++) {
    let a = q[qBase + k];
    acc += vec4f(term(a, g[r0 + k], k), term(a, g[r1 + k], k), term(a, g[r2 + k], k), term(a, g[r3 + k], k));
  }
  let outBase = query * p.gallery + k0;
  for (var j = 0u; j < 4u; j++) {
    if (k0 + j < p.gallery) { out[outBase + j] = finish(acc[j]); }
  }
}
