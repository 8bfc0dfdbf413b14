// Batched GEMM, C[b] = scale · op(A[b]) · op(B[b]) + biasScale · bias and an activation, as
// common/gemm.wgsl declares it (joined after common/activation.wgsl and common/gemm.wgsl).
// matmul: tiled as conv_gemm is: a workgroup computes a BM x BN tile of C, each thread TM x TN
// of it in registers. matmul_blocked(8): register-blocked, no workgroup memory.

const TM = 4u;
const TN = 4u;
override WG_M: u32 = 16u;
override WG_N: u32 = 16u;
override TK: u32 = 16u;

var<workgroup> tileA: array<f32, WG_M * TM * TK>;
var<workgroup> tileB: array<f32, TK * WG_N * TN>;

// op(A) and op(B), zero past their edges (partial tiles).
fn loadA(base: u32, m: u32, k: u32) -> f32 {
  if (m >= p.M || k >= p.K) { return 0.0; }
  return elementA(base, m, k);
}

fn loadB(base: u32, k: u32, n: u32) -> f32 {
  if (k >= p.K || n >= p.N) { return 0.0; }
  return elementB(base, k, n);
}

@compute @workgroup_size(WG_N, WG_M, 1)
fn matmul(@builtin(workgroup_id) wg: vec3<u32>,
          @builtin(local_invocation_id) lid: vec3<u32>,
          @builtin(local_invocation_index) li: u32) {
  let BM = WG_M * TM;
  let BN = WG_N * TN;
  let threads = WG_M * WG_N;
  let batch = wg.z;
  let rowBase = wg.y * BM;
  let colBase = wg.x * BN;
  let baseA = batch * p.batchStrideA;
  let baseB = batch * p.batchStrideB;

  var acc: array<f32, TM * TN>;
  for (var k0 = 0u; k0 < p.K; k0 += TK) {
    for (var i = li; i < BM * TK; i += threads) {
      tileA[i] = loadA(baseA, rowBase + i / TK, k0 + i % TK);
    }
    for (var i = li; i < TK * BN; i += threads) {
      tileB[i] = loadB(baseB, k0 + i / BN, colBase + i % BN);
    }
    workgroupBarrier();
    for (var s = 0u; s < TK; s++) {
      var av: array<f32, TM>;
      var bv: array<f32, TN>;
      for (var i = 0u; i < TM; i++) { av[i] = tileA[(lid.y + i * WG_M) * TK + s]; }
      for (var j = 0u; j < TN; j++) { bv[j] = tileB[s * BN + lid.x + j * WG_N]; }
      for (var i = 0u; i < TM; i++) {
        for (var j = 0u; j < TN; j++) { acc[i * TN + j] = fma(av[i], bv[j], acc[i * TN + j]); }
      }
    }
    workgroupBarrier();
  }

  for (var i = 0u; i < TM; i++) {
    let row = rowBase + lid.y + i * WG_M;
    if (row >= p.M) { continue; }
    for (var j = 0u; j < TN; j++) {
      let col = colBase + lid.x + j * WG_N;
      if (col >= p.N) { continue; }
      storeC(batch, row, col, acc[i * TN + j]);
    }
  }
}

// ---- matmul_blocked ---------------------------------------------------------------------------
// No workgroup memory and no barriers: each thread accumulates 4 rows x 8 columns of C in vec4
// registers straight from memory, which is 2-4x faster than the tiled `matmul` on CPU-emulated
// adapters (SwiftShader, lavapipe). Needs N % 8 == 0.

override WG_BX: u32 = 8u;
override WG_BY: u32 = 8u;

fn loadB8(base: u32, k: u32, n: u32) -> array<vec4f, 2> {
  if (TRANS_B) {
    let at = base + n * p.K + k;
    return array<vec4f, 2>(vec4f(b[at], b[at + p.K], b[at + 2u * p.K], b[at + 3u * p.K]),
                           vec4f(b[at + 4u * p.K], b[at + 5u * p.K], b[at + 6u * p.K], b[at + 7u * p.K]));
  }
  let at = base + k * p.N + n;
  return array<vec4f, 2>(vec4f(b[at], b[at + 1u], b[at + 2u], b[at + 3u]),
                         vec4f(b[at + 4u], b[at + 5u], b[at + 6u], b[at + 7u]));
}

