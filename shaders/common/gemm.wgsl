// The interface of the GEMM kernels (matmul.wgsl, matmul_subgroup.wgsl): batched
// C[b] = scale · op(A[b]) · op(B[b]) + biasScale · bias, then an activation, where op()
// transposes when TRANS_A / TRANS_B are set, reading the operand in place. A batch stride of 0
// broadcasts an operand over the batch; the bias is read through (biasStrideM, biasStrideN), so
// a scalar, a row vector, a column vector or a full matrix all work.
// Joined after activation.wgsl.

struct Params {
  M: u32, N: u32, K: u32,
  batchStrideA: u32, batchStrideB: u32,
  biasStrideM: u32, biasStrideN: u32,
  scale: f32, biasScale: f32,
  // Leaky ReLU's.
  slope: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> c: array<f32>;

override TRANS_A: bool = false;
override TRANS_B: bool = false;
override HAS_BIAS: bool = false;
// An activation code of activation.wgsl.
override ACTIVATION: u32 = 0u;

// Element (m, k) of op(A) in batch entry `base`, without bounds checks.
fn elementA(base: u32, m: u32, k: u32) -> f32 {
  if (TRANS_A) { return a[base + k * p.M + m]; }
  return a[base + m * p.K + k];
}

// Element (k, n) of op(B) in batch entry `base`, without bounds checks.
fn elementB(base: u32, k: u32, n: u32) -> f32 {
  if (TRANS_B) { return b[base + n * p.K + k]; }
  return b[base + k * p.N + n];
}

// C[batch, m, n] from the product's sum: scaled, the bias added, activated; also the value.
fn storeC(batch: u32, m: u32, n: u32, sum: f32) -> f32 {
  var v = p.scale * sum;
  if (HAS_BIAS) { v += p.biasScale * bias[m * p.biasStrideM + n * p.biasStrideN]; }
  v = activate(ACTIVATION, v, p.slope);
  c[(batch * p.M + m) * p.N + n] = v;
  return v;
}
