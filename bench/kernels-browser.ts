/**
 * Kernel benchmark in the browser (bench/kernels.html): our engine and TF.js's WebGPU backend on
 * one navigator.gpu device, TF.js WASM SIMD on the CPU. Query: ?quick=1&budget=SECONDS&wasmThreads=1
 * (the last asks TF.js WASM for one thread per logical core; it needs a cross-origin isolated page).
 * Progress goes to the console; the report is left in `window.__benchResult` (or the failure in
 * `window.__benchError`) for bench/run-kernels.mjs.
 */
import * as tf from '@tensorflow/tfjs-core';
import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import * as wasm from '@tensorflow/tfjs-backend-wasm';
import { Engine } from '../src/gpu/engine.js';
import { runSuite, type BenchReport } from './suite.js';

declare global {
  interface Window {
    __benchResult?: BenchReport;
    __benchError?: string;
  }
}

async function main(): Promise<void> {
  const params = new URLSearchParams(location.search);
  const quick = params.get('quick') === '1';
  const budgetS = params.has('budget') ? Number(params.get('budget')) : Infinity;
  const engine = await Engine.create();
  const a = engine.adapterInfo;
  const report = await runSuite({
    host: 'chromium',
    engine,
    environment: [
      `adapter: ${[a.vendor, a.architecture, a.device, a.description].filter(Boolean).join(' / ') || 'unknown'} (navigator.gpu)`,
      `${navigator.userAgent}, ${navigator.hardwareConcurrency} logical cores, crossOriginIsolated=${globalThis.crossOriginIsolated}`,
      `budget: ${Number.isFinite(budgetS) ? `${budgetS} s` : 'none'}${quick ? ', quick run' : ''}`,
    ],
    tfjs: { tf, WebGPUBackend, wasm },
    wasmPath: new URL('/node_modules/@tensorflow/tfjs-backend-wasm/dist/', location.href).href,
    quick,
    wasmThreads: params.get('wasmThreads') === '1' ? navigator.hardwareConcurrency : undefined,
    budgetS,
  });
  const out = document.getElementById('out');
  if (out) out.textContent = report.text;
  window.__benchResult = report;
}

main().catch((e: unknown) => {
  const message = e instanceof Error ? e.stack ?? e.message : String(e);
  console.error(message);
  window.__benchError = message;
});
