import type { Engine } from '../src/gpu/engine.js';
import type { Tensor } from '../src/gpu/tensor.js';
import type { Graph } from '../src/nn/graph/graph.js';
import { featureNetwork } from '../src/nn/graph/feature-networks.js';
import { graphFromTfjsModel } from '../src/nn/graph/tfjs-graph-model.js';
import { refRunTfjsGraph, type RefTensor } from './ref/tfjs-graph.js';
import { assert, assertClose, assertEqual, assertRejects } from './util/assert.js';
import { testEngine } from './util/engine.js';
import { checkGradient, directionalDerivative, dotProduct } from './util/gradcheck.js';
import { Rng } from './util/random.js';
import { conv, fused, ints, str, TfjsModelBuilder } from './util/tfjs-model.js';

/** A VGG-shaped model with Keras-style names: Conv2D+BiasAdd+Relu, fused conv, max and average pooling. */
async function vggModel(rng: Rng) {
  const b = new TfjsModelBuilder(rng);
  const p = 'StatefulPartitionedCall/vgg19';
  b.placeholder('input_1', [-1, 10, 10, 3]);
  const c1 = b.op(`${p}/block1_conv1/Conv2D`, 'Conv2D', ['input_1', b.constant(`${p}/block1_conv1/Conv2D/ReadVariableOp`, [3, 3, 3, 4])], conv());
  const a1 = b.op(`${p}/block1_conv1/BiasAdd`, 'BiasAdd', [c1, b.constant(`${p}/block1_conv1/BiasAdd/ReadVariableOp`, [4], [-0.1, 0.3])], { data_format: str('NHWC') });
  const r1 = b.op(`${p}/block1_conv1/Relu`, 'Relu', [a1]);
  const r2 = b.op(`${p}/block1_conv2/Relu`, '_FusedConv2D', [r1, b.constant('w2', [3, 3, 4, 4]), b.constant('b2', [4], [-0.1, 0.3])], { ...conv(), fused_ops: fused(['BiasAdd', 'Relu']), num_args: { i: '1' } });
  const mp = b.op(`${p}/block1_pool/MaxPool`, 'MaxPool', [r2], { ksize: ints([1, 2, 2, 1]), strides: ints([1, 2, 2, 1]), padding: str('VALID'), data_format: str('NHWC') });
  const r3 = b.op(`${p}/block2_conv1/Relu`, '_FusedConv2D', [mp, b.constant('w3', [3, 3, 4, 8]), b.constant('b3', [8], [-0.1, 0.3])], { ...conv(1, 'VALID'), fused_ops: fused(['BiasAdd', 'Relu']) });
  b.op(`${p}/block2_pool/AvgPool`, 'AvgPool', [r3], { ksize: ints([1, 2, 2, 1]), strides: ints([1, 2, 2, 1]), padding: str('SAME'), data_format: str('NHWC') });
  return { ...(await b.build()), consts: b.consts, input: 'input_1', inputShape: [1, 10, 10, 3], outputs: [r1, `${p}/block2_pool/AvgPool`], params: [`${p}/block1_conv1/Conv2D/ReadVariableOp`, 'w3', 'b3'] };
}

/**
 * A MobileNet-V3-like model: strided fused conv, hard-swish as Mul/Add/Relu6/Mul with scalar
 * constants, fused batch norm, depthwise conv, squeeze-excite (Mean, 1x1 convs, Mul),
 * residual Add, a plain depthwise conv with channel multiplier 2 and explicit padding, a dilated
 * conv, Sub with a vector constant, Sigmoid and Tanh.
 */
