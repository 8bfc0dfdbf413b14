import { conv, type ConvOptions } from '../src/ops/conv.js';
import type { Activation } from '../src/ops/activation.js';
import { refConv, refConvOutSpatial } from './ref/conv.js';
import { refActivation } from './ref/elementwise.js';
import { assertClose, assertEqual, assertRejects } from './util/assert.js';
import { testEngine } from './util/engine.js';
import { Rng } from './util/random.js';
import { skipWithoutSubgroupKernels } from './util/subgroups.js';

// f32 sums of up to a few hundred products of values in [-1, 1].
const TOL = { atol: 2e-4, rtol: 2e-4 };

interface Case {
  rank: number;
  n: number;
  spatial: number[];
  inC: number;
  outC: number;
  groups: number;
  kernel: number[];
  strides: number[];
  dilations: number[];
  padBegin: number[];
  padEnd: number[];
  bias: boolean;
  activation: Activation;
}

function randomCase(rng: Rng, rank: number, depthwise: boolean, channelsPerGroupMultipleOf = 1): Case {
  const groups = depthwise ? rng.int(2, 6) : rng.pick([1, 1, 1, 2, 3]);
  const inC = groups * (depthwise ? 1 : rng.int(1, 5));
  const m = channelsPerGroupMultipleOf;
  const outC = groups * m * (depthwise ? rng.pick([1, 2]) : rng.int(1, Math.ceil((rank === 3 ? 6 : 20) / m)));
  const kernel = Array.from({ length: rank }, () => rng.int(1, rank === 3 ? 3 : 4));
  const dilations = Array.from({ length: rank }, () => rng.pick([1, 1, 2]));
  const spatial = kernel.map((k, i) => (k - 1) * dilations[i]! + rng.int(1, rank === 3 ? 5 : 11));
  return {
    rank, n: rng.int(1, 2), spatial, inC, outC, groups, kernel, dilations,
    strides: Array.from({ length: rank }, () => rng.pick([1, 1, 2, 3])),
    padBegin: Array.from({ length: rank }, () => rng.int(0, 2)),
    padEnd: Array.from({ length: rank }, () => rng.int(0, 2)),
    bias: rng.next() < 0.5,
    activation: rng.pick(['none', 'relu', 'leakyRelu', 'relu6', 'sigmoid', 'tanh', 'hardSwish'] as const),
  };
}

async function runCase(c: Case, rng: Rng, algorithm?: ConvOptions['algorithm']): Promise<void> {
  const engine = await testEngine();
  const inShape = [c.n, ...c.spatial, c.inC];
  const wShape = [...c.kernel, c.inC / c.groups, c.outC];
  const xData = rng.array(inShape.reduce((a, b) => a * b, 1));
  const wData = rng.array(wShape.reduce((a, b) => a * b, 1));
  const bData = rng.array(c.outC);
  const ref = refConv(xData, wData, { inShape, kernel: c.kernel, outC: c.outC, groups: c.groups, strides: c.strides, dilations: c.dilations, padBegin: c.padBegin, padEnd: c.padEnd });
  const expected = ref.data.map((v, i) => refActivation(c.activation, v + (c.bias ? bData[i % c.outC]! : 0), 0.2));
  const got = await engine.scope(async () => {
    const y = conv(engine.tensor(inShape, xData), engine.tensor(wShape, wData), {
      strides: c.strides, dilations: c.dilations, padding: [...c.padBegin, ...c.padEnd], groups: c.groups,
      bias: c.bias ? engine.tensor([c.outC], bData) : undefined, activation: c.activation, slope: 0.2, algorithm,
    });
    assertEqual([...y.shape], ref.shape, 'output shape');
    return y.read();
  });
  assertClose(got, expected, TOL, `conv ${JSON.stringify(c)} ${algorithm ?? 'auto'}`);
}

