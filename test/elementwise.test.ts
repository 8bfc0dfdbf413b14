import { addPadded, binary, scaleShift, unary, type BinaryOp } from '../src/ops/elementwise.js';
import { refActivation, refBroadcast } from './ref/elementwise.js';
import { assertClose, assertEqual, assertRejects } from './util/assert.js';
import { testEngine } from './util/engine.js';
import { Rng } from './util/random.js';

const TOL = { atol: 1e-6, rtol: 1e-5 };

describe('elementwise', () => {
  it('unary activations on random data, including large magnitudes', async () => {
    const engine = await testEngine();
    const rng = new Rng(11);
    for (const act of ['relu', 'relu6', 'leakyRelu', 'sigmoid', 'tanh', 'hardSwish', 'affine'] as const) {
      const n = rng.int(1, 3000);
      const x = rng.array(n, -50, 50);
      const alpha = act === 'affine' ? 1.5 : 0.1;
      const beta = act === 'affine' ? -2 : 0;
      const got = await engine.scope(() => unary(engine.tensor([n], x), act, { alpha, beta }).read());
      assertClose(got, Array.from(x, (v) => refActivation(act, v, alpha, beta)), TOL, act);
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

  it('scale+shift (folded batch norm) on the last axis and on axis 1 (NCHW), with activation', async () => {
    const engine = await testEngine();
    const rng = new Rng(13);
    for (const [shape, axis] of [[[2, 5, 7, 6], -1], [[2, 6, 5, 7], 1]] as const) {
      const C = shape[axis < 0 ? shape.length + axis : axis]!;
      const inner = axis === 1 ? 35 : 1;
      const x = rng.array(shape.reduce((a, b) => a * b, 1), -3, 3);
      const s = rng.array(C), t = rng.array(C);
      const expected = Array.from(x, (v, i) => refActivation('relu6', v * s[Math.floor(i / inner) % C]! + t[Math.floor(i / inner) % C]!));
      const got = await engine.scope(() => scaleShift(engine.tensor(shape, x), engine.tensor([C], s), engine.tensor([C], t), { axis, activation: 'relu6' }).read());
      assertClose(got, expected, TOL, `scaleShift axis ${axis}`);
    }
  });

  it('addPadded: zero-extends each operand at the end of every axis, with a fused activation', async () => {
    const engine = await testEngine();
    const rng = new Rng(14);
    // ResNet shortcuts: channels doubled ([N,4,4,C] + [N,3,3,2C]); equal shapes; random shapes up to rank 5.
    const cases: [number[], number[]][] = [[[2, 4, 4, 3], [2, 3, 3, 6]], [[1, 5, 5, 8], [1, 5, 5, 8]], [[3], [5]]];
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
        const y = addPadded(engine.tensor(aShape, a), engine.tensor(bShape, b), { activation, alpha: 0.1 });
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
