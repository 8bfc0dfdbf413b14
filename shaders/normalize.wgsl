// Normalisation along one axis. A tensor is viewed as [outer, axis, inner]; one workgroup
// handles one (outer, inner) line of `axis` values, reducing in workgroup memory.
// softmax:      y = exp(x - max) / Σ exp(x - max)
// l2_normalize: y = x / sqrt(max(Σ x², epsilon))

struct Params {
  outer: u32,
  axis: u32,
  inner: u32,
  epsilon: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

const WG = 64u;
var<workgroup> partial: array<f32, WG>;

fn lineStart(wg: vec3<u32>, nwg: vec3<u32>) -> u32 {
  let line = wg.x + wg.y * nwg.x;
  return (line / p.inner) * p.axis * p.inner + line % p.inner;
}

fn reduceMax(v: f32, lane: u32) -> f32 {
  partial[lane] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s /= 2u) {
    if (lane < s) { partial[lane] = max(partial[lane], partial[lane + s]); }
    workgroupBarrier();
  }
  let r = partial[0];
  workgroupBarrier();
  return r;
}

fn reduceSum(v: f32, lane: u32) -> f32 {
  partial[lane] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s /= 2u) {
    if (lane < s) { partial[lane] += partial[lane + s]; }
    workgroupBarrier();
  }
  let r = partial[0];
  workgroupBarrier();
  return r;
}

@compute @workgroup_size(WG)
fn softmax(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
           @builtin(local_invocation_index) lane: u32) {
  let start = lineStart(wg, nwg);
  if (wg.x + wg.y * nwg.x >= p.outer * p.inner) { return; }
  var m = -3.402823e38;
  for (var i = lane; i < p.axis; i += WG) { m = max(m, x[start + i * p.inner]); }
  m = reduceMax(m, lane);
  var s = 0.0;
  for (var i = lane; i < p.axis; i += WG) { s += exp(x[start + i * p.inner] - m); }
  s = reduceSum(s, lane);
  for (var i = lane; i < p.axis; i += WG) {
    let at = start + i * p.inner;
    y[at] = exp(x[at] - m) / s;
  }
}

@compute @workgroup_size(WG)
fn l2_normalize(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                @builtin(local_invocation_index) lane: u32) {
  let start = lineStart(wg, nwg);
  if (wg.x + wg.y * nwg.x >= p.outer * p.inner) { return; }
  var s = 0.0;
  for (var i = lane; i < p.axis; i += WG) { let v = x[start + i * p.inner]; s = fma(v, v, s); }
  s = reduceSum(s, lane);
  let scale = inverseSqrt(max(s, p.epsilon));
  for (var i = lane; i < p.axis; i += WG) {
    let at = start + i * p.inner;
    y[at] = x[at] * scale;
  }
}
