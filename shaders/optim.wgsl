// Optimiser updates and vector kernels over flat f32 buffers of any size (one value per thread,
// workgroups folded into y past the device limit).
// sgd_step:   v = momentum·v + (g + wd·x); x -= lr·(nesterov ? g + wd·x + momentum·v : v)
//             (PyTorch SGD without dampening; momentum 0 gives plain x -= lr·(g + wd·x)).
// adam_step:  AdamW: x *= 1 − lr·wd; m, v moving moments; x -= lr·(m/bc1)/(sqrt(v/bc2) + eps).
// axpy:       y += alpha·x, alpha = p.alpha, times s[0] when SCALAR_ALPHA = 1 (read on the GPU).
// scale_by_norm: x *= min(1, maxNorm/(s[0] + 1e-6)) (gradient clipping; s[0] = the global norm).
// clamp_values: x = clamp(x, lo, hi).  copy_values: x = a.  scale_values: x *= alpha.
// fill_values: x = alpha.
// reduce_partial / reduce_final: a two-pass workgroup reduction. Each of at most 256 workgroups
//   strides over the input and writes one partial at partials[offset + workgroup]; the final
//   pass (one workgroup) combines `count` partials and writes out[0] = scale·total (sqrt first
//   when SQRT = 1). MODE 0: Σ a·b, 1: Σ a², 2: Σ |a|, 3: max |a|, 4: Σ (a − b)², 5: Σ a.

struct Params {
  size: u32,
  offset: u32,
  count: u32,
  nesterov: u32,
  lr: f32,
  momentum: f32,
  weightDecay: f32,
  beta1: f32,
  beta2: f32,
  epsilon: f32,
  bc1: f32,
  bc2: f32,
  alpha: f32,
  lo: f32,
  hi: f32,
  scale: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> x: array<f32>;
@group(0) @binding(2) var<storage, read> g: array<f32>;
@group(0) @binding(3) var<storage, read_write> m: array<f32>;
@group(0) @binding(4) var<storage, read_write> v: array<f32>;
@group(0) @binding(5) var<storage, read> s: array<f32>;
@group(0) @binding(6) var<storage, read> a: array<f32>;
@group(0) @binding(7) var<storage, read> b: array<f32>;
@group(0) @binding(8) var<storage, read_write> partials: array<f32>;
@group(0) @binding(9) var<storage, read_write> out: array<f32>;

override WG: u32 = 64u;
override RWG: u32 = 256u;
override SCALAR_ALPHA: u32 = 0u;
override MODE: u32 = 0u;
override SQRT: u32 = 0u;

fn flatIndex(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return gid.x + gid.y * nwg.x * WG;
}

@compute @workgroup_size(WG)
fn sgd_step(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg);
  if (i >= p.size) { return; }
  let d = g[i] + p.weightDecay * x[i];
  if (p.momentum == 0.0) {
    x[i] -= p.lr * d;
    return;
  }
  let vel = p.momentum * v[i] + d;
  v[i] = vel;
  x[i] -= p.lr * select(vel, d + p.momentum * vel, p.nesterov == 1u);
}

@compute @workgroup_size(WG)
fn adam_step(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg);
  if (i >= p.size) { return; }
  let gi = g[i];
  let mi = p.beta1 * m[i] + (1.0 - p.beta1) * gi;
  let vi = p.beta2 * v[i] + (1.0 - p.beta2) * gi * gi;
  m[i] = mi;
  v[i] = vi;
  let decayed = x[i] * (1.0 - p.lr * p.weightDecay);
  x[i] = decayed - p.lr * (mi / p.bc1) / (sqrt(vi / p.bc2) + p.epsilon);
}

@compute @workgroup_size(WG)
fn axpy(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg);
  if (i >= p.size) { return; }
  var alpha = p.alpha;
  if (SCALAR_ALPHA == 1u) { alpha *= s[0]; }
  x[i] += alpha * a[i];
}

@compute @workgroup_size(WG)
fn scale_by_norm(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg);
  if (i >= p.size) { return; }
  x[i] *= min(1.0, p.hi / (s[0] + 1e-6));
}

@compute @workgroup_size(WG)
fn clamp_values(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg);
  if (i >= p.size) { return; }
  x[i] = clamp(x[i], p.lo, p.hi);
}

@compute @workgroup_size(WG)
fn copy_values(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg);
  if (i >= p.size) { return; }
  x[i] = a[i];
}

@compute @workgroup_size(WG)
fn scale_values(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg);
  if (i >= p.size) { return; }
  x[i] *= p.alpha;
}

@compute @workgroup_size(WG)
fn fill_values(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg);
  if (i >= p.size) { return; }
  x[i] = p.alpha;
}

var<workgroup> shared_acc: array<f32, RWG>;

fn term(i: u32) -> f32 {
  switch MODE {
    case 0u: { return a[i] * b[i]; }
    case 1u: { let t = a[i]; return t * t; }
    case 2u, 3u: { return abs(a[i]); }
    case 4u: { let t = a[i] - b[i]; return t * t; }
    default: { return a[i]; }
  }
}

fn combine(u: f32, w: f32) -> f32 {
  return select(u + w, max(u, w), MODE == 3u);
}

fn reduceShared(lid: u32) {
  workgroupBarrier();
  for (var half = RWG / 2u; half > 0u; half /= 2u) {
    if (lid < half) { shared_acc[lid] = combine(shared_acc[lid], shared_acc[lid + half]); }
    workgroupBarrier();
  }
}

@compute @workgroup_size(RWG)
fn reduce_partial(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  var acc = 0.0;
  let stride = nwg.x * RWG;
  for (var i = wid.x * RWG + lid.x; i < p.size; i += stride) {
    acc = combine(acc, term(i));
  }
  shared_acc[lid.x] = acc;
  reduceShared(lid.x);
  if (lid.x == 0u) { partials[p.offset + wid.x] = shared_acc[0]; }
}

@compute @workgroup_size(RWG)
fn reduce_final(@builtin(local_invocation_id) lid: vec3<u32>) {
  var acc = 0.0;
  for (var i = lid.x; i < p.count; i += RWG) {
    acc = combine(acc, partials[i]);
  }
  shared_acc[lid.x] = acc;
  reduceShared(lid.x);
  if (lid.x == 0u) {
    let total = shared_acc[0];
    out[0] = p.scale * select(total, sqrt(total), SQRT == 1u);
  }
}
