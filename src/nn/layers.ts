/**
 * Trainable sequential CNNs as Graphs: Keras-like layer specs, parameters He-initialised from a
 * seed, names like `conv2d_1/kernel`. The graph has input 'input' and output 'output'; examples
 * are signals [length, C] (conv1d), images [H, W, C] (conv2d), volumes or clips [D, H, W, C]
 * (conv3d), or feature vectors [K]. Pooling and global pooling follow the input's rank.
 */
import type { Engine } from '../gpu/engine.js';
import { ShapeError } from '../gpu/errors.js';
import type { Tensor } from '../gpu/tensor.js';
import type { Activation } from '../ops/activation.js';
import { Graph, type GraphNode } from './graph/graph.js';
import { mulberry32 } from './random.js';

/** One size for every spatial axis, or one per axis. */
export type WindowSize = number | readonly number[];

export type ConvLayerType = 'conv1d' | 'conv2d' | 'conv3d';

export type LayerSpec =
  | { type: ConvLayerType; filters: number; kernel: WindowSize; strides?: WindowSize; padding?: 'same' | 'valid'; activation?: Activation }
  | { type: 'maxPool' | 'avgPool'; size: WindowSize; strides?: WindowSize }
  /** momentum: of the moving statistics (0.99); a short run wants less, e.g. 0.9, for them to settle. */
  | { type: 'batchNorm'; momentum?: number } | { type: 'flatten' } | { type: 'globalAvgPool' }
  | { type: 'dense'; units: number; activation?: Activation } | { type: 'l2Normalize' };

/** Seeded normal samples (mulberry32 + Box–Muller), so a seed gives the same initial model everywhere. */
class SeededNormal {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed >>> 0 || 1);
  }
  private uniform(): number {
    return (this.next() + 0.5) / 4294967296;
  }
  fill(n: number, std: number): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = std * Math.sqrt(-2 * Math.log(this.uniform())) * Math.cos(2 * Math.PI * this.uniform());
    return out;
  }
}

const windowOut = (size: number, k: number, s: number, padding: 'same' | 'valid') => (padding === 'same' ? Math.ceil(size / s) : Math.floor((size - k) / s) + 1);

/** Spatial rank of each conv layer type, and how its example shape reads in messages. */
const CONV_RANK: Record<ConvLayerType, number> = { conv1d: 1, conv2d: 2, conv3d: 3 };
const SHAPE_NAME = ['[features]', '[length, C]', '[H, W, C]', '[D, H, W, C]'];

function perAxis(v: WindowSize, rank: number, what: string): number[] {
  const out = typeof v === 'number' ? Array<number>(rank).fill(v) : [...v];
  if (out.length !== rank) throw new ShapeError(`sequential: ${what} needs ${rank} value(s) for a ${rank}-D input, got [${out}]`);
  if (!out.every((x) => Number.isInteger(x) && x >= 1)) throw new ShapeError(`sequential: ${what} must be positive integers, got [${out}]`);
  return out;
}

