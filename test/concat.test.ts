import { concat } from '../src/ops/concat.js';
import { assert, assertEqual, assertRejects } from './util/assert.js';
import { testEngine } from './util/engine.js';
import { Rng } from './util/random.js';

/** The reference: output element by element, each index traced back to its input. */
function refConcat(xs: { shape: number[]; data: Float32Array }[], axis: number): Float32Array {
  const shape = xs[0]!.shape.map((d, i) => (i === axis ? xs.reduce((s, x) => s + x.shape[axis]!, 0) : d));
  const size = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(size);
  for (let flat = 0; flat < size; flat++) {
    const idx: number[] = [];
    for (let d = shape.length - 1, r = flat; d >= 0; d--) {
      idx[d] = r % shape[d]!;
      r = Math.floor(r / shape[d]!);
    }
    let k = 0;
    let a = idx[axis]!;
    while (a >= xs[k]!.shape[axis]!) a -= xs[k++]!.shape[axis]!;
    const src = xs[k]!;
    let at = 0;
    for (let d = 0; d < shape.length; d++) at = at * src.shape[d]! + (d === axis ? a : idx[d]!);
    out[flat] = src.data[at]!;
  }
  return out;
}

describe('concat', () => {
  it('joins tensors along every axis, as an index-by-index reference', async () => {
    const engine = await testEngine();
    const rng = new Rng(31);
    const cases: [number[][], number][] = [
      [[[1, 4, 5, 3], [2, 4, 5, 3], [1, 4, 5, 3]], 0],
      [[[2, 3, 4], [2, 1, 4], [2, 5, 4]], 1],
      [[[3, 2, 1], [3, 2, 6]], 2],
      [[[3, 2, 7], [3, 2, 1]], -1],
      [[[5, 150 * 150 * 3]], 0],
      [[[7], [9], [1]], 0],
    ];
    for (const [shapes, axis] of cases) {
      const xs = shapes.map((shape) => ({ shape, data: Float32Array.from(rng.array(shape.reduce((a, b) => a * b, 1))) }));
      const resolved = axis < 0 ? shapes[0]!.length + axis : axis;
      const { got, shape } = await engine.scope(async () => {
        const y = concat(xs.map((x) => engine.tensor(x.shape, x.data)), axis);
        return { got: await y.read(), shape: y.shape };
      });
      const want = refConcat(xs, resolved);
      assertEqual(shape.join('x'), shapes[0]!.map((d, i) => (i === resolved ? shapes.reduce((s, x) => s + x[i]!, 0) : d)).join('x'), `shape of ${JSON.stringify(shapes)} axis ${axis}`);
      assert(got.length === want.length && got.every((v, i) => v === want[i]), `values of ${JSON.stringify(shapes)} axis ${axis}`);
    }
  });

  it('refuses mismatched shapes, a bad axis and no tensors', async () => {
    const engine = await testEngine();
    await engine.scope(async () => {
      const a = engine.tensor([2, 3], new Float32Array(6));
      const b = engine.tensor([2, 4], new Float32Array(8));
      await assertRejects(() => concat([a, b], 0), /does not match/, 'mismatched shapes');
      await assertRejects(() => concat([a, b], 2), /out of range/, 'axis 2 of rank 2');
      await assertRejects(() => concat([], 0), /no tensors/, 'empty list');
      assertEqual(concat([a, b], 1).shape.join('x'), '2x7', 'joined shape');
    });
  });
});
