/**
 * The benchmark suite's browser host, on the visitor's adapter: our engine and TF.js's WebGPU
 * backend on one navigator.gpu device, and TF.js's WebGL backend where the browser has it (WASM
 * where a run asks for it and the site serves its binaries at ./tfjs-wasm/). The demo page's
 * Benchmark section loads this module (build/bench/bench-browser.js) when the visitor presses Run
 * (it bundles TF.js and face-api, which the rest of the page does not need); `npm run bench`
 * drives the same section in headless Chromium. Model files and pictures come from the demo
 * site: ./models/ (face-api) and ./assets/.
 */
import * as faceapi from '@vladmandic/face-api/dist/face-api.esm-nobundle.js';
import { Engine } from '../../src/gpu/engine.js';
import { toRGBA } from '../../src/host/browser-image.js';
import { FACE_API_MODELS } from '../../src/nn/face-api-models.js';
import { loadWeightsFromURL } from '../../src/nn/load-url.js';
import type { RGBAImage } from '../../src/ops/image.js';
import { urlModelSource } from '../../src/tasks/style/network.js';
import { adapterLine, formatReport } from '../format.js';
import { runBench, type RunOptions } from '../run.js';
import { benchArgsFromQuery } from '../runs.js';
import type { BenchHost, BenchReport } from '../types.js';

export type { BenchReport, BenchResult, BenchProgress, BenchSize, BenchOnly } from '../types.js';

let host: Promise<BenchHost> | null = null;

async function loadImage(url: URL): Promise<RGBAImage> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return toRGBA(await response.blob());
}

/** One engine per page: repeated runs reuse it (and the pipelines it compiled). */
function browserHost(base: URL): Promise<BenchHost> {
  host ??= (async () => {
    const engine = await Engine.create();
    const a = engine.adapterInfo;
    const models = new URL('./models/', base);
    return {
      name: 'chromium' as const,
      engine,
      environment: [
        `adapter: ${adapterLine(a)} (navigator.gpu)`,
        `${navigator.userAgent}, ${navigator.hardwareConcurrency} logical cores`,
      ],
      tfBackends: ['webgpu', 'webgl'],
      wasmPath: new URL('./tfjs-wasm/', base).href,
      // Seen in headless Chromium: TF.js WebGL's shaders for face-api's nets fail to compile on
      // SwiftShader, and the failure takes the GPU process (and our WebGPU device) down with it.
      webglKernelsOnly: /swiftshader/i.test(`${a.vendor} ${a.architecture} ${a.description}`)
        ? "on SwiftShader, TF.js WebGL fails to compile face-api's shaders and the GPU process (our WebGPU device with it) is lost"
        : undefined,
      loadFaceModel: (m) => loadWeightsFromURL(new URL(FACE_API_MODELS[m].manifest, models), { sha256: FACE_API_MODELS[m].sha256 }),
      async loadFaceApiNets() {
        const uri = models.href;
        await Promise.all([faceapi.nets.ssdMobilenetv1.loadFromUri(uri), faceapi.nets.faceLandmark68Net.loadFromUri(uri), faceapi.nets.faceRecognitionNet.loadFromUri(uri)]);
      },
      loadFaceImage: () => loadImage(new URL('./assets/face.png', base)),
      loadGroupPhoto: () => loadImage(new URL('./face-api-demo/sample5.jpg', base)),
      loadStyleImages: async () => ({ content: await loadImage(new URL('./assets/dog.jpg', base)), style: await loadImage(new URL('./assets/scream.jpg', base)) }),
      styleModel: () => urlModelSource(new URL('./models/style/centernet.json', base)),
    } satisfies BenchHost;
  })();
  return host;
}

/**
 * Runs the suite here; `base` is the demo site's root (where models/ and assets/ are). `query`
 * (a page's location.search) gives the suite's options as on the command line (`?run=kernels`,
 * `?family=conv`, `?tfjs=webgpu,wasm`, …); `options` override them.
 */
export async function runBrowserBench({ base, query, ...options }: Partial<RunOptions> & { base?: string; query?: string }): Promise<{ report: BenchReport; text: string }> {
  const h = await browserHost(new URL(base ?? './', document.baseURI));
  const args = benchArgsFromQuery(new URLSearchParams(query ?? ''));
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<RunOptions>;
  const report = await runBench(h, { ...args, ...given });
  return { report, text: formatReport(report) };
}
