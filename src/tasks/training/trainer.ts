/**
 * trainEmbedding: trains an encoder Graph (input 'input' → L2-normalised embedding 'output') with
 * the triplet loss on P×K batches with online mining, or with the contrastive loss on
 * same/different pairs drawn from the same batches (the Siamese form: both sides through the
 * one network). Reports progress, validates each epoch, warns when embeddings collapse, stops
 * cleanly on an AbortSignal, follows a learning-rate schedule, and writes checkpoints after
 * epochs that resume the run exactly: each epoch draws its batches from its own seed, so a
 * resumed run sees the batches an uninterrupted one would have.
 */
import type { Graph } from '../../nn/graph/graph.js';
import { createOptimizer, isOptimizer, type Optimizer, type OptimizerSpec } from '../../nn/optimizers.js';
import { add } from '../../ops/elementwise.js';
import { contrastiveLoss, type EmbeddingDistance } from '../../ops/loss.js';
import type { WeightMap } from '../../nn/weights.js';
import { restoreTrainingCheckpoint, restoreWeights, saveModelWeights, saveTrainingCheckpoint, type SavedWeights, type TrainingCheckpoint } from './checkpoint.js';
import { CollapseDetector, meanPairwiseDistance, type CollapseOptions, type CollapseWarning } from './collapse.js';
import { checkTrainingSets, gatherImages, type LabelledImages } from './dataset.js';
import { embedImages } from './embed.js';
import { scoreEmbeddings, type EmbeddingScores } from './evaluate.js';
import { SeededRandom } from './random.js';
import { PKSampler, type BatchShape } from './sampler.js';
import type { LearningRateSchedule } from './schedule.js';
import type { Augmentation } from './augment.js';
import { DEFAULT_TRAINING_OPTIMIZER, tripletStep, type Mining } from './step.js';

export type { Mining };

export interface TrainEmbeddingOptions {
  model: Graph;
  data: LabelledImages;
  /** Held-out images scored after each epoch (verification pair accuracy, AUC, one-shot). */
  validation?: LabelledImages;
  input?: string;
  output?: string;
  loss?: 'triplet' | 'contrastive';
  /** Online triplet mining in each batch (triplet loss). */
  mining?: Mining;
  margin?: number;
  distance?: EmbeddingDistance;
  batch: BatchShape;
  optimizer?: OptimizerSpec | Optimizer;
  epochs?: number;
  /** Steps per epoch; one pass over the data by default. */
  stepsPerEpoch?: number;
  seed?: number;
  signal?: AbortSignal;
  onProgress?: (event: TrainingEvent) => void;
  /** Start from these weights (a saveWeights() result or a loaded WeightMap). */
  resumeFrom?: SavedWeights | WeightMap;
  /** Epoch numbering continues from here when resuming (0 by default). */
  startEpoch?: number;
  /**
   * Continue a run from a checkpoint (parameters, optimiser state, history); `epochs` is then the
   * run's total, so training goes on from epoch checkpoint.epoch + 1 to `epochs`.
   */
  resume?: TrainingCheckpoint;
  /** Called with a checkpoint after every `checkpointEvery` epochs (and the last); save it to resume later. */
  onCheckpoint?: (checkpoint: TrainingCheckpoint) => void | Promise<void>;
  /** Epochs between checkpoints (1 by default). */
  checkpointEvery?: number;
  /** The learning rate of each step (counted over the whole run); the optimiser's own rate otherwise. */
  schedule?: LearningRateSchedule;
  /** Changes each batch's examples before the step (e.g. shiftAndFlip()); none by default. */
  augment?: Augmentation;
  collapse?: CollapseOptions;
  /** Steps between collapse checks (each reads the batch's embeddings back). */
  collapseCheckEvery?: number;
  /** Pairs scored per validation (1000 by default). */
  validationPairs?: number;
  /** Return the final weights in the manifest format (true by default). */
  returnWeights?: boolean;
}

export interface StepRecord {
  epoch: number;
  step: number;
  loss: number;
  /** Fraction of the mined triplets with a positive loss (triplet loss only). */
  activeFraction: number | null;
  /** Mean euclidean distance between the batch's embeddings, on steps that check for collapse. */
  meanDistance?: number;
  ms: number;
  /** The learning rate of this step, when a schedule sets it. */
  lr?: number;
}

export interface EpochRecord {
  epoch: number;
  loss: number;
  activeFraction: number | null;
  validation: EmbeddingScores | null;
  seconds: number;
}

export type TrainingEvent =
  | ({ type: 'step'; totalSteps: number; totalEpochs: number } & StepRecord)
  | ({ type: 'epoch' } & EpochRecord)
  | ({ type: 'warning' } & CollapseWarning);

