import { FaceGallery } from '../src/tasks/face/gallery.js';
import { SimilarityHead } from '../src/tasks/face/similarity-head.js';
import { assertClose, assertEqual, assertRejects } from './util/assert.js';
import { testEngine } from './util/engine.js';
import { Rng } from './util/random.js';

describe('learned similarity head on the gallery', () => {
  it('GPU probabilities over the gallery match the per-pair CPU formula, for both forms', async () => {
    const engine = await testEngine();
    const rng = new Rng(81);
    const g = FaceGallery.onGPU(engine, { dims: 16 });
    const people = Array.from({ length: 9 }, (_, i) => [`p${i}`, [rng.array(16, 0, 0.3), rng.array(16, 0, 0.3)]] as const);
    for (const [id, ds] of people) await g.enroll(id, ds);
    for (const form of ['absDiff', 'chiSquare'] as const) {
      const head = SimilarityHead.fromJSON({ format: 'wgsl-vision-similarity-head', version: 1, form, weights: Array.from(rng.array(16, -8, -1)), bias: 3, threshold: 0.6 }, 16);
      const query = people[4]![1][1].map((v) => v + 0.001);
      const result = await g.identifyWithHead(query, head, { topK: 9 });
      const cpu = people.map(([id, ds]) => ({ id, probability: Math.max(...ds.map((d) => head.probability(query, d))) })).sort((a, b) => b.probability - a.probability);
      assertEqual(result.candidates.map((c) => c.id), cpu.map((c) => c.id), `${form} ranking`);
      assertClose(result.candidates.map((c) => c.probability), cpu.map((c) => c.probability), { atol: 1e-5, rtol: 1e-4 }, form);
      assertEqual(result.id, cpu[0]!.probability >= 0.6 ? cpu[0]!.id : null);
      head.dispose();
    }
    const head = SimilarityHead.fromJSON({ format: 'wgsl-vision-similarity-head', version: 1, form: 'absDiff', weights: Array(16).fill(-1), bias: 0.5 }, 16);
    assertEqual(SimilarityHead.fromJSON(JSON.parse(JSON.stringify(head)), 16).toJSON(), head.toJSON());
  });

  it('rejects wrong head files by name', async () => {
    await assertRejects(() => SimilarityHead.fromJSON({ format: 'x' }), /wrong similarity head: missing format/);
    await assertRejects(() => SimilarityHead.fromJSON({ format: 'wgsl-vision-similarity-head', version: 1, form: 'absDiff', weights: [1, 2], bias: 0 }), /needs 128 finite weights, got 2/);
    await assertRejects(() => SimilarityHead.fromJSON({ format: 'wgsl-vision-similarity-head', version: 1, form: 'cosine', weights: [], bias: 0 }), /form must be 'absDiff' or 'chiSquare'/);
  });
});
