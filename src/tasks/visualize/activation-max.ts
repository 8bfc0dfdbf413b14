/**
 * Activation maximisation: from faint noise, climb the gradient of one unit's (channel's) mean
 * activation with respect to the pixels, through the graph's backward pass, with the usual
 * regularisers (Yosinski et al. 2015): a random jitter of the image before each step, a small
 * Gaussian blur every few steps, and a small L2 decay towards grey. The GPU does the forward
 * and backward passes; the regularisers are cheap per-pixel work on the host copy of the image.
 */
import type { Tensor } from '../../gpu/tensor.js';
import { SeededRandom } from '../training/random.js';
import type { FloatImage } from './grid.js';
import { checkUnits, layerNode, layerShape, type VisualNetwork } from './network.js';

export interface ActivationMaxOptions {
  /** Gradient steps (default 64). */
  steps?: number;
  /** Step size in pixel values per step, along the gradient scaled to a mean magnitude of 1 (default 2). */
  learningRate?: number;
  /** Largest random shift in pixels before each step (default 4). */
  jitter?: number;
  /**
   * Shifts are multiples of this (default 2): both networks start with a stride-2 layer, and an
   * odd shift moves a pattern tuned to that grid (a stem unit's finest stripes) out of phase.
   */
  jitterStep?: number;
  /** Blur every this many steps (0: never; default 4). */
  blurEvery?: number;
  /** σ of that blur in pixels (default 1). */
  blurSigma?: number;
  /** Fraction of the distance to grey taken off each step (default 0.002). */
  decay?: number;
  /** Standard deviation of the starting noise around grey, in pixel values (default 24). */
  noise?: number;
  seed?: number;
  /** Called after each step with the unit's mean activation on that step's (jittered) image. */
  onStep?: (step: number, activation: number) => void;
}

export interface ActivationMax {
  layer: string;
  unit: number;
  image: FloatImage;
  /** The unit's mean activation on the starting noise and on the result. */
  start: number;
  final: number;
  /** Mean activation at each step. */
  history: number[];
}

const GREY = 128;

/** Shifts an RGB image by (dx, dy) with wrap-around (a jitter its inverse undoes exactly). */
function roll(src: Float32Array, w: number, h: number, dx: number, dy: number): Float32Array {
  const out = new Float32Array(src.length);
  for (let y = 0; y < h; y++) {
    const sy = (((y - dy) % h) + h) % h;
    for (let x = 0; x < w; x++) {
      const sx = (((x - dx) % w) + w) % w;
      const o = (y * w + x) * 3;
      const s = (sy * w + sx) * 3;
      out[o] = src[s]!;
      out[o + 1] = src[s + 1]!;
      out[o + 2] = src[s + 2]!;
    }
  }
  return out;
}

/** Separable Gaussian blur with edge clamping, in place. */
export function gaussianBlur(data: Float32Array, w: number, h: number, sigma: number): void {
  const r = Math.max(1, Math.ceil(2 * sigma));
  const k = Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
  const total = k.reduce((a, b) => a + b, 0);
  const taps = k.map((v) => v / total);
  const pass = (horizontal: boolean) => {
    const src = Float32Array.from(data);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        for (let c = 0; c < 3; c++) {
          let s = 0;
          for (let t = -r; t <= r; t++) {
            const xx = horizontal ? Math.min(w - 1, Math.max(0, x + t)) : x;
            const yy = horizontal ? y : Math.min(h - 1, Math.max(0, y + t));
            s += taps[t + r]! * src[(yy * w + xx) * 3 + c]!;
          }
          data[(y * w + x) * 3 + c] = s;
        }
      }
    }
  };
  pass(true);
  pass(false);
}

/** The unit's mean over positions of `y` [1, H, W, C]. */
function unitMean(values: Float32Array, channels: number, unit: number): number {
  let s = 0;
  for (let i = unit; i < values.length; i += channels) s += values[i]!;
  return s / (values.length / channels);
}

