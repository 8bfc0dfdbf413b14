/**
 * The TF.js reference of one triplet training step: the same encoder (layer specs from
 * src/tasks/training/encoder.ts), the same P×K batch, batch-hard (or batch-all) triplet loss on
 * squared euclidean distances, and Adam — written with TF.js ops, autodiff
 * (optimizer.minimize) and variables. Host-agnostic: the caller passes the TF.js module with
 * its backend already chosen. Used by bench/bench-train.ts and the benchmark suite.
 */
import type * as TF from '@tensorflow/tfjs';
import type { EncoderLayer } from '../../src/tasks/training/encoder.js';
import { SeededRandom } from '../../src/tasks/training/random.js';
import { syntheticTrainBatch } from '../../src/tasks/training/synthetic.js';

type Tf = typeof TF;

export interface TfTrainStepOptions {
  tf: Tf;
  layers: readonly EncoderLayer[];
  /** [H, W, C] of one image. */
  inputShape: readonly [number, number, number];
  batch: { persons: number; perPerson: number };
  /** The batch's images [B·H·W·C] and labels [B]; seeded noise with P×K labels if absent. */
  images?: Float32Array;
  labels?: Int32Array;
  margin?: number;
  mining?: 'hard' | 'all';
  learningRate?: number;
  seed?: number;
}

export interface TfTrainStepper {
  /** One forward + backward + Adam update; resolves with the loss (read back, like ours). */
  step(): Promise<number>;
  dispose(): void;
}

export function createTfjsTrainStep(o: TfTrainStepOptions): TfTrainStepper {
  const { tf } = o;
  const random = new SeededRandom(o.seed ?? 1);
  const margin = o.margin ?? 0.2;
  const n = o.batch.persons * o.batch.perPerson;
  const data = o.images && o.labels ? { images: o.images, labels: o.labels } : syntheticTrainBatch(o.inputShape, o.batch, (o.seed ?? 1) + 1);
  const [h, w, c] = o.inputShape;
  const x = tf.tensor4d(data.images, [n, h, w, c]);
  const labels = tf.tensor1d(data.labels, 'int32');
  const same = tf.tidy(() => tf.cast(tf.equal(tf.expandDims(labels, 1), tf.expandDims(labels, 0)), 'float32'));
  const eye = tf.eye(n);

  // Parameters, He-initialised like src/nn/layers.ts.
  const variables: TF.Variable[] = [];
  const he = (shape: number[], fanIn: number): TF.Variable => {
    const size = shape.reduce((a, b) => a * b, 1);
    const std = Math.sqrt(2 / fanIn);
    const v = tf.variable(tf.tensor(Float32Array.from({ length: size }, () => random.normal() * std), shape));
    variables.push(v);
    return v;
  };
  const zeros = (shape: number[]): TF.Variable => {
    const v = tf.variable(tf.zeros(shape));
    variables.push(v);
    return v;
  };
  type Layer = (t: TF.Tensor) => TF.Tensor;
  const forwardLayers: Layer[] = [];
  let channels = c;
  for (const l of o.layers) {
    switch (l.type) {
      case 'conv2d': {
        const k = he([l.kernel, l.kernel, channels, l.filters], l.kernel * l.kernel * channels);
        const b = zeros([l.filters]);
        const act = l.activation ?? 'none';
        forwardLayers.push((t) => {
          const y = tf.add(tf.conv2d(t as TF.Tensor4D, k as TF.Tensor4D, l.strides ?? 1, l.padding ?? 'same'), b);
          return act === 'relu' ? tf.relu(y) : y;
        });
        channels = l.filters;
        break;
      }
      case 'maxPool':
      case 'avgPool': {
        const pool = l.type === 'maxPool' ? tf.maxPool : tf.avgPool;
        forwardLayers.push((t) => pool(t as TF.Tensor4D, l.size, l.strides ?? l.size, 'valid'));
        break;
      }
      case 'globalAvgPool':
        forwardLayers.push((t) => tf.mean(t, [1, 2]));
        break;
      case 'flatten':
      case 'batchNorm':
        throw new Error(`train-step reference: ${l.type} is not used by the benchmark encoder`);
      case 'dense': {
        const k = he([channels, l.units], channels);
        const b = zeros([l.units]);
        const act = l.activation ?? 'none';
        forwardLayers.push((t) => {
          const y = tf.add(tf.matMul(t as TF.Tensor2D, k as TF.Tensor2D), b);
          return act === 'relu' ? tf.relu(y) : y;
        });
        channels = l.units;
        break;
      }
      case 'l2Normalize':
        forwardLayers.push((t) => tf.div(t, tf.sqrt(tf.maximum(tf.sum(tf.square(t), -1, true), 1e-12))));
        break;
    }
  }

  const loss = (): TF.Scalar => {
    const emb = forwardLayers.reduce((t, f) => f(t), x as TF.Tensor) as TF.Tensor2D;
    const sq = tf.sum(tf.square(emb), 1);
    const d = tf.relu(tf.add(tf.sub(tf.expandDims(sq, 1), tf.mul(2, tf.matMul(emb, emb, false, true))), tf.expandDims(sq, 0)));
    const pos = tf.sub(same, eye);
    if ((o.mining ?? 'hard') === 'hard') {
      const hardestPos = tf.max(tf.mul(d, pos), 1);
      const hardestNeg = tf.min(tf.add(d, tf.mul(same, 1e9)), 1);
      return tf.mean(tf.relu(tf.add(tf.sub(hardestPos, hardestNeg), margin))) as TF.Scalar;
    }
    // Batch-all: mean over triplets with a positive loss.
    const neg = tf.sub(1, same);
    const t = tf.add(tf.sub(tf.expandDims(d, 2), tf.expandDims(d, 1)), margin); // [a, p, n]
    const valid = tf.mul(tf.expandDims(pos, 2), tf.expandDims(neg, 1));
    const l = tf.mul(tf.relu(t), valid);
    const active = tf.sum(tf.cast(tf.greater(l, 1e-16), 'float32'));
    return tf.div(tf.sum(l), tf.maximum(active, 1)) as TF.Scalar;
  };

  const optimizer = tf.train.adam(o.learningRate ?? 1e-3);
  return {
    async step() {
      const value = optimizer.minimize(loss, true, variables)!;
      const [v] = await value.data();
      value.dispose();
      return v!;
    },
    dispose() {
      optimizer.dispose();
      for (const v of variables) v.dispose();
      tf.dispose([x, labels, same, eye]);
    },
  };
}
