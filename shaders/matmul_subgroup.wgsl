enable subgroups;
// A subgroup is one row of the workgroup (x extent = subgroup size), so branches on its tile
// (lid.y, the workgroup id) are uniform within it; WGSL's analysis cannot see that.
diagnostic(off, subgroup_uniformity);

// Matrix product C = scale · op(A) · op(B) (+ biasScale · bias, activation) for CPU Vulkan drivers,
// where each thread is a SIMD lane and every per-lane load from a buffer is a gather. One
// subgroup computes a block of 16 rows of C; per step along K each lane loads 16/SG values of A
// (rows lane, lane + SG, ...), which reach the other lanes through subgroupBroadcast (a register
// shuffle), and its own columns of B: 16/SG values (matmul_sgN, 16 columns) or one vec4, which
// costs about one load (matmul_sgN_b4, 4·SG columns; matmul_sgN_a4b4 also reads A as vec4s along K,
// four steps at a time). matmul_sg8 does 32 multiply-adds per lane
// for 4 loads, matmul_sg8_b4 64 for 3, against 64 for 16 in matmul_blocked8 (1.4-2.5x faster on
// llvmpipe). One set of entry points per subgroup size (8: llvmpipe; 4: SwiftShader); the
// dispatcher picks those matching the adapter, which must have a fixed subgroup size. Operands,
// bias and epilogue as common/gemm.wgsl declares them, the broadcast step common/subgroup.wgsl's
// (joined after common/activation.wgsl, gemm.wgsl and subgroup.wgsl).

// B as vec4s, for the *_b4 entry points (no TRANS_B; N and the batch stride divisible by 4).
@group(0) @binding(2) var<storage, read> b4: array<vec4f>;
// A as vec4s along K, for the *_a4b4 entry points (no TRANS_A; K divisible by 4).
@group(0) @binding(1) var<storage, read> a4: array<vec4f>;

// Subgroups per workgroup, each a 16-row tile, stacked along M.
override TILES_M: u32 = 4u;
// C is symmetric (a Gram matrix AᵀA): blocks wholly below the diagonal are skipped, and values
// above it are also written to their mirror position (a straddling block computes some twice,
// with the same products in the same order: the same value).
override SYMMETRIC: bool = false;

// C[m, n] and, for a symmetric product above the diagonal, its mirror C[n, m].
fn storeBoth(batch: u32, m: u32, n: u32, sum: f32) {
  let v = storeC(batch, m, n, sum);
  if (SYMMETRIC && m < n) { c[(batch * p.M + n) * p.N + m] = v; }
}

