import { conv } from '../src/ops/conv.js';
import { convFilterGrad, convInputGrad, convTranspose, type FilterGradAlgorithm, type InputGradAlgorithm } from '../src/ops/conv-backward.js';
import type { RefConvParams } from './ref/conv.js';
import { convOutSpatial, refConv64, refConvFilterGrad, refConvInputGrad } from './ref/backward.js';
import { refActivation } from './ref/elementwise.js';
import { assertClose, assertEqual, assertRejects } from './util/assert.js';
import { testEngine } from './util/engine.js';
import { checkGradient, directionalDerivative, dotProduct } from './util/gradcheck.js';
import { Rng } from './util/random.js';
import { skipWithoutSubgroupKernels } from './util/subgroups.js';

// f32 sums of up to a few hundred (filter grad: a few thousand) products of values in [-1, 1].
const TOL = { atol: 3e-4, rtol: 3e-4 };
const prod = (v: readonly number[]) => v.reduce((a, b) => a * b, 1);

type Case = RefConvParams;

/** A random forward geometry; `cinMultiple`/`depthwise` shape the channels for a kernel variant. */
type Kind = 'any' | 'blocked' | 'depthwise' | 'depthwiseVec4' | 'pointwise';

/** depthwiseVec4: multiplier 1 and channels divisible by 4 (the vec4 kernels). */
function randomCase(rng: Rng, rank: number, kind: Kind): Case {
  const depthwise = kind === 'depthwise' || kind === 'depthwiseVec4';
  const groups = kind === 'depthwiseVec4' ? 4 * rng.int(1, 4) : depthwise ? rng.int(2, 10) : kind === 'pointwise' ? 1 : rng.pick([1, 1, 2, 3]);
  const cinG = depthwise ? 1 : kind === 'blocked' ? 8 * rng.int(1, 2) : rng.int(1, 10);
  const outC = groups * (kind === 'depthwiseVec4' ? 1 : depthwise ? rng.pick([1, 1, 2]) : rng.int(1, rank === 3 ? 5 : 12));
  const kernel = Array.from({ length: rank }, () => (kind === 'pointwise' ? 1 : rng.int(1, rank === 3 ? 3 : 4)));
  const dilations = Array.from({ length: rank }, () => (kind === 'pointwise' ? 1 : rng.pick([1, 1, 2])));
  const strides = Array.from({ length: rank }, () => (kind === 'pointwise' ? 1 : rng.pick([1, 1, 2, 3])));
  const spatial = kernel.map((k, i) => (k - 1) * dilations[i]! + rng.int(1, rank === 3 ? 5 : 9));
  const pad = () => Array.from({ length: rank }, () => (kind === 'pointwise' ? 0 : rng.int(0, 2)));
  return { inShape: [rng.int(1, 2), ...spatial, groups * cinG], kernel, outC, groups, strides, dilations, padBegin: pad(), padEnd: pad() };
}

const wShape = (c: Case) => [...c.kernel, c.inShape[c.inShape.length - 1]! / c.groups, c.outC];
const dyShape = (c: Case) => [c.inShape[0]!, ...convOutSpatial(c), c.outC];
const geometry = (c: Case) => ({ strides: c.strides, dilations: c.dilations, padding: [...c.padBegin, ...c.padEnd], groups: c.groups });

async function checkInputGrad(c: Case, rng: Rng, algorithm?: InputGradAlgorithm): Promise<void> {
  const engine = await testEngine();
  const w = rng.array(prod(wShape(c)));
  const dy = rng.array(prod(dyShape(c)));
  const got = await engine.scope(async () => {
    const dx = convInputGrad(engine.tensor(dyShape(c), dy), engine.tensor(wShape(c), w), c.inShape, { ...geometry(c), algorithm });
    assertEqual([...dx.shape], c.inShape, 'dx shape');
    return dx.read();
  });
  assertClose(got, refConvInputGrad(dy, w, c), TOL, `convInputGrad ${algorithm ?? 'auto'} ${JSON.stringify(c)}`);
}

async function checkFilterGrad(c: Case, rng: Rng, algorithm?: FilterGradAlgorithm): Promise<void> {
  const engine = await testEngine();
  const x = rng.array(prod(c.inShape));
  const dy = rng.array(prod(dyShape(c)));
  const got = await engine.scope(async () => {
    const dw = convFilterGrad(engine.tensor(c.inShape, x), engine.tensor(dyShape(c), dy), wShape(c), { ...geometry(c), algorithm });
    assertEqual([...dw.shape], wShape(c), 'dw shape');
    return dw.read();
  });
  assertClose(got, refConvFilterGrad(x, dy, c), TOL, `convFilterGrad ${algorithm ?? 'auto'} ${JSON.stringify(c)}`);
}