@compute @workgroup_size(WG_BX, WG_BY, 1)
fn matmul_blocked(@builtin(global_invocation_id) gid: vec3<u32>) {
  let col = gid.x * 8u;
  let row = gid.y * 4u;
  if (col >= p.N || row >= p.M) { return; }
  let batch = gid.z;
  let baseA = batch * p.batchStrideA;
  let baseB = batch * p.batchStrideB;
  // Rows past M read row M-1 (a valid address) and are dropped at the end.
  let r1 = min(row + 1u, p.M - 1u);
  let r2 = min(row + 2u, p.M - 1u);
  let r3 = min(row + 3u, p.M - 1u);
  var acc: array<vec4f, 8>;
  for (var k = 0u; k < p.K; k++) {
    var av: vec4f;
    if (TRANS_A) {
      let at = baseA + k * p.M;
      av = vec4f(a[at + row], a[at + r1], a[at + r2], a[at + r3]);
    } else {
      av = vec4f(a[baseA + row * p.K + k], a[baseA + r1 * p.K + k], a[baseA + r2 * p.K + k], a[baseA + r3 * p.K + k]);
    }
    let bv = loadB8(baseB, k, col);
    acc[0] = fma(vec4f(av.x), bv[0], acc[0]);
    acc[1] = fma(vec4f(av.x), bv[1], acc[1]);
    acc[2] = fma(vec4f(av.y), bv[0], acc[2]);
    acc[3] = fma(vec4f(av.y), bv[1], acc[3]);
    acc[4] = fma(vec4f(av.z), bv[0], acc[4]);
    acc[5] = fma(vec4f(av.z), bv[1], acc[5]);
    acc[6] = fma(vec4f(av.w), bv[0], acc[6]);
    acc[7] = fma(vec4f(av.w), bv[1], acc[7]);
  }
  for (var r = 0u; r < 4u; r++) {
    let m = row + r;
    if (m >= p.M) { break; }
    for (var j = 0u; j < 8u; j++) {
      let n = col + j;
      storeC(batch, m, n, acc[2u * r + j / 4u][j % 4u]);
    }
  }
}

// ---- matmul_blocked8 --------------------------------------------------------------------------
// matmul_blocked with 8 rows x 8 columns per thread: 16 loads per 64 multiply-adds instead of
// 12 per 32. On CPU Vulkan, where each per-thread load is a gather across SIMD lanes, that is
// 1.1-2x faster for products with many rows (style step: Gram matrices, style gradients).

@compute @workgroup_size(WG_BX, WG_BY, 1)
fn matmul_blocked8(@builtin(global_invocation_id) gid: vec3<u32>) {
  let col = gid.x * 8u;
  let row = gid.y * 8u;
  if (col >= p.N || row >= p.M) { return; }
  let batch = gid.z;
  let baseA = batch * p.batchStrideA;
  let baseB = batch * p.batchStrideB;
  // Rows past M read row M-1 (a valid address) and are dropped at the end.
  var rr: array<u32, 8>;
  for (var r = 0u; r < 8u; r++) { rr[r] = min(row + r, p.M - 1u); }
  var acc: array<vec4f, 16>;
  for (var k = 0u; k < p.K; k++) {
    var av0: vec4f;
    var av1: vec4f;
    if (TRANS_A) {
      let at = baseA + k * p.M;
      av0 = vec4f(a[at + rr[0]], a[at + rr[1]], a[at + rr[2]], a[at + rr[3]]);
      av1 = vec4f(a[at + rr[4]], a[at + rr[5]], a[at + rr[6]], a[at + rr[7]]);
    } else {
      av0 = vec4f(a[baseA + rr[0] * p.K + k], a[baseA + rr[1] * p.K + k], a[baseA + rr[2] * p.K + k], a[baseA + rr[3] * p.K + k]);
      av1 = vec4f(a[baseA + rr[4] * p.K + k], a[baseA + rr[5] * p.K + k], a[baseA + rr[6] * p.K + k], a[baseA + rr[7] * p.K + k]);
    }
    let bv = loadB8(baseB, k, col);
    acc[0] = fma(vec4f(av0.x), bv[0], acc[0]);
    acc[1] = fma(vec4f(av0.x), bv[1], acc[1]);
    acc[2] = fma(vec4f(av0.y), bv[0], acc[2]);
    acc[3] = fma(vec4f(av0.y), bv[1], acc[3]);
    acc[4] = fma(vec4f(av0.z), bv[0], acc[4]);
    acc[5] = fma(vec4f(av0.z), bv[1], acc[5]);
    acc[6] = fma(vec4f(av0.w), bv[0], acc[6]);
    acc[7] = fma(vec4f(av0.w), bv[1], acc[7]);
    acc[8] = fma(vec4f(av1.x), bv[0], acc[8]);
    acc[9] = fma(vec4f(av1.x), bv[1], acc[9]);
    acc[10] = fma(vec4f(av1.y), bv[0], acc[10]);
    acc[11] = fma(vec4f(av1.y), bv[1], acc[11]);
    acc[12] = fma(vec4f(av1.z), bv[0], acc[12]);
    acc[13] = fma(vec4f(av1.z), bv[1], acc[13]);
    acc[14] = fma(vec4f(av1.w), bv[0], acc[14]);
    acc[15] = fma(vec4f(av1.w), bv[1], acc[15]);
  }
  for (var r = 0u; r < 8u; r++) {
    let m = row + r;
    if (m >= p.M) { break; }
    for (var j = 0u; j < 8u; j++) {
      let n = col + j;
      storeC(batch, m, n, acc[2u * r + j / 4u][j % 4u]);
    }
  }
}
