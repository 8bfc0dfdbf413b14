import gemmWGSL from '../../shaders/common/gemm.wgsl';
import matmulWGSL from '../../shaders/matmul.wgsl';
import matmulSubgroupWGSL from '../../shaders/matmul_subgroup.wgsl';
import subgroupWGSL from '../../shaders/common/subgroup.wgsl';
import { shapeCheck } from '../gpu/errors.js';
import { probedCall, registerTunable, sizeBucket, timingInput } from '../gpu/autotune.js';
import { defineKernel } from '../gpu/kernel.js';
import { sizeOf, type Tensor } from '../gpu/tensor.js';
import activationWGSL from '../../shaders/common/activation.wgsl';
import { activationCode, DEFAULT_LEAKY_SLOPE, type Activation } from './activation.js';
import { sum } from './reduce.js';

const kernel = defineKernel('matmul', matmulWGSL, [activationWGSL, gemmWGSL]);
const subgroupKernel = defineKernel('matmul_subgroup', matmulSubgroupWGSL, [activationWGSL, gemmWGSL, subgroupWGSL]);

export type MatmulAlgorithm = 'tiled' | 'blocked' | 'blocked8' | 'subgroup' | 'subgroupVec4';

/** Subgroup sizes that matmul_subgroup.wgsl has an entry point for. */
const SUBGROUP_SIZES = [4, 8];

/** Whether the subgroup kernel can run on this engine's device. */
export function hasSubgroupMatmul(engine: { subgroupSize: number }): boolean {
  return SUBGROUP_SIZES.includes(engine.subgroupSize);
}

export interface MatmulOptions {
  transposeA?: boolean;
  transposeB?: boolean;
  /** Added after scaling: shape [], [1], [N], [1, N], [M, 1] or [M, N]. */
  bias?: Tensor;
  /** C = scale · A·B + biasScale · bias (ONNX Gemm's alpha and beta); both default to 1. */
  scale?: number;
  biasScale?: number;
  activation?: Activation;
  /** Slope of leakyRelu (default DEFAULT_LEAKY_SLOPE). */
  slope?: number;
  /** The caller promises C is symmetric (a Gram matrix AᵀA, no bias or activation): kernels
   *  that can compute only the blocks on and above the diagonal and mirror them. */
  symmetric?: boolean;
  /** Force a kernel variant (tests); by default chosen from the shape and the adapter. */
  algorithm?: MatmulAlgorithm;
}

/**
 * Matrix product of a [..., M, K] and b [..., K, N] (read transposed in place when asked).
 * Leading batch dimensions must match, or one operand has none (it is then shared).
 */
