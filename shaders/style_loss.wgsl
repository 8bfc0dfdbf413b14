// Style-transfer cost gradients (Gatys et al.); the losses themselves are reductions in optim.wgsl.
// content_grad: grad = scale·(aG − aC), the gradient of scale/2·Σ (aC − aG)².
// tv_grad:      total variation of x [N, H, W, C] with forward differences inside each image:
//               term[e] = (x[i+1,j] − x[i,j])² + (x[i,j+1] − x[i,j])² (missing neighbours add 0),
//               grad[e] = 2·scale·(Σ over the (up to 4) differences that touch e, signed).

struct Params {
  size: u32,
  height: u32,
  width: u32,
  channels: u32,
  scale: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> grad: array<f32>;
@group(0) @binding(4) var<storage, read_write> term: array<f32>;

override WG: u32 = 64u;

fn flatIndex(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return gid.x + gid.y * nwg.x * WG;
}

@compute @workgroup_size(WG)
fn content_grad(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg);
  if (i >= p.size) { return; }
  grad[i] = p.scale * (a[i] - b[i]);
}

@compute @workgroup_size(WG)
fn tv_grad(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = flatIndex(gid, nwg);
  if (e >= p.size) { return; }
  let C = p.channels;
  let rowStride = p.width * C;
  let j = (e / C) % p.width;
  let i = (e / rowStride) % p.height;
  let v = a[e];
  var t = 0.0;
  var g = 0.0;
  if (i + 1u < p.height) { let d = a[e + rowStride] - v; t += d * d; g -= d; }
  if (j + 1u < p.width) { let d = a[e + C] - v; t += d * d; g -= d; }
  if (i > 0u) { g += v - a[e - rowStride]; }
  if (j > 0u) { g += v - a[e - C]; }
  term[e] = t;
  grad[e] = 2.0 * p.scale * g;
}