async function mobileModel(rng: Rng) {
  const b = new TfjsModelBuilder(rng);
  b.placeholder('images', [1, 11, 11, 3]);
  const c0 = b.op('Conv/BN', '_FusedConv2D', ['images', b.constant('Wc', [3, 3, 3, 8]), b.constant('bc', [8], [-0.2, 0.2])], { ...conv(2), fused_ops: fused(['BiasAdd']) });
  const sixth = b.constant('Conv/hard_swish/mul_1/y', [], [1 / 6]);
  const m0 = b.op('Conv/hard_swish/mul', 'Mul', [sixth, c0]);
  const ad0 = b.op('Conv/hard_swish/add', 'Add', [c0, b.constant('Conv/hard_swish/add/y', [], [3])]);
  const hs = b.op('Conv/hard_swish/mul_1', 'Mul', [m0, b.op('Conv/hard_swish/Relu6', 'Relu6', [ad0])]);
  const ex = b.op('ec/expand/Relu', '_FusedConv2D', [hs, b.constant('We', [1, 1, 8, 16]), b.constant('bn_scale', [16], [0.5, 1.5]), b.constant('bn_offset', [16], [-0.2, 0.2]), b.constant('bn_mean', [16], [-0.2, 0.2]), b.constant('bn_var', [16], [0.5, 2])], { ...conv(), fused_ops: fused(['FusedBatchNorm', 'Relu']), epsilon: { f: 0.001 } });
  const dw = b.op('ec/depthwise', 'FusedDepthwiseConv2dNative', [ex, b.constant('Wd', [3, 3, 16, 1]), b.constant('bd', [16], [-0.2, 0.2])], { ...conv(), fused_ops: fused(['BiasAdd', 'Relu']) });
  const mean = b.op('ec/se/Mean', 'Mean', [dw, b.intConstant('ec/se/Mean/reduction_indices', [1, 2])], { keep_dims: { b: true } });
  const s1 = b.op('ec/se/Conv/Relu', '_FusedConv2D', [mean, b.constant('Ws1', [1, 1, 16, 4]), b.constant('bs1', [4], [-0.2, 0.2])], { ...conv(), fused_ops: fused(['BiasAdd', 'Relu']) });
  const s2 = b.op('ec/se/Conv_1/BiasAdd', '_FusedConv2D', [s1, b.constant('Ws2', [1, 1, 4, 16]), b.constant('bs2', [16], [-0.2, 0.2])], { ...conv(), fused_ops: fused(['BiasAdd']) });
  const s3 = b.op('ec/se/Conv_1/Relu6', 'Relu6', [b.op('ec/se/Conv_1/add', 'Add', [s2, b.constant('ec/se/Conv_1/add/y', [], [3])])]);
  const s4 = b.op('ec/se/Conv_1/mul', 'Mul', [b.constant('ec/se/Conv_1/mul/y', [], [1 / 6]), s3]);
  const se = b.op('ec/se/mul', 'Mul', [s4, dw]);
  const pr = b.op('ec/project', '_FusedConv2D', [se, b.constant('Wp', [1, 1, 16, 8]), b.constant('bp', [8], [-0.2, 0.2])], { ...conv(), fused_ops: fused(['BiasAdd']) });
  const res = b.op('ec/add', 'AddV2', [pr, hs]);
  const dw2 = b.op('ec2/depthwise', 'DepthwiseConv2dNative', [res, b.constant('Wd2', [3, 3, 8, 2])], { ...conv(2, 'EXPLICIT'), explicit_paddings: ints([0, 0, 1, 0, 1, 1, 0, 0]) });
  const ba = b.op('ec2/BiasAdd', 'BiasAdd', [dw2, b.constant('bd2', [16], [-0.2, 0.2])]);
  const sg = b.op('ec2/Sigmoid', 'Sigmoid', [ba]);
  const sb = b.op('ec2/sub', 'Sub', [sg, b.constant('ec2/center', [16], [0.3, 0.7])]);
  const dil = b.op('out/conv', 'Conv2D', [sb, b.constant('Wx', [2, 2, 16, 4], [-1, 1])], { ...conv(1, 'SAME'), dilations: ints([1, 2, 2, 1]) });
  const out = b.op('out/Tanh', 'Tanh', [dil]);
  return { ...(await b.build()), consts: b.consts, input: 'images', inputShape: [1, 11, 11, 3], outputs: [ex, res, out], params: ['Wc', 'Wd', 'bs2', 'Conv/hard_swish/mul_1/y', 'ec2/center', 'Wd2'] };
}