export interface TrainEmbeddingResult {
  /** Every epoch's record, those of a resumed checkpoint first. */
  history: EpochRecord[];
  /** The steps this call took. */
  steps: StepRecord[];
  warnings: CollapseWarning[];
  /** True when the signal stopped training early. */
  stopped: boolean;
  /** The last epoch completed (counting from startEpoch, or the resumed checkpoint's). */
  epochs: number;
  seconds: number;
  /** The model's weights at the end (tfjs manifest + one shard). */
  weights: SavedWeights | null;
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

/** Same/different index pairs from a P×K batch: (p,k)–(p,k+1) positives, (p,k)–(p+1,k) negatives. */
export function contrastivePairs(batch: Int32Array, shape: BatchShape, random: SeededRandom): { left: number[]; right: number[]; same: number[] } {
  const { persons: P, perPerson: K } = shape;
  const left: number[] = [], right: number[] = [], same: number[] = [];
  for (let p = 0; p < P; p++) {
    for (let k = 0; k < K; k++) {
      const i = p * K + k;
      if (k % 2 === 0) {
        left.push(batch[i]!);
        right.push(batch[p * K + ((k + 1) % K)]!);
        same.push(1);
      } else {
        const q = (p + 1 + random.below(P - 1)) % P;
        left.push(batch[i]!);
        right.push(batch[q * K + random.below(K)]!);
        same.push(0);
      }
    }
  }
  return { left, right, same };
}

export async function trainEmbedding(o: TrainEmbeddingOptions): Promise<TrainEmbeddingResult> {
  const started = performance.now();
  const { model, data, batch } = o;
  const engine = model.engine;
  const input = o.input ?? 'input';
  const output = o.output ?? 'output';
  const lossKind = o.loss ?? 'triplet';
  const mining = o.mining ?? 'semihard';
  const margin = o.margin ?? 0.2;
  // FaceNet's triplet loss compares squared distances; Hadsell's contrastive loss plain ones.
  const distance = o.distance ?? (lossKind === 'triplet' ? 'squaredEuclidean' : 'euclidean');
  const batchSize = batch.persons * batch.perPerson;
  const stepsPerEpoch = o.stepsPerEpoch ?? Math.max(1, Math.ceil(data.count / batchSize));
  if (o.resume && o.startEpoch !== undefined) throw new RangeError('trainEmbedding: give resume or startEpoch, not both');
  const startEpoch = o.resume?.epoch ?? o.startEpoch ?? 0;
  // With a checkpoint, `epochs` counts the whole run; otherwise the epochs after startEpoch.
  const lastEpoch = o.resume ? (o.epochs ?? startEpoch) : startEpoch + (o.epochs ?? 1);
  if (o.resume && lastEpoch < startEpoch) throw new RangeError(`trainEmbedding: the checkpoint has ${startEpoch} epochs done, more than epochs (${lastEpoch})`);
  const checkpointEvery = o.checkpointEvery ?? 1;
  if (!(Number.isInteger(checkpointEvery) && checkpointEvery >= 1)) throw new RangeError(`checkpointEvery must be an integer >= 1, got ${checkpointEvery}`);
  const seed = o.seed ?? 1;
  const collapseEvery = o.collapseCheckEvery ?? Math.max(1, Math.min(20, Math.floor(stepsPerEpoch / 4)));
  if (!(margin > 0)) throw new RangeError(`margin must be > 0, got ${margin}`);
  if (lossKind !== 'triplet' && lossKind !== 'contrastive') throw new RangeError(`loss must be 'triplet' or 'contrastive', got ${JSON.stringify(lossKind)}`);
  if (data.count === 0) throw new RangeError('trainEmbedding: no training images');
  checkTrainingSets(model, input, { data, validation: o.validation }, 'trainEmbedding');

  // Each epoch's batches come from its own seed, so a resumed run replays none and skips none.
  const epochSeed = (epoch: number) => seed + 7919 * (epoch - 1);
  new PKSampler(data.labels, batch, seed); // checks the batch shape against the data before anything runs
  const detector = new CollapseDetector(lossKind, margin, o.collapse);
  const names = model.trainableNames;
  const params = model.trainableParams();
  const history: EpochRecord[] = [...(o.resume?.history ?? [])];
  const steps: StepRecord[] = [];
  const warnings: CollapseWarning[] = [];
  let stopped = false;

  if (o.resumeFrom) await restoreWeights(model, o.resumeFrom);
  const ownOptimizer = !isOptimizer(o.optimizer);
  const optimizer: Optimizer = isOptimizer(o.optimizer) ? o.optimizer : createOptimizer(o.optimizer ?? DEFAULT_TRAINING_OPTIMIZER);
  if (o.schedule && typeof (optimizer as Optimizer & { lr?: unknown }).lr !== 'number') throw new TypeError('trainEmbedding: a schedule needs an optimiser with a settable lr');
  let globalStep = o.resume?.step ?? startEpoch * stepsPerEpoch;
  if (o.resume) await restoreTrainingCheckpoint(model, optimizer, o.resume);
  const triplet = tripletStep(model, optimizer, { margin, mining, distance, input, output });

  const batchOf = (indices: ArrayLike<number>, random: SeededRandom): Float32Array => {
    const x = gatherImages(data, indices);
    o.augment?.(x, indices.length, data.shape, random);
    return x;
  };

  /** One optimisation step; returns the loss, active fraction and (when asked) the batch's embeddings. */
  const step = (indices: Int32Array, wantEmbeddings: boolean, random: SeededRandom): Promise<{ loss: number; active: number | null; emb: Float32Array | null }> =>
    engine.scope(async () => {
      if (lossKind === 'triplet') {
        const x = engine.tensor([batchSize, ...data.shape], batchOf(indices, random), 'batch');
        const labels = engine.tensor([batchSize], Float32Array.from(indices, (i) => data.labels[i]!), 'labels');
        const r = await triplet(x, labels);
        const [loss, active, embValues] = await Promise.all([r.loss.read(), r.activeFraction.read(), wantEmbeddings ? r.embeddings.read() : null]);
        return { loss: loss[0]!, active: active[0]!, emb: embValues };
      }
      const pairs = contrastivePairs(indices, batch, random);
      const n = pairs.left.length;
      const x1 = engine.tensor([n, ...data.shape], batchOf(pairs.left, random), 'left');
      const x2 = engine.tensor([n, ...data.shape], batchOf(pairs.right, random), 'right');
      const same = engine.tensor([n], Float32Array.from(pairs.same), 'same');
      const f1 = model.forward({ [input]: x1 }, [output], { record: true, wrt: names });
      const f2 = model.forward({ [input]: x2 }, [output], { record: true, wrt: names });
      const e1 = f1.outputs[output]!, e2 = f2.outputs[output]!;
      const r = contrastiveLoss(e1, e2, same, { margin, distance });
      const g1 = model.backward(f1.tape!, { [output]: r.grad1 }, names);
      const g2 = model.backward(f2.tape!, { [output]: r.grad2 }, names);
      optimizer.step(params, names.map((k) => add(g1[k]!, g2[k]!)));
      const [loss, embValues] = await Promise.all([r.loss.read(), wantEmbeddings ? e1.read() : null]);
      return { loss: loss[0]!, active: null, emb: embValues };
    });

  try {
    outer: for (let epoch = startEpoch + 1; epoch <= lastEpoch; epoch++) {
      const epochStart = performance.now();
      const sampler = new PKSampler(data.labels, batch, epochSeed(epoch));
      const random = new SeededRandom(epochSeed(epoch) + 1);
      const losses: number[] = [];
      const actives: number[] = [];
      for (let s = 0; s < stepsPerEpoch; s++) {
        if (o.signal?.aborted) {
          stopped = true;
          break outer;
        }
        const t0 = performance.now();
        const check = (s + 1) % collapseEvery === 0;
        const lr = o.schedule?.(globalStep);
        if (lr !== undefined) {
          if (!(lr > 0 && Number.isFinite(lr))) throw new RangeError(`trainEmbedding: the schedule gave learning rate ${lr} at step ${globalStep}`);
          (optimizer as Optimizer & { lr: number }).lr = lr;
        }
        const r = await step(sampler.next(), check, random);
        globalStep++;
        const rec: StepRecord = { epoch, step: s + 1, loss: r.loss, activeFraction: r.active, ms: performance.now() - t0, ...(lr !== undefined && { lr }) };
        if (!Number.isFinite(r.loss)) throw new Error(`trainEmbedding: the loss became ${r.loss} at epoch ${epoch}, step ${s + 1}; lower the learning rate or clip gradients (optimizer clipNorm)`);
        if (r.emb) rec.meanDistance = meanPairwiseDistance(r.emb, batchSize);
        steps.push(rec);
        losses.push(r.loss);
        if (r.active !== null) actives.push(r.active);
        o.onProgress?.({ type: 'step', totalSteps: stepsPerEpoch, totalEpochs: lastEpoch, ...rec });
        if (rec.meanDistance !== undefined) {
          const recent = steps.slice(-collapseEvery).map((x) => x.loss);
          const warning = detector.check(mean(recent), rec.meanDistance, { epoch, step: s + 1 });
          if (warning) {
            warnings.push(warning);
            o.onProgress?.({ type: 'warning', ...warning });
          }
        }
      }
      let validation: EmbeddingScores | null = null;
      if (o.validation) {
        try {
          const emb = await embedImages(model, o.validation, { input, output, signal: o.signal });
          validation = scoreEmbeddings(emb, o.validation.labels, { pairs: o.validationPairs ?? 1000, trials: 5, seed: 1 });
        } catch (err) {
          if (o.signal?.aborted) {
            stopped = true;
            break;
          }
          throw err;
        }
      }
      const record: EpochRecord = {
        epoch,
        loss: mean(losses),
        activeFraction: actives.length ? mean(actives) : null,
        validation,
        seconds: (performance.now() - epochStart) / 1000,
      };
      history.push(record);
      o.onProgress?.({ type: 'epoch', ...record });
      if (o.onCheckpoint && ((epoch - startEpoch) % checkpointEvery === 0 || epoch === lastEpoch)) {
        await o.onCheckpoint(await saveTrainingCheckpoint(model, optimizer, { epoch, step: globalStep, history }));
      }
    }
  } finally {
    if (ownOptimizer) optimizer.dispose();
  }
  const weights = o.returnWeights === false ? null : await saveModelWeights(model);
  return { history, steps, warnings, stopped, epochs: history.at(-1)?.epoch ?? startEpoch, seconds: (performance.now() - started) / 1000, weights };
}
