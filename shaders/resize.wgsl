// Bilinear resize of NHWC tensors. Output pixel (oy, ox) samples the input at
// (oy * scaleH + offsetH, ox * scaleW + offsetW), clamped to the image; the caller picks scale
// and offset for the coordinate convention (asymmetric, half-pixel or align-corners).
//
// Joined after common/grid.wgsl.

struct Params {
  batch: u32, inH: u32, inW: u32, channels: u32,
  outH: u32, outW: u32,
  scaleH: f32, scaleW: f32,
  offsetH: f32, offsetW: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

override WG: u32 = 64u;

@compute @workgroup_size(WG)
fn resize_bilinear(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let index = flatIndex(gid, nwg, WG);
  if (index >= p.batch * p.outH * p.outW * p.channels) { return; }
  let c = index % p.channels;
  var q = index / p.channels;
  let ox = q % p.outW;
  q /= p.outW;
  let oy = q % p.outH;
  let n = q / p.outH;
  let sy = clamp(f32(oy) * p.scaleH + p.offsetH, 0.0, f32(p.inH - 1u));
  let sx = clamp(f32(ox) * p.scaleW + p.offsetW, 0.0, f32(p.inW - 1u));
  let y0 = u32(floor(sy));
  let x0 = u32(floor(sx));
  let y1 = min(y0 + 1u, p.inH - 1u);
  let x1 = min(x0 + 1u, p.inW - 1u);
  let fy = sy - f32(y0);
  let fx = sx - f32(x0);
  let base = n * p.inH * p.inW;
  let v00 = x[((base + y0 * p.inW + x0) * p.channels) + c];
  let v01 = x[((base + y0 * p.inW + x1) * p.channels) + c];
  let v10 = x[((base + y1 * p.inW + x0) * p.channels) + c];
  let v11 = x[((base + y1 * p.inW + x1) * p.channels) + c];
  let top = v00 + (v01 - v00) * fx;
  let bottom = v10 + (v11 - v10) * fx;
  y[index] = top + (bottom - top) * fy;
}
