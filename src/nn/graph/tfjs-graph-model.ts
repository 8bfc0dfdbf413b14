/**
 * Builds a Graph from a TensorFlow.js graph model: `model.json` with `modelTopology.node`
 * (op, input, attr as TensorFlow's GraphDef in JSON) and a weights manifest whose weights are
 * the Const nodes' values. Only the nodes the requested outputs need are converted; ops outside
 * the supported set are refused with an error naming them and the nodes that use them.
 */
import type { Engine } from '../../gpu/engine.js';
import type { Tensor } from '../../gpu/tensor.js';
import type { Activation } from '../../ops/activation.js';
import type { Padding } from '../../ops/window.js';
import { loadWeights, type LoadWeightsOptions, type ShardReader, type WeightMap } from '../weights.js';
import { Graph, type GraphNode } from './graph.js';
import type { MathAttrs } from './node-rules.js';

export class UnsupportedModelError extends Error {
  override name = 'UnsupportedModelError';
}

interface TfAttr {
  s?: string;
  i?: string | number;
  f?: number;
  b?: boolean;
  list?: { i?: (string | number)[]; s?: string[]; f?: number[] };
  shape?: { dim?: { size?: string | number }[]; unknownRank?: boolean };
  type?: string;
}

export interface TfNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, TfAttr>;
}

const ACTIVATION_OPS: Record<string, Activation> = { Relu: 'relu', Relu6: 'relu6', Sigmoid: 'sigmoid', Tanh: 'tanh', LeakyRelu: 'leakyRelu' };

/** Ops this loader understands (beyond Const/Placeholder/Identity). */
export const SUPPORTED_TFJS_OPS = [
  'Placeholder', 'Const', 'Identity', 'Conv2D', '_FusedConv2D', 'DepthwiseConv2dNative', 'FusedDepthwiseConv2dNative',
  'BiasAdd', 'Add', 'AddV2', 'Sub', 'Mul', ...Object.keys(ACTIVATION_OPS), 'Mean', 'MaxPool', 'AvgPool', 'MatMul', '_FusedMatMul', 'Reshape',
  'Maximum', 'Minimum', 'Abs', 'Square', 'Rsqrt', 'Sum', 'Squeeze', 'Softmax', 'Pad',
] as const;

const MATH_OPS: Record<string, MathAttrs['fn']> = { Abs: 'abs', Square: 'square', Rsqrt: 'rsqrt' };

function decodeString(s: string | undefined): string {
  if (s === undefined) return '';
  // GraphDef JSON carries strings base64-encoded.
  try {
    const bin = atob(s);
    return /^[\x20-\x7e]*$/.test(bin) ? bin : s;
  } catch {
    return s;
  }
}

const ints = (a: TfAttr | undefined): number[] => (a?.list?.i ?? []).map(Number);
const str = (a: TfAttr | undefined): string => decodeString(a?.s);
const strs = (a: TfAttr | undefined): string[] => (a?.list?.s ?? []).map(decodeString);

/** 'node:0' → 'node'; control inputs ('^node') are dropped by the caller. */
function tensorName(input: string): string {
  const at = input.lastIndexOf(':');
  return at > 0 && /^\d+$/.test(input.slice(at + 1)) ? input.slice(0, at) : input;
}

function dataInputs(n: TfNode): string[] {
  return (n.input ?? []).filter((i) => !i.startsWith('^')).map(tensorName);
}

function checkNHWC(n: TfNode): void {
  const format = str(n.attr?.data_format);
  if (format && format !== 'NHWC') throw new UnsupportedModelError(`node '${n.name}' (${n.op}) uses data_format ${format}; only NHWC is supported`);
}

function windowAttrs(n: TfNode, what: 'strides' | 'ksize' | 'dilations'): number[] {
  const v = ints(n.attr?.[what]);
  if (v.length === 0) return [1, 1];
  if (v.length !== 4) throw new UnsupportedModelError(`node '${n.name}' (${n.op}): ${what} must have 4 values, got [${v}]`);
  if (v[0] !== 1 || v[3] !== 1) throw new UnsupportedModelError(`node '${n.name}' (${n.op}): ${what} across batch or channels [${v}] is not supported`);
  return [v[1]!, v[2]!];
}