@compute @workgroup_size(8, TILES_M, 1)
fn matmul_sg8(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let lane = lid.x;
  let row0 = (wg.y * TILES_M + lid.y) * 16u;
  let col0 = wg.x * 16u;
  if (SYMMETRIC && row0 >= col0 + 16u) { return; }
  let batch = wg.z;
  let baseA = batch * p.batchStrideA;
  let baseB = batch * p.batchStrideB;
  // Rows and columns past the edge read the last valid one (no early exit: every lane must take
  // part in the broadcasts) and are not written.
  let m0 = min(row0 + lane, p.M - 1u);
  let m1 = min(row0 + 8u + lane, p.M - 1u);
  let n0 = min(col0 + lane, p.N - 1u);
  let n1 = min(col0 + 8u + lane, p.N - 1u);
  // acc[r][j]: row row0 + r, column col0 + 8j + lane.
  var acc: array<vec2f, 16>;
  for (var k = 0u; k < p.K; k++) {
    let a0 = elementA(baseA, m0, k);
    let a1 = elementA(baseA, m1, k);
    let bv = vec2f(elementB(baseB, k, n0), elementB(baseB, k, n1));
    acc[0] = fma(vec2f(subgroupBroadcast(a0, 0u)), bv, acc[0]);
    acc[1] = fma(vec2f(subgroupBroadcast(a0, 1u)), bv, acc[1]);
    acc[2] = fma(vec2f(subgroupBroadcast(a0, 2u)), bv, acc[2]);
    acc[3] = fma(vec2f(subgroupBroadcast(a0, 3u)), bv, acc[3]);
    acc[4] = fma(vec2f(subgroupBroadcast(a0, 4u)), bv, acc[4]);
    acc[5] = fma(vec2f(subgroupBroadcast(a0, 5u)), bv, acc[5]);
    acc[6] = fma(vec2f(subgroupBroadcast(a0, 6u)), bv, acc[6]);
    acc[7] = fma(vec2f(subgroupBroadcast(a0, 7u)), bv, acc[7]);
    acc[8] = fma(vec2f(subgroupBroadcast(a1, 0u)), bv, acc[8]);
    acc[9] = fma(vec2f(subgroupBroadcast(a1, 1u)), bv, acc[9]);
    acc[10] = fma(vec2f(subgroupBroadcast(a1, 2u)), bv, acc[10]);
    acc[11] = fma(vec2f(subgroupBroadcast(a1, 3u)), bv, acc[11]);
    acc[12] = fma(vec2f(subgroupBroadcast(a1, 4u)), bv, acc[12]);
    acc[13] = fma(vec2f(subgroupBroadcast(a1, 5u)), bv, acc[13]);
    acc[14] = fma(vec2f(subgroupBroadcast(a1, 6u)), bv, acc[14]);
    acc[15] = fma(vec2f(subgroupBroadcast(a1, 7u)), bv, acc[15]);
  }
  for (var r = 0u; r < 16u; r++) {
    let m = row0 + r;
    if (m >= p.M) { break; }
    for (var j = 0u; j < 2u; j++) {
      let n = col0 + 8u * j + lane;
      if (n < p.N) { storeBoth(batch, m, n, acc[r][j]); }
    }
  }
}
@compute @workgroup_size(8, TILES_M, 1)
fn matmul_sg8_b4(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let lane = lid.x;
  let row0 = (wg.y * TILES_M + lid.y) * 16u;
  let col0 = wg.x * 32u;
  if (SYMMETRIC && row0 >= col0 + 32u) { return; }
  let batch = wg.z;
  let baseA = batch * p.batchStrideA;
  let baseB4 = batch * p.batchStrideB / 4u;
  let N4 = p.N / 4u;
  // Rows and columns past the edge read the last valid one (no early exit: every lane must take
  // part in the broadcasts) and are not written.
  let m0 = min(row0 + lane, p.M - 1u);
  let m1 = min(row0 + 8u + lane, p.M - 1u);
  let n4 = min(col0 / 4u + lane, N4 - 1u);
  // acc[r][j]: row row0 + r, column col0 + 4·lane + j.
  var acc: array<vec4f, 16>;
  for (var k = 0u; k < p.K; k++) {
    let a0 = elementA(baseA, m0, k);
    let a1 = elementA(baseA, m1, k);
    let bv = b4[baseB4 + k * N4 + n4];
    broadcastRows8(a0, a1, bv, &acc);
  }
  for (var r = 0u; r < 16u; r++) {
    let m = row0 + r;
    if (m >= p.M) { break; }
    for (var j = 0u; j < 4u; j++) {
      let n = col0 + 4u * lane + j;
      if (n < p.N) { storeBoth(batch, m, n, acc[r][j]); }
    }
  }
}
@compute @workgroup_size(8, TILES_M, 1)
fn matmul_sg8_a4b4(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let lane = lid.x;
  let row0 = (wg.y * TILES_M + lid.y) * 16u;
  let col0 = wg.x * 32u;
  if (SYMMETRIC && row0 >= col0 + 32u) { return; }
  let batch = wg.z;
  let K4 = p.K / 4u;
  let baseB4 = batch * p.batchStrideB / 4u;
  let N4 = p.N / 4u;
  // Rows and columns past the edge read the last valid one (no early exit: every lane must take
  // part in the broadcasts) and are not written.
  let rowA0 = batch * p.batchStrideA / 4u + min(row0 + lane, p.M - 1u) * K4;
  let rowA1 = batch * p.batchStrideA / 4u + min(row0 + 8u + lane, p.M - 1u) * K4;
  let n4 = min(col0 / 4u + lane, N4 - 1u);
  // acc[r][j]: row row0 + r, column col0 + 4·lane + j.
  var acc: array<vec4f, 16>;
  for (var k4 = 0u; k4 < K4; k4++) {
    // Four steps along K: each lane holds A[row][k..k+3] of its rows, B rows k..k+3 of its columns.
    let a0 = a4[rowA0 + k4];
    let a1 = a4[rowA1 + k4];
    let kb = baseB4 + 4u * k4 * N4 + n4;
    let bk = array<vec4f, 4>(b4[kb], b4[kb + N4], b4[kb + 2u * N4], b4[kb + 3u * N4]);
    broadcastSteps8(a0, a1, bk, &acc);
  }
  for (var r = 0u; r < 16u; r++) {
    let m = row0 + r;
    if (m >= p.M) { break; }
    for (var j = 0u; j < 4u; j++) {
      let n = col0 + 4u * lane + j;
      if (n < p.N) { storeBoth(batch, m, n, acc[r][j]); }
    }
  }
}
@compute @workgroup_size(4, TILES_M, 1)
fn matmul_sg4(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let lane = lid.x;
  let row0 = (wg.y * TILES_M + lid.y) * 16u;
  let col0 = wg.x * 16u;
  if (SYMMETRIC && row0 >= col0 + 16u) { return; }
  let batch = wg.z;
  let baseA = batch * p.batchStrideA;
  let baseB = batch * p.batchStrideB;
  // Rows and columns past the edge read the last valid one (no early exit: every lane must take
  // part in the broadcasts) and are not written.
  let m0 = min(row0 + lane, p.M - 1u);
  let m1 = min(row0 + 4u + lane, p.M - 1u);
  let m2 = min(row0 + 8u + lane, p.M - 1u);
  let m3 = min(row0 + 12u + lane, p.M - 1u);
  let n0 = min(col0 + lane, p.N - 1u);
  let n1 = min(col0 + 4u + lane, p.N - 1u);
  let n2 = min(col0 + 8u + lane, p.N - 1u);
  let n3 = min(col0 + 12u + lane, p.N - 1u);
  // acc[r][j]: row row0 + r, column col0 + 4j + lane.
  var acc: array<vec4f, 16>;
  for (var k = 0u; k < p.K; k++) {
    let a0 = elementA(baseA, m0, k);
    let a1 = elementA(baseA, m1, k);
    let a2 = elementA(baseA, m2, k);
    let a3 = elementA(baseA, m3, k);
    let bv = vec4f(elementB(baseB, k, n0), elementB(baseB, k, n1), elementB(baseB, k, n2), elementB(baseB, k, n3));
    broadcastRows4(vec4f(a0, a1, a2, a3), bv, &acc);
  }
  for (var r = 0u; r < 16u; r++) {
    let m = row0 + r;
    if (m >= p.M) { break; }
    for (var j = 0u; j < 4u; j++) {
      let n = col0 + 4u * j + lane;
      if (n < p.N) { storeBoth(batch, m, n, acc[r][j]); }
    }
  }
}
@compute @workgroup_size(4, TILES_M, 1)
fn matmul_sg4_b4(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let lane = lid.x;
  let row0 = (wg.y * TILES_M + lid.y) * 16u;
  let col0 = wg.x * 16u;
  if (SYMMETRIC && row0 >= col0 + 16u) { return; }
  let batch = wg.z;
  let baseA = batch * p.batchStrideA;
  let baseB4 = batch * p.batchStrideB / 4u;
  let N4 = p.N / 4u;
  // Rows and columns past the edge read the last valid one (no early exit: every lane must take
  // part in the broadcasts) and are not written.
  let m0 = min(row0 + lane, p.M - 1u);
  let m1 = min(row0 + 4u + lane, p.M - 1u);
  let m2 = min(row0 + 8u + lane, p.M - 1u);
  let m3 = min(row0 + 12u + lane, p.M - 1u);
  let n4 = min(col0 / 4u + lane, N4 - 1u);
  // acc[r][j]: row row0 + r, column col0 + 4·lane + j.
  var acc: array<vec4f, 16>;
  for (var k = 0u; k < p.K; k++) {
    let a0 = elementA(baseA, m0, k);
    let a1 = elementA(baseA, m1, k);
    let a2 = elementA(baseA, m2, k);
    let a3 = elementA(baseA, m3, k);
    let bv = b4[baseB4 + k * N4 + n4];
    broadcastRows4(vec4f(a0, a1, a2, a3), bv, &acc);
  }
  for (var r = 0u; r < 16u; r++) {
    let m = row0 + r;
    if (m >= p.M) { break; }
    for (var j = 0u; j < 4u; j++) {
      let n = col0 + 4u * lane + j;
      if (n < p.N) { storeBoth(batch, m, n, acc[r][j]); }
    }
  }
}
@compute @workgroup_size(4, TILES_M, 1)
fn matmul_sg4_a4b4(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let lane = lid.x;
  let row0 = (wg.y * TILES_M + lid.y) * 16u;
  let col0 = wg.x * 16u;
  if (SYMMETRIC && row0 >= col0 + 16u) { return; }
  let batch = wg.z;
  let K4 = p.K / 4u;
  let baseB4 = batch * p.batchStrideB / 4u;
  let N4 = p.N / 4u;
  // Rows and columns past the edge read the last valid one (no early exit: every lane must take
  // part in the broadcasts) and are not written.
  let rowA0 = batch * p.batchStrideA / 4u + min(row0 + lane, p.M - 1u) * K4;
  let rowA1 = batch * p.batchStrideA / 4u + min(row0 + 4u + lane, p.M - 1u) * K4;
  let rowA2 = batch * p.batchStrideA / 4u + min(row0 + 8u + lane, p.M - 1u) * K4;
  let rowA3 = batch * p.batchStrideA / 4u + min(row0 + 12u + lane, p.M - 1u) * K4;
  let n4 = min(col0 / 4u + lane, N4 - 1u);
  // acc[r][j]: row row0 + r, column col0 + 4·lane + j.
  var acc: array<vec4f, 16>;
  for (var k4 = 0u; k4 < K4; k4++) {
    // Four steps along K: each lane holds A[row][k..k+3] of its rows, B rows k..k+3 of its columns.
    let a0 = a4[rowA0 + k4];
    let a1 = a4[rowA1 + k4];
    let a2 = a4[rowA2 + k4];
    let a3 = a4[rowA3 + k4];
    let kb = baseB4 + 4u * k4 * N4 + n4;
    let bk = array<vec4f, 4>(b4[kb], b4[kb + N4], b4[kb + 2u * N4], b4[kb + 3u * N4]);
    broadcastSteps4(array<vec4f, 4>(a0, a1, a2, a3), bk, &acc);
  }
  for (var r = 0u; r < 16u; r++) {
    let m = row0 + r;
    if (m >= p.M) { break; }
    for (var j = 0u; j < 4u; j++) {
      let n = col0 + 4u * lane + j;
      if (n < p.N) { storeBoth(batch, m, n, acc[r][j]); }
    }
  }
}
