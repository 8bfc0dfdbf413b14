// Image → tensor preprocessing. Reads 8-bit RGBA pixels packed one per u32 (R in the low byte,
// as ImageData lays them out), crops the box (cropX, cropY, cropW, cropH) in source pixels,
// resamples it bilinearly (half-pixel centres, edges repeated) to outW x outH, and writes
// f32 RGB as NHWC [1, outH, outW, 3] with y = (v * valueScale - mean[c]) * invStd[c].

struct Params {
  srcW: u32, srcH: u32,
  outW: u32, outH: u32,
  cropX: f32, cropY: f32, cropW: f32, cropH: f32,
  valueScale: f32,
  mean: vec4<f32>,
  invStd: vec4<f32>,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> pixels: array<u32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

override WG: u32 = 64u;

fn texel(ix: i32, iy: i32) -> vec3<f32> {
  let cx = u32(clamp(ix, 0, i32(p.srcW) - 1));
  let cy = u32(clamp(iy, 0, i32(p.srcH) - 1));
  return unpack4x8unorm(pixels[cy * p.srcW + cx]).rgb * 255.0;
}

@compute @workgroup_size(WG)
fn rgba_to_tensor(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let index = gid.x + gid.y * nwg.x * WG;
  if (index >= p.outW * p.outH) { return; }
  let ox = index % p.outW;
  let oy = index / p.outW;
  let sx = p.cropX + (f32(ox) + 0.5) * p.cropW / f32(p.outW) - 0.5;
  let sy = p.cropY + (f32(oy) + 0.5) * p.cropH / f32(p.outH) - 0.5;
  let x0 = i32(floor(sx));
  let y0 = i32(floor(sy));
  let fx = sx - f32(x0);
  let fy = sy - f32(y0);
  let top = mix(texel(x0, y0), texel(x0 + 1, y0), fx);
  let bottom = mix(texel(x0, y0 + 1), texel(x0 + 1, y0 + 1), fx);
  let rgb = (mix(top, bottom, fy) * p.valueScale - p.mean.rgb) * p.invStd.rgb;
  y[index * 3u] = rgb.r;
  y[index * 3u + 1u] = rgb.g;
  y[index * 3u + 2u] = rgb.b;
}
