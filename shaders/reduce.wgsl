// Sums along one axis. A tensor is viewed as [outer, axis, inner]; the output is
// [outer, parts, inner] where part j sums axis positions [j * chunk, (j + 1) * chunk).
// reduce_chunks: one thread per output value, summing its chunk in order. With parts = 1 it is
//   the whole reduction, the right form when there are many outputs (e.g. a wide inner axis);
//   with parts > 1 it is the first pass of a long reduction, spreading it over many threads.
// reduce_tree: one workgroup per output value (parts = 1): 64 threads stride over the axis,
//   then a tree sum in workgroup memory; for few outputs over a long axis.
// Both multiply the result by `scale` (1 for sums, 1 / count for means).
//
// Whole-tensor totals (dot products, norms, sums to one value), in two passes over x viewed as
// [1, axis, 1]:
// total_partial: each of at most 256 workgroups strides over x and writes one partial at
//   y[offset + workgroup], so several tensors can add their partials to one list;
// total_final (one workgroup): combines the `axis` partials in x and writes
//   y[0] = scale·total (its square root first when SQRT = 1).
// MODE 0: Σ x·other, 1: Σ x², 2: Σ |x|, 3: max |x|, 4: Σ (x − other)², 5: Σ x.
//
// Joined after common/grid.wgsl.

struct Params {
  outer: u32,
  axis: u32,
  inner: u32,
  parts: u32,
  chunk: u32,
  scale: f32,
  /** Where total_partial writes its workgroups' partials. */
  offset: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
/** The second operand of total_partial's MODE 0 and 4. */
@group(0) @binding(3) var<storage, read> other: array<f32>;

const WG = 64u;
/** Threads per workgroup of the whole-tensor totals. */
const TOTAL_WG = 256u;
override MODE: u32 = 5u;
override SQRT: u32 = 0u;
var<workgroup> partial: array<f32, TOTAL_WG>;

/**
 * Folds partial[0 .. width) into partial[0], halving (max instead of + when `isMax`). Every
 * thread of the workgroup calls it after writing its value: the barriers stay uniform.
 */
fn foldPartial(lane: u32, width: u32, isMax: bool) {
  workgroupBarrier();
  for (var s = width / 2u; s > 0u; s /= 2u) {
    if (lane < s) {
      let u = partial[lane];
      let w = partial[lane + s];
      partial[lane] = select(u + w, max(u, w), isMax);
    }
    workgroupBarrier();
  }
}

@compute @workgroup_size(WG)
fn reduce_chunks(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let index = flatIndex(gid, nwg, WG);
  if (index >= p.outer * p.parts * p.inner) { return; }
  let i = index % p.inner;
  let q = index / p.inner;
  let part = q % p.parts;
  let o = q / p.parts;
  let begin = part * p.chunk;
  let end = min(begin + p.chunk, p.axis);
  var at = (o * p.axis + begin) * p.inner + i;
  var sum = 0.0;
  for (var k = begin; k < end; k++) {
    sum += x[at];
    at += p.inner;
  }
  y[index] = sum * p.scale;
}

@compute @workgroup_size(WG)
fn reduce_tree(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
               @builtin(local_invocation_index) lane: u32) {
  let line = wg.x + wg.y * nwg.x;
  // Every thread of a workgroup takes the same branch: the barriers below stay uniform.
  if (line >= p.outer * p.inner) { return; }
  let start = (line / p.inner) * p.axis * p.inner + line % p.inner;
  var sum = 0.0;
  for (var k = lane; k < p.axis; k += WG) { sum += x[start + k * p.inner]; }
  partial[lane] = sum;
  foldPartial(lane, WG, false);
  if (lane == 0u) { y[line] = partial[0] * p.scale; }
}

fn totalTerm(i: u32) -> f32 {
  switch MODE {
    case 0u: { return x[i] * other[i]; }
    case 1u: { let t = x[i]; return t * t; }
    case 2u, 3u: { return abs(x[i]); }
    case 4u: { let t = x[i] - other[i]; return t * t; }
    default: { return x[i]; }
  }
}

fn totalCombine(u: f32, w: f32) -> f32 {
  return select(u + w, max(u, w), MODE == 3u);
}

@compute @workgroup_size(TOTAL_WG)
// The lane is local_invocation_id.x, not local_invocation_index: with the index these two
// kernels ran at half speed on lavapipe (the same arithmetic).
fn total_partial(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let lane = lid.x;
  var acc = 0.0;
  let stride = nwg.x * TOTAL_WG;
  for (var i = wg.x * TOTAL_WG + lane; i < p.axis; i += stride) {
    acc = totalCombine(acc, totalTerm(i));
  }
  partial[lane] = acc;
  foldPartial(lane, TOTAL_WG, MODE == 3u);
  if (lane == 0u) { y[p.offset + wg.x] = partial[0]; }
}

@compute @workgroup_size(TOTAL_WG)
fn total_final(@builtin(local_invocation_id) lid: vec3<u32>) {
  let lane = lid.x;
  var acc = 0.0;
  for (var i = lane; i < p.axis; i += TOTAL_WG) {
    acc = totalCombine(acc, x[i]);
  }
  partial[lane] = acc;
  foldPartial(lane, TOTAL_WG, MODE == 3u);
  if (lane == 0u) {
    let total = partial[0];
    y[0] = p.scale * select(total, sqrt(total), SQRT == 1u);
  }
}
