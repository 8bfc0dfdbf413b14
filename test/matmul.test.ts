import { Engine } from '../src/gpu/engine.js';
import { hasSubgroupMatmul, matmul } from '../src/ops/matmul.js';
import { refActivation } from './ref/elementwise.js';
import { refMatmul } from './ref/matmul.js';
import { assertClose, assertEqual, assertRejects } from './util/assert.js';
import { testEngine } from './util/engine.js';
import { Rng } from './util/random.js';
import { skipWithoutSubgroupKernels } from './util/subgroups.js';

const TOL = { atol: 3e-4, rtol: 3e-4 };

describe('matmul', () => {
  it('random shapes, both transposes, batches, shared operands, scale/biasScale and every bias shape', async () => {
    const engine = await testEngine();
    const rng = new Rng(42);
    for (let i = 0; i < 24; i++) {
      const algorithm = (['tiled', 'blocked', 'blocked8'] as const)[i % 3]!;
      const M = rng.int(1, 70), K = rng.int(1, 90);
      const N = algorithm !== 'tiled' ? 8 * rng.int(1, 9) : rng.int(1, 70);
      const batch = rng.pick([1, 1, 2, 3]);
      const transA = rng.next() < 0.5, transB = rng.next() < 0.5;
      const shareB = batch > 1 && rng.next() < 0.3;
      const biasKind = rng.pick(['none', 'scalar', 'row', 'col', 'full'] as const);
      const scale = rng.pick([1, 0.5, -2]), biasScale = rng.pick([1, 0.25]);
      const a = rng.array(batch * M * K), b = rng.array((shareB ? 1 : batch) * K * N);
      const biasShape = { none: [], scalar: [], row: [N], col: [M, 1], full: [M, N] }[biasKind];
      const biasData = rng.array(biasShape.reduce((x, y) => x * y, 1));
      const biasAt = { none: () => 0, scalar: () => biasData[0]!, row: (_: number, n: number) => biasData[n]!, col: (m: number) => biasData[m]!, full: (m: number, n: number) => biasData[m * N + n]! }[biasKind];
      const expected = refMatmul(a, b, { batch, M, N, K, transA, transB, shareB, scale, biasScale, bias: biasKind === 'none' ? undefined : biasAt });
      const aShape = [...(batch > 1 ? [batch] : []), ...(transA ? [K, M] : [M, K])];
      const bShape = [...(batch > 1 && !shareB ? [batch] : []), ...(transB ? [N, K] : [K, N])];
      const got = await engine.scope(async () => {
        const c = matmul(engine.tensor(aShape, a), engine.tensor(bShape, b), {
          transposeA: transA, transposeB: transB, scale, biasScale, algorithm,
          bias: biasKind === 'none' ? undefined : engine.tensor(biasShape, biasData),
        });
        assertEqual([...c.shape], [...(batch > 1 ? [batch] : []), M, N], 'shape');
        return c.read();
      });
      assertClose(got, expected, TOL, `matmul ${algorithm} case ${i} M${M} N${N} K${K} batch${batch} tA${transA} tB${transB} bias ${biasKind}`);
    }
  });

  it('the subgroup kernel is refused clearly where the adapter has no fixed subgroup size of 4 or 8', async () => {
    // The same device seen as an adapter that reports no subgroup sizes.
    const shared = await testEngine();
    const engine = new Engine(shared.device, { ...shared.adapterInfo, subgroupMinSize: undefined, subgroupMaxSize: undefined });
    assertEqual(engine.subgroupSize, 0);
    await engine.scope(() => assertRejects(
      () => matmul(engine.tensor([2, 2], new Float32Array(4)), engine.tensor([2, 2], new Float32Array(4)), { algorithm: 'subgroup' }),
      /subgroup kernel needs subgroups of size 4 or 8 \(this device: none\)/,
    ));
    engine.trim();
  });

  it('subgroup kernel (CPU drivers): random shapes past the 16 x 16 blocks, transposes, batches, bias, activations', async function () {
    const engine = await testEngine();
    skipWithoutSubgroupKernels(this, engine);
    await engine.scope(() => assertRejects(
      () => matmul(engine.tensor([2, 3], new Float32Array(6)), engine.tensor([6, 3], new Float32Array(18)), { transposeB: true, algorithm: 'subgroupVec4' }),
      /vec4 subgroup kernel needs B untransposed with N divisible by 4/,
    ));
    const rng = new Rng(77);
    for (let i = 0; i < 24; i++) {
      // Odd cases: 16 x 16 blocks, B read per value; even ones: B read as vec4s (N divisible by 4, no transpose).
      const algorithm = i % 2 ? 'subgroup' : 'subgroupVec4';
      // Every fourth case K divisible by 4: with A untransposed the vec4 kernel reads A as vec4s too.
      const M = rng.int(1, 70), K = i % 4 === 0 ? 4 * rng.int(1, 22) : rng.int(1, 90), N = algorithm === 'subgroupVec4' ? 4 * rng.int(1, 30) : rng.int(1, 70);
      const batch = rng.pick([1, 1, 2, 3]);
      const transA = i % 8 !== 0 && rng.next() < 0.5, transB = algorithm === 'subgroup' && rng.next() < 0.5;
      const shareB = batch > 1 && rng.next() < 0.3;
      const withBias = rng.next() < 0.5;
      const act = rng.pick(['none', 'relu', 'hardSwish'] as const);
      const a = rng.array(batch * M * K), b = rng.array((shareB ? 1 : batch) * K * N), biasData = rng.array(N);
      const expected = refMatmul(a, b, { batch, M, N, K, transA, transB, shareB, scale: 0.5, biasScale: 1, bias: withBias ? (_: number, n: number) => biasData[n]! : undefined })
        .map((v) => refActivation(act, v, 0.2));
      const got = await engine.scope(() => matmul(
        engine.tensor([...(batch > 1 ? [batch] : []), ...(transA ? [K, M] : [M, K])], a),
        engine.tensor([...(batch > 1 && !shareB ? [batch] : []), ...(transB ? [N, K] : [K, N])], b),
        { transposeA: transA, transposeB: transB, scale: 0.5, bias: withBias ? engine.tensor([N], biasData) : undefined, activation: act, algorithm },
      ).read());
      assertClose(got, expected, TOL, `${algorithm}${engine.subgroupSize} case ${i} M${M} N${N} K${K} batch${batch} tA${transA} tB${transB} bias ${withBias} ${act}`);
    }
  });

  it('symmetric products (Gram matrices AᵀA): every kernel, split over K or not, edges past the blocks; misuse refused', async () => {
    const engine = await testEngine();
    const rng = new Rng(31);
    const algorithms = ['tiled', 'blocked', 'blocked8', ...(hasSubgroupMatmul(engine) ? ['subgroup', 'subgroupVec4'] as const : [])] as const;
    for (const [K, M] of [[50, 40], [1536, 40], [30, 7], [200, 48], [2048, 33], [70, 100]] as const) {
      const a = rng.array(K * M);
      const expected = refMatmul(a, a, { batch: 1, M, N: M, K, transA: true, transB: false, scale: 0.5 });
      for (const algorithm of algorithms) {
        if ((algorithm === 'blocked' || algorithm === 'blocked8') && M % 8 !== 0) continue;
        if (algorithm === 'subgroupVec4' && M % 4 !== 0) continue;
        const got = await engine.scope(() => {
          const t = engine.tensor([K, M], a);
          return matmul(t, t, { transposeA: true, scale: 0.5, symmetric: true, algorithm }).read();
        });
        assertClose(got, expected, { atol: 2e-3, rtol: 2e-3 }, `symmetric K${K} M${M} ${algorithm}`);
      }
    }
    await engine.scope(async () => {
      const t = engine.tensor([4, 3], new Float32Array(12));
      await assertRejects(() => matmul(t, engine.tensor([4, 5], new Float32Array(20)), { transposeA: true, symmetric: true }), /symmetric product must be square/);
      await assertRejects(() => matmul(t, t, { transposeA: true, symmetric: true, activation: 'relu' }), /no bias or activation/);
    });
  });

  it('long reductions (Gram-shaped AᵀA and AᵀB, split over K): values, scale, shapes, memory returned', async () => {
    const engine = await testEngine();
    const rng = new Rng(8);
    const cases = [[1536, 16, 16, true, 'blocked'], [1536, 24, 24, true, 'blocked8'], [2048, 12, 24, false, 'blocked'], [1200, 9, 13, false, 'tiled'], [1031, 8, 8, true, 'blocked']] as const;
    const subgroupCases = hasSubgroupMatmul(engine) ? [[1536, 40, 40, true, 'subgroup'], [2048, 20, 36, false, 'subgroup'], [1536, 40, 40, true, 'subgroupVec4'], [2048, 20, 36, false, 'subgroupVec4']] as const : [];
    for (const [K, M, N, same, algorithm] of [...cases, ...subgroupCases]) {
      const a = rng.array(K * M), b = same ? a : rng.array(K * N);
      const scale = 0.5;
      const expected = refMatmul(a, b, { batch: 1, M, N, K, transA: true, transB: false, scale });
      const got = await engine.scope(async () => {
        const ta = engine.tensor([K, M], a);
        const tb = same ? ta : engine.tensor([K, N], b);
        const before = engine.memory().inUse;
        const c = matmul(ta, tb, { transposeA: true, scale, algorithm });
        assertEqual([...c.shape], [M, N], 'shape');
        assertEqual(engine.memory().inUse - before, 1, 'buffers held besides the result');
        return c.read();
      });
      assertClose(got, expected, { atol: 2e-3, rtol: 2e-3 }, `K${K} M${M} N${N} same ${same} ${algorithm}`);
    }
  });

  it('fused activations', async () => {
    const engine = await testEngine();
    const rng = new Rng(3);
    for (const act of ['relu', 'relu6', 'leakyRelu', 'sigmoid', 'tanh', 'hardSwish'] as const) {
      const a = rng.array(17 * 9, -3, 3), b = rng.array(9 * 24, -3, 3);
      const expected = refMatmul(a, b.subarray(0, 9 * 21), { batch: 1, M: 17, N: 21, K: 9, transA: false, transB: false }).map((v) => refActivation(act, v, 0.3));
      for (const [N, algorithm] of [[21, 'tiled'], [24, 'blocked'], [24, 'blocked8']] as const) {
        const bN = b.subarray(0, 9 * N);
        const want = N === 21 ? expected : refMatmul(a, bN, { batch: 1, M: 17, N, K: 9, transA: false, transB: false }).map((v) => refActivation(act, v, 0.3));
        const got = await engine.scope(() => matmul(engine.tensor([17, 9], a), engine.tensor([9, N], bN), { activation: act, slope: 0.3, algorithm }).read());
        assertClose(got, want, TOL, `${act} ${algorithm}`);
      }
    }
  });

  it('rejects mismatched inner dimensions and bias shapes', async () => {
    const engine = await testEngine();
    await engine.scope(async () => {
      const a = engine.tensor([4, 3], new Float32Array(12));
      await assertRejects(() => matmul(a, engine.tensor([4, 5], new Float32Array(20))), /inner dimensions differ/);
      await assertRejects(() => matmul(a, engine.tensor([3, 5], new Float32Array(15)), { bias: engine.tensor([4], new Float32Array(4)) }), /does not broadcast to \[4, 5\]/);
      await assertRejects(() => matmul(engine.tensor([2, 4, 3], new Float32Array(24)), engine.tensor([3, 3, 5], new Float32Array(45))), /batch dimensions/);
    });
  });
});