function paddingAttr(n: TfNode): Padding {
  const p = str(n.attr?.padding);
  if (p === 'SAME') return 'same';
  if (p === 'VALID') return 'valid';
  if (p === 'EXPLICIT') {
    const e = ints(n.attr?.explicit_paddings);
    if (e.length !== 8) throw new UnsupportedModelError(`node '${n.name}' (${n.op}): explicit_paddings must have 8 values, got [${e}]`);
    return [e[2]!, e[4]!, e[3]!, e[5]!];
  }
  throw new UnsupportedModelError(`node '${n.name}' (${n.op}): unknown padding '${p}'`);
}

/** The weights of a graph model: its model.json's weightsManifest, shards read by `read` (paths relative to model.json). */
export function loadGraphModelWeights(modelJson: unknown, read: ShardReader, options: LoadWeightsOptions = {}): Promise<WeightMap> {
  const manifest = (modelJson as { weightsManifest?: unknown })?.weightsManifest;
  if (!manifest) throw new UnsupportedModelError(`not a tfjs graph model: ${options.source ?? 'model.json'} has no weightsManifest`);
  return loadWeights(manifest, read, options);
}

export interface TfjsGraphOptions {
  outputs: readonly string[];
}

/**
 * Builds a Graph from a tfjs graph model (model.json with modelTopology.node + weightsManifest)
 * and its weights (a WeightMap). Prunes to the nodes the outputs need; throws an
 * UnsupportedModelError naming unknown ops. Parameters are the Const nodes' values by node name;
 * depthwise filters [kH, kW, C, M] are stored as [kH, kW, 1, C·M] (the same memory), and
 * FusedBatchNorm folded into convolutions gives `<node>/folded_filter` and `<node>/folded_bias`.
 */
export function graphFromTfjsModel(engine: Engine, modelJson: unknown, weights: WeightMap, o: TfjsGraphOptions): Graph {
  const topology = (modelJson as { modelTopology?: { node?: TfNode[] } })?.modelTopology;
  if (!topology || !Array.isArray(topology.node)) throw new UnsupportedModelError('not a tfjs graph model: modelTopology.node is missing (a layers model or a weights manifest?)');
  const tfNodes = new Map(topology.node.map((n) => [n.name, n]));

  // Prune to what the outputs need.
  const needed: TfNode[] = [];
  const seen = new Set<string>();
  const stack = o.outputs.map((name) => {
    if (!tfNodes.has(name)) throw new UnsupportedModelError(`the model has no node named '${name}'`);
    return name;
  });
  while (stack.length) {
    const name = stack.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const n = tfNodes.get(name);
    if (!n) throw new UnsupportedModelError(`node reads '${name}', which is not in the model`);
    needed.push(n);
    stack.push(...dataInputs(n));
  }
  const unsupported = new Map<string, string[]>();
  for (const n of needed) {
    if (!(SUPPORTED_TFJS_OPS as readonly string[]).includes(n.op)) unsupported.set(n.op, [...(unsupported.get(n.op) ?? []), n.name]);
  }
  if (unsupported.size) {
    const list = [...unsupported].map(([op, names]) => `${op} (${names.slice(0, 3).join(', ')}${names.length > 3 ? `, … ${names.length} nodes` : ''})`);
    throw new UnsupportedModelError(`unsupported op(s) in the graph model: ${list.join('; ')}`);
  }

  const b = new Builder(engine, weights, tfNodes);
  for (const n of needed) b.convert(n);
  // Constants read as attributes (axes, shapes) or replaced by folded ones are not graph values.
  const used = new Set([...o.outputs, ...b.nodes.flatMap((n) => n.inputs)]);
  const nodes = b.nodes.filter((n) => n.op !== 'const' || used.has(n.name));
  for (const [name, t] of [...b.params]) {
    if (!used.has(name)) {
      t.dispose();
      b.params.delete(name);
    }
  }
  return new Graph(engine, { inputs: b.inputs, nodes, params: b.params, trainableNames: [] });
}

class Builder {
  readonly nodes: GraphNode[] = [];
  readonly inputs: string[] = [];
  readonly params = new Map<string, Tensor>();

  constructor(private readonly engine: Engine, private readonly weights: WeightMap, private readonly tfNodes: Map<string, TfNode>) {}

