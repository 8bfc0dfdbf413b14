/**
 * One triplet training step, ours (createTrainStepper) against the same step on TF.js
 * (bench/tfjs/train-step.ts: the same encoder, P×K batch, batch-hard triplet loss and Adam,
 * with TF.js autodiff). A step ends when its loss is read back on the CPU. Its profile: where
 * our step's time goes, each phase synced (`npm run bench:train` asks for it).
 */
import * as tf from '@tensorflow/tfjs';
import { describeEncoder, smallEncoder } from '../../src/tasks/training/encoder.js';
import { profileTrainStep } from '../../src/tasks/training/profile.js';
import { createTrainStepper } from '../../src/tasks/training/stepper.js';
import { median } from '../stats.js';
import { createTfjsTrainStep } from '../tfjs/train-step.js';
import type { BenchCase, BenchSize } from '../types.js';

function trainCase(batch: { persons: number; perPerson: number }): BenchCase {
  const layers = smallEncoder();
  const inputShape = [28, 28, 1] as const;
  const common = { layers, inputShape, batch, margin: 0.2, mining: 'hard' as const, seed: 1 };
  return {
    group: 'task',
    family: 'training',
    name: 'triplet training step',
    shape: `${batch.persons}x${batch.perPerson} batch of ${inputShape.join('x')}, ${describeEncoder(layers)}, Adam`,
    flops: null,
    // Same data and loss, but each side initialises its own weights: the losses are not compared.
    tolerance: null,
    async ours(ctx) {
      const stepper = createTrainStepper(ctx.engine, { ...common, optimizer: { kind: 'adam', lr: 1e-3 } });
      return { run: async () => Float32Array.of(await stepper.step()), dispose: () => stepper.dispose() };
    },
    async tfjs() {
      const stepper = createTfjsTrainStep({ tf: tf as never, ...common, learningRate: 1e-3 });
      return { run: async () => Float32Array.of(await stepper.step()), dispose: () => stepper.dispose() };
    },
    profile: async (ctx) => {
      const samples = await profileTrainStep(ctx.engine, { ...common, optimizer: { kind: 'adam', lr: 1e-3 } });
      return Object.fromEntries(Object.entries(samples).map(([phase, ms]) => [phase, median(ms)]));
    },
  };
}

export function trainingCases(size: BenchSize): BenchCase[] {
  return size === 'tiny' ? [] : [trainCase({ persons: 8, perPerson: 4 })];
}
