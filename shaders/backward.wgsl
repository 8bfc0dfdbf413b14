// Backward kernels of the elementwise, pooling and normalisation ops, in gather form (each
// output value sums its own contributions; no atomics). Tensors are channels-last; pooling views
// them as [N, D, H, W, C] like pool.wgsl.
// activation_grad:      dx = dy · f'(x) for the activation chosen by ACTIVATION (x = its input).
// max_pool_grad:        dx at an input position sums dy over the windows whose maximum it is
//                       (the first maximum in window order, as the forward picks it).
// avg_pool_grad:        dx sums dy / count over the windows that contain the position.
// global_avg_pool_grad: dx = dy[n, c] / (D·H·W).
// l2_normalize_grad:    y = x / ‖x‖: dx = dy / ‖x‖ − x (x·dy) / ‖x‖³ per line (dy / sqrt(eps)
//                       where ‖x‖² is floored at eps); one workgroup per line, like normalize.wgsl.
// inv_std, bn_centered_square, bn_forward, bn_dy_xhat, bn_grad_coefficients, bn_grad_input:
//                       the per-element and per-channel steps of training batch norm (the sums
//                       over rows run in reduce.wgsl).
//
// Joined after common/activation.wgsl, common/grid.wgsl and common/window.wgsl (src/ops/backward.ts).

// The pooling gradients' window (batch, sizes, kernel, strides, pads, dilations) is
// common/window.wgsl's `win`.
struct Params {
  size: u32, channels: u32, slope: f32, epsilon: f32,
  countIncludePad: u32,
  // l2_normalize_grad: [outer, axis, inner]; batch norm: rows summed per channel.
  outer: u32, axis: u32, inner: u32, rows: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> dy: array<f32>;
@group(0) @binding(3) var<storage, read> gamma: array<f32>;
@group(0) @binding(4) var<storage, read> beta: array<f32>;
@group(0) @binding(5) var<storage, read> mean: array<f32>;
@group(0) @binding(6) var<storage, read> invStd: array<f32>;
@group(0) @binding(7) var<storage, read> coef: array<f32>;
@group(0) @binding(8) var<storage, read_write> y: array<f32>;

const WG = 64u;
// activation_grad: an activation code of common/activation.wgsl (leaky ReLU's slope: p.slope).
override ACTIVATION: u32 = 0u;

@compute @workgroup_size(WG)
fn activation_grad(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg, WG);
  if (i >= p.size) { return; }
  y[i] = dy[i] * activationDerivative4(ACTIVATION, vec4f(x[i]), p.slope).x;
}

// Four values per thread (p.size counts vec4s): CPU drivers load a vec4 about as fast as one value.
@group(0) @binding(1) var<storage, read> x4: array<vec4f>;
@group(0) @binding(2) var<storage, read> dy4: array<vec4f>;
@group(0) @binding(8) var<storage, read_write> y4: array<vec4f>;

@compute @workgroup_size(WG)
fn activation_grad_vec4(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg, WG);
  if (i >= p.size) { return; }
  y4[i] = dy4[i] * activationDerivative4(ACTIVATION, x4[i], p.slope);
}

// ---- pooling --------------------------------------------------------------------------------

// The window o along one axis with i = o·stride − pad + k·dil, or −1 if none.
fn windowOf(i: u32, pad: i32, k: u32, dil: u32, stride: u32, size: u32) -> i32 {
  let t = i32(i) + pad - i32(k * dil);
  if (t < 0 || t % i32(stride) != 0) { return -1; }
  let o = t / i32(stride);
  return select(-1, o, o < i32(size));
}

struct Position { n: u32, d: u32, h: u32, w: u32, c: u32 }

fn inputPosition(index: u32) -> Position {
  let px = inputPixel(index / p.channels);
  return Position(px.w, px.x, px.y, px.z, index % p.channels);
}

