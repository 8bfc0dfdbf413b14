/**
 * Kernel benchmark in Node: our engine and TF.js's WebGPU backend on one Dawn device (Mesa
 * lavapipe unless VK_ICD_FILENAMES says otherwise), TF.js WASM SIMD on the CPU.
 * Usage: node build/bench/kernels-node.js [--quick] [--budget=SECONDS]
 * Prints the table and writes bench/results/kernels-node.json (--quick: build/bench/kernels-node-quick.json).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import * as wasm from '@tensorflow/tfjs-backend-wasm';
import { createNodeEngine } from '../src/host/node.js';
import { runSuite } from './suite.js';
import { shareDawnWithTfjs } from './dawn-for-tfjs.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const budgetArg = args.find((a) => a.startsWith('--budget='));
const budgetS = budgetArg ? Number(budgetArg.slice('--budget='.length)) : 900;

async function main(): Promise<void> {
  await shareDawnWithTfjs();

  const engine = await createNodeEngine();
  const a = engine.adapterInfo;
  const require = createRequire(import.meta.url);
  const wasmDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
  const cpu = cpus();
  const report = await runSuite({
    host: 'node',
    engine,
    environment: [
      `adapter: ${[a.vendor, a.architecture, a.device, a.description].filter(Boolean).join(' / ') || 'unknown'} via ${engine.driver}`,
      `Node ${process.version}, Dawn (npm webgpu), ${cpu.length} CPU cores (${cpu[0]?.model ?? 'unknown'})`,
      `budget: ${budgetS} s${quick ? ', quick run' : ''}`,
    ],
    tfjs: { tf, WebGPUBackend, wasm },
    wasmPath: wasmDir + '/',
    quick,
    budgetS,
  });
  console.log('');
  console.log(report.text);
  // This file runs as build/bench/kernels-node.js: the results go to the repository's bench/results,
  // a quick smoke run's next to this file (build/ is not committed).
  const dir = fileURLToPath(new URL(quick ? './' : '../../bench/results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const file = join(dir, quick ? 'kernels-node-quick.json' : 'kernels-node.json');
  writeFileSync(file, JSON.stringify(report.rows, null, 2) + '\n');
  console.log(`wrote ${file}`);
}

// Dawn keeps the event loop alive: exit explicitly either way.
main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e instanceof Error ? e.stack ?? e.message : e);
    process.exit(1);
  },
);
