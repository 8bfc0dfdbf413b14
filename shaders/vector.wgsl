// Vector kernels over flat f32 buffers of any size, one value per thread (joined after
// common/grid.wgsl). Each updates y in place, BLAS style.
// axpy:         y += scale·x, times coefficient[0] when TENSOR_COEFFICIENT = 1 (read on the GPU,
//               so a coefficient computed by an earlier dispatch never comes back to the CPU).
// copy_values:  y = x.
// scale_values: y *= scale.
// fill_values:  y = value.
// clamp_values: y = clamp(y, lo, hi).

struct Params {
  size: u32,
  scale: f32,
  value: f32,
  lo: f32,
  hi: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read> coefficient: array<f32>;

override WG: u32 = 64u;
override TENSOR_COEFFICIENT: u32 = 0u;

@compute @workgroup_size(WG)
fn axpy(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg, WG);
  if (i >= p.size) { return; }
  var a = p.scale;
  if (TENSOR_COEFFICIENT == 1u) { a *= coefficient[0]; }
  y[i] += a * x[i];
}

@compute @workgroup_size(WG)
fn copy_values(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg, WG);
  if (i >= p.size) { return; }
  y[i] = x[i];
}

@compute @workgroup_size(WG)
fn scale_values(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg, WG);
  if (i >= p.size) { return; }
  y[i] *= p.scale;
}

@compute @workgroup_size(WG)
fn fill_values(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg, WG);
  if (i >= p.size) { return; }
  y[i] = p.value;
}

@compute @workgroup_size(WG)
fn clamp_values(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg, WG);
  if (i >= p.size) { return; }
  y[i] = clamp(y[i], p.lo, p.hi);
}