// Flat input index of the first maximum of window (od, oh, ow) for channel c of batch n.
fn argmaxOf(n: u32, c: u32, od: u32, oh: u32, ow: u32) -> u32 {
  let d0 = i32(od * win.strideD) - win.padD;
  let h0 = i32(oh * win.strideH) - win.padH;
  let w0 = i32(ow * win.strideW) - win.padW;
  var best = -3.402823e38;
  var at = 0xffffffffu;
  for (var kd = 0u; kd < win.kD; kd++) {
    let id = d0 + i32(kd * win.dilD);
    if (id < 0 || id >= i32(win.inD)) { continue; }
    for (var kh = 0u; kh < win.kH; kh++) {
      let ih = h0 + i32(kh * win.dilH);
      if (ih < 0 || ih >= i32(win.inH)) { continue; }
      for (var kw = 0u; kw < win.kW; kw++) {
        let iw = w0 + i32(kw * win.dilW);
        if (iw < 0 || iw >= i32(win.inW)) { continue; }
        let i = (((n * win.inD + u32(id)) * win.inH + u32(ih)) * win.inW + u32(iw)) * p.channels + c;
        let v = x[i];
        if (at == 0xffffffffu || v > best) { best = v; at = i; }
      }
    }
  }
  return at;
}

@compute @workgroup_size(WG)
fn max_pool_grad(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let index = flatIndex(gid, nwg, WG);
  if (index >= p.size) { return; }
  let s = inputPosition(index);
  var sum = 0.0;
  for (var kd = 0u; kd < win.kD; kd++) {
    let od = windowOf(s.d, win.padD, kd, win.dilD, win.strideD, win.outD);
    if (od < 0) { continue; }
    for (var kh = 0u; kh < win.kH; kh++) {
      let oh = windowOf(s.h, win.padH, kh, win.dilH, win.strideH, win.outH);
      if (oh < 0) { continue; }
      for (var kw = 0u; kw < win.kW; kw++) {
        let ow = windowOf(s.w, win.padW, kw, win.dilW, win.strideW, win.outW);
        if (ow < 0) { continue; }
        if (argmaxOf(s.n, s.c, u32(od), u32(oh), u32(ow)) == index) {
          sum += dy[(((s.n * win.outD + u32(od)) * win.outH + u32(oh)) * win.outW + u32(ow)) * p.channels + s.c];
        }
      }
    }
  }
  y[index] = sum;
}

// Window positions along one axis: (inside the input, inside the padded input).
fn axisCount(o: u32, stride: u32, pad: i32, padEnd: i32, k: u32, dil: u32, size: u32) -> vec2u {
  var inside = 0u;
  var padded = 0u;
  for (var j = 0u; j < k; j++) {
    let i = i32(o * stride + j * dil) - pad;
    if (i >= 0 && i < i32(size)) { inside++; }
    if (i >= -pad && i < i32(size) + padEnd) { padded++; }
  }
  return vec2u(inside, padded);
}

@compute @workgroup_size(WG)
fn avg_pool_grad(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let index = flatIndex(gid, nwg, WG);
  if (index >= p.size) { return; }
  let s = inputPosition(index);
  var sum = 0.0;
  for (var kd = 0u; kd < win.kD; kd++) {
    let od = windowOf(s.d, win.padD, kd, win.dilD, win.strideD, win.outD);
    if (od < 0) { continue; }
    let cd = axisCount(u32(od), win.strideD, win.padD, win.padEndD, win.kD, win.dilD, win.inD);
    for (var kh = 0u; kh < win.kH; kh++) {
      let oh = windowOf(s.h, win.padH, kh, win.dilH, win.strideH, win.outH);
      if (oh < 0) { continue; }
      let ch = axisCount(u32(oh), win.strideH, win.padH, win.padEndH, win.kH, win.dilH, win.inH);
      for (var kw = 0u; kw < win.kW; kw++) {
        let ow = windowOf(s.w, win.padW, kw, win.dilW, win.strideW, win.outW);
        if (ow < 0) { continue; }
        let cw = axisCount(u32(ow), win.strideW, win.padW, win.padEndW, win.kW, win.dilW, win.inW);
        let counts = cd * ch * cw;
        let count = select(counts.x, counts.y, p.countIncludePad != 0u);
        sum += dy[(((s.n * win.outD + u32(od)) * win.outH + u32(oh)) * win.outW + u32(ow)) * p.channels + s.c] / f32(max(count, 1u));
      }
    }
  }
  y[index] = sum;
}