/** Draws what one unit of `layer` responds to (an image at the network's input size). */
export async function maximizeActivation(net: VisualNetwork, layer: string, unit: number, o: ActivationMaxOptions = {}): Promise<ActivationMax> {
  const node = layerNode(net, layer);
  const channels = await checkUnits(net, layer, [unit]);
  const shape = await layerShape(net, layer);
  const steps = o.steps ?? 64;
  const lr = o.learningRate ?? 2;
  const jitter = o.jitter ?? 4;
  const jitterStep = o.jitterStep ?? 2;
  if (!(Number.isInteger(jitterStep) && jitterStep >= 1)) throw new Error(`activation maximisation: jitterStep must be a positive integer, got ${jitterStep}`);
  const blurEvery = o.blurEvery ?? 4;
  const sigma = o.blurSigma ?? 1;
  const decay = o.decay ?? 0.002;
  if (!(Number.isInteger(steps) && steps >= 1)) throw new Error(`activation maximisation: steps must be a positive integer, got ${steps}`);
  const rng = new SeededRandom(o.seed ?? 1);
  const [h, w] = net.inputSize;
  const engine = net.graph.engine;
  const x = Float32Array.from({ length: h * w * 3 }, () => GREY + (o.noise ?? 24) * rng.normal());
  // d(mean of channel `unit`)/d(activation): 1/(H·W) at that channel, 0 elsewhere.
  const positions = shape[1]! * shape[2]!;
  const seedData = new Float32Array(positions * channels);
  for (let p = 0; p < positions; p++) seedData[p * channels + unit] = 1 / positions;
  const seed = engine.keep(engine.tensor(shape, seedData, 'activationSeed'));

  const evaluate = async (image: Float32Array): Promise<number> => {
    const t = engine.tensor([1, h, w, 3], image);
    try {
      const y = net.graph.forward({ [net.input]: t }, [node]).outputs[node]!;
      const v = unitMean(await y.read(), channels, unit);
      y.dispose();
      return v;
    } finally {
      t.dispose();
    }
  };

  const history: number[] = [];
  try {
    const start = await evaluate(x);
    for (let s = 1; s <= steps; s++) {
      const reach = Math.floor(jitter / jitterStep);
      const dx = jitterStep * (rng.below(2 * reach + 1) - reach);
      const dy = jitterStep * (rng.below(2 * reach + 1) - reach);
      const shifted = roll(x, w, h, dx, dy);
      const t = engine.tensor([1, h, w, 3], shifted);
      let grad: Float32Array;
      let value: number;
      let g: Tensor | undefined;
      try {
        const { outputs, tape } = net.graph.forward({ [net.input]: t }, [node], { record: true, training: false, wrt: [net.input] });
        const y = outputs[node]!;
        value = unitMean(await y.read(), channels, unit);
        y.dispose();
        g = net.graph.backward(tape!, { [node]: seed }, [net.input])[net.input]!;
        grad = roll(await g.read(), w, h, -dx, -dy);
      } finally {
        g?.dispose();
        t.dispose();
      }
      history.push(value);
      o.onStep?.(s, value);
      let mag = 0;
      for (let i = 0; i < grad.length; i++) mag += Math.abs(grad[i]!);
      mag /= grad.length;
      if (mag === 0) {
        // A unit dead on this image (relu at zero everywhere): fresh noise, then climb from there.
        for (let i = 0; i < x.length; i++) x[i] = Math.min(255, Math.max(0, x[i]! + 2 * (o.noise ?? 24) * rng.normal()));
        continue;
      }
      const step = lr / mag;
      for (let i = 0; i < x.length; i++) {
        const v = x[i]! + step * grad[i]!;
        x[i] = Math.min(255, Math.max(0, GREY + (v - GREY) * (1 - decay)));
      }
      if (blurEvery > 0 && s % blurEvery === 0 && s < steps) gaussianBlur(x, w, h, sigma);
    }
    const final = await evaluate(x);
    return { layer, unit, image: { width: w, height: h, data: x }, start, final, history };
  } finally {
    seed.dispose();
  }
}
