// Elementwise kernels. The *_vec4 entry points give each thread four consecutive values (one
// vec4 load and store per operand): on CPU-emulated GPUs (lavapipe, SwiftShader) the cost is
// mostly per invocation, so this is about 3x faster than one value per thread. They may read
// and write up to 3 values past a tensor's end: pooled buffers are whole multiples of 16 bytes
// (the host checks), and those lanes are never read back.
// unary:       y = f(x) for the activation chosen by OP.
// binary:      y = a (op) b with numpy-style broadcasting up to 8 dimensions: each operand is
//              read through its own strides over the output shape (0 along broadcast axes). The
//              host merges axes first (equal shapes: 1 axis; scalar: 1; per-channel or per-row
//              operand: 2) and sets RANK, so the index arithmetic unrolls to RANK - 1 divisions.
// scale_shift: y = f(x * scale[c] + shift[c]), the folded form of inference batch norm, with
//              c = (i / inner) % channels (inner = 1 for channels-last tensors).
// add_padded:  y = f(a' + b') where a' and b' are a and b zero-extended at the end of every axis
//              to the output shape (ResNet shortcuts that add channels or lose a border row).
//
// Joined after common/activation.wgsl and common/grid.wgsl (src/ops/elementwise.ts).

struct Params {
  size: u32, rank: u32, channels: u32, inner: u32,
  // Leaky ReLU's slope; MAP_AFFINE's y = scale·x + shift.
  slope: f32, scale: f32, shift: f32,
  outShape: array<vec4<u32>, 2>,
  aStrides: array<vec4<u32>, 2>,
  bStrides: array<vec4<u32>, 2>,
  aShape: array<vec4<u32>, 2>,
  bShape: array<vec4<u32>, 2>,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;
// The same bindings seen as vec4s, for the *_vec4 entry points (an entry uses one view or the other).
@group(0) @binding(1) var<storage, read> a4: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> b4: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> y4: array<vec4<f32>>;

override WG: u32 = 64u;
// unary: an activation code of common/activation.wgsl or a MAP_ code; scale_shift and
// add_padded: an activation code; binary: a BINARY_ code.
override OP: u32 = 0u;
// binary, add_padded: the number of (merged) axes, 1 to 8.
override RANK: u32 = 1u;
// binary_vec4: whether an operand's innermost axis is contiguous (a vec4 load) or broadcast (one
// value for the four lanes).
override A_VEC: bool = true;
override B_VEC: bool = true;
// scale_shift_vec4: whether the four lanes share one channel (inner % 4 == 0) or are four
// consecutive channels (channels last, channels % 4 == 0).
override SHARED_CHANNEL: bool = false;

// unary's maps past the activation codes (src/ops/elementwise.ts reads them from here).
const MAP_AFFINE: u32 = 7u;
const MAP_ABS: u32 = 8u;
const MAP_SQUARE: u32 = 9u;
const MAP_RSQRT: u32 = 10u;

fn unaryMap4(v: vec4f) -> vec4f {
  switch OP {
    case MAP_AFFINE: { return p.scale * v + p.shift; }
    case MAP_ABS: { return abs(v); }
    case MAP_SQUARE: { return v * v; }
    case MAP_RSQRT: { return inverseSqrt(v); }
    default: { return activate4(OP, v, p.slope); }
  }
}

// binary's operations (prelu: a where a >= 0, else a·b).
const BINARY_ADD: u32 = 0u;
const BINARY_SUB: u32 = 1u;
const BINARY_MUL: u32 = 2u;
const BINARY_DIV: u32 = 3u;
const BINARY_MAX: u32 = 4u;
const BINARY_MIN: u32 = 5u;
const BINARY_PRELU: u32 = 6u;

fn combine4(va: vec4f, vb: vec4f) -> vec4f {
  switch OP {
    case BINARY_SUB: { return va - vb; }
    case BINARY_MUL: { return va * vb; }
    case BINARY_DIV: { return va / vb; }
    case BINARY_MAX: { return max(va, vb); }
    case BINARY_MIN: { return min(va, vb); }
    case BINARY_PRELU: { return select(va * vb, va, va >= vec4f(0.0)); }
    default: { return va + vb; }
  }
}

// Peels the coordinate along axis d off the running index and adds it, times each operand's
// stride, to the operands' offsets. Called with literal axes under RANK tests, so the uniform
// reads are static and the calls unroll.
fn peel(d: u32, rest: ptr<function, u32>, ia: ptr<function, u32>, ib: ptr<function, u32>) {
  let extent = p.outShape[d / 4u][d % 4u];
  let q = *rest / extent;
  let coord = *rest - q * extent;
  *rest = q;
  *ia += coord * p.aStrides[d / 4u][d % 4u];
  *ib += coord * p.bStrides[d / 4u][d % 4u];
}

// The offsets of output index i in a and b: innermost axis first, the outermost without a division.
fn broadcastOffsets(i: u32) -> vec2<u32> {
  var rest = i;
  var ia = 0u;
  var ib = 0u;
  if (RANK > 7u) { peel(7u, &rest, &ia, &ib); }
  if (RANK > 6u) { peel(6u, &rest, &ia, &ib); }
  if (RANK > 5u) { peel(5u, &rest, &ia, &ib); }
  if (RANK > 4u) { peel(4u, &rest, &ia, &ib); }
  if (RANK > 3u) { peel(3u, &rest, &ia, &ib); }
  if (RANK > 2u) { peel(2u, &rest, &ia, &ib); }
  if (RANK > 1u) { peel(1u, &rest, &ia, &ib); }
  ia += rest * p.aStrides[0].x;
  ib += rest * p.bStrides[0].x;
  return vec2(ia, ib);
}

@compute @workgroup_size(WG)
fn unary(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg, WG);
  if (i >= p.size) { return; }
  y[i] = unaryMap4(vec4f(a[i])).x;
}