@compute @workgroup_size(WG)
fn global_avg_pool_grad(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let index = flatIndex(gid, nwg, WG);
  if (index >= p.size) { return; }
  let spatial = win.inD * win.inH * win.inW;
  let c = index % p.channels;
  let n = index / (p.channels * spatial);
  y[index] = dy[n * p.channels + c] / f32(spatial);
}

// ---- l2 normalisation -----------------------------------------------------------------------

var<workgroup> partialA: array<f32, WG>;
var<workgroup> partialB: array<f32, WG>;

@compute @workgroup_size(WG)
fn l2_normalize_grad(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                     @builtin(local_invocation_index) lane: u32) {
  let line = wg.x + wg.y * nwg.x;
  if (line >= p.outer * p.inner) { return; }
  let start = (line / p.inner) * p.axis * p.inner + line % p.inner;
  var ss = 0.0;
  var xdy = 0.0;
  for (var i = lane; i < p.axis; i += WG) {
    let at = start + i * p.inner;
    ss = fma(x[at], x[at], ss);
    xdy = fma(x[at], dy[at], xdy);
  }
  partialA[lane] = ss;
  partialB[lane] = xdy;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s /= 2u) {
    if (lane < s) {
      partialA[lane] += partialA[lane + s];
      partialB[lane] += partialB[lane + s];
    }
    workgroupBarrier();
  }
  let sumSq = partialA[0];
  let inv = inverseSqrt(max(sumSq, p.epsilon));
  // Where the norm is floored at sqrt(eps) it is a constant: only dy / sqrt(eps) remains.
  let k = select(partialB[0] * inv * inv * inv, 0.0, sumSq < p.epsilon);
  for (var i = lane; i < p.axis; i += WG) {
    let at = start + i * p.inner;
    y[at] = dy[at] * inv - x[at] * k;
  }
}

// ---- batch norm (training) ------------------------------------------------------------------
// x and dy are [rows, channels]; per-channel vectors have `channels` values.

@compute @workgroup_size(WG)
fn inv_std(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg, WG);
  if (i >= p.size) { return; }
  y[i] = inverseSqrt(x[i] + p.epsilon);
}

@compute @workgroup_size(WG)
fn bn_centered_square(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg, WG);
  if (i >= p.size) { return; }
  let d = x[i] - mean[i % p.channels];
  y[i] = d * d;
}

@compute @workgroup_size(WG)
fn bn_forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg, WG);
  if (i >= p.size) { return; }
  let c = i % p.channels;
  y[i] = fma(gamma[c] * invStd[c], x[i] - mean[c], beta[c]);
}

@compute @workgroup_size(WG)
fn bn_dy_xhat(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg, WG);
  if (i >= p.size) { return; }
  let c = i % p.channels;
  y[i] = dy[i] * (x[i] - mean[c]) * invStd[c];
}

// The per-channel sums dγ = Σ dy·x̂ and dβ = Σ dy, bound where the other entries bind x and dy.
@group(0) @binding(1) var<storage, read> dGamma: array<f32>;
@group(0) @binding(2) var<storage, read> dBeta: array<f32>;

// dx = γ·σ⁻¹/M · (M·dy − dβ − x̂·dγ) = A·dy + B·x + D per channel, with x̂ = (x − μ)·σ⁻¹:
// A = γσ⁻¹, B = −γσ⁻²·dγ/M, D = −γσ⁻¹·dβ/M − B·μ per channel; y receives [A, B, D]
// (3·channels values).
@compute @workgroup_size(WG)
fn bn_grad_coefficients(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let c = flatIndex(gid, nwg, WG);
  if (c >= p.channels) { return; }
  let m = f32(p.rows);
  let a = gamma[c] * invStd[c];
  let b = -a * invStd[c] * dGamma[c] / m;
  y[c] = a;
  y[p.channels + c] = b;
  y[2u * p.channels + c] = -a * dBeta[c] / m - b * mean[c];
}

@compute @workgroup_size(WG)
fn bn_grad_input(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg, WG);
  if (i >= p.size) { return; }
  let c = i % p.channels;
  y[i] = coef[c] * dy[i] + coef[p.channels + c] * x[i] + coef[2u * p.channels + c];
}
