// Sums along one axis. A tensor is viewed as [outer, axis, inner]; the output is
// [outer, parts, inner] where part j sums axis positions [j * chunk, (j + 1) * chunk).
// reduce_chunks: one thread per output value, summing its chunk in order. With parts = 1 it is
//   the whole reduction, the right form when there are many outputs (e.g. a wide inner axis);
//   with parts > 1 it is the first pass of a long reduction, spreading it over many threads.
// reduce_tree: one workgroup per output value (parts = 1): 64 threads stride over the axis,
//   then a tree sum in workgroup memory; for few outputs over a long axis.
// Both multiply the result by `scale` (1 for sums, 1 / count for means).
//
// Joined after common/grid.wgsl.

struct Params {
  outer: u32,
  axis: u32,
  inner: u32,
  parts: u32,
  chunk: u32,
  scale: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

const WG = 64u;
var<workgroup> partial: array<f32, WG>;

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
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s /= 2u) {
    if (lane < s) { partial[lane] += partial[lane + s]; }
    workgroupBarrier();
  }
  if (lane == 0u) { y[line] = partial[0] * p.scale; }
}
