// Style-transfer cost gradients (Gatys et al.); the losses themselves are reductions in
// reduce.wgsl (its whole-tensor totals).
// content_grad: grad = scale·(x − goal) with x the generated image's activations and goal
//               the content's: the gradient of scale/2·Σ (goal − x)².
// tv_grad:      total variation of x [N, H, W, C] with forward differences inside each image:
//               term[e] = (x[i+1,j] − x[i,j])² + (x[i,j+1] − x[i,j])² (missing neighbours add 0),
//               grad[e] = 2·scale·(Σ over the (up to 4) differences that touch e, signed).
//
// Joined after common/grid.wgsl.

struct Params {
  size: u32,
  height: u32,
  width: u32,
  channels: u32,
  scale: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> goal: array<f32>;
@group(0) @binding(3) var<storage, read_write> grad: array<f32>;
@group(0) @binding(4) var<storage, read_write> term: array<f32>;

override WG: u32 = 64u;

@compute @workgroup_size(WG)
fn content_grad(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg, WG);
  if (i >= p.size) { return; }
  grad[i] = p.scale * (x[i] - goal[i]);
}

@compute @workgroup_size(WG)
fn tv_grad(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = flatIndex(gid, nwg, WG);
  if (e >= p.size) { return; }
  let C = p.channels;
  let rowStride = p.width * C;
  let j = (e / C) % p.width;
  let i = (e / rowStride) % p.height;
  let v = x[e];
  var t = 0.0;
  var g = 0.0;
  if (i + 1u < p.height) { let d = x[e + rowStride] - v; t += d * d; g -= d; }
  if (j + 1u < p.width) { let d = x[e + C] - v; t += d * d; g -= d; }
  if (i > 0u) { g += v - x[e - rowStride]; }
  if (j > 0u) { g += v - x[e - C]; }
  term[e] = t;
  grad[e] = 2.0 * p.scale * g;
}
