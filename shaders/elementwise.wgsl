// Elementwise kernels, one value per thread.
// unary:       y = f(x) for the activation chosen by OP.
// binary:      y = a (op) b with numpy-style broadcasting up to 8 dimensions: each operand is
//              read through its own strides over the output shape (0 along broadcast axes).
// scale_shift: y = f(x * scale[c] + shift[c]), the folded form of inference batch norm, with
//              c = (i / inner) % channels (inner = 1 for channels-last tensors).
// add_padded:  y = f(a' + b') where a' and b' are a and b zero-extended at the end of every axis
//              to the output shape (ResNet shortcuts that add channels or lose a border row).

struct Params {
  size: u32,
  rank: u32,
  channels: u32,
  inner: u32,
  alpha: f32,
  beta: f32,
  outShape: array<vec4<u32>, 2>,
  aStrides: array<vec4<u32>, 2>,
  bStrides: array<vec4<u32>, 2>,
  aShape: array<vec4<u32>, 2>,
  bShape: array<vec4<u32>, 2>,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read> c: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;

override WG: u32 = 64u;
// unary, scale_shift and add_padded activations: 0 identity, 1 relu, 2 relu6, 3 leaky relu (slope alpha),
// 4 sigmoid, 5 tanh, 6 hard-swish, 7 alpha * x + beta.
// binary: 0 add, 1 sub, 2 mul, 3 div, 4 max, 5 min, 6 prelu (a if a >= 0, else a * b).
override OP: u32 = 0u;

fn flatIndex(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return gid.x + gid.y * nwg.x * WG;
}

fn activate(v: f32) -> f32 {
  switch OP {
    case 1u: { return max(v, 0.0); }
    case 2u: { return clamp(v, 0.0, 6.0); }
    case 3u: { return select(v * p.alpha, v, v >= 0.0); }
    case 4u: { return 1.0 / (1.0 + exp(-v)); }
    case 5u: { let e = exp(-2.0 * abs(v)); return sign(v) * (1.0 - e) / (1.0 + e); }
    case 6u: { return v * clamp(v + 3.0, 0.0, 6.0) / 6.0; }
    case 7u: { return p.alpha * v + p.beta; }
    default: { return v; }
  }
}

fn dim(v: array<vec4<u32>, 2>, i: u32) -> u32 {
  return v[i / 4u][i % 4u];
}

@compute @workgroup_size(WG)
fn unary(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg);
  if (i >= p.size) { return; }
  y[i] = activate(a[i]);
}

@compute @workgroup_size(WG)
fn binary(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg);
  if (i >= p.size) { return; }
  var rest = i;
  var ia = 0u;
  var ib = 0u;
  // The host merges axes: equal shapes or a scalar operand give one axis (no divisions), a
  // per-channel operand two (one division). Other cases walk the axes.
  var d = i32(p.rank) - 1;
  if (p.rank == 1u) {
    ia = i * p.aStrides[0].x;
    ib = i * p.bStrides[0].x;
    d = -1;
  } else if (p.rank == 2u) {
    let row = i / p.outShape[0].y;
    let col = i - row * p.outShape[0].y;
    ia = row * p.aStrides[0].x + col * p.aStrides[0].y;
    ib = row * p.bStrides[0].x + col * p.bStrides[0].y;
    d = -1;
  }
  for (; d >= 0; d--) {
    let extent = dim(p.outShape, u32(d));
    let coord = rest % extent;
    rest /= extent;
    ia += coord * dim(p.aStrides, u32(d));
    ib += coord * dim(p.bStrides, u32(d));
  }
  let va = a[ia];
  let vb = b[ib];
  var v: f32;
  switch OP {
    case 1u: { v = va - vb; }
    case 2u: { v = va * vb; }
    case 3u: { v = va / vb; }
    case 4u: { v = max(va, vb); }
    case 5u: { v = min(va, vb); }
    case 6u: { v = select(va * vb, va, va >= 0.0); }
    default: { v = va + vb; }
  }
  y[i] = v;
}

@compute @workgroup_size(WG)
fn scale_shift(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg);
  if (i >= p.size) { return; }
  let ch = (i / p.inner) % p.channels;
  y[i] = activate(fma(a[i], b[ch], c[ch]));
}

@compute @workgroup_size(WG)
fn add_padded(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg);
  if (i >= p.size) { return; }
  var rest = i;
  var ia = 0u;
  var ib = 0u;
  var inA = true;
  var inB = true;
  for (var d = i32(p.rank) - 1; d >= 0; d--) {
    let extent = dim(p.outShape, u32(d));
    let coord = rest % extent;
    rest /= extent;
    inA = inA && coord < dim(p.aShape, u32(d));
    inB = inB && coord < dim(p.bShape, u32(d));
    ia += coord * dim(p.aStrides, u32(d));
    ib += coord * dim(p.bStrides, u32(d));
  }
  var v = 0.0;
  if (inA) { v = a[ia]; }
  if (inB) { v += b[ib]; }
  y[i] = activate(v);
}
