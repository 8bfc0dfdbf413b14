/** Reference batched GEMM: C = scale · op(A)·op(B) + biasScale · bias (bias as an [M, N] function). */
export function refMatmul(
  a: Float32Array, b: Float32Array,
  o: { batch: number; M: number; N: number; K: number; transA: boolean; transB: boolean; shareA?: boolean; shareB?: boolean; scale?: number; biasScale?: number; bias?: (m: number, n: number) => number },
): Float32Array {
  const { batch, M, N, K } = o;
  const c = new Float32Array(batch * M * N);
  for (let t = 0; t < batch; t++) {
    const ba = o.shareA ? 0 : t * M * K;
    const bb = o.shareB ? 0 : t * K * N;
    for (let m = 0; m < M; m++) {
      for (let n = 0; n < N; n++) {
        let s = 0;
        for (let k = 0; k < K; k++) {
          const av = o.transA ? a[ba + k * M + m]! : a[ba + m * K + k]!;
          const bv = o.transB ? b[bb + n * K + k]! : b[bb + k * N + n]!;
          s += av * bv;
        }
        c[(t * M + m) * N + n] = (o.scale ?? 1) * s + (o.bias ? (o.biasScale ?? 1) * o.bias(m, n) : 0);
      }
    }
  }
  return c;
}
