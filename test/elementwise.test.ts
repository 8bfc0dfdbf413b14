import { addPadded, binary, broadcastShapes, planBinary, scaleShift, unary, type BinaryOp, type BinaryPlan } from '../src/ops/elementwise.js';
import { refActivation, refBroadcast } from './ref/elementwise.js';
import { assert, assertClose, assertEqual, assertRejects } from './util/assert.js';
import { testEngine } from './util/engine.js';
import { Rng } from './util/random.js';

const TOL = { atol: 1e-6, rtol: 1e-5 };
const sizeOf = (shape: readonly number[]) => shape.reduce((x, y) => x * y, 1);

/** The kernel binary() picks for two shapes (planBinary on pooled, 16-byte-padded buffers). */
function planFor(aShape: number[], bShape: number[]): BinaryPlan {
  const { shape, aStrides, bStrides } = broadcastShapes('plan', aShape, bShape);
  return planBinary(shape, aStrides, bStrides);
}

describe('elementwise', () => {
  it('unary activations on random data, including large magnitudes', async () => {
    const engine = await testEngine();
    const rng = new Rng(11);
    for (const act of ['relu', 'relu6', 'leakyRelu', 'sigmoid', 'tanh', 'hardSwish', 'affine'] as const) {
      const n = rng.int(1, 3000);
      const x = rng.array(n, -50, 50);
      // leakyRelu's slope, or affine's scale and shift.
      const [slope, scale, shift] = act === 'affine' ? [0, 1.5, -2] : [0.1, 1, 0];
      const got = await engine.scope(() => unary(engine.tensor([n], x), act, { slope, scale, shift }).read());
      assertClose(got, Array.from(x, (v) => refActivation(act, v, act === 'affine' ? scale : slope, shift)), TOL, act);
    }
  });

  it('unary math maps |x|, x², 1/√x on random data', async () => {
    const engine = await testEngine();
    const rng = new Rng(16);
    const refs = { abs: Math.abs, square: (v: number) => v * v, rsqrt: (v: number) => 1 / Math.sqrt(v) };
    for (const [fn, ref] of Object.entries(refs) as [keyof typeof refs, (v: number) => number][]) {
      for (const n of [1, 7, 2501]) {
        const x = fn === 'rsqrt' ? rng.array(n, 1e-3, 50) : rng.array(n, -50, 50);
        const got = await engine.scope(() => unary(engine.tensor([n], x), fn).read());
        assertClose(got, Array.from(x, ref), TOL, `${fn} size ${n}`);
      }
    }
  });

  it('unary: four values per thread with a ragged tail (sizes 1 to 9)', async () => {
    const engine = await testEngine();
    const rng = new Rng(15);
    for (let n = 1; n <= 9; n++) {
      const x = rng.array(n, -8, 8);
      const got = await engine.scope(() => unary(engine.tensor([n], x), 'hardSwish').read());
      assertEqual(got.length, n, `unary size ${n}`);
      assertClose(got, Array.from(x, (v) => refActivation('hardSwish', v)), TOL, `hardSwish size ${n}`);
    }
  });

  it('binary ops with numpy broadcasting up to 5 dimensions', async () => {
    const engine = await testEngine();
    const rng = new Rng(12);
    const ops: BinaryOp[] = ['add', 'sub', 'mul', 'div', 'max', 'min', 'prelu'];
    for (let i = 0; i < 20; i++) {
      const rank = rng.int(1, 5);
      const full = Array.from({ length: rank }, () => rng.int(1, 5));
      const aShape = full.map((d) => (rng.next() < 0.3 ? 1 : d));
      const bShape = full.map((d) => (rng.next() < 0.4 ? 1 : d)).slice(rng.int(0, rank - 1));
      const op = ops[i % ops.length]!;
      const a = rng.array(aShape.reduce((x, y) => x * y, 1), -2, 2);
      const b = rng.array(bShape.reduce((x, y) => x * y, 1), 0.5, 2);
      const ref = refBroadcast(op, a, aShape, b, bShape);
      const got = await engine.scope(async () => {
        const y = binary(op, engine.tensor(aShape, a), engine.tensor(bShape, b));
        assertEqual([...y.shape], ref.shape, `${op} shape`);
        return y.read();
      });
      assertClose(got, ref.data, TOL, `${op} [${aShape}] with [${bShape}]`);
    }
  });

  it('binary: each kernel path, chosen by construction, against the reference', async () => {
    const engine = await testEngine();
    const rng = new Rng(16);
    const ops: BinaryOp[] = ['add', 'sub', 'mul', 'div', 'max', 'min', 'prelu'];
    // [a shape, b shape, expected entry, RANK, a read as vec4, b read as vec4]
    const cases: [number[], number[], BinaryPlan['entry'], number, boolean, boolean][] = [
      // equal shapes, sizes not divisible by 4: one axis, vec4 with a ragged tail
      [[3, 5, 7], [3, 5, 7], 'binary_vec4', 1, true, true],
      [[1], [1], 'binary_vec4', 1, false, false],
      [[2, 3], [2, 3], 'binary_vec4', 1, true, true],
      // a scalar operand on either side ([1], [] or all ones)
      [[5, 3, 3], [1], 'binary_vec4', 1, true, false],
      [[], [4, 1, 6], 'binary_vec4', 1, false, true],
      [[1, 1, 1], [2, 3, 3], 'binary_vec4', 1, false, true],
      // per-channel vector (last axis), either side, squeeze-excite style [1,1,1,C] x [1,H,W,C]
      [[1, 5, 3, 8], [1, 1, 1, 8], 'binary_vec4', 2, true, true],
      [[12], [3, 12], 'binary_vec4', 2, true, true],
      // the other operand's inner block repeats along leading axes
      [[3, 2, 2, 5, 4], [2, 5, 4], 'binary_vec4', 2, true, true],
      // per-row: one value for each run of C (C % 4 == 0), either side
      [[1, 4, 3, 8], [1, 4, 3, 1], 'binary_vec4', 2, true, false],
      [[5, 1], [5, 12], 'binary_vec4', 2, false, true],
      // innermost merged axis not divisible by 4: one value per thread
      [[1, 5, 5, 3], [3], 'binary', 2, false, false],
      [[2, 3, 7], [2, 3, 1], 'binary', 2, false, false],
      [[7, 1, 5], [1, 3, 5], 'binary', 3, false, false],
      // broadcasts that keep 3 axes with a vec4-divisible innermost one
      [[2, 3, 8], [2, 1, 8], 'binary_vec4', 3, true, true],
    ];
    // Alternating broadcasts stop every merge: rank R stays R (1 to 8), with and without a
    // common innermost axis of 4 (vec4) or 3 (one value per thread).
    for (let rank = 2; rank <= 8; rank++) {
      for (const inner of [4, 3]) {
        const ext = Array.from({ length: rank - 1 }, () => rng.int(2, 3));
        const aShape = [...ext.map((d, k) => (k % 2 === 0 ? d : 1)), inner];
        const bShape = [...ext.map((d, k) => (k % 2 === 0 ? 1 : d)), inner];
        cases.push([aShape, bShape, inner === 4 ? 'binary_vec4' : 'binary', rank, true, true]);
      }
    }
    for (let k = 0; k < cases.length; k++) {
      const [aShape, bShape, entry, rank, aVec, bVec] = cases[k]!;
      const plan = planFor(aShape, bShape);
      const what = `[${aShape}] with [${bShape}]`;
      assertEqual(plan.entry, entry, `${what}: kernel`);
      assertEqual(plan.shape.length, rank, `${what}: merged rank`);
      if (entry === 'binary_vec4') assertEqual([plan.aVec, plan.bVec], [aVec, bVec], `${what}: vec4 reads`);
      const op = ops[k % ops.length]!;
      const a = rng.array(sizeOf(aShape), -2, 2);
      const b = rng.array(sizeOf(bShape), 0.5, 2);
      const ref = refBroadcast(op, a, aShape, b, bShape);
      const got = await engine.scope(async () => {
        const y = binary(op, engine.tensor(aShape, a), engine.tensor(bShape, b));
        assertEqual([...y.shape], ref.shape, `${op} ${what} shape`);
        return y.read();
      });
      assertEqual(got.length, ref.data.length, `${op} ${what} size`);
      assertClose(got, ref.data, TOL, `${op} ${what}`);
    }
  });

  it('binary: random broadcasts of rank 1 to 8 with ragged extents', async () => {
    const engine = await testEngine();
    const rng = new Rng(17);
    const ops: BinaryOp[] = ['add', 'sub', 'mul', 'div', 'max', 'min', 'prelu'];
    const seen = new Set<string>();
    for (let i = 0; i < 24; i++) {
      const rank = rng.int(1, 8);
      // Mostly small extents so rank 8 stays small; the innermost sometimes a multiple of 4.
      const full = Array.from({ length: rank }, (_, d) => (d === rank - 1 ? rng.pick([1, 3, 4, 5, 8]) : rng.int(1, 3)));
      const aShape = full.map((d) => (rng.next() < 0.3 ? 1 : d)).slice(rng.int(0, rank - 1) * Number(rng.next() < 0.3));
      const bShape = full.map((d) => (rng.next() < 0.4 ? 1 : d)).slice(rng.int(0, rank - 1));
      const op = ops[i % ops.length]!;
      const plan = planFor(aShape, bShape);
      seen.add(plan.entry);
      const a = rng.array(sizeOf(aShape), -2, 2);
      const b = rng.array(sizeOf(bShape), 0.5, 2);
      const ref = refBroadcast(op, a, aShape, b, bShape);
      const got = await engine.scope(async () => {
        const y = binary(op, engine.tensor(aShape, a), engine.tensor(bShape, b));
        assertEqual([...y.shape], ref.shape, `${op} shape`);
        return y.read();
      });
      assertClose(got, ref.data, TOL, `${op} [${aShape}] with [${bShape}] (${plan.entry}, rank ${plan.shape.length})`);
    }
    assert(seen.size === 2, `random shapes should reach both kernels, got ${[...seen]}`);
  });

  it('scale+shift (folded batch norm) on the last axis and on axis 1 (NCHW), with activation', async () => {
    const engine = await testEngine();
    const rng = new Rng(13);
    // Channels last with C % 4 != 0 and == 0 (four channels per thread), NCHW with H·W % 4 != 0
    // and == 0 (one channel for four values), and a middle axis.
    const layouts: [number[], number][] = [[[2, 5, 7, 6], -1], [[2, 6, 5, 7], 1], [[3, 5, 8], -1], [[1, 12], -1], [[2, 3, 4, 5], 1], [[3, 4, 2, 3], 1], [[2, 5, 3], 0]];
    for (const [shape, axis] of layouts) {
      const a0 = axis < 0 ? shape.length + axis : axis;
      const C = shape[a0]!;
      const inner = sizeOf(shape.slice(a0 + 1));
      const x = rng.array(sizeOf(shape), -3, 3);
      const s = rng.array(C), t = rng.array(C);
      const expected = Array.from(x, (v, i) => refActivation('relu6', v * s[Math.floor(i / inner) % C]! + t[Math.floor(i / inner) % C]!));
      const got = await engine.scope(() => scaleShift(engine.tensor(shape, x), engine.tensor([C], s), engine.tensor([C], t), { axis, activation: 'relu6' }).read());
      assertClose(got, expected, TOL, `scaleShift [${shape}] axis ${axis}`);
    }
  });

  it('addPadded: zero-extends each operand at the end of every axis, with a fused activation', async () => {
    const engine = await testEngine();
    const rng = new Rng(14);
    // ResNet shortcuts: channels doubled ([N,4,4,C] + [N,3,3,2C]); equal shapes; random shapes up to rank 5.
    const cases: [number[], number[]][] = [[[2, 4, 4, 3], [2, 3, 3, 6]], [[1, 5, 5, 8], [1, 5, 5, 8]], [[3], [5]], [[3, 5, 7], [3, 5, 7]], [[2], [2]]];
    for (let i = 0; i < 8; i++) {
      const rank = rng.int(1, 5);
      cases.push([Array.from({ length: rank }, () => rng.int(1, 5)), Array.from({ length: rank }, () => rng.int(1, 5))]);
    }
    for (let k = 0; k < cases.length; k++) {
      const [aShape, bShape] = cases[k]!;
      const activation = (['none', 'relu', 'leakyRelu'] as const)[k % 3]!;
      const shape = aShape.map((d, i) => Math.max(d, bShape[i]!));
      const a = rng.array(aShape.reduce((x, y) => x * y, 1), -2, 2);
      const b = rng.array(bShape.reduce((x, y) => x * y, 1), -2, 2);
      const at = (data: Float32Array, s: number[], coord: number[]) => {
        let index = 0;
        for (let d = 0; d < s.length; d++) {
          if (coord[d]! >= s[d]!) return 0;
          index = index * s[d]! + coord[d]!;
        }
        return data[index]!;
      };
      const size = shape.reduce((x, y) => x * y, 1);
      const expected = new Float32Array(size);
      for (let i = 0; i < size; i++) {
        const coord: number[] = [];
        for (let d = shape.length - 1, r = i; d >= 0; r = Math.floor(r / shape[d]!), d--) coord[d] = r % shape[d]!;
        expected[i] = refActivation(activation, at(a, aShape, coord) + at(b, bShape, coord), 0.1);
      }
      const got = await engine.scope(async () => {
        const y = addPadded(engine.tensor(aShape, a), engine.tensor(bShape, b), { activation, slope: 0.1 });
        assertEqual([...y.shape], shape, 'addPadded shape');
        return y.read();
      });
      assertClose(got, expected, TOL, `addPadded [${aShape}] + [${bShape}] ${activation}`);
    }
  });

  it('rejects shapes that do not broadcast', async () => {
    const engine = await testEngine();
    await engine.scope(async () => {
      await assertRejects(() => binary('add', engine.tensor([2, 3], new Float32Array(6)), engine.tensor([4], new Float32Array(4))), /do not broadcast \(axis 1: 3 vs 4\)/);
      await assertRejects(() => scaleShift(engine.tensor([2, 3], new Float32Array(6)), engine.tensor([2], [1, 1]), engine.tensor([2], [0, 0])), /scale and shift need 3 values/);
      await assertRejects(() => addPadded(engine.tensor([2, 3], new Float32Array(6)), engine.tensor([6], new Float32Array(6))), /ShapeError: addPadded: operands must have the same rank/);
    });
  });
});