/**
 * The ops of converted face-embedding models (MXNet/Keras via TF): input scaling, Pad before
 * VALID convolutions (plain and depthwise), PReLU as Maximum/Minimum/Mul/Add and as
 * Relu/Abs/Sub/Mul/Add, ReLU6 as Minimum/Maximum, Squeeze, L2 normalisation as
 * Square/Sum/Maximum/Rsqrt/Mul, Softmax and a fused MatMul.
 */
async function embeddingModel(rng: Rng) {
  const b = new TfjsModelBuilder(rng);
  b.placeholder('data', [-1, 9, 9, 3]);
  const scaled = b.op('mul', 'Mul', [b.op('sub', 'Sub', ['data', b.constant('mean', [1], [127.5])]), b.constant('scale', [1], [1 / 128])]);
  const pad = b.op('Pad', 'Pad', [scaled, b.intConstant('Pad/paddings', [0, 0, 1, 2, 2, 1, 0, 0])]);
  const c1 = b.op('conv1', 'Conv2D', [pad, b.constant('w1', [3, 3, 3, 6])], conv(2, 'VALID'));
  const zero = b.constant('zero', [], [0]);
  const prelu = b.op('prelu/add', 'AddV2', [b.op('prelu/max', 'Maximum', [zero, c1]), b.op('prelu/mul', 'Mul', [b.constant('gamma', [6], [0.1, 0.4]), b.op('prelu/min', 'Minimum', [zero, c1])])]);
  const pad2 = b.op('Pad_1', 'Pad', [prelu, b.intConstant('Pad_1/paddings', [0, 0, 1, 1, 1, 1, 0, 0])]);
  const dw = b.op('dw', 'DepthwiseConv2dNative', [pad2, b.constant('wd', [3, 3, 6, 1])], conv(1, 'VALID'));
  const half = b.constant('half', [6], [0.05, 0.3]);
  const pr2 = b.op('prelu2/add', 'Add', [b.op('prelu2/Relu', 'Relu', [dw]), b.op('prelu2/mul_1', 'Mul', [b.op('prelu2/sub', 'Sub', [dw, b.op('prelu2/Abs', 'Abs', [dw])]), half])]);
  const r6 = b.op('clip/Maximum', 'Maximum', [b.op('clip/Minimum', 'Minimum', [pr2, b.constant('six', [], [0.5])]), b.constant('lo', [], [-0.25])]);
  const pooled = b.op('gap', 'Conv2D', [r6, b.constant('wg', [5, 5, 6, 8])], conv(1, 'VALID'));
  const squeezed = b.op('Squeeze', 'Squeeze', [pooled], { squeeze_dims: ints([1, 2]) });
  const sq = b.op('l2/Square', 'Square', [squeezed]);
  const sum = b.op('l2/Sum', 'Sum', [sq, b.intConstant('l2/Sum/axes', [1])], { keep_dims: { b: true } });
  const inv = b.op('l2/Rsqrt', 'Rsqrt', [b.op('l2/Maximum', 'Maximum', [sum, b.constant('l2/eps', [], [1e-10])])]);
  const emb = b.op('embeddings', 'Mul', [squeezed, inv]);
  const logits = b.op('head/BiasAdd', '_FusedMatMul', [emb, b.constant('wh', [8, 5]), b.constant('bh', [5])], { fused_ops: fused(['BiasAdd']), transpose_a: { b: false }, transpose_b: { b: false } });
  const probs = b.op('head/Softmax', 'Softmax', [logits]);
  return { ...(await b.build()), consts: b.consts, input: 'data', inputShape: [2, 9, 9, 3], outputs: [emb, probs], params: [] as string[] };
}

type TestModel = Awaited<ReturnType<typeof mobileModel>>;

const refTensor = (shape: number[], data: ArrayLike<number>): RefTensor => ({ shape, data: Float64Array.from(data) });
const sizeOf = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** Loss Σ_o Σ out_o · R_o with fixed random R_o, on the GPU graph (read back, float64 sum). */
async function gpuLoss(engine: Engine, graph: Graph, m: TestModel, x: Float32Array, seeds: Record<string, Float32Array>): Promise<number> {
  return engine.scope(async () => {
    const { outputs } = graph.forward({ [m.input]: engine.tensor(m.inputShape, x) }, m.outputs);
    let s = 0;
    for (const o of m.outputs) s += dotProduct(await outputs[o]!.read(), seeds[o]!);
    return s;
  });
}