  private constValue(name: string, what: string): { shape: number[]; data: Float32Array } {
    const n = this.tfNodes.get(name);
    if (n?.op !== 'Const') throw new UnsupportedModelError(`${what}: '${name}' must be a constant (it is ${n?.op ?? 'missing'})`);
    return this.weights.get(name);
  }

  /**
   * A Pad node's spatial zero padding as [top, left, bottom, right]. Pads are supported where
   * every consumer is a VALID convolution (which then takes the padding itself), as in
   * MXNet-converted models; any other Pad is refused.
   */
  padOf(pad: TfNode): [number, number, number, number] {
    const ins = dataInputs(pad);
    const p = Array.from(this.constValue(ins[1]!, `Pad '${pad.name}' paddings`).data);
    if (p.length !== 8 || p[0] || p[1] || p[6] || p[7]) throw new UnsupportedModelError(`Pad '${pad.name}': only height and width padding of an NHWC tensor is supported, got [${p}]`);
    for (const m of this.tfNodes.values()) {
      if (!dataInputs(m).includes(pad.name)) continue;
      const conv = /^(Conv2D|_FusedConv2D|DepthwiseConv2dNative|FusedDepthwiseConv2dNative)$/.test(m.op);
      if (!conv || dataInputs(m)[0] !== pad.name || str(m.attr?.padding) !== 'VALID') {
        throw new UnsupportedModelError(`Pad '${pad.name}' feeds ${m.op} '${m.name}': a Pad is supported only before VALID convolutions`);
      }
    }
    return [p[2]!, p[4]!, p[3]!, p[5]!];
  }

  private addParam(name: string, shape: readonly number[], data: Float32Array): void {
    if (!this.params.has(name)) this.params.set(name, this.engine.keep(this.engine.tensor(shape, data, name)));
  }

  private add(node: GraphNode): void {
    this.nodes.push(node);
  }

  convert(n: TfNode): void {
    const ins = dataInputs(n);
    const a = n.attr ?? {};
    switch (n.op) {
      case 'Placeholder': {
        const dims = a.shape?.shape?.dim?.map((d) => Number(d.size ?? -1));
        this.inputs.push(n.name);
        // Convolutional graphs run at any size: only the rank and channel count are checked.
        const shape = dims?.map((d, i) => (d < 0 || (dims.length === 4 && (i === 1 || i === 2)) ? null : d));
        return this.add({ name: n.name, op: 'input', inputs: [], attrs: shape ? { shape } : {} });
      }
      case 'Const': {
        const w = this.weights.get(n.name);
        this.addParam(n.name, w.shape, w.data);
        return this.add({ name: n.name, op: 'const', inputs: [], attrs: {} });
      }
      case 'Identity':
        return this.add({ name: n.name, op: 'identity', inputs: [ins[0]!], attrs: {} });
      case 'Conv2D':
      case '_FusedConv2D':
      case 'DepthwiseConv2dNative':
      case 'FusedDepthwiseConv2dNative':
        return this.convertConv(n, ins);
      case 'BiasAdd':
        checkNHWC(n);
        return this.add({ name: n.name, op: 'add', inputs: ins.slice(0, 2), attrs: {} });
      case 'Add':
      case 'AddV2':
        return this.add({ name: n.name, op: 'add', inputs: ins.slice(0, 2), attrs: {} });
      case 'Sub':
        return this.add({ name: n.name, op: 'sub', inputs: ins.slice(0, 2), attrs: {} });
      case 'Mul':
        return this.add({ name: n.name, op: 'mul', inputs: ins.slice(0, 2), attrs: {} });
      case 'Relu':
      case 'Relu6':
      case 'Sigmoid':
      case 'Tanh':
      case 'LeakyRelu':
        return this.add({ name: n.name, op: 'activation', inputs: [ins[0]!], attrs: { activation: ACTIVATION_OPS[n.op]!, slope: a.alpha?.f ?? 0.2 } });
      case 'Mean': {
        const axes = Array.from(this.constValue(ins[1]!, `Mean '${n.name}' axes`).data);
        return this.add({ name: n.name, op: 'mean', inputs: [ins[0]!], attrs: { axes, keepDims: a.keep_dims?.b ?? false } });
      }
      case 'MaxPool':
      case 'AvgPool': {
        checkNHWC(n);
        const kernel = windowAttrs(n, 'ksize');
        return this.add({ name: n.name, op: n.op === 'MaxPool' ? 'maxPool' : 'avgPool', inputs: [ins[0]!], attrs: { kernel, strides: windowAttrs(n, 'strides'), padding: paddingAttr(n) } });
      }
      case 'MatMul':
      case '_FusedMatMul':
        return this.convertMatMul(n, ins);
      case 'Reshape': {
        const shape = Array.from(this.constValue(ins[1]!, `Reshape '${n.name}' shape`).data);
        return this.add({ name: n.name, op: 'reshape', inputs: [ins[0]!], attrs: { shape } });
      }
      case 'Maximum':
      case 'Minimum':
        return this.add({ name: n.name, op: n.op === 'Maximum' ? 'max' : 'min', inputs: ins.slice(0, 2), attrs: {} });
      case 'Abs':
      case 'Square':
      case 'Rsqrt':
        return this.add({ name: n.name, op: 'math', inputs: [ins[0]!], attrs: { fn: MATH_OPS[n.op]! } });
      case 'Sum': {
        const axes = Array.from(this.constValue(ins[1]!, `Sum '${n.name}' axes`).data);
        return this.add({ name: n.name, op: 'sum', inputs: [ins[0]!], attrs: { axes, keepDims: a.keep_dims?.b ?? false } });
      }
      case 'Squeeze':
        return this.add({ name: n.name, op: 'squeeze', inputs: [ins[0]!], attrs: { axes: ints(a.squeeze_dims) } });
      case 'Softmax':
        return this.add({ name: n.name, op: 'softmax', inputs: [ins[0]!], attrs: { axis: -1 } });
      case 'Pad':
        // Folded into the convolutions it feeds (padPassThrough); it is no node of its own.
        this.padOf(n);
        return;
      default:
        throw new UnsupportedModelError(`unsupported op ${n.op} (node '${n.name}')`);
    }
  }

