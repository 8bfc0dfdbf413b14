// Pooling, one family for 1-D, 2-D and 3-D over NDHWC tensors (see conv.wgsl for the view).
// pool: one output per thread over a kD x kH x kW window with stride, dilation and padding;
//   average pooling divides by the window positions inside the input, or (countIncludePad)
//   inside the padded input.
// global_pool: the mean or max over all spatial positions, one (n, c) per thread.
//
// Joined after common/grid.wgsl and common/window.wgsl.

// The window (batch, sizes, kernel, strides, pads, dilations) is common/window.wgsl's `win`.
struct Params {
  channels: u32,
  countIncludePad: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

override POOL_MAX: bool = true;
override WG: u32 = 64u;

@compute @workgroup_size(WG)
fn pool(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let index = flatIndex(gid, nwg, WG);
  if (index >= win.batch * win.outD * win.outH * win.outW * p.channels) { return; }
  let c = index % p.channels;
  let px = outputPixel(index / p.channels);
  let od = px.x;
  let oh = px.y;
  let ow = px.z;
  let n = px.w;
  let d0 = i32(od * win.strideD) - win.padD;
  let h0 = i32(oh * win.strideH) - win.padH;
  let w0 = i32(ow * win.strideW) - win.padW;
  let xBatch = n * win.inD * win.inH * win.inW * p.channels;
  var acc = select(0.0, -3.402823e38, POOL_MAX);
  var inside = 0u;
  var padded = 0u;
  for (var kd = 0u; kd < win.kD; kd++) {
    let id = d0 + i32(kd * win.dilD);
    let dPadded = id >= -win.padD && id < i32(win.inD) + win.padEndD;
    for (var kh = 0u; kh < win.kH; kh++) {
      let ih = h0 + i32(kh * win.dilH);
      let hPadded = ih >= -win.padH && ih < i32(win.inH) + win.padEndH;
      for (var kw = 0u; kw < win.kW; kw++) {
        let iw = w0 + i32(kw * win.dilW);
        let wPadded = iw >= -win.padW && iw < i32(win.inW) + win.padEndW;
        if (dPadded && hPadded && wPadded) { padded++; }
        if (id < 0 || id >= i32(win.inD) || ih < 0 || ih >= i32(win.inH) || iw < 0 || iw >= i32(win.inW)) { continue; }
        let v = x[xBatch + ((u32(id) * win.inH + u32(ih)) * win.inW + u32(iw)) * p.channels + c];
        if (POOL_MAX) { acc = max(acc, v); } else { acc += v; }
        inside++;
      }
    }
  }
  if (!POOL_MAX) {
    let count = select(inside, padded, p.countIncludePad != 0u);
    acc = acc / f32(max(count, 1u));
  }
  y[index] = acc;
}

@compute @workgroup_size(WG)
fn global_pool(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let index = flatIndex(gid, nwg, WG);
  if (index >= win.batch * p.channels) { return; }
  let c = index % p.channels;
  let n = index / p.channels;
  let spatial = win.inD * win.inH * win.inW;
  let base = n * spatial * p.channels + c;
  var acc = select(0.0, -3.402823e38, POOL_MAX);
  for (var s = 0u; s < spatial; s++) {
    let v = x[base + s * p.channels];
    if (POOL_MAX) { acc = max(acc, v); } else { acc += v; }
  }
  if (!POOL_MAX) { acc = acc / f32(spatial); }
  y[index] = acc;
}