function refLoss(m: TestModel, x: ArrayLike<number>, seeds: Record<string, Float32Array>, consts = m.consts): number {
  const outs = refRunTfjsGraph(m.model, consts, { [m.input]: refTensor(m.inputShape, x) }, m.outputs);
  return m.outputs.reduce((s, o) => s + dotProduct(outs[o]!.data, seeds[o]!), 0);
}

async function checkModel(engine: Engine, m: TestModel, rng: Rng): Promise<void> {
  const graph = graphFromTfjsModel(engine, m.model, m.weights, { outputs: m.outputs });
  try {
    const x = rng.array(sizeOf(m.inputShape), -1, 1);
    const ref = refRunTfjsGraph(m.model, m.consts, { [m.input]: refTensor(m.inputShape, x) }, m.outputs);
    const seeds = Object.fromEntries(m.outputs.map((o) => [o, rng.array(sizeOf(ref[o]!.shape))]));
    const wrt = [m.input, ...m.params];
    const got = await engine.scope(async () => {
      const input = engine.tensor(m.inputShape, x);
      const { outputs, tape } = graph.forward({ [m.input]: input }, m.outputs, { record: true });
      const fwd: Record<string, Float32Array> = {};
      for (const o of m.outputs) {
        assertEqual(outputs[o]!.shape, ref[o]!.shape, `${o} shape`);
        fwd[o] = await outputs[o]!.read();
      }
      const seedTensors = Object.fromEntries(m.outputs.map((o) => [o, engine.tensor(ref[o]!.shape, seeds[o]!)]));
      const grads = graph.backward(tape!, seedTensors, wrt);
      const g: Record<string, Float32Array> = {};
      for (const w of wrt) g[w] = await grads[w]!.read();
      return { fwd, g };
    });
    for (const o of m.outputs) assertClose(got.fwd[o]!, ref[o]!.data, { atol: 1e-4, rtol: 1e-4 }, `forward ${o}`);

    // Gradient to the input: against finite differences of the float64 reference...
    const idx = Array.from({ length: 24 }, () => rng.int(0, x.length - 1));
    const scale = Math.max(...got.g[m.input]!.map(Math.abs));
    checkGradient((v) => refLoss(m, v, seeds), x, got.g[m.input]!, 'dL/dinput', { eps: 1e-5, indices: idx, atol: 2e-4 * scale, rtol: 1e-3 });
    // ...and a directional derivative of the GPU forward itself.
    const d = rng.array(x.length);
    const dd = await directionalDerivative((v) => gpuLoss(engine, graph, m, v, seeds), x, d, 1e-2);
    const dot = dotProduct(got.g[m.input]!, d);
    assert(Math.abs(dd - dot) <= 2e-2 * Math.abs(dot) + 1e-3 * scale * Math.sqrt(x.length), `input directional derivative ${dd} vs Σ grad·d = ${dot}`);

    // Gradients to parameters (depthwise filters are stored [kH, kW, 1, C·M], the same order as TF's [kH, kW, C, M]).
    for (const name of m.params) {
      const base = m.consts[name]!;
      const grad = got.g[name]!;
      assertEqual(grad.length, base.data.length, `${name} gradient size`);
      const gscale = Math.max(1e-3, ...grad.map(Math.abs));
      const pIdx = base.data.length <= 16 ? undefined : Array.from({ length: 16 }, () => rng.int(0, base.data.length - 1));
      checkGradient((v) => refLoss(m, x, seeds, { ...m.consts, [name]: { shape: base.shape, data: v } }), base.data, grad, `dL/d${name}`, { eps: 1e-5, indices: pIdx, atol: 2e-4 * gscale, rtol: 1e-3 });
      const param = graph.params.get(name)!;
      const dp = rng.array(base.data.length);
      const setParam = async (v: Float32Array) => {
        engine.uploadBytes(param.buffer, v);
        return gpuLoss(engine, graph, m, x, seeds);
      };
      const pdd = await directionalDerivative(setParam, base.data, dp, 1e-3);
      engine.uploadBytes(param.buffer, Float32Array.from(base.data));
      const pdot = dotProduct(grad, dp);
      assert(Math.abs(pdd - pdot) <= 2e-2 * Math.abs(pdot) + 1e-3 * gscale * Math.sqrt(grad.length), `${name} directional derivative ${pdd} vs Σ grad·d = ${pdot}`);
    }
  } finally {
    graph.dispose();
  }
}