  /** The activation of a fused op's fused_ops list after its BiasAdd/FusedBatchNorm. */
  private fusedActivation(n: TfNode, rest: string[]): { activation: Activation; slope?: number } {
    if (rest.length === 0) return { activation: 'none' };
    if (rest.length === 1 && ACTIVATION_OPS[rest[0]!]) return { activation: ACTIVATION_OPS[rest[0]!]!, slope: n.attr?.leakyrelu_alpha?.f ?? 0.2 };
    throw new UnsupportedModelError(`node '${n.name}' (${n.op}) fuses [${rest}]; supported: BiasAdd or FusedBatchNorm then one of ${Object.keys(ACTIVATION_OPS).join(', ')}`);
  }

  private convertConv(n: TfNode, ins: string[]): void {
    checkNHWC(n);
    const depthwise = n.op.includes('Depthwise');
    const fused = n.op.startsWith('_Fused') || n.op.startsWith('Fused') ? strs(n.attr?.fused_ops) : [];
    let [x, wName] = [ins[0]!, ins[1]!];
    const filter = this.constValue(wName, `${n.op} '${n.name}' filter`);
    if (filter.shape.length !== 4) throw new UnsupportedModelError(`node '${n.name}': filter '${wName}' must be 4-D, got [${filter.shape}]`);
    const [kh, kw, c, m] = filter.shape as [number, number, number, number];
    const attrs: Record<string, unknown> = {
      strides: windowAttrs(n, 'strides'),
      dilations: windowAttrs(n, 'dilations'),
      padding: paddingAttr(n),
      groups: depthwise ? c : 1,
    };
    const padNode = this.tfNodes.get(x);
    if (padNode?.op === 'Pad') {
      // Pad then a VALID convolution is the convolution with that explicit zero padding.
      if (attrs.padding !== 'valid') throw new UnsupportedModelError(`node '${n.name}' (${n.op}): a Pad ('${x}') before a convolution with ${str(n.attr?.padding)} padding is not supported (only VALID)`);
      attrs.padding = this.padOf(padNode);
      x = dataInputs(padNode)[0]!;
    }
    // Depthwise [kH, kW, C, M] is conv with C groups and filter [kH, kW, 1, C·M]: the same memory.
    const filterShape = depthwise ? [kh, kw, 1, c * m] : filter.shape;
    const outC = filterShape[3]!;
    let wParam = wName;
    let bParam: string | undefined;
    let act: { activation: Activation; slope?: number } = { activation: 'none' };
    if (fused.length === 0) {
      // Plain conv.
    } else if (fused[0] === 'BiasAdd') {
      bParam = ins[2];
      act = this.fusedActivation(n, fused.slice(1));
    } else if (fused[0] === 'FusedBatchNorm' || fused[0] === 'FusedBatchNormV3') {
      // Fold y = (conv − mean)·scale/√(var + ε) + offset into the filter and a bias.
      const [scale, offset, mean, variance] = ins.slice(2, 6).map((i) => this.constValue(i, `${n.op} '${n.name}' batch norm`).data);
      const eps = n.attr?.epsilon?.f ?? 1e-3;
      const mult = Float32Array.from({ length: outC }, (_, o) => scale![o]! / Math.sqrt(variance![o]! + eps));
      const w = Float32Array.from(filter.data, (v, i) => v * mult[i % outC]!);
      const bias = Float32Array.from({ length: outC }, (_, o) => offset![o]! - mean![o]! * mult[o]!);
      wParam = `${n.name}/folded_filter`;
      bParam = `${n.name}/folded_bias`;
      this.addParam(wParam, filterShape, w);
      this.addParam(bParam, [outC], bias);
      this.add({ name: wParam, op: 'const', inputs: [], attrs: {} });
      this.add({ name: bParam, op: 'const', inputs: [], attrs: {} });
      act = this.fusedActivation(n, fused.slice(1));
    } else {
      throw new UnsupportedModelError(`node '${n.name}' (${n.op}) fuses [${fused}]; supported: BiasAdd or FusedBatchNorm then an activation`);
    }
    if (wParam === wName) {
      const existing = this.params.get(wName);
      if (!existing) this.addParam(wName, filterShape, filter.data);
      else if (existing.shape.join() !== filterShape.join()) {
        this.params.set(wName, this.engine.keep(existing.reshape(filterShape)));
        existing.dispose();
      }
    }
    if (bParam && fused[0] === 'BiasAdd') {
      const bw = this.constValue(bParam, `${n.op} '${n.name}' bias`);
      if (bw.data.length !== outC) throw new UnsupportedModelError(`node '${n.name}': bias '${bParam}' has shape [${bw.shape}], expected [${outC}]`);
    }
    this.add({ name: n.name, op: 'conv', inputs: bParam ? [x, wParam, bParam] : [x, wParam], attrs: { ...attrs, activation: act.activation, slope: act.slope } });
  }