export function matmul(a: Tensor, b: Tensor, options: MatmulOptions = {}): Tensor {
  const op = 'matmul';
  shapeCheck(a.rank >= 2 && b.rank >= 2, op, `operands need at least 2 dimensions, got [${a.shape}] and [${b.shape}]`);
  const [aRows, aCols] = a.shape.slice(-2) as [number, number];
  const [bRows, bCols] = b.shape.slice(-2) as [number, number];
  const [M, K] = options.transposeA ? [aCols, aRows] : [aRows, aCols];
  const [K2, N] = options.transposeB ? [bCols, bRows] : [bRows, bCols];
  shapeCheck(K === K2, op, `inner dimensions differ: [${a.shape}]${options.transposeA ? 'ᵀ' : ''} x [${b.shape}]${options.transposeB ? 'ᵀ' : ''} (${K} vs ${K2})`);
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  const nA = sizeOf(batchA);
  const nB = sizeOf(batchB);
  shapeCheck(
    nA === 1 || nB === 1 || (batchA.length === batchB.length && batchA.every((d, i) => d === batchB[i])),
    op,
    `batch dimensions [${batchA}] and [${batchB}] must match, or one operand must have none`,
  );
  const batchShape = nA >= nB ? (batchA.length >= batchB.length ? batchA : batchB) : batchB;
  const batch = Math.max(nA, nB);

  let biasStrideM = 0;
  let biasStrideN = 0;
  const bias = options.bias;
  if (bias) {
    const s = bias.shape;
    const [bm, bn] = s.length === 0 ? [1, 1] : s.length === 1 ? [1, s[0]!] : s.length === 2 ? [s[0]!, s[1]!] : [-1, -1];
    shapeCheck((bm === 1 || bm === M) && (bn === 1 || bn === N), op, `bias [${s}] does not broadcast to [${M}, ${N}]`);
    biasStrideN = bn === 1 ? 0 : 1;
    biasStrideM = bm === 1 ? 0 : bn;
  }

  // A small product over a long reduction (a Gram matrix AᵀA of many pixels) would occupy only
  // a few threads: split K into chunks, one batch entry each, and sum the partial products.
  const parts = splitKParts(M, N, K, batch, options);
  if (parts > 1) {
    const kc = K / parts;
    const aChunks = a.reshape([parts, kc, M]);
    const bChunks = b === a ? aChunks : b.reshape([parts, kc, N]);
    const partial = matmul(aChunks, bChunks, { transposeA: true, scale: options.scale, algorithm: options.algorithm, symmetric: options.symmetric });
    const c = sum(partial, [0]);
    for (const t of new Set([aChunks, bChunks, partial])) t.dispose();
    if (batchShape.length === 0) return c;
    const shaped = c.reshape([...batchShape, M, N]);
    c.dispose();
    return shaped;
  }

  const c = a.engine.empty([...batchShape, M, N], op);
  shapeCheck(!options.symmetric || (M === N && !bias && (options.activation ?? 'none') === 'none'), op, 'a symmetric product must be square, with no bias or activation');
  const algorithm = options.algorithm ?? (a.engine.tuner.choose(
    op,
    `M${sizeBucket(M)} N${sizeBucket(N)} K${sizeBucket(K)} ${options.transposeA ? 'T' : 'N'}${options.transposeB ? 'T' : 'N'} batch${sizeBucket(batch)}${options.symmetric ? ' symmetric' : ''}`,
    matmulVariants(a.engine, N, vec4B(options, N)),
    chooseAlgorithm(a.engine, M, N, vec4B(options, N)),
    () => ({ op, shape: { a: a.shape, b: b.shape, transposeA: !!options.transposeA, transposeB: !!options.transposeB, symmetric: !!options.symmetric && a === b } }),
  ) as MatmulAlgorithm);
  shapeCheck(algorithm === 'tiled' || algorithm.startsWith('subgroup') || N % 8 === 0, op, `the blocked kernels need N divisible by 8, got ${N}`);
  shapeCheck(!algorithm.startsWith('subgroup') || hasSubgroupMatmul(a.engine), op, `the subgroup kernel needs subgroups of size ${SUBGROUP_SIZES.join(' or ')} (this device: ${a.engine.subgroupSize || 'none'})`);
  const fused = {
    TRANS_A: options.transposeA ? 1 : 0,
    TRANS_B: options.transposeB ? 1 : 0,
    HAS_BIAS: bias ? 1 : 0,
    ACTIVATION: activationCode(options.activation),
  };
  let overrides: Record<string, number>;
  let threads: [number, number, number];
  // The vec4 subgroup kernel also reads A as vec4s along K where it can (untransposed, K divisible by 4).
  const vec4A = algorithm === 'subgroupVec4' && !options.transposeA && K % 4 === 0;
  if (algorithm === 'subgroup' || algorithm === 'subgroupVec4') {
    // One subgroup per block of 16 rows (16 columns, or 4 per lane with vec4 loads of B), up to
    // 4 of them stacked along M in a workgroup.
    shapeCheck(algorithm === 'subgroup' || vec4B(options, N), op, `the vec4 subgroup kernel needs B untransposed with N divisible by 4, got N ${N}`);
    const width = algorithm === 'subgroup' ? 16 : 4 * a.engine.subgroupSize;
    const tilesM = Math.ceil(M / 16);
    const TILES_M = Math.min(4, tilesM);
    overrides = { ...fused, TILES_M, SYMMETRIC: options.symmetric ? 1 : 0 };
    // A lane per column of its subgroup's block (a workgroup is one subgroup wide), a row of
    // lanes per 16-row tile.
    threads = [Math.ceil(N / width) * a.engine.subgroupSize, tilesM, batch];
  } else if (algorithm !== 'tiled') {
    const WG_BX = Math.min(8, 2 ** Math.floor(Math.log2(N / 8)));
    const WG_BY = 64 / WG_BX;
    overrides = { ...fused, WG_BX, WG_BY };
    threads = [Math.ceil(N / 8), Math.ceil(M / (algorithm === 'blocked8' ? 8 : 4)), batch];
  } else {
    const WG_M = M <= 32 ? 8 : 16;
    const WG_N = N <= 32 ? 8 : 16;
    overrides = { ...fused, WG_M, WG_N, TK: 16 };
    threads = [Math.ceil(N / 4), Math.ceil(M / 4), batch];
  }
  a.engine.dispatch({
    op,
    kernel: algorithm === 'subgroup' || algorithm === 'subgroupVec4' ? subgroupKernel : kernel,
    entry: entryPoint(algorithm, a.engine.subgroupSize, vec4A),
    overrides,
    uniforms: {
      M, N, K,
      batchStrideA: nA === 1 ? 0 : M * K,
      batchStrideB: nB === 1 ? 0 : K * N,
      biasStrideM, biasStrideN,
      scale: options.scale ?? 1,
      biasScale: options.biasScale ?? 1,
      slope: options.slope ?? DEFAULT_LEAKY_SLOPE,
    },
    buffers: { [vec4A ? 'a4' : 'a']: a, [algorithm === 'subgroupVec4' ? 'b4' : 'b']: b, bias: bias ?? a.engine.placeholder(), c },
    threads,
  });
  return c;
}

