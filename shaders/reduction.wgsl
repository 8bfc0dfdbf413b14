// Whole-tensor reductions to one value (the axis sums and means are in reduce.wgsl), in two
// passes. reduce_partial: each of at most 256 workgroups strides over x and writes one partial
// at partials[offset + workgroup], so several tensors can add their partials to one list;
// reduce_final (one workgroup) combines `count` partials and writes
// result[0] = scale·total (its square root first when SQRT = 1).
// MODE 0: Σ x·other, 1: Σ x², 2: Σ |x|, 3: max |x|, 4: Σ (x − other)², 5: Σ x.

struct Params {
  size: u32,
  offset: u32,
  count: u32,
  scale: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
/** The second operand of MODE 0 and 4. */
@group(0) @binding(2) var<storage, read> other: array<f32>;
@group(0) @binding(3) var<storage, read_write> partials: array<f32>;
@group(0) @binding(4) var<storage, read_write> result: array<f32>;

override RWG: u32 = 256u;
override MODE: u32 = 0u;
override SQRT: u32 = 0u;

var<workgroup> shared_acc: array<f32, RWG>;

fn term(i: u32) -> f32 {
  switch MODE {
    case 0u: { return x[i] * other[i]; }
    case 1u: { let t = x[i]; return t * t; }
    case 2u, 3u: { return abs(x[i]); }
    case 4u: { let t = x[i] - other[i]; return t * t; }
    default: { return x[i]; }
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
    result[0] = p.scale * select(total, sqrt(total), SQRT == 1u);
  }
}
