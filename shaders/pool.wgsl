// Pooling, one family for 1-D, 2-D and 3-D over NDHWC tensors (see conv.wgsl for the view).
// pool: one output per thread over a kD x kH x kW window with stride, dilation and padding;
//   average pooling divides by the window positions inside the input, or (countIncludePad)
//   inside the padded input.
// global_pool: the mean or max over all spatial positions, one (n, c) per thread.
//
// Joined after common/grid.wgsl.

struct Params {
  batch: u32, inD: u32, inH: u32, inW: u32, channels: u32,
  outD: u32, outH: u32, outW: u32,
  kD: u32, kH: u32, kW: u32,
  strideD: u32, strideH: u32, strideW: u32,
  padD: i32, padH: i32, padW: i32,
  padEndD: i32, padEndH: i32, padEndW: i32,
  dilD: u32, dilH: u32, dilW: u32,
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
  if (index >= p.batch * p.outD * p.outH * p.outW * p.channels) { return; }
  let c = index % p.channels;
  var q = index / p.channels;
  let ow = q % p.outW;
  q /= p.outW;
  let oh = q % p.outH;
  q /= p.outH;
  let od = q % p.outD;
  let n = q / p.outD;
  let d0 = i32(od * p.strideD) - p.padD;
  let h0 = i32(oh * p.strideH) - p.padH;
  let w0 = i32(ow * p.strideW) - p.padW;
  let xBatch = n * p.inD * p.inH * p.inW * p.channels;
  var acc = select(0.0, -3.402823e38, POOL_MAX);
  var inside = 0u;
  var padded = 0u;
  for (var kd = 0u; kd < p.kD; kd++) {
    let id = d0 + i32(kd * p.dilD);
    let dPadded = id >= -p.padD && id < i32(p.inD) + p.padEndD;
    for (var kh = 0u; kh < p.kH; kh++) {
      let ih = h0 + i32(kh * p.dilH);
      let hPadded = ih >= -p.padH && ih < i32(p.inH) + p.padEndH;
      for (var kw = 0u; kw < p.kW; kw++) {
        let iw = w0 + i32(kw * p.dilW);
        let wPadded = iw >= -p.padW && iw < i32(p.inW) + p.padEndW;
        if (dPadded && hPadded && wPadded) { padded++; }
        if (id < 0 || id >= i32(p.inD) || ih < 0 || ih >= i32(p.inH) || iw < 0 || iw >= i32(p.inW)) { continue; }
        let v = x[xBatch + ((u32(id) * p.inH + u32(ih)) * p.inW + u32(iw)) * p.channels + c];
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
  if (index >= p.batch * p.channels) { return; }
  let c = index % p.channels;
  let n = index / p.channels;
  let spatial = p.inD * p.inH * p.inW;
  let base = n * spatial * p.channels + c;
  var acc = select(0.0, -3.402823e38, POOL_MAX);
  for (var s = 0u; s < spatial; s++) {
    let v = x[base + s * p.channels];
    if (POOL_MAX) { acc = max(acc, v); } else { acc += v; }
  }
  if (!POOL_MAX) { acc = acc / f32(spatial); }
  y[index] = acc;
}