// p.size counts vec4s.
@compute @workgroup_size(WG)
fn unary_vec4(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg, WG);
  if (i >= p.size) { return; }
  y4[i] = unaryMap4(a4[i]);
}

@compute @workgroup_size(WG)
fn binary(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg, WG);
  if (i >= p.size) { return; }
  let at = broadcastOffsets(i);
  y[i] = combine4(vec4(a[at.x]), vec4(b[at.y])).x;
}

// Thread i writes outputs 4i..4i+3. p.size counts vec4s; the innermost axis is given in vec4s
// (its extent divisible by 4 unless it is the only axis) with operand strides of 4 (contiguous,
// A_VEC/B_VEC) or 0 (broadcast), so each operand's offset is a multiple of 4 where it is read
// as a vec4.
@compute @workgroup_size(WG)
fn binary_vec4(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg, WG);
  if (i >= p.size) { return; }
  let at = broadcastOffsets(i);
  var va: vec4<f32>;
  var vb: vec4<f32>;
  if (A_VEC) { va = a4[at.x / 4u]; } else { va = vec4(a4[at.x / 4u][at.x % 4u]); }
  if (B_VEC) { vb = b4[at.y / 4u]; } else { vb = vec4(b4[at.y / 4u][at.y % 4u]); }
  y4[i] = combine4(va, vb);
}

// scale_shift's per-channel factors, bound where binary binds its second operand.
@group(0) @binding(2) var<storage, read> channelScale: array<f32>;
@group(0) @binding(3) var<storage, read> channelShift: array<f32>;
@group(0) @binding(2) var<storage, read> channelScale4: array<vec4f>;
@group(0) @binding(3) var<storage, read> channelShift4: array<vec4f>;

@compute @workgroup_size(WG)
fn scale_shift(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg, WG);
  if (i >= p.size) { return; }
  let ch = (i / p.inner) % p.channels;
  y[i] = activate(OP, fma(a[i], channelScale[ch], channelShift[ch]), p.slope);
}

// p.size counts vec4s. Four consecutive channels (channels last, p.channels given in vec4s) or
// one channel for all four lanes (p.inner a multiple of 4, given in vec4s).
@compute @workgroup_size(WG)
fn scale_shift_vec4(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg, WG);
  if (i >= p.size) { return; }
  var scale: vec4<f32>;
  var shift: vec4<f32>;
  if (SHARED_CHANNEL) {
    let ch = (i / p.inner) % p.channels;
    scale = vec4(channelScale4[ch / 4u][ch % 4u]);
    shift = vec4(channelShift4[ch / 4u][ch % 4u]);
  } else {
    let ch4 = i % p.channels;
    scale = channelScale4[ch4];
    shift = channelShift4[ch4];
  }
  y4[i] = activate4(OP, fma(a4[i], scale, shift), p.slope);
}

fn dim(v: array<vec4<u32>, 2>, i: u32) -> u32 {
  return v[i / 4u][i % 4u];
}

@compute @workgroup_size(WG)
fn add_padded(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg, WG);
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
  y[i] = activate(OP, v, p.slope);
}

// add_padded of equal shapes: y = f(a + b), four values per thread; p.size counts vec4s.
@compute @workgroup_size(WG)
fn add_act_vec4(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg, WG);
  if (i >= p.size) { return; }
  y4[i] = activate4(OP, a4[i] + b4[i], p.slope);
}