/**
 * The kernel for a product: on CPU drivers with subgroups (every per-lane load a gather) the
 * subgroup kernel, which shares loads between lanes; else the register-blocked kernels where
 * they apply (N divisible by 8), 8 rows per thread once there are rows enough to keep the
 * threads busy.
 */
function chooseAlgorithm(engine: { subgroupSize: number }, M: number, N: number, vec4: boolean): MatmulAlgorithm {
  if (hasSubgroupMatmul(engine) && M >= 16) {
    // vec4 loads of B, unless the wider blocks would leave a fifth of their columns or more
    // empty (on lavapipe N 40 and 72 in 32-column blocks are slower than in 16-column ones).
    const width = 4 * engine.subgroupSize;
    return vec4 && Math.ceil(N / width) * width * 4 < 5 * N ? 'subgroupVec4' : 'subgroup';
  }
  return N % 8 !== 0 ? 'tiled' : M >= 64 ? 'blocked8' : 'blocked';
}

/** The kernels that can run a product with N columns on this engine, for the tuner to time. */
function matmulVariants(engine: { subgroupSize: number }, N: number, vec4: boolean): MatmulAlgorithm[] {
  return [
    'tiled',
    ...(N % 8 === 0 ? (['blocked', 'blocked8'] as const) : []),
    ...(hasSubgroupMatmul(engine) ? (['subgroup', ...(vec4 ? (['subgroupVec4'] as const) : [])] as const) : []),
  ];
}

// How the tuner times matmul's variants: operands of the request's shapes.
registerTunable('matmul', (engine, shape) => {
  const s = shape as { a: number[]; b: number[]; transposeA: boolean; transposeB: boolean; symmetric: boolean };
  const a = timingInput(engine, s.a);
  const b = s.symmetric ? a : timingInput(engine, s.b);
  const o = { transposeA: s.transposeA, transposeB: s.transposeB, symmetric: s.symmetric };
  return probedCall(engine, [a, b], (variant) => matmul(a, b, { ...o, algorithm: variant as MatmulAlgorithm | undefined }));
});

function entryPoint(algorithm: MatmulAlgorithm, subgroupSize: number, vec4A: boolean): string {
  switch (algorithm) {
    case 'subgroupVec4': return `matmul_sg${subgroupSize}_${vec4A ? 'a4b4' : 'b4'}`;
    case 'subgroup': return `matmul_sg${subgroupSize}`;
    case 'tiled': return 'matmul';
    case 'blocked8': return 'matmul_blocked8';
    case 'blocked': return 'matmul_blocked';
  }
}

/** Whether B can be read as vec4s: untransposed rows of a length divisible by 4. */
function vec4B(o: MatmulOptions, N: number): boolean {
  return !o.transposeB && N % 4 === 0;
}

/** Chunks of K for a split reduction, or 1: only for one product with both operands K-major
 *  (AᵀB), no bias or activation, few output blocks and a K that divides evenly. */
function splitKParts(M: number, N: number, K: number, batch: number, o: MatmulOptions): number {
  if (batch !== 1 || !o.transposeA || o.transposeB || o.bias || (o.activation && o.activation !== 'none')) return 1;
  if (M * N > 128 * 128 || K < 1024) return 1;
  for (let parts = 16; parts > 1; parts--) if (K % parts === 0 && K / parts >= 256) return parts;
  return 1;
}