/** A sequential model as a Graph with input 'input' and output 'output', parameters initialised (He) from seed. */
export function sequential(engine: Engine, inputShape: readonly number[], layers: readonly LayerSpec[], o: { seed?: number } = {}): Graph {
  if (inputShape.length < 1 || inputShape.length > 4 || !inputShape.every((d) => Number.isInteger(d) && d >= 1)) {
    throw new ShapeError(`sequential: inputShape must be [length, C], [H, W, C], [D, H, W, C] (or [features]) of positive sizes, got [${inputShape}]`);
  }
  const rng = new SeededNormal(o.seed ?? 1);
  const nodes: GraphNode[] = [{ name: 'input', op: 'input', inputs: [], attrs: { shape: [null, ...inputShape] } }];
  const params = new Map<string, Tensor>();
  const trainable: string[] = [];
  const counts: Record<string, number> = {};
  let shape = [...inputShape]; // per example
  let last = 'input';
  const param = (name: string, s: number[], data: Float32Array, train = true) => {
    params.set(name, engine.keep(engine.tensor(s, data, name)));
    nodes.push({ name, op: 'const', inputs: [], attrs: {} });
    if (train) trainable.push(name);
    return name;
  };
  const layerName = (kind: string) => `${kind}_${(counts[kind] = (counts[kind] ?? 0) + 1)}`;
  const push = (name: string, op: GraphNode['op'], inputs: string[], attrs: Record<string, unknown> = {}) => {
    nodes.push({ name, op, inputs, attrs });
    last = name;
  };
  const flatten = () => {
    if (shape.length === 1) return;
    push(layerName('flatten'), 'flatten', [last]);
    shape = [shape.reduce((a, b) => a * b, 1)];
  };
  try {
    for (const [i, l] of layers.entries()) {
      // Spatial rank of the current example shape ([..spatial, C]); 0 for a feature vector.
      const rank = shape.length - 1;
      const needSpatial = (what: string, want?: number) => {
        if (want === undefined ? rank < 1 : rank !== want) {
          throw new ShapeError(`sequential: layer ${i} (${what}) needs ${want === undefined ? 'a [length, C], [H, W, C] or [D, H, W, C]' : `an ${SHAPE_NAME[want]}`} input, got [${shape}]`);
        }
      };
      const outSpatial = (what: string, sizes: number[]) => {
        if (sizes.some((d) => d < 1)) throw new ShapeError(`sequential: ${what} layer ${i} leaves no output ([${sizes}])`);
        shape = [...sizes, shape[rank]!];
      };
      switch (l.type) {
        case 'conv1d':
        case 'conv2d':
        case 'conv3d': {
          needSpatial(l.type, CONV_RANK[l.type]);
          const name = layerName(l.type);
          const c = shape[rank]!;
          const k = perAxis(l.kernel, rank, `${l.type} layer ${i} kernel`);
          const s = perAxis(l.strides ?? 1, rank, `${l.type} layer ${i} strides`);
          const padding = l.padding ?? 'same';
          const taps = k.reduce((a, b) => a * b, 1);
          const kernel = param(`${name}/kernel`, [...k, c, l.filters], rng.fill(taps * c * l.filters, Math.sqrt(2 / (taps * c))));
          const bias = param(`${name}/bias`, [l.filters], new Float32Array(l.filters));
          push(name, 'conv', [last, kernel, bias], { strides: s, padding, activation: l.activation ?? 'none' });
          outSpatial(l.type, shape.slice(0, rank).map((d, a) => windowOut(d, k[a]!, s[a]!, padding)));
          shape[rank] = l.filters;
          break;
        }
        case 'maxPool':
        case 'avgPool': {
          needSpatial(l.type);
          const k = perAxis(l.size, rank, `${l.type} layer ${i} size`);
          const s = perAxis(l.strides ?? k, rank, `${l.type} layer ${i} strides`);
          push(layerName(`${l.type === 'maxPool' ? 'max' : 'average'}_pooling${rank}d`), l.type, [last], { kernel: k, strides: s, padding: 'valid' });
          outSpatial(l.type, shape.slice(0, rank).map((d, a) => windowOut(d, k[a]!, s[a]!, 'valid')));
          break;
        }
        case 'batchNorm': {
          const name = layerName('batch_normalization');
          const c = shape[shape.length - 1]!;
          const gamma = param(`${name}/gamma`, [c], new Float32Array(c).fill(1));
          const beta = param(`${name}/beta`, [c], new Float32Array(c));
          const mean = param(`${name}/moving_mean`, [c], new Float32Array(c), false);
          const invStd = param(`${name}/moving_inv_std`, [c], new Float32Array(c).fill(1), false);
          const momentum = l.momentum ?? 0.99;
          if (!(momentum >= 0 && momentum < 1)) throw new RangeError(`sequential: batchNorm layer ${i} momentum must be in [0, 1), got ${momentum}`);
          push(name, 'batchNorm', [last, gamma, beta, mean, invStd], { epsilon: 1e-3, momentum });
          break;
        }
        case 'flatten':
          flatten();
          break;
        case 'globalAvgPool':
          needSpatial('globalAvgPool');
          push(layerName(`global_average_pooling${rank}d`), 'mean', [last], { axes: [...Array(rank).keys()].map((a) => a + 1), keepDims: false });
          shape = [shape[rank]!];
          break;
        case 'dense': {
          flatten();
          const name = layerName('dense');
          const k = shape[0]!;
          const kernel = param(`${name}/kernel`, [k, l.units], rng.fill(k * l.units, Math.sqrt(2 / k)));
          const bias = param(`${name}/bias`, [l.units], new Float32Array(l.units));
          push(name, 'dense', [last, kernel, bias], { activation: l.activation ?? 'none' });
          shape = [l.units];
          break;
        }
        case 'l2Normalize':
          push(layerName('l2_normalize'), 'l2Normalize', [last], { axis: -1, epsilon: 1e-12 });
          break;
        default:
          throw new Error(`sequential: unknown layer type '${(l as { type: string }).type}'`);
      }
    }
  } catch (e) {
    for (const t of params.values()) t.dispose();
    throw e;
  }
  push('output', 'identity', [last]);
  return new Graph(engine, { inputs: ['input'], nodes, params, trainableNames: trainable });
}

/** Output shape per example of a sequential model (for callers sizing buffers). */
export function outputShape(graph: Graph, inputShape: readonly number[]): number[] {
  const x = graph.engine.tensor([1, ...inputShape], new Float32Array(inputShape.reduce((a, b) => a * b, 1)));
  try {
    const { outputs } = graph.forward({ input: x }, ['output']);
    const s = outputs.output!.shape.slice(1);
    outputs.output!.dispose();
    return s;
  } finally {
    x.dispose();
  }
}
