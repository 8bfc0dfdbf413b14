// The geometry of a sliding window over [N, D, H, W, C] tensors (channels last; 2-D has D = 1,
// 1-D also H = 1), shared by conv.wgsl, conv_backward.wgsl, pool.wgsl and backward.wgsl's
// pooling gradients. src/ops/window.ts computes it (windowUniforms); the engine fills this
// struct from the op's uniform values by field name, beside the kernel's own Params.

struct Window {
  batch: u32,
  inD: u32, inH: u32, inW: u32,
  outD: u32, outH: u32, outW: u32,
  kD: u32, kH: u32, kW: u32,
  strideD: u32, strideH: u32, strideW: u32,
  padD: i32, padH: i32, padW: i32,
  // Padding at the end of each axis (pooling's averages count the positions inside it).
  padEndD: i32, padEndH: i32, padEndW: i32,
  dilD: u32, dilH: u32, dilW: u32,
}

@group(0) @binding(15) var<uniform> win: Window;

// Flat output pixel index → (od, oh, ow, n).
fn outputPixel(row: u32) -> vec4u {
  let ow = row % win.outW;
  var q = row / win.outW;
  let oh = q % win.outH;
  q /= win.outH;
  return vec4u(q % win.outD, oh, ow, q / win.outD);
}

// Flat input pixel index → (id, ih, iw, n).
fn inputPixel(row: u32) -> vec4u {
  let iw = row % win.inW;
  var q = row / win.inW;
  let ih = q % win.inH;
  q /= win.inH;
  return vec4u(q % win.inD, ih, iw, q / win.inD);
}
