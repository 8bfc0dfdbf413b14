// Concatenation along one axis, one dispatch per input: the input viewed as
// [outer, axis, inner] is copied into the output [outer, total, inner] starting at `offset`
// along the axis (outer, inner: the products of the dimensions before and after it).
//
// Joined after common/grid.wgsl.

struct Params {
  outer: u32,
  axis: u32,
  inner: u32,
  total: u32,
  offset: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

override WG: u32 = 64u;

@compute @workgroup_size(WG)
fn concat_into(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg, WG);
  let line = p.axis * p.inner;
  if (i >= p.outer * line) { return; }
  let o = i / line;
  let rest = i % line;
  y[(o * p.total + p.offset) * p.inner + rest] = x[i];
}
