/**
 * Trainable sequential CNNs as Graphs: Keras-like layer specs, parameters He-initialised from a
 * seed, names like `conv2d_1/kernel`. The graph has input 'input' ([N, H, W, C]) and output 'output'.
 */
import type { Engine } from '../gpu/engine.js';
import { ShapeError } from '../gpu/errors.js';
import type { Tensor } from '../gpu/tensor.js';
import type { Activation } from '../ops/activation.js';
import { Graph, type GraphNode } from './graph/graph.js';
import { mulberry32 } from './random.js';

export type LayerSpec =
  | { type: 'conv2d'; filters: number; kernel: number; strides?: number; padding?: 'same' | 'valid'; activation?: Activation }
  | { type: 'maxPool' | 'avgPool'; size: number; strides?: number }
  | { type: 'batchNorm' } | { type: 'flatten' } | { type: 'globalAvgPool' }
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

/** A sequential model as a Graph with input 'input' and output 'output', parameters initialised (He) from seed. */
export function sequential(engine: Engine, inputShape: readonly number[], layers: readonly LayerSpec[], o: { seed?: number } = {}): Graph {
  if (inputShape.length !== 3 && inputShape.length !== 1) throw new ShapeError(`sequential: inputShape must be [H, W, C] (or [features]), got [${inputShape}]`);
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
      const need4 = (what: string) => {
        if (shape.length !== 3) throw new ShapeError(`sequential: layer ${i} (${what}) needs an [H, W, C] input, got [${shape}]`);
      };
      switch (l.type) {
        case 'conv2d': {
          need4('conv2d');
          const name = layerName('conv2d');
          const [h, w, c] = shape as [number, number, number];
          const s = l.strides ?? 1;
          const padding = l.padding ?? 'same';
          const kernel = param(`${name}/kernel`, [l.kernel, l.kernel, c, l.filters], rng.fill(l.kernel * l.kernel * c * l.filters, Math.sqrt(2 / (l.kernel * l.kernel * c))));
          const bias = param(`${name}/bias`, [l.filters], new Float32Array(l.filters));
          push(name, 'conv', [last, kernel, bias], { strides: s, padding, activation: l.activation ?? 'none' });
          shape = [windowOut(h, l.kernel, s, padding), windowOut(w, l.kernel, s, padding), l.filters];
          if (shape[0]! < 1 || shape[1]! < 1) throw new ShapeError(`sequential: conv2d layer ${i} leaves no output ([${shape}])`);
          break;
        }
        case 'maxPool':
        case 'avgPool': {
          need4(l.type);
          const s = l.strides ?? l.size;
          push(layerName(l.type === 'maxPool' ? 'max_pooling2d' : 'average_pooling2d'), l.type, [last], { kernel: l.size, strides: s, padding: 'valid' });
          shape = [windowOut(shape[0]!, l.size, s, 'valid'), windowOut(shape[1]!, l.size, s, 'valid'), shape[2]!];
          if (shape[0]! < 1 || shape[1]! < 1) throw new ShapeError(`sequential: ${l.type} layer ${i} leaves no output ([${shape}])`);
          break;
        }
        case 'batchNorm': {
          const name = layerName('batch_normalization');
          const c = shape[shape.length - 1]!;
          const gamma = param(`${name}/gamma`, [c], new Float32Array(c).fill(1));
          const beta = param(`${name}/beta`, [c], new Float32Array(c));
          const mean = param(`${name}/moving_mean`, [c], new Float32Array(c), false);
          const invStd = param(`${name}/moving_inv_std`, [c], new Float32Array(c).fill(1), false);
          push(name, 'batchNorm', [last, gamma, beta, mean, invStd], { epsilon: 1e-3, momentum: 0.99 });
          break;
        }
        case 'flatten':
          flatten();
          break;
        case 'globalAvgPool':
          need4('globalAvgPool');
          push(layerName('global_average_pooling2d'), 'mean', [last], { axes: [1, 2], keepDims: false });
          shape = [shape[2]!];
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
