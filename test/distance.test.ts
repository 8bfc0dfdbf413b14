import { pairwiseDistances, pairwiseSimilarity } from '../src/ops/distance.js';
import { assertClose, assertEqual, assertRejects } from './util/assert.js';
import { testEngine } from './util/engine.js';
import { Rng } from './util/random.js';

function reference(q: Float32Array, g: Float32Array, Q: number, K: number, D: number, f: (a: number, b: number, k: number) => number, finish: (s: number) => number): Float32Array {
  const out = new Float32Array(Q * K);
  for (let i = 0; i < Q; i++) for (let j = 0; j < K; j++) {
    let s = 0;
    for (let k = 0; k < D; k++) s += f(q[i * D + k]!, g[j * D + k]!, k);
    out[i * K + j] = finish(s);
  }
  return out;
}

describe('pairwise distances and learned similarity', () => {
  it('squared and plain euclidean distances for random Q, K (not multiples of 4) and D', async () => {
    const engine = await testEngine();
    const rng = new Rng(51);
    for (const [Q, K, D] of [[1, 1, 128], [3, 37, 128], [2, 1001, 64], [5, 6, 7]] as const) {
      const q = rng.array(Q * D), g = rng.array(K * D);
      for (const metric of ['squaredEuclidean', 'euclidean'] as const) {
        const want = reference(q, g, Q, K, D, (a, b) => (a - b) ** 2, metric === 'euclidean' ? Math.sqrt : (s) => s);
        const got = await engine.scope(async () => {
          const d = pairwiseDistances(engine.tensor([Q, D], q), engine.tensor([K, D], g), metric);
          assertEqual([...d.shape], [Q, K]);
          return d.read();
        });
        assertClose(got, want, { atol: 1e-4, rtol: 1e-5 }, `${metric} Q${Q} K${K} D${D}`);
      }
    }
  });

  it('learned similarity σ(w·|q − g| + b) and its chi-square variant', async () => {
    const engine = await testEngine();
    const rng = new Rng(52);
    const [Q, K, D] = [2, 45, 128];
    const q = rng.array(Q * D, 0, 0.3), g = rng.array(K * D, 0, 0.3), head = rng.array(D + 1, -3, 3);
    const sigmoid = (s: number) => 1 / (1 + Math.exp(-(s + head[D]!)));
    const abs = reference(q, g, Q, K, D, (a, b, k) => head[k]! * Math.abs(a - b), sigmoid);
    const chi = reference(q, g, Q, K, D, (a, b, k) => (Math.abs(a + b) > 1e-12 ? (head[k]! * (a - b) ** 2) / (a + b) : 0), sigmoid);
    await engine.scope(async () => {
      const [tq, tg, th] = [engine.tensor([Q, D], q), engine.tensor([K, D], g), engine.tensor([D + 1], head)];
      assertClose(await pairwiseSimilarity(tq, tg, th, 'absDiff').read(), abs, { atol: 1e-5, rtol: 1e-4 }, 'absDiff');
      assertClose(await pairwiseSimilarity(tq, tg, th, 'chiSquare').read(), chi, { atol: 1e-5, rtol: 1e-4 }, 'chiSquare');
      await assertRejects(() => pairwiseSimilarity(tq, tg, engine.tensor([D], head.subarray(0, D))), /needs 128 weights and a bias \(129 values\)/);
      await assertRejects(() => pairwiseDistances(tq, engine.tensor([2, 64], new Float32Array(128))), /descriptor sizes differ: 128 vs 64/);
    });
  });
});
