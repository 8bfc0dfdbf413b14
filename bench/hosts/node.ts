/**
 * The benchmark suite's Node host: our engine and TF.js's WebGPU backend on one Dawn device
 * (Mesa lavapipe unless VK_ICD_FILENAMES says otherwise), TF.js WASM on the CPU where a run asks
 * for it. TF.js's WebGL backend does not exist in Node.
 * Usage: node build/bench/bench-node.js [options: see BENCH_USAGE in bench/runs.ts, or --help]
 * Prints the table (or, with --json, the report as JSON) and writes bench/results/<run>-node.json
 * (a tiny run: build/bench/<run>-node-tiny.json).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as faceapi from '@vladmandic/face-api/dist/face-api.esm-nobundle.js';
import { createNodeEngine, faceApiModelDir, loadWeightsFromFile } from '../../src/host/node.js';
import { decodeImage } from '../../src/host/node-image.js';
import { fileModelSource } from '../../src/host/node-style.js';
import { FACE_API_MODELS } from '../../src/nn/face-api-models.js';
import { formatReport } from '../format.js';
import { runBench } from '../run.js';
import { benchHelp, parseBenchArgs, resultsPath } from '../runs.js';
import { shareDawnWithTfjs, tfjsWasmDir } from '../tfjs/dawn.js';
import type { BenchHost } from '../types.js';
import { adapterLine } from '../format.js';
import { runMain } from './drive.js';

// This file runs as build/bench/bench-node.js: the repository root is two folders up.
const root = fileURLToPath(new URL('../../', import.meta.url));

async function main(): Promise<void> {
  const args = parseBenchArgs(process.argv.slice(2), 'node');
  if (args.help) return console.log(benchHelp());
  await shareDawnWithTfjs();

  const engine = await createNodeEngine({ autotune: args.autotune });
  const cpu = cpus();
  const modelDir = faceApiModelDir();
  const host: BenchHost = {
    name: 'node',
    engine,
    environment: [
      `adapter: ${adapterLine(engine.adapterInfo)} via ${engine.driver}`,
      `autotune: ${engine.tuner.mode}`,
      `Node ${process.version}, Dawn (npm webgpu), ${cpu.length} CPU cores (${cpu[0]?.model ?? 'unknown'})`,
    ],
    tfBackends: ['webgpu'],
    wasmPath: tfjsWasmDir(),
    loadFaceModel: (m) => loadWeightsFromFile(join(modelDir, FACE_API_MODELS[m].manifest), { sha256: FACE_API_MODELS[m].sha256 }),
    async loadFaceApiNets() {
      await Promise.all([faceapi.nets.ssdMobilenetv1.loadFromDisk(modelDir), faceapi.nets.faceLandmark68Net.loadFromDisk(modelDir), faceapi.nets.faceRecognitionNet.loadFromDisk(modelDir)]);
    },
    loadFaceImage: async () => decodeImage(readFileSync(join(root, 'demo/assets/face.png')), 'face.png'),
    loadGroupPhoto: async () => decodeImage(readFileSync(join(dirname(modelDir), 'demo/sample5.jpg')), 'sample5.jpg'),
    loadStyleImages: async () => ({
      content: decodeImage(readFileSync(join(root, 'demo/assets/dog.jpg')), 'dog.jpg'),
      style: decodeImage(readFileSync(join(root, 'demo/assets/scream.jpg')), 'scream.jpg'),
    }),
    styleModel: () => fileModelSource(),
  };
  const report = await runBench(host, { ...args, log: args.json ? () => {} : (line) => console.log(line) });
  if (args.json) console.log(JSON.stringify(report, null, 2));
  else console.log(`\n${formatReport(report)}`);
  const out = resolve(args.out ?? join(root, resultsPath(args.name, 'node', args.size)));
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
  if (!args.json) console.log(`wrote ${out}`);
}

runMain(main);
