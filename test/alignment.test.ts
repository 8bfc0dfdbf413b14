import { alignmentTransform, applyAffine, fivePoints, similarityTransform } from '../src/tasks/face/alignment.js';
import type { Affine } from '../src/ops/image.js';
import { assert, assertClose, assertRejects } from './util/assert.js';
import { Rng } from './util/random.js';

type P = { x: number; y: number };

function randomSimilarity(rng: Rng): Affine {
  const s = rng.uniform(0.3, 4), th = rng.uniform(-Math.PI, Math.PI);
  return { a: s * Math.cos(th), b: -s * Math.sin(th), c: rng.uniform(-50, 50), d: s * Math.sin(th), e: s * Math.cos(th), f: rng.uniform(-50, 50) };
}
const coeffs = (t: Affine) => [t.a, t.b, t.c, t.d, t.e, t.f];

describe('face alignment (similarity transforms from landmarks)', () => {
  it('recovers a random similarity from the points it moved, and fits noisy points by least squares', () => {
    const rng = new Rng(71);
    for (let trial = 0; trial < 20; trial++) {
      const t = randomSimilarity(rng);
      const from: P[] = Array.from({ length: rng.int(2, 12) }, () => ({ x: rng.uniform(-20, 20), y: rng.uniform(-20, 20) }));
      assertClose(coeffs(similarityTransform(from, from.map((p) => applyAffine(t, p)))), coeffs(t), { atol: 1e-9, rtol: 1e-9 }, `trial ${trial}`);
    }
    // Least squares: the fitted map's residual is no larger than the true map's on noisy targets.
    const t = randomSimilarity(rng);
    const from: P[] = Array.from({ length: 30 }, () => ({ x: rng.uniform(-20, 20), y: rng.uniform(-20, 20) }));
    const to = from.map((p) => { const q = applyAffine(t, p); return { x: q.x + rng.uniform(-1, 1), y: q.y + rng.uniform(-1, 1) }; });
    const fit = similarityTransform(from, to);
    const residual = (m: Affine) => from.reduce((s, p, i) => { const q = applyAffine(m, p); return s + (q.x - to[i]!.x) ** 2 + (q.y - to[i]!.y) ** 2; }, 0);
    assert(residual(fit) <= residual(t) + 1e-9, `fit residual ${residual(fit)} vs true ${residual(t)}`);
    // Mirrored targets give a rotation (positive determinant), never a reflection.
    const mirrored = similarityTransform(from, from.map((p) => ({ x: -p.x, y: p.y })));
    assert(mirrored.a * mirrored.e - mirrored.b * mirrored.d >= 0, 'no reflection');
  });

  it('a face moved, turned and scaled in the photo gets the same chip: the transform follows the landmarks', () => {
    const rng = new Rng(72);
    // Any 68 points stand in for a face; the chip is defined by where they are relative to the template.
    const face: P[] = Array.from({ length: 68 }, () => ({ x: rng.uniform(30, 80), y: rng.uniform(30, 90) }));
    for (const g of [{ template: 'arcface', size: 112 }, { template: 'arcface', size: 224, padding: 0.2 }, { template: 'dlib', size: 150 }] as const) {
      const base = alignmentTransform(face, g);
      const move = randomSimilarity(rng);
      const moved = alignmentTransform(face.map((p) => applyAffine(move, p)), g);
      // moved = move ∘ base: every chip point lands where `move` takes base's image point.
      for (const u of [{ x: 0, y: 0 }, { x: g.size, y: 0 }, { x: g.size / 2, y: g.size }]) {
        const want = applyAffine(move, applyAffine(base, u));
        const got = applyAffine(moved, u);
        assertClose([got.x, got.y], [want.x, want.y], { atol: 1e-6, rtol: 1e-9 }, `${g.template} ${g.size} chip point ${JSON.stringify(u)}`);
      }
    }
  });

  it("a face whose five points are exactly the template's maps to the identity (arcface, 112 px)", () => {
    const template = [{ x: 38.2946, y: 51.6963 }, { x: 73.5318, y: 51.5014 }, { x: 56.0252, y: 71.7366 }, { x: 41.5493, y: 92.3655 }, { x: 70.7299, y: 92.2041 }];
    const landmarks: P[] = Array.from({ length: 68 }, () => ({ x: 0, y: 0 }));
    for (let i = 36; i < 42; i++) landmarks[i] = template[0]!;
    for (let i = 42; i < 48; i++) landmarks[i] = template[1]!;
    [landmarks[30], landmarks[48], landmarks[54]] = [template[2]!, template[3]!, template[4]!];
    assertClose(fivePoints(landmarks).flatMap((p) => [p.x, p.y]), template.flatMap((p) => [p.x, p.y]), { atol: 1e-12 });
    assertClose(coeffs(alignmentTransform(landmarks, { template: 'arcface', size: 112 })), [1, 0, 0, 0, 1, 0], { atol: 1e-9 });
  });

  it('refuses landmarks that are not the 68 finite points', async () => {
    await assertRejects(async () => alignmentTransform([{ x: 1, y: 1 }], { template: 'dlib', size: 150 }), /68 landmarks/);
    const bad = Array.from({ length: 68 }, (_, i) => ({ x: i, y: i === 40 ? NaN : i }));
    await assertRejects(async () => alignmentTransform(bad, { template: 'arcface', size: 112 }), /not a finite point/);
  });
});