describe('graph models (tfjs graph-model loader, forward and reverse-mode backward)', () => {
  let engine: Engine;
  before(async () => {
    engine = await testEngine();
  });

  it('VGG-shaped model: forward vs float64 reference; gradients to input and params vs finite differences', async () => {
    const rng = new Rng(41);
    await checkModel(engine, (await vggModel(rng)) as unknown as TestModel, rng);
  });

  it('MobileNet-like model (fused conv, hard-swish, depthwise, squeeze-excite, residual): forward and gradients', async () => {
    const rng = new Rng(42);
    await checkModel(engine, await mobileModel(rng), rng);
  });

  it('runs only what the outputs need, frees intermediates, and backward frees the tape', async () => {
    const rng = new Rng(43);
    const m = await mobileModel(rng);
    const graph = graphFromTfjsModel(engine, m.model, m.weights, { outputs: m.outputs });
    try {
      assert(!graph.nodes.some((n) => n.name === 'ec/se/Mean/reduction_indices'), 'attribute constants are not graph nodes');
      assertEqual(graph.subgraph(['ec/expand/Relu']).some((n) => n.name === 'ec/depthwise'), false, 'subgraph of an early layer');
      const x = engine.keep(engine.tensor(m.inputShape, rng.array(sizeOf(m.inputShape))));
      const run = async () => engine.scope(async () => {
        const { outputs, tape } = graph.forward({ images: x }, ['out/Tanh'], { record: true, wrt: ['images'] });
        const seed = engine.tensor(outputs['out/Tanh']!.shape, new Float32Array(outputs['out/Tanh']!.size).fill(1));
        const g = graph.backward(tape!, { 'out/Tanh': seed }, ['images']);
        await g.images!.read();
        await assertRejects(() => graph.backward(tape!, { 'out/Tanh': seed }, ['images']), /already used/);
      });
      await run();
      const before = engine.memory();
      for (let i = 0; i < 3; i++) await run();
      assertEqual(engine.memory(), before, 'buffer pool after repeated forward+backward');
      // Only intermediates the outputs need: an early output leaves later layers unrun.
      await engine.scope(async () => {
        const { outputs } = graph.forward({ images: x }, ['Conv/hard_swish/mul_1']);
        assertEqual(Object.keys(outputs), ['Conv/hard_swish/mul_1']);
      });
      await assertRejects(() => engine.scope(async () => {
        const { tape } = graph.forward({ images: x }, ['out/Tanh'], { record: true, wrt: ['images'] });
        try {
          graph.backward(tape!, {}, ['Wc']);
        } finally {
          tape!.dispose();
        }
      }), /'Wc' was not in the forward pass's wrt list/);
      x.dispose();
    } finally {
      graph.dispose();
    }
  });

  it('face-embedding ops (Pad folded into VALID convs, PReLU forms, Squeeze, Square/Sum/Rsqrt, Softmax): forward vs float64 reference', async () => {
    const rng = new Rng(45);
    const m = await embeddingModel(rng);
    const graph = graphFromTfjsModel(engine, m.model, m.weights, { outputs: m.outputs });
    try {
      assert(!graph.nodes.some((n) => n.name.startsWith('Pad')), 'Pad nodes are folded into the convolutions');
      const x = rng.array(sizeOf(m.inputShape), 0, 255);
      const ref = refRunTfjsGraph(m.model, m.consts, { data: refTensor(m.inputShape, x) }, m.outputs);
      const got = await engine.scope(async () => {
        const { outputs } = graph.forward({ data: engine.tensor(m.inputShape, x) }, m.outputs);
        return Promise.all(m.outputs.map(async (o) => ({ shape: outputs[o]!.shape, data: await outputs[o]!.read() })));
      });
      m.outputs.forEach((o, i) => {
        assertEqual(got[i]!.shape, ref[o]!.shape, `${o} shape`);
        assertClose(got[i]!.data, ref[o]!.data, { atol: 1e-5, rtol: 1e-4 }, o);
      });
      // A Pad that feeds anything but a VALID convolution is refused, naming it.
      const bad = new TfjsModelBuilder(rng);
      bad.placeholder('x', [1, 4, 4, 2]);
      const p = bad.op('Pad', 'Pad', ['x', bad.intConstant('Pad/paddings', [0, 0, 1, 1, 1, 1, 0, 0])]);
      const r = bad.op('Relu', 'Relu', [p]);
      const built = await bad.build();
      await assertRejects(() => graphFromTfjsModel(engine, built.model, built.weights, { outputs: [r] }), /Pad 'Pad' feeds Relu 'Relu'/);
    } finally {
      graph.dispose();
    }
  });

  it('refuses unknown ops, naming them and their nodes', async () => {
    const b = new TfjsModelBuilder(new Rng(1));
    b.placeholder('x', [1, 4, 4, 2]);
    const e = b.op('block/Exp', 'Exp', ['x']);
    const r = b.op('block/Round', 'Round', [e]);
    b.op('unused/Cumsum', 'Cumsum', ['x']);
    const { model, weights } = await b.build();
    await assertRejects(() => graphFromTfjsModel(engine, model, weights, { outputs: [r] }), /unsupported op\(s\).*Exp \(block\/Exp\); Round \(block\/Round\)|unsupported op\(s\).*Round \(block\/Round\); Exp \(block\/Exp\)/);
    // Ops outside what the outputs need are not looked at.
    const ok = graphFromTfjsModel(engine, model, weights, { outputs: ['x'] });
    ok.dispose();
    await assertRejects(() => graphFromTfjsModel(engine, model, weights, { outputs: ['nope'] }), /no node named 'nope'/);
    await assertRejects(() => graphFromTfjsModel(engine, { weightsManifest: [] }, weights, { outputs: ['x'] }), /not a tfjs graph model/);
  });

  it("featureNetwork('vgg19'): classic layer names, caffe preprocessing (RGB [0,255] in)", async () => {
    const rng = new Rng(44);
    const m = await vggModel(rng);
    const net = featureNetwork(engine, 'vgg19', m.model, m.weights, ['conv1_1', 'conv2_1']);
    try {
      assertEqual(net.layers.conv1_1, 'StatefulPartitionedCall/vgg19/block1_conv1/Relu');
      assertEqual(net.layers.conv1_2, 'StatefulPartitionedCall/vgg19/block1_conv2/Relu');
      assertEqual(net.layers.conv2_1, 'StatefulPartitionedCall/vgg19/block2_conv1/Relu');
      assertEqual(net.input, 'input_1');
      const rgb = rng.array(300, 0, 255);
      // Keras 'caffe' preprocessing: BGR order, ImageNet mean subtracted, no scaling.
      const bgr = new Float64Array(300);
      const meanBgr = [103.939, 116.779, 123.68];
      for (let i = 0; i < 100; i++) for (let c = 0; c < 3; c++) bgr[i * 3 + c] = rgb[i * 3 + 2 - c]! - meanBgr[c]!;
      const ref = refRunTfjsGraph(m.model, m.consts, { input_1: { shape: [1, 10, 10, 3], data: bgr } }, [net.layers.conv2_1!]);
      const got = await engine.scope(async () => {
        const { outputs } = net.graph.forward({ [net.input]: engine.tensor([1, 10, 10, 3], rgb) }, [net.layers.conv2_1!]);
        return outputs[net.layers.conv2_1!]!.read();
      });
      const scale = Math.max(...ref[net.layers.conv2_1!]!.data.map(Math.abs));
      assertClose(got, ref[net.layers.conv2_1!]!.data, { atol: 1e-5 * scale, rtol: 1e-4 }, 'conv2_1 after preprocessing');
    } finally {
      net.graph.dispose();
    }
  });
});
