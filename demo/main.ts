import { createEngine, ops, type Engine } from '../src/index.js';

const $ = <T extends HTMLElement>(sel: string) => document.querySelector(sel) as T;

function row(label: string, value: string): string {
  return `<tr><th>${label}</th><td>${value}</td></tr>`;
}

function randomData(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    a[i] = s / 2 ** 32 - 0.5;
  }
  return a;
}

interface ConvShape { name: string; h: number; w: number; c: number; k: number; oc: number; stride: number }

// The first layers of the dlib face ResNet (150x150 input).
const SHAPES: ConvShape[] = [
  { name: 'face ResNet stem 7x7/2', h: 150, w: 150, c: 3, k: 7, oc: 32, stride: 2 },
  { name: '3x3 conv, 32 → 32', h: 37, w: 37, c: 32, k: 3, oc: 32, stride: 1 },
  { name: '3x3 conv, 128 → 128', h: 10, w: 10, c: 128, k: 3, oc: 128, stride: 1 },
];

async function timeConv(engine: Engine, s: ConvShape): Promise<{ ms: number; gflops: number; outShape: readonly number[] }> {
  const x = engine.keep(engine.tensor([1, s.h, s.w, s.c], randomData(s.h * s.w * s.c, 1)));
  const w = engine.keep(engine.tensor([s.k, s.k, s.c, s.oc], randomData(s.k * s.k * s.c * s.oc, 2)));
  const once = () => engine.scope(async () => {
    const y = ops.conv(x, w, { strides: s.stride, padding: 'same' });
    await y.read();
    return y.shape;
  });
  const outShape = await once(); // warm-up: compiles the pipeline
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    await once();
    times.push(performance.now() - t0);
  }
  x.dispose();
  w.dispose();
  const ms = times.sort((a, b) => a - b)[1]!;
  const flops = 2 * outShape[1]! * outShape[2]! * s.oc * s.k * s.k * s.c;
  return { ms, gflops: flops / ms / 1e6, outShape };
}

async function main(): Promise<void> {
  const status = $('#status');
  let engine: Engine;
  try {
    engine = await createEngine();
  } catch (e) {
    status.className = 'error';
    status.textContent = (e as Error).message;
    return;
  }
  const info = engine.adapterInfo;
  const limits = engine.limits;
  $('#adapter').innerHTML = [
    row('Vendor', info.vendor || '—'),
    row('Architecture', info.architecture || '—'),
    row('Device', info.device || '—'),
    row('Description', info.description || '—'),
    row('Max storage buffer', `${(limits.maxStorageBufferBindingSize / 2 ** 20).toFixed(0)} MiB`),
    row('Max workgroup storage', `${limits.maxComputeWorkgroupStorageSize / 1024} KiB`),
    row('Max invocations / workgroup', String(limits.maxComputeInvocationsPerWorkgroup)),
  ].join('');
  status.textContent = 'WebGPU is ready.';
  const button = $<HTMLButtonElement>('#run');
  button.disabled = false;
  button.addEventListener('click', async () => {
    button.disabled = true;
    const body = $('#results');
    body.innerHTML = '';
    const runStatus = $('#run-status');
    for (const s of SHAPES) {
      runStatus.textContent = `Running ${s.name}…`;
      const r = await timeConv(engine, s);
      body.insertAdjacentHTML('beforeend', `<tr><td>${s.name}</td><td>${s.h}x${s.w}x${s.c}</td><td>${r.outShape.slice(1).join('x')}</td><td>${r.ms.toFixed(1)}</td><td>${r.gflops.toFixed(2)}</td></tr>`);
    }
    runStatus.textContent = 'Done: median of 3 runs after a warm-up, each including the read-back.';
    (window as unknown as { __convDone: boolean }).__convDone = true;
    button.disabled = false;
  });
}

main();
