/** Small helpers that turn "make inputs, run an op" into the suite's Runners, for ours and TF.js. */
import * as tf from '@tensorflow/tfjs';
import type { Engine } from '../../src/gpu/engine.js';
import type { Tensor } from '../../src/gpu/tensor.js';
import { mulberry32 } from '../../src/nn/random.js';
import type { Runner } from '../types.js';

/** Deterministic uniform values in [-scale, scale], from the library's seeded generator. */
export function randomData(n: number, seed: number, scale = 1): Float32Array {
  const next = mulberry32(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (next() / 4294967296 * 2 - 1) * scale;
  return out;
}

const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Deterministic inputs for a case: one array per shape, values in [-scale, scale]. */
export function inputsFor(shapes: readonly (readonly number[])[], seed: number, scales: readonly number[] = []): Float32Array[] {
  return shapes.map((s, i) => randomData(sizeOf(s), seed + i, scales[i] ?? 1));
}

/** Ours: uploads the inputs once; each run applies `op` and reads the output back. */
export function oursOp(engine: Engine, shapes: readonly (readonly number[])[], data: readonly Float32Array[], op: (...xs: Tensor[]) => Tensor): Runner {
  const xs = shapes.map((s, i) => engine.tensor([...s], data[i]!, `bench input ${i}`));
  return {
    async run() {
      const y = op(...xs);
      try {
        return await y.read();
      } finally {
        y.dispose();
      }
    },
    async stream(calls) {
      await engine.scope(async () => {
        let y: Tensor | undefined;
        for (let i = 0; i < calls; i++) {
          y?.dispose();
          y = op(...xs);
        }
        await y!.read();
      });
    },
    dispose() {
      for (const x of xs) x.dispose();
    },
  };
}

/** TF.js on its active backend: the inputs live there; each run applies `op` and awaits data(). */
export function tfOp(shapes: readonly (readonly number[])[], data: readonly Float32Array[], op: (...xs: tf.Tensor[]) => tf.Tensor): Runner {
  const xs = shapes.map((s, i) => tf.tensor(data[i]!, [...s]));
  return {
    async run() {
      const y = tf.tidy(() => op(...xs));
      try {
        return (await y.data()) as Float32Array;
      } finally {
        y.dispose();
      }
    },
    async stream(calls) {
      let y: tf.Tensor | undefined;
      for (let i = 0; i < calls; i++) {
        y?.dispose();
        y = tf.tidy(() => op(...xs));
      }
      await y!.data();
      y!.dispose();
    },
    dispose() {
      for (const x of xs) x.dispose();
    },
  };
}

/** "HxWxC" of an NHWC shape. */
export const hwc = (s: readonly number[]): string => s.slice(1).join('x');
