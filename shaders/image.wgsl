// Image → tensor preprocessing. Reads 8-bit RGBA pixels packed one per u32 (R in the low byte,
// as ImageData lays them out), crops the box (cropX, cropY, cropW, cropH) in source pixels,
// resamples it bilinearly (half-pixel centres, edges repeated) to outW x outH, and writes
// f32 RGB as NHWC [1, outH, outW, 3] with y = (v * valueScale - mean[c]) * invStd[c].
// sampling 1 (asymmetric) instead samples crop-relative (ox * scaleX, oy * scaleY) from the
// crop's top-left pixel, neighbours clamped to the crop's last row and column: exactly
// tf.image.resizeBilinear (no half-pixel centres, no corner alignment) of the cropped image.
// With zeroOutside, source pixels outside [validX0, validX1) x [validY0, validY1) read as 0
// (zero padding, as face-api's padToSquare) instead of the image's edge.
//
// Joined after common/grid.wgsl.

struct Params {
  srcW: u32, srcH: u32,
  outW: u32, outH: u32,
  cropX: f32, cropY: f32, cropW: f32, cropH: f32,
  valueScale: f32,
  mean: vec4<f32>,
  invStd: vec4<f32>,
  sampling: u32,
  zeroOutside: u32,
  scaleX: f32, scaleY: f32,
  validX0: i32, validY0: i32, validX1: i32, validY1: i32,
  // warp_affine: the number of chips.
  chips: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> pixels: array<u32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

override WG: u32 = 64u;

fn texel(ix: i32, iy: i32) -> vec3<f32> {
  if (p.zeroOutside != 0u && (ix < p.validX0 || ix >= p.validX1 || iy < p.validY0 || iy >= p.validY1)) {
    return vec3<f32>(0.0);
  }
  let cx = u32(clamp(ix, 0, i32(p.srcW) - 1));
  let cy = u32(clamp(iy, 0, i32(p.srcH) - 1));
  return unpack4x8unorm(pixels[cy * p.srcW + cx]).rgb * 255.0;
}

@compute @workgroup_size(WG)
fn rgba_to_tensor(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let index = flatIndex(gid, nwg, WG);
  if (index >= p.outW * p.outH) { return; }
  let ox = index % p.outW;
  let oy = index / p.outW;
  if (p.sampling == 1u) {
    asymmetric(index, ox, oy);
    return;
  }
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

fn store(index: u32, v: vec3<f32>) {
  let rgb = (v * p.valueScale - p.mean.rgb) * p.invStd.rgb;
  y[index * 3u] = rgb.r;
  y[index * 3u + 1u] = rgb.g;
  y[index * 3u + 2u] = rgb.b;
}

// TensorFlow's bilinear resize (align_corners = false, half_pixel_centers = false) of the crop.
fn asymmetric(index: u32, ox: u32, oy: u32) {
  let rx = f32(ox) * p.scaleX;
  let ry = f32(oy) * p.scaleY;
  let fx0 = floor(rx);
  let fy0 = floor(ry);
  let fx = rx - fx0;
  let fy = ry - fy0;
  let cx = i32(p.cropX);
  let cy = i32(p.cropY);
  let x0 = cx + i32(fx0);
  let y0 = cy + i32(fy0);
  let x1 = min(x0 + 1, cx + i32(p.cropW) - 1);
  let y1 = min(y0 + 1, cy + i32(p.cropH) - 1);
  let tl = texel(x0, y0);
  let tr = texel(x1, y0);
  let bl = texel(x0, y1);
  let br = texel(x1, y1);
  let top = tl + (tr - tl) * fx;
  let bottom = bl + (br - bl) * fx;
  store(index, top + (bottom - top) * fy);
}

// warp_affine: N chips of outW x outH from one image, written as NHWC [N, outH, outW, 3] with
// the same normalisation as above. Chip n's output pixel centre (ox + 0.5, oy + 0.5) maps to
// the image point (a·u + b·v + c, d·u + e·v + f) with (a, b, c, d, e, f) = transforms[6n…],
// both in continuous pixel coordinates (the image's top-left corner is (0, 0)); the image is
// sampled there bilinearly, pixels outside it reading as black (as OpenCV's warpAffine and
// dlib's extract_image_chip). Shares the binding slots of rgba_to_tensor (p, pixels, y).
@group(0) @binding(3) var<storage, read> transforms: array<f32>;

fn texelOrBlack(ix: i32, iy: i32) -> vec3<f32> {
  if (ix < 0 || iy < 0 || ix >= i32(p.srcW) || iy >= i32(p.srcH)) { return vec3<f32>(0.0); }
  return unpack4x8unorm(pixels[u32(iy) * p.srcW + u32(ix)]).rgb * 255.0;
}

@compute @workgroup_size(WG)
fn warp_affine(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let index = flatIndex(gid, nwg, WG);
  let perChip = p.outW * p.outH;
  if (index >= perChip * p.chips) { return; }
  let chip = index / perChip;
  let ox = (index % perChip) % p.outW;
  let oy = (index % perChip) / p.outW;
  let t = chip * 6u;
  let u = f32(ox) + 0.5;
  let v = f32(oy) + 0.5;
  // Texel centres sit at half-integers: shift to texel-index space before the bilinear weights.
  let sx = transforms[t] * u + transforms[t + 1u] * v + transforms[t + 2u] - 0.5;
  let sy = transforms[t + 3u] * u + transforms[t + 4u] * v + transforms[t + 5u] - 0.5;
  let x0 = i32(floor(sx));
  let y0 = i32(floor(sy));
  let fx = sx - f32(x0);
  let fy = sy - f32(y0);
  let top = mix(texelOrBlack(x0, y0), texelOrBlack(x0 + 1, y0), fx);
  let bottom = mix(texelOrBlack(x0, y0 + 1), texelOrBlack(x0 + 1, y0 + 1), fx);
  store(index, mix(top, bottom, fy));
}
