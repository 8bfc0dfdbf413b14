/**
 * The benchmark suite (bench/tasks/) in Node: our engine and TF.js's WebGPU backend on one Dawn
 * device (Mesa lavapipe unless VK_ICD_FILENAMES says otherwise). TF.js's WebGL backend does not
 * exist in Node.
 * Usage: node build/bench/bench-node.js [--size tiny|small|full] [--only kernels|tasks] [--json] [--out FILE]
 * Prints the table (or, with --json, the report as JSON) and writes bench/results/bench-node.json
 * (a tiny run: build/bench/bench-node-tiny.json).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as faceapi from '@vladmandic/face-api/dist/face-api.esm-nobundle.js';
import { createNodeEngine, faceApiModelDir, loadWeightsFromFile } from '../src/host/node.js';
import { decodeImage } from '../src/host/node-image.js';
import { fileModelSource } from '../src/host/node-style.js';
import { FACE_API_MODELS } from '../src/nn/face-api-models.js';
import { formatReport } from './tasks/format.js';
import { runBench } from './tasks/run.js';
import { parseBenchArgs } from './tasks/args.js';
import type { BenchHost } from './tasks/types.js';
import { shareDawnWithTfjs } from './dawn-for-tfjs.js';

// This file runs as build/bench/bench-node.js: the repository root is two folders up.
const root = fileURLToPath(new URL('../../', import.meta.url));

async function main(): Promise<void> {
  const args = parseBenchArgs(process.argv.slice(2));
  await shareDawnWithTfjs();

  const engine = await createNodeEngine();
  const a = engine.adapterInfo;
  const cpu = cpus();
  const modelDir = faceApiModelDir();
  const host: BenchHost = {
    name: 'node',
    engine,
    environment: [
      `adapter: ${[a.vendor, a.architecture, a.device, a.description].filter(Boolean).join(' / ') || 'unknown'} via ${engine.driver}`,
      `Node ${process.version}, Dawn (npm webgpu), ${cpu.length} CPU cores (${cpu[0]?.model ?? 'unknown'})`,
    ],
    tfBackends: ['webgpu'],
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
  const report = await runBench(host, { size: args.size, only: args.only, log: args.json ? () => {} : (line) => console.log(line) });
  const text = formatReport(report);
  if (args.json) console.log(JSON.stringify(report, null, 2));
  else console.log(`\n${text}`);
  const out = resolve(args.out ?? (args.size === 'tiny' ? join(root, 'build/bench/bench-node-tiny.json') : join(root, 'bench/results/bench-node.json')));
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
  if (!args.json) console.log(`wrote ${out}`);
}

// Dawn keeps the event loop alive: exit explicitly either way.
main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e instanceof Error ? e.stack ?? e.message : e);
    process.exit(1);
  },
);