  private convertMatMul(n: TfNode, ins: string[]): void {
    if (n.attr?.transpose_a?.b) throw new UnsupportedModelError(`node '${n.name}' (${n.op}): transpose_a is not supported`);
    const fused = strs(n.attr?.fused_ops);
    let wName = ins[1]!;
    if (n.attr?.transpose_b?.b) {
      // Store the transposed weight once (dense takes [K, N]).
      const w = this.constValue(wName, `${n.op} '${n.name}' weights`);
      const [rows, cols] = w.shape as [number, number];
      const t = new Float32Array(w.data.length);
      for (let r = 0; r < rows; r++) for (let c2 = 0; c2 < cols; c2++) t[c2 * rows + r] = w.data[r * cols + c2]!;
      wName = `${n.name}/transposed_weights`;
      this.addParam(wName, [cols, rows], t);
      this.add({ name: wName, op: 'const', inputs: [], attrs: {} });
    }
    let act: { activation: Activation; slope?: number } = { activation: 'none' };
    let bias: string | undefined;
    if (fused.length) {
      if (fused[0] !== 'BiasAdd') throw new UnsupportedModelError(`node '${n.name}' (${n.op}) fuses [${fused}]; supported: BiasAdd then an activation`);
      bias = ins[2];
      act = this.fusedActivation(n, fused.slice(1));
    }
    this.add({ name: n.name, op: 'dense', inputs: bias ? [ins[0]!, wName, bias] : [ins[0]!, wName], attrs: { activation: act.activation, slope: act.slope } });
  }
}
