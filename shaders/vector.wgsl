// Vector operations over flat f32 buffers of any size, one value per thread (joined after
// common/grid.wgsl). One entry point, `update`, changes y in place, BLAS style; OP chooses the
// operation (src/ops/vector.ts reads the codes below):
// VECTOR_AXPY:  y += scale·x, times coefficient[0] when TENSOR_COEFFICIENT (read on the GPU, so a
//               coefficient computed by an earlier dispatch never comes back to the CPU).
// VECTOR_COPY:  y = x.
// VECTOR_SCALE: y *= scale.
// VECTOR_FILL:  y = value.
// VECTOR_CLAMP: y = clamp(y, lo, hi).
// An operation that does not read x or coefficient is given a placeholder for it.

struct Params {
  size: u32,
  scale: f32,
  value: f32,
  lo: f32,
  hi: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read> coefficient: array<f32>;

const VECTOR_AXPY: u32 = 0u;
const VECTOR_COPY: u32 = 1u;
const VECTOR_SCALE: u32 = 2u;
const VECTOR_FILL: u32 = 3u;
const VECTOR_CLAMP: u32 = 4u;

override WG: u32 = 64u;
override OP: u32 = VECTOR_AXPY;
override TENSOR_COEFFICIENT: bool = false;

@compute @workgroup_size(WG)
fn update(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg, WG);
  if (i >= p.size) { return; }
  switch OP {
    case VECTOR_AXPY: {
      var a = p.scale;
      if (TENSOR_COEFFICIENT) { a *= coefficient[0]; }
      y[i] += a * x[i];
    }
    case VECTOR_COPY: { y[i] = x[i]; }
    case VECTOR_SCALE: { y[i] *= p.scale; }
    case VECTOR_FILL: { y[i] = p.value; }
    case VECTOR_CLAMP: { y[i] = clamp(y[i], p.lo, p.hi); }
    default: {}
  }
}
