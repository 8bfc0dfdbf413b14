/**
 * Style transfer evaluation in Node (`npm run eval:style` runs this, then the Chromium part):
 * content ../shared/data/images/dog.jpg, style ../shared/data/images/scream.jpg, 192 px, a fixed
 * number of steps from a fixed seed; saves bench/results/style-node.png and writes the "node"
 * entry of bench/results/style.json. Step time against TF.js (same loss, same CenterNet
 * sub-graph, autodiff): WASM SIMD and WebGPU on our engine's GPUDevice.
 * Usage: node build/bench/eval-style.js [--size N] [--iterations N] [--seed N] [--rounds N] [--no-webgpu] [--profile [--detail]] (style-options.ts)
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import * as wasm from '@tensorflow/tfjs-backend-wasm';
import { createNodeEngine, nodeGPU } from '../../src/host/node.js';
import { decodeImage, encodePNG } from '../../src/host/node-image.js';
import { centernetModelPath, fileModelSource } from '../../src/host/node-style.js';
import { loadStyleNetwork } from '../../src/tasks/style/network.js';
import { createStyleStepper } from '../../src/tasks/style/style-transfer.js';
import { runStyleEval } from './style-eval-core.js';
import { installTimestampProfiler } from './style-profile.js';
import { Engine } from '../../src/gpu/engine.js';
import { tfjsWebGPUOnEngine } from '../tfjs/backends.js';
import { shareDawnWithTfjs, tfjsWasmDir } from '../tfjs/dawn.js';
import { runMain } from '../hosts/drive.js';
import { parseStyleEvalArgs } from './style-options.js';

const args = parseStyleEvalArgs(process.argv.slice(2));
const { size, iterations, seed, rounds } = args;
const root = fileURLToPath(new URL('../../', import.meta.url));
const resultsDir = join(root, 'bench/results');

async function main(): Promise<void> {
  await shareDawnWithTfjs();
  const engine = await createNodeEngine();
  console.log(`adapter: ${engine.adapterInfo.description || engine.adapterInfo.device} via ${engine.driver}`);
  const network = await loadStyleNetwork(engine, fileModelSource());
  const content = decodeImage(readFileSync(join(root, '../shared/data/images/dog.jpg')), 'dog.jpg');
  const style = decodeImage(readFileSync(join(root, '../shared/data/images/scream.jpg')), 'scream.jpg');

  if (args.profile) {
    // An engine of our own whose device also has timestamp queries (the profiler refuses one without).
    const profiled = await Engine.create({ gpu: (await nodeGPU()).gpu, features: ['timestamp-query'] });
    const device = profiled.device;
    const net = await loadStyleNetwork(profiled, fileModelSource());
    const prof = installTimestampProfiler(device, { detail: args.detail });
    const st = await createStyleStepper(profiled, { content, style, network: net, size, seed });
    for (let i = 0; i < 2; i++) await st.step();
    const steps = 3;
    const t0 = performance.now();
    prof.start();
    for (let i = 0; i < steps; i++) await st.step();
    await prof.stop();
    console.log(`wall time per step (profiled): ${((performance.now() - t0) / steps).toFixed(1)} ms at ${size} px`);
    st.dispose();
    console.log(prof.report(steps));
    return;
  }

  // TF.js: WASM and WebGPU on our device.
  wasm.setWasmPaths(tfjsWasmDir());
  tfjsWebGPUOnEngine(engine);
  const modelPath = centernetModelPath();
  const bin = readFileSync(join(dirname(modelPath), 'centernet.bin'));
  const backends = args['no-webgpu'] ? ['wasm'] : ['wasm', 'webgpu'];

  const { report, image } = await runStyleEval({
    engine, network, content, style, size, iterations, seed, timingRounds: rounds,
    tfjs: { tf, modelJson: JSON.parse(readFileSync(modelPath, 'utf8')), weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength), backends },
  });
  await tf.setBackend('wasm');
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, 'style-node.png'), encodePNG(image));
  const file = join(resultsDir, 'style.json');
  const all = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  all.node = {
    ...report,
    host: `Node ${process.version}, Dawn on ${engine.adapterInfo.description || engine.adapterInfo.device} (${engine.driver}); TF.js ${tf.version.tfjs}, WASM SIMD ${simd ? 'on' : 'off'}, 1 thread`,
    image: 'bench/results/style-node.png',
  };
  writeFileSync(file, JSON.stringify(all, null, 2) + '\n');
  console.log(JSON.stringify(all.node, null, 2));
  console.log(`wrote ${file} and bench/results/style-node.png`);
}

runMain(main);
