/**
 * trainClassifier: trains a Graph whose output is class logits [B, classes] with softmax
 * cross-entropy on shuffled mini-batches of labelled examples of any shape the model takes
 * (signals, images, clips), scoring held-out accuracy after each epoch. `classify` gives the
 * predicted classes of a dataset (inference: batch norm uses its moving statistics).
 */
import type { Graph } from '../../nn/graph/graph.js';
import { createOptimizer, isOptimizer, type Optimizer, type OptimizerSpec } from '../../nn/optimizers.js';
import { softmaxCrossEntropy } from '../../ops/loss.js';
import { saveModelWeights, type SavedWeights } from './checkpoint.js';
import { checkExamples, checkModelInput, checkTrainingSets, gatherImages, type LabelledImages } from './dataset.js';
import { embedImages, type EmbedOptions } from './embed.js';
import { SeededRandom } from './random.js';
import { DEFAULT_TRAINING_OPTIMIZER } from './step.js';

export interface TrainClassifierOptions {
  model: Graph;
  data: LabelledImages;
  /** Held-out examples whose accuracy is scored after each epoch. */
  validation?: LabelledImages;
  input?: string;
  output?: string;
  batchSize: number;
  optimizer?: OptimizerSpec | Optimizer;
  epochs?: number;
  /** Steps per epoch; one pass over the data by default. */
  stepsPerEpoch?: number;
  seed?: number;
  signal?: AbortSignal;
  onProgress?: (event: ClassifierEvent) => void;
  /** Return the final weights in the manifest format (true by default). */
  returnWeights?: boolean;
}

export interface ClassifierStep {
  epoch: number;
  step: number;
  loss: number;
  /** Accuracy on the step's batch (before the update). */
  accuracy: number;
  ms: number;
}

export interface ClassifierEpoch {
  epoch: number;
  loss: number;
  trainAccuracy: number;
  validationAccuracy: number | null;
  seconds: number;
}

export type ClassifierEvent = ({ type: 'step'; totalSteps: number } & ClassifierStep) | ({ type: 'epoch' } & ClassifierEpoch);

export interface TrainClassifierResult {
  history: ClassifierEpoch[];
  steps: ClassifierStep[];
  stopped: boolean;
  seconds: number;
  weights: SavedWeights | null;
}

/** Index of the largest value in each row of [rows, classes]. */
export function argmaxRows(values: Float32Array, rows: number): Int32Array {
  const classes = values.length / rows;
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let k = 1; k < classes; k++) if (values[r * classes + k]! > values[r * classes + best]!) best = k;
    out[r] = best;
  }
  return out;
}

/** Fraction of predictions equal to the labels. */
export function accuracy(predicted: ArrayLike<number>, labels: ArrayLike<number>): number {
  if (predicted.length !== labels.length) throw new RangeError(`accuracy: ${predicted.length} predictions for ${labels.length} labels`);
  let hits = 0;
  for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) hits++;
  return labels.length ? hits / labels.length : 0;
}

/** The predicted class of every example, batch by batch (embedImages' rows are the logits here). */
export async function classify(model: Graph, data: LabelledImages, o: EmbedOptions = {}): Promise<Int32Array> {
  checkExamples(data, 'classify');
  checkModelInput(model, o.input ?? 'input', data.shape, 'classify');
  const logits = await embedImages(model, data, o);
  return Int32Array.from(logits, (z) => argmaxRows(z, 1)[0]!);
}

