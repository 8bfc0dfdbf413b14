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

// Flat pixel index → (d, h, w, n) over spatial sizes `size` (D, H, W).
fn pixelOf(row: u32, size: vec3u) -> vec4u {
  let w = row % size.z;
  var q = row / size.z;
  let h = q % size.y;
  q /= size.y;
  return vec4u(q % size.x, h, w, q / size.x);
}

fn outputPixel(row: u32) -> vec4u {
  return pixelOf(row, vec3u(win.outD, win.outH, win.outW));
}

fn inputPixel(row: u32) -> vec4u {
  return pixelOf(row, vec3u(win.inD, win.inH, win.inW));
}

// Walks one chunk of output pixels (n, od, oh, ow) in order without divisions per step.
struct PixelCursor { n: u32, od: u32, oh: u32, ow: u32 }

fn cursorAt(row: u32) -> PixelCursor {
  var c: PixelCursor;
  c.ow = row % win.outW;
  var q = row / win.outW;
  c.oh = q % win.outH;
  q /= win.outH;
  c.od = q % win.outD;
  c.n = q / win.outD;
  return c;
}

fn advance(c: ptr<function, PixelCursor>) {
  (*c).ow++;
  if ((*c).ow == win.outW) {
    (*c).ow = 0u;
    (*c).oh++;
    if ((*c).oh == win.outH) {
      (*c).oh = 0u;
      (*c).od++;
      if ((*c).od == win.outD) { (*c).od = 0u; (*c).n++; }
    }
  }
}