describe('conv', () => {
  for (const rank of [1, 2, 3]) {
    for (const algorithm of ['gemm', 'direct', 'blocked'] as const) {
      it(`${rank}-D random shapes, strides, pads, dilations, groups, bias, activation (${algorithm})`, async () => {
        const rng = new Rng(1000 * rank + algorithm.length);
        const multiple = algorithm === 'blocked' ? 8 : 1;
        for (let i = 0; i < (rank === 3 ? 4 : 8); i++) await runCase(randomCase(rng, rank, false, multiple), rng, algorithm);
      });
    }
  }

  it('subgroup kernel (CPU drivers): 1-3-D random shapes, strides, pads, vertical dilations, bias, activations; tiles past 16 pixels and 4·SG channels', async function () {
    const engine = await testEngine();
    skipWithoutSubgroupKernels(this, engine);
    const rng = new Rng(808);
    for (let i = 0; i < 18; i++) {
      const rank = 1 + (i % 3);
      const c = randomCase(rng, rank, false, 4);
      const dilations = [...c.dilations.slice(0, -1), 1];
      const spatial = c.kernel.map((k, a) => (k - 1) * dilations[a]! + rng.int(1, rank === 3 ? 5 : i % 2 ? 11 : 40));
      const outC = 4 * rng.int(1, i % 4 === 0 ? 20 : 6);
      await runCase({ ...c, groups: 1, inC: rng.int(1, 9), outC, dilations, spatial }, rng, 'subgroup');
    }
    await assertRejects(() => engine.scope(async () => conv(engine.tensor([1, 4, 4, 2], new Float32Array(32)), engine.tensor([3, 3, 2, 6], new Float32Array(108)), { algorithm: 'subgroup' })), /output channels divisible by 4/);
  });

  it('2-D depthwise (groups = channels, multiplier 1 and 2), gemm, direct and depthwise', async () => {
    const rng = new Rng(77);
    for (let i = 0; i < 9; i++) await runCase(randomCase(rng, 2, true), rng, (['gemm', 'direct', 'depthwise'] as const)[i % 3]);
  });

  for (const rank of [1, 2, 3]) {
    it(`${rank}-D depthwise kernel: random shapes, strides, pads, dilations, multiplier, bias, activation`, async () => {
      const rng = new Rng(300 + rank);
      for (let i = 0; i < (rank === 3 ? 3 : 6); i++) await runCase(randomCase(rng, rank, true), rng, 'depthwise');
    });
  }

  it('depthwise with multiplier 1 and channels divisible by 4 (one vec4 load per pixel and tap), and the scalar kernel forced on the same shapes: 1-3-D, strides, pads, dilations, bias, activations', async () => {
    const rng = new Rng(404);
    for (let i = 0; i < 12; i++) {
      const rank = 1 + (i % 3);
      const c = randomCase(rng, rank, true);
      const channels = 4 * rng.int(1, 5);
      await runCase({ ...c, inC: channels, outC: channels, groups: channels }, rng, i % 4 === 3 ? 'depthwiseScalar' : 'depthwise');
    }
  });

  it('depthwise kernel: 3x3 and 5x5, strides 1 and 2, channel counts not divisible by 4, partial pixel blocks, the automatic choice', async () => {
    const rng = new Rng(31);
    const dw = (spatial: number[], inC: number, m: number, k: number, s: number, d: number, pad: number, activation: Activation, algorithm?: 'depthwise'): Case =>
      ({ rank: 2, n: 1, spatial, inC, outC: inC * m, groups: inC, kernel: [k, k], strides: [s, s], dilations: [d, d], padBegin: [pad, pad], padEnd: [pad, pad + (s - 1)], bias: true, activation });
    for (const [c, algorithm] of [
      [dw([13, 11], 7, 1, 3, 1, 1, 1, 'relu6'), 'depthwise'],
      [dw([14, 17], 13, 1, 5, 2, 1, 2, 'hardSwish'), 'depthwise'],
      [dw([9, 10], 6, 2, 3, 2, 2, 2, 'relu'), 'depthwise'],
      [dw([12, 9], 20, 1, 5, 1, 1, 2, 'none'), undefined],
      [dw([7, 6], 3, 3, 3, 1, 1, 0, 'none'), undefined],
    ] as const) await runCase(c, rng, algorithm);
  });

  it('1x1 convolutions as a matrix product (matmul): 1-3-D, bias, every activation, channel counts on and off multiples of 8, the automatic choice', async () => {
    const rng = new Rng(11);
    const acts = ['none', 'relu', 'leakyRelu', 'relu6', 'sigmoid', 'tanh', 'hardSwish'] as const;
    for (let i = 0; i < 10; i++) {
      const rank = 1 + (i % 3);
      const one = Array.from({ length: rank }, () => 1);
      const zero = Array.from({ length: rank }, () => 0);
      const c: Case = {
        rank, n: rng.int(1, 2), spatial: Array.from({ length: rank }, () => rng.int(1, rank === 3 ? 5 : 12)),
        inC: rng.int(1, 40), outC: i % 4 === 3 ? rng.int(1, 30) : 8 * rng.int(1, 9), groups: 1,
        kernel: one, strides: one, dilations: one, padBegin: zero, padEnd: zero,
        bias: i % 2 === 0, activation: acts[i % acts.length]!,
      };
      await runCase(c, rng, i % 2 ? 'matmul' : undefined);
    }
    const engine = await testEngine();
    await assertRejects(() => engine.scope(async () => conv(engine.tensor([1, 4, 4, 2], new Float32Array(32)), engine.tensor([1, 1, 2, 8], new Float32Array(16)), { strides: 2, algorithm: 'matmul' }).read()), /needs a 1x1 convolution with stride 1/);
  });

  it('depthwise kernel declines groups with more than one input channel', async () => {
    const engine = await testEngine();
    await assertRejects(() => engine.scope(async () => conv(engine.tensor([1, 4, 4, 4], new Float32Array(64)), engine.tensor([3, 3, 2, 4], new Float32Array(72)), { groups: 2, algorithm: 'depthwise' }).read()), /one input channel per group/);
  });

  it('tiles: sizes that do not divide the GEMM 64x64x16 tile or the blocked 4x8 block, channels above one tile', async () => {
    const rng = new Rng(5);
    await runCase({ rank: 2, n: 1, spatial: [13, 11], inC: 19, outC: 70, groups: 1, kernel: [3, 3], strides: [1, 1], dilations: [1, 1], padBegin: [1, 1], padEnd: [1, 1], bias: true, activation: 'relu' }, rng, 'gemm');
    await runCase({ rank: 2, n: 2, spatial: [9, 17], inC: 33, outC: 130, groups: 1, kernel: [1, 1], strides: [2, 1], dilations: [1, 1], padBegin: [0, 0], padEnd: [0, 0], bias: false, activation: 'none' }, rng, 'gemm');
    await runCase({ rank: 2, n: 2, spatial: [7, 5], inC: 17, outC: 136, groups: 1, kernel: [3, 3], strides: [1, 1], dilations: [1, 1], padBegin: [1, 1], padEnd: [1, 1], bias: true, activation: 'relu' }, rng, 'blocked');
    await runCase({ rank: 2, n: 1, spatial: [11, 11], inC: 3, outC: 24, groups: 1, kernel: [7, 7], strides: [2, 2], dilations: [1, 1], padBegin: [3, 3], padEnd: [3, 3], bias: false, activation: 'none' }, rng, 'blocked');
  });

  it('the classic 1-D and 3-D examples: 14x1 * 5x1 → 10x16 and 14x14x14x1 * 5x5x5x1 → 10x10x10x16', async () => {
    const rng = new Rng(14);
    await runCase({ rank: 1, n: 1, spatial: [14], inC: 1, outC: 16, groups: 1, kernel: [5], strides: [1], dilations: [1], padBegin: [0], padEnd: [0], bias: true, activation: 'none' }, rng);
    await runCase({ rank: 3, n: 1, spatial: [14, 14, 14], inC: 1, outC: 16, groups: 1, kernel: [5, 5, 5], strides: [1, 1, 1], dilations: [1, 1, 1], padBegin: [0, 0, 0], padEnd: [0, 0, 0], bias: true, activation: 'none' }, rng);
  });

  it("'same' padding matches TensorFlow's split (extra at the end) for odd and even sizes", async () => {
    const engine = await testEngine();
    const rng = new Rng(9);
    for (const [size, k, s] of [[7, 3, 2], [8, 4, 2], [150, 7, 2], [5, 2, 1]] as const) {
      const out = Math.ceil(size / s);
      const total = Math.max(0, (out - 1) * s + k - size);
      const padBegin = [Math.floor(total / 2), Math.floor(total / 2)];
      const padEnd = [total - padBegin[0]!, total - padBegin[1]!];
      const x = rng.array(size * size * 2);
      const w = rng.array(k * k * 2 * 3);
      const ref = refConv(x, w, { inShape: [1, size, size, 2], kernel: [k, k], outC: 3, groups: 1, strides: [s, s], dilations: [1, 1], padBegin, padEnd });
      assertEqual(refConvOutSpatial({ inShape: [1, size, size, 2], kernel: [k, k], outC: 3, groups: 1, strides: [s, s], dilations: [1, 1], padBegin, padEnd }), [out, out]);
      const got = await engine.scope(() => conv(engine.tensor([1, size, size, 2], x), engine.tensor([k, k, 2, 3], w), { strides: s, padding: 'same' }).read());
      assertClose(got, ref.data, TOL, `same ${size} k${k} s${s}`);
    }
  });

  it('rejects mismatched shapes with a clear error', async () => {
    const engine = await testEngine();
    await engine.scope(async () => {
      const x = engine.tensor([1, 5, 5, 3], new Float32Array(75));
      await assertRejects(() => conv(x, engine.tensor([3, 3, 4, 8], new Float32Array(288))), /ShapeError: conv: filter expects 4 input channels/);
      await assertRejects(() => conv(x, engine.tensor([3, 3, 3, 8], new Float32Array(216)), { groups: 2 }), /must divide by groups/);
      await assertRejects(() => conv(x, engine.tensor([7, 7, 3, 8], new Float32Array(7 * 7 * 24))), /window 7 is larger than the padded input 5/);
      await assertRejects(() => conv(x, engine.tensor([3, 3, 3, 2], new Float32Array(54)), { bias: engine.tensor([3], [1, 2, 3]) }), /bias must have 2 values/);
    });
  });
});
