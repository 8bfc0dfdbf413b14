/**
 * The face ResNet as a Graph (src/nn/face-recognition-graph.ts) against FaceRecognitionNet, the
 * engine's fast path, on real face chips: descriptors and every block's activations agree.
 */
import { readFileSync } from 'node:fs';
import type { Engine } from '../../src/gpu/engine.js';
import { decodeImage } from '../../src/host/node-image.js';
import { loadWeightsFromFile } from '../../src/host/node.js';
import { FACE_API_MODELS } from '../../src/nn/face-api-models.js';
import { faceRecognitionGraph, type FaceRecognitionGraph } from '../../src/nn/face-recognition-graph.js';
import { FACE_RECOGNITION_INPUT_SIZE, FaceRecognitionNet } from '../../src/nn/face-recognition-net.js';
import { imageToTensor } from '../../src/ops/image.js';
import { assert, assertEqual } from '../util/assert.js';
import { directionalDerivative, dotProduct } from '../util/gradcheck.js';
import { Rng } from '../util/random.js';
import { testEngine } from '../util/engine.js';

const MODEL_DIR = 'node_modules/@vladmandic/face-api/model';
const SIZE = FACE_RECOGNITION_INPUT_SIZE;

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  assertEqual(a.length, b.length, 'lengths');
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

describe('face recognition ResNet as a Graph', function () {
  this.timeout(300_000);
  let engine: Engine;
  let net: FaceRecognitionNet;
  let g: FaceRecognitionGraph;

  before(async () => {
    engine = await testEngine();
    const spec = FACE_API_MODELS.faceRecognition;
    const weights = await loadWeightsFromFile(`${MODEL_DIR}/${spec.manifest}`, { sha256: spec.sha256 });
    net = new FaceRecognitionNet(engine, weights);
    g = faceRecognitionGraph(engine, weights);
  });

  after(() => {
    net?.dispose();
    g?.graph.dispose();
  });

  it('gives FaceRecognitionNet\'s descriptors number by number (an ORL face and an LFW photo, one batch)', async () => {
    const orl = decodeImage(readFileSync('../shared/data/orl-faces/s3/1.pgm'), 's3/1.pgm');
    const lfw = decodeImage(readFileSync('../shared/data/lfw-view1/images/AJ_Cook/AJ_Cook_0001.jpg'), 'AJ_Cook_0001.jpg');
    const chips = [
      imageToTensor(engine, orl, { size: [SIZE, SIZE] }),
      imageToTensor(engine, lfw, { crop: { x: 60, y: 60, width: 130, height: 130 }, size: [SIZE, SIZE] }),
    ];
    const batch = new Float32Array(2 * SIZE * SIZE * 3);
    batch.set(await chips[0]!.read(), 0);
    batch.set(await chips[1]!.read(), SIZE * SIZE * 3);
    chips.forEach((c) => c.dispose());
    const input = engine.tensor([2, SIZE, SIZE, 3], batch);
    const expected = await engine.scope(async () => {
      const out = net.forward(input);
      const data = await out.read();
      out.dispose();
      return data;
    });
    const { outputs } = g.graph.forward({ [g.input]: input }, [g.output]);
    const got = await outputs[g.output]!.read();
    outputs[g.output]!.dispose();
    input.dispose();
    assertEqual(got.length, 2 * 128, 'descriptor values');
    const diff = maxAbsDiff(got, expected);
    const scale = expected.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    console.log(`    max |graph − net| ${diff.toExponential(2)} (largest value ${scale.toFixed(3)})`);
    assert(scale > 0.01, 'the descriptors are not all zero');
    assert(diff <= 1e-5, `descriptors differ by up to ${diff}`);
  });

  it('names its layers shallow to deep, each a node of the graph', () => {
    const names = Object.keys(g.layers);
    assertEqual(names[0], 'conv32_down', 'first layer');
    assertEqual(names[names.length - 1], 'descriptor', 'last layer');
    for (const node of Object.values(g.layers)) assert(g.graph.node(node), `layer node ${node} is in the graph`);
  });
  it('backward to the pixels matches finite differences through the down blocks\' padded identity convolutions', async () => {
    const rng = new Rng(5);
    const node = g.layers.conv256_2!;
    const x = Float32Array.from({ length: SIZE * SIZE * 3 }, () => rng.uniform(40, 215));
    const direction = rng.array(x.length, -1, 1);
    const f = async (pixels: Float32Array) => {
      const t = engine.tensor([1, SIZE, SIZE, 3], pixels);
      const y = g.graph.forward({ [g.input]: t }, [node]).outputs[node]!;
      const v = await y.read();
      y.dispose();
      t.dispose();
      return v.reduce((a, b) => a + b, 0);
    };
    const t = engine.tensor([1, SIZE, SIZE, 3], x);
    const { outputs, tape } = g.graph.forward({ [g.input]: t }, [node], { record: true, training: false, wrt: [g.input] });
    const y = outputs[node]!;
    const ones = engine.tensor(y.shape, new Float32Array(y.size).fill(1));
    const grad = g.graph.backward(tape!, { [node]: ones }, [g.input])[g.input]!;
    const analytic = dotProduct(await grad.read(), direction);
    for (const u of [y, ones, grad, t]) u.dispose();
    // Half a grey level: small enough that few relus change sign on the way, large enough for f32 sums.
    const numeric = await directionalDerivative(f, x, direction, 0.5);
    console.log(`    directional derivative: backward ${analytic.toExponential(4)}, finite differences ${numeric.toExponential(4)}`);
    assert(Math.abs(analytic) > 1e-3, 'a non-zero derivative');
    assert(Math.abs(analytic - numeric) <= 0.05 * Math.abs(numeric), `backward ${analytic} vs finite differences ${numeric}`);
  });
});