describe('conv backward', () => {
  for (const rank of [1, 2, 3]) {
    it(`${rank}-D input gradient, every kernel variant, random strides/pads/dilations/groups`, async () => {
      const rng = new Rng(4100 + rank);
      const runs: [InputGradAlgorithm | undefined, Kind][] = [
        ['direct', 'any'], ['direct', 'any'], ['blocked', 'blocked'], ['blocked', 'any'], ['depthwise', 'depthwise'],
        ['depthwise', 'depthwise'], ['depthwise', 'depthwiseVec4'], ['depthwise', 'depthwiseVec4'], ['depthwiseScalar', 'depthwiseVec4'],
        ['matmul', 'pointwise'], [undefined, 'any'],
      ];
      for (const [algorithm, kind] of runs) await checkInputGrad(randomCase(rng, rank, kind), rng, algorithm);
    });

    it(`${rank}-D filter gradient, every kernel variant, random strides/pads/dilations/groups`, async () => {
      const rng = new Rng(4200 + rank);
      const runs: [FilterGradAlgorithm | undefined, Kind][] = [
        ['blocked', 'any'], ['blocked', 'any'], ['blocked', 'blocked'], ['depthwise', 'depthwise'], ['depthwise', 'depthwise'],
        ['matmul', 'pointwise'], [undefined, 'depthwise'], [undefined, 'any'],
      ];
      for (const [algorithm, kind] of runs) await checkFilterGrad(randomCase(rng, rank, kind), rng, algorithm);
    });
  }

  it('input gradient on the subgroup implicit GEMM (stride 1, flipped filter): 1-3-D random shapes, pads, vertical dilations, wide tiles', async function () {
    const engine = await testEngine();
    skipWithoutSubgroupKernels(this, engine);
    const rng = new Rng(4300);
    for (let i = 0; i < 12; i++) {
      const rank = 1 + (i % 3);
      const c = randomCase(rng, rank, 'any');
      const dilations = [...c.dilations.slice(0, -1), 1];
      const kernel = c.kernel;
      const spatial = kernel.map((k, a) => (k - 1) * dilations[a]! + rng.int(1, rank === 3 ? 5 : i % 2 ? 11 : 30));
      const reach = (a: number) => (kernel[a]! - 1) * dilations[a]!;
      const pad = () => kernel.map((_, a) => rng.int(0, reach(a)));
      const inC = 4 * rng.int(1, i % 4 === 0 ? 12 : 4);
      const sg: Case = { inShape: [rng.int(1, 2), ...spatial, inC], kernel, outC: rng.int(1, 12), groups: 1, strides: kernel.map(() => 1), dilations, padBegin: pad(), padEnd: pad() };
      await checkInputGrad(sg, rng, 'subgroup');
    }
    const strided: Case = { inShape: [1, 6, 6, 4], kernel: [3, 3], outC: 4, groups: 1, strides: [2, 2], dilations: [1, 1], padBegin: [1, 1], padEnd: [1, 1] };
    await assertRejects(() => checkInputGrad(strided, rng, 'subgroup'), /the subgroup path needs stride 1/);
  });

  it('filter gradient on the subgroup GEMM: 1-3-D random shapes, strides, pads, dilations, rows and channels past the tiles, many pixel chunks', async function () {
    const engine = await testEngine();
    skipWithoutSubgroupKernels(this, engine);
    const rng = new Rng(4400);
    for (let i = 0; i < 12; i++) {
      const rank = 1 + (i % 3);
      const c = randomCase(rng, rank, 'any');
      const spatial = c.kernel.map((k, a) => (k - 1) * c.dilations[a]! + rng.int(1, rank === 3 ? 6 : i % 2 ? 12 : 40));
      const outC = 4 * rng.int(1, i % 4 === 0 ? 12 : 5);
      await checkFilterGrad({ ...c, inShape: [rng.int(1, 3), ...spatial, rng.int(1, 20)], outC, groups: 1 }, rng, 'subgroup');
    }
    const grouped: Case = { inShape: [1, 6, 6, 4], kernel: [3, 3], outC: 4, groups: 2, strides: [1, 1], dilations: [1, 1], padBegin: [1, 1], padEnd: [1, 1] };
    await assertRejects(() => checkFilterGrad(grouped, rng, 'subgroup'), /the subgroup kernel needs one group/);
  });

  it('large reductions: filter gradient split over many pixel chunks, blocks past the tile edges', async () => {
    const rng = new Rng(43);
    const big: Case = { inShape: [2, 23, 21, 16], kernel: [3, 3], outC: 24, groups: 1, strides: [1, 1], dilations: [1, 1], padBegin: [1, 1], padEnd: [1, 1] };
    await checkFilterGrad(big, rng);
    await checkInputGrad(big, rng, 'blocked');
    const dw: Case = { inShape: [1, 33, 30, 12], kernel: [5, 5], outC: 12, groups: 12, strides: [2, 2], dilations: [1, 1], padBegin: [1, 2], padEnd: [2, 1] };
    await checkFilterGrad(dw, rng);
    await checkInputGrad(dw, rng);
    const pw: Case = { inShape: [1, 31, 17, 24], kernel: [1, 1], outC: 40, groups: 1, strides: [1, 1], dilations: [1, 1], padBegin: [0, 0], padEnd: [0, 0] };
    await checkFilterGrad(pw, rng, 'matmul');
    await checkFilterGrad(pw, rng, 'blocked');
    await checkInputGrad(pw, rng, 'matmul');
    await checkInputGrad(pw, rng, 'blocked');
  });

  it("'same' padding geometry (strides 1 and 2) as conv() uses it", async () => {
    const engine = await testEngine();
    const rng = new Rng(44);
    for (const [size, k, s, inC] of [[9, 3, 2, 8], [8, 5, 2, 4], [7, 3, 1, 16]] as const) {
      const out = Math.ceil(size / s);
      const total = Math.max(0, (out - 1) * s + k - size);
      const c: Case = { inShape: [1, size, size, inC], kernel: [k, k], outC: 8, groups: 1, strides: [s, s], dilations: [1, 1], padBegin: [Math.floor(total / 2), Math.floor(total / 2)], padEnd: [total - Math.floor(total / 2), total - Math.floor(total / 2)] };
      const w = rng.array(prod(wShape(c)));
      const dy = rng.array(prod(dyShape(c)));
      const x = rng.array(prod(c.inShape));
      const [dx, dw] = await engine.scope(async () => {
        const tdy = engine.tensor(dyShape(c), dy);
        return Promise.all([
          convInputGrad(tdy, engine.tensor(wShape(c), w), c.inShape, { strides: s, padding: 'same' }).read(),
          convFilterGrad(engine.tensor(c.inShape, x), tdy, wShape(c), { strides: s, padding: 'same' }).read(),
        ]);
      });
      assertClose(dx, refConvInputGrad(dy, w, c), TOL, `same dx ${size} k${k} s${s}`);
      assertClose(dw, refConvFilterGrad(x, dy, c), TOL, `same dw ${size} k${k} s${s}`);
    }
  });

  it('references agree with finite differences of the float64 forward (L = Σ r·conv(x, w))', () => {
    const rng = new Rng(45);
    for (const kind of ['any', 'depthwise'] as const) {
      const c = randomCase(rng, 2, kind);
      const x = rng.array(prod(c.inShape));
      const w = rng.array(prod(wShape(c)));
      const r = rng.array(prod(dyShape(c)));
      const loss = (xv: ArrayLike<number>, wv: ArrayLike<number>) => dotProduct(refConv64(xv, wv, c), r);
      checkGradient((xv) => loss(xv, w), x, refConvInputGrad(r, w, c), `dx ${JSON.stringify(c)}`);
      checkGradient((wv) => loss(x, wv), w, refConvFilterGrad(x, r, c), `dw ${JSON.stringify(c)}`);
    }
  });

  it('GPU gradients match directional derivatives of the GPU forward conv', async () => {
    const engine = await testEngine();
    const rng = new Rng(46);
    for (const kind of ['any', 'blocked', 'depthwise'] as const) {
      const c = randomCase(rng, 2, kind);
      const x = rng.array(prod(c.inShape));
      const w = rng.array(prod(wShape(c)));
      const r = rng.array(prod(dyShape(c)));
      const forward = (xv: Float32Array, wv: Float32Array) => engine.scope(async () =>
        dotProduct(await conv(engine.tensor(c.inShape, xv), engine.tensor(wShape(c), wv), geometry(c)).read(), r));
      const [dx, dw] = await engine.scope(async () => {
        const tr = engine.tensor(dyShape(c), r);
        return Promise.all([
          convInputGrad(tr, engine.tensor(wShape(c), w), c.inShape, geometry(c)).read(),
          convFilterGrad(engine.tensor(c.inShape, x), tr, wShape(c), geometry(c)).read(),
        ]);
      });
      const dirX = rng.array(x.length);
      const dirW = rng.array(w.length);
      const numX = await directionalDerivative((xv) => forward(xv, w), x, dirX, 1e-2);
      const numW = await directionalDerivative((wv) => forward(x, wv), w, dirW, 1e-2);
      // The forward is linear in each argument: only f32 rounding separates the two sides.
      assertClose([dotProduct(dx, dirX)], [numX], { atol: 2e-2, rtol: 2e-3 }, `dx·d ${JSON.stringify(c)}`);
      assertClose([dotProduct(dw, dirW)], [numW], { atol: 2e-2, rtol: 2e-3 }, `dw·d ${JSON.stringify(c)}`);
    }
  });

  it('convTranspose: explicit pads, output padding, output shape, same, groups, bias and activation', async () => {
    const engine = await testEngine();
    const rng = new Rng(47);
    for (let i = 0; i < 6; i++) {
      const rank = rng.pick([1, 2, 2, 3]);
      const c = randomCase(rng, rank, rng.pick(['any', 'blocked', 'depthwise'] as const));
      // The transposed conv maps dy-shaped x to c.inShape; output padding covers the rows the
      // forward's floor division drops.
      const dySpatial = convOutSpatial(c);
      const outputPadding = c.inShape.slice(1, -1).map((s, d) => s + c.padBegin[d]! + c.padEnd[d]! - ((c.kernel[d]! - 1) * c.dilations[d]! + 1) - (dySpatial[d]! - 1) * c.strides[d]!);
      const x = rng.array(prod(dyShape(c)));
      const wForward = rng.array(prod(wShape(c)));
      const bias = rng.array(c.inShape[rank + 1]!);
      const activation = i % 3 === 0 ? 'leakyRelu' : 'none';
      const expected = Float32Array.from(refConvInputGrad(x, wForward, c), (v, j) => refActivation(activation, v + bias[j % bias.length]!, 0.2));
      const useShape = rng.next() < 0.5;
      const got = await engine.scope(async () => {
        const y = convTranspose(engine.tensor(dyShape(c), x), engine.tensor(wShape(c), wForward), {
          strides: c.strides, dilations: c.dilations, groups: c.groups,
          ...(useShape ? { outputShape: c.inShape.slice(1, -1), padding: [...c.padBegin, ...c.padEnd] } : { padding: [...c.padBegin, ...c.padEnd], outputPadding }),
          bias: engine.tensor([bias.length], bias), activation, slope: 0.2,
        });
        assertEqual([...y.shape], c.inShape, 'convTranspose shape');
        return y.read();
      });
      assertClose(got, expected, TOL, `convTranspose ${JSON.stringify(c)} ${activation}`);
    }
    // 'same': output = input x stride, pads as the forward conv's 'same' on that output.
    const x = rng.array(1 * 4 * 5 * 8);
    const w = rng.array(3 * 3 * 6 * 8);
    const c: Case = { inShape: [1, 8, 10, 6], kernel: [3, 3], outC: 8, groups: 1, strides: [2, 2], dilations: [1, 1], padBegin: [0, 0], padEnd: [1, 1] };
    const got = await engine.scope(() => convTranspose(engine.tensor([1, 4, 5, 8], x), engine.tensor([3, 3, 6, 8], w), { strides: 2, padding: 'same' }).read());
    assertClose(got, refConvInputGrad(x, w, c), TOL, "convTranspose 'same'");
  });

  it('rejects mismatched shapes with a clear error', async () => {
    const engine = await testEngine();
    await engine.scope(async () => {
      const dy = engine.tensor([1, 3, 3, 8], new Float32Array(72));
      const w = engine.tensor([3, 3, 4, 8], new Float32Array(288));
      await assertRejects(() => convInputGrad(dy, w, [1, 7, 7, 4]), /ShapeError: convInputGrad: dy must be \[1,5,5,8\]/);
      await assertRejects(() => convInputGrad(dy, w, [1, 5, 5, 3]), /expects 4 input channels/);
      await assertRejects(() => convFilterGrad(engine.tensor([1, 5, 5, 4], new Float32Array(100)), dy, [3, 3, 4, 8], { algorithm: 'matmul' }), /matmul path needs a 1x1/);
      await assertRejects(() => convTranspose(dy, engine.tensor([3, 3, 4, 5], new Float32Array(180))), /expects 5 input channels/);
    });
  });
});
