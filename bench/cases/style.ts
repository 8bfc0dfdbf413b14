/**
 * One style-transfer optimisation step at 256 px (Gatys loss on the CenterNet MobileNet-V3
 * features, Adam, pixels clamped): ours (createStyleStepper) against the same step on TF.js
 * (bench/tfjs/style-step.ts: tf.loadGraphModel on the same model.json and weights, autodiff).
 * Both start from the same pictures, resized here once to 256 px, and the same seeded noise.
 */
import * as tf from '@tensorflow/tfjs';
import type { RGBAImage } from '../../src/ops/image.js';
import { loadStyleNetwork, type ModelSource } from '../../src/tasks/style/network.js';
import { createStyleStepper } from '../../src/tasks/style/style-transfer.js';
import { createTfStyleStepper, type FloatImage } from '../tfjs/style-step.js';
import type { BenchCase, BenchContext, BenchSize } from '../types.js';

const SETTINGS = { contentWeight: 1, styleWeight: 10, learningRate: 5, seed: 1 };

/** Bilinear (half-pixel) resize of RGBA pixels so that the longest side is `size`. */
function resizeRGBA(image: RGBAImage, size: number): RGBAImage {
  const scale = size / Math.max(image.width, image.height);
  const width = Math.max(1, Math.round(image.width * scale));
  const height = Math.max(1, Math.round(image.height * scale));
  const data = new Uint8ClampedArray(width * height * 4);
  const sx = image.width / width;
  const sy = image.height / height;
  for (let y = 0; y < height; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), image.height - 1);
    const y0 = Math.floor(fy), y1 = Math.min(y0 + 1, image.height - 1), wy = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), image.width - 1);
      const x0 = Math.floor(fx), x1 = Math.min(x0 + 1, image.width - 1), wx = fx - x0;
      for (let c = 0; c < 4; c++) {
        const at = (xx: number, yy: number) => image.data[4 * (yy * image.width + xx) + c]!;
        data[4 * (y * width + x) + c] = (at(x0, y0) * (1 - wx) + at(x1, y0) * wx) * (1 - wy) + (at(x0, y1) * (1 - wx) + at(x1, y1) * wx) * wy;
      }
    }
  }
  return { width, height, data } as RGBAImage;
}

const toFloatRGB = (image: RGBAImage): FloatImage => {
  const data = new Float32Array(image.width * image.height * 3);
  for (let i = 0; i < image.width * image.height; i++) for (let c = 0; c < 3; c++) data[3 * i + c] = image.data[4 * i + c]!;
  return { data, width: image.width, height: image.height };
};

async function pictures(ctx: BenchContext, size: number): Promise<{ content: RGBAImage; style: RGBAImage }> {
  const { content, style } = await ctx.host.loadStyleImages();
  return { content: resizeRGBA(content, size), style: resizeRGBA(style, size) };
}

/** model.json and its shards concatenated in manifest order, as tf.loadGraphModel wants them. */
async function modelBytes(source: ModelSource): Promise<{ modelJson: unknown; weightData: ArrayBuffer }> {
  const modelJson = (await source.json()) as { weightsManifest: { paths: string[] }[] };
  const shards: Uint8Array[] = [];
  for (const group of modelJson.weightsManifest) {
    for (const path of group.paths) {
      const b = await source.read(path);
      shards.push(b instanceof ArrayBuffer ? new Uint8Array(b) : new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
    }
  }
  const all = new Uint8Array(shards.reduce((n, s) => n + s.byteLength, 0));
  let at = 0;
  for (const s of shards) {
    all.set(s, at);
    at += s.byteLength;
  }
  return { modelJson, weightData: all.buffer };
}

function styleCase(size: number): BenchCase {
  return {
    group: 'task',
    family: 'style transfer',
    name: `style-transfer step ${size} px`,
    shape: `dog.jpg ${size} px, scream.jpg ${size} px; CenterNet MobileNet-V3 features, Adam`,
    flops: null,
    // Both steps return J before the step, from the same start: they should agree closely.
    tolerance: 1e-2,
    async ours(ctx) {
      const { content, style } = await pictures(ctx, size);
      const network = await loadStyleNetwork(ctx.engine, ctx.host.styleModel());
      const stepper = await createStyleStepper(ctx.engine, { content, style, network, size, init: 'mix', optimizer: 'adam', ...SETTINGS });
      return { run: async () => Float32Array.of(await stepper.step()), dispose: () => stepper.dispose() };
    },
    async tfjs(ctx) {
      const { content, style } = await pictures(ctx, size);
      const { modelJson, weightData } = await modelBytes(ctx.host.styleModel());
      const stepper = await createTfStyleStepper({ tf, modelJson, weightData, content: toFloatRGB(content), style: toFloatRGB(style), ...SETTINGS });
      return { run: async () => Float32Array.of(await stepper.step()), dispose: () => stepper.dispose() };
    },
  };
}

export function styleCases(size: BenchSize): BenchCase[] {
  return size === 'tiny' ? [] : [styleCase(256)];
}