export async function trainClassifier(o: TrainClassifierOptions): Promise<TrainClassifierResult> {
  const started = performance.now();
  const { model, data, batchSize } = o;
  const engine = model.engine;
  const input = o.input ?? 'input', output = o.output ?? 'output';
  const epochs = o.epochs ?? 1;
  if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw new RangeError(`trainClassifier: batchSize must be a positive integer, got ${batchSize}`);
  if (data.count === 0) throw new RangeError('trainClassifier: no training examples');
  checkTrainingSets(model, input, { data, validation: o.validation }, 'trainClassifier');
  const stepsPerEpoch = o.stepsPerEpoch ?? Math.ceil(data.count / batchSize);
  const random = new SeededRandom(o.seed ?? 1);
  const names = model.trainableNames;
  const params = model.trainableParams();
  const ownOptimizer = !isOptimizer(o.optimizer);
  const optimizer: Optimizer = isOptimizer(o.optimizer) ? o.optimizer : createOptimizer(o.optimizer ?? DEFAULT_TRAINING_OPTIMIZER);
  const maxLabel = Math.max(...data.labels, ...(o.validation?.labels ?? []));
  // Each epoch visits the examples in a fresh shuffled order; a batch that runs past the end wraps.
  let order: number[] = [];
  let at = 0;
  const nextBatch = () => Int32Array.from({ length: batchSize }, () => {
    if (at >= order.length) {
      order = random.shuffle([...Array(data.count).keys()]);
      at = 0;
    }
    return order[at++]!;
  });
  const history: ClassifierEpoch[] = [];
  const steps: ClassifierStep[] = [];
  let stopped = false;
  try {
    outer: for (let epoch = 1; epoch <= epochs; epoch++) {
      const epochStart = performance.now();
      const losses: number[] = [], accuracies: number[] = [];
      for (let s = 0; s < stepsPerEpoch; s++) {
        if (o.signal?.aborted) {
          stopped = true;
          break outer;
        }
        const t0 = performance.now();
        const indices = nextBatch();
        const labels = Int32Array.from(indices, (i) => data.labels[i]!);
        const { loss, logits } = await engine.scope(async () => {
          const x = engine.tensor([batchSize, ...data.shape], gatherImages(data, indices), 'batch');
          const { outputs, tape } = model.forward({ [input]: x }, [output], { record: true, wrt: names });
          const z = outputs[output]!;
          if (z.rank !== 2 || maxLabel >= z.shape[1]!) {
            tape!.dispose();
            throw new RangeError(`trainClassifier: the model's output must be logits [B, classes] for class ids up to ${maxLabel}, got [${z.shape}]`);
          }
          const r = softmaxCrossEntropy(z, engine.tensor([batchSize], Float32Array.from(labels), 'labels'));
          const grads = model.backward(tape!, { [output]: r.grad }, names);
          optimizer.step(params, names.map((n) => grads[n]!));
          const [l, values] = await Promise.all([r.loss.read(), z.read()]);
          return { loss: l[0]!, logits: values };
        });
        if (!Number.isFinite(loss)) throw new Error(`trainClassifier: the loss became ${loss} at epoch ${epoch}, step ${s + 1}; lower the learning rate`);
        const rec: ClassifierStep = { epoch, step: s + 1, loss, accuracy: accuracy(argmaxRows(logits, batchSize), labels), ms: performance.now() - t0 };
        steps.push(rec);
        losses.push(loss);
        accuracies.push(rec.accuracy);
        o.onProgress?.({ type: 'step', totalSteps: stepsPerEpoch, ...rec });
      }
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
      let validationAccuracy: number | null = null;
      if (o.validation) {
        try {
          validationAccuracy = accuracy(await classify(model, o.validation, { input, output, signal: o.signal }), o.validation.labels);
        } catch (err) {
          if (!o.signal?.aborted) throw err;
          stopped = true;
          break;
        }
      }
      const record: ClassifierEpoch = { epoch, loss: mean(losses), trainAccuracy: mean(accuracies), validationAccuracy, seconds: (performance.now() - epochStart) / 1000 };
      history.push(record);
      o.onProgress?.({ type: 'epoch', ...record });
    }
  } finally {
    if (ownOptimizer) optimizer.dispose();
  }
  const weights = o.returnWeights === false ? null : await saveModelWeights(model);
  return { history, steps, stopped, seconds: (performance.now() - started) / 1000, weights };
}
