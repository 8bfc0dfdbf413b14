/**
 * The input window each position of a graph node sees, from the kernels, strides, dilations and
 * padding on the way there: along each spatial axis, output position p sees input pixels
 * [start + p·jump, start + p·jump + size). Where paths join (a residual add) the window is the
 * union of theirs. Global paths (a squeeze-excite branch's spatial mean, broadcast back as a
 * per-channel scale) are left out: they modulate a unit but do not place it.
 */
import type { Graph, GraphNode } from '../../nn/graph/graph.js';
import { windowGeometry, type Padding } from '../../ops/window.js';

export interface AxisField {
  /** Input pixels between neighbouring output positions (the product of the strides). */
  jump: number;
  /** Width of the window in input pixels. */
  size: number;
  /** Input coordinate of output position 0's first pixel (negative: it starts in the padding). */
  start: number;
}

export interface ReceptiveField {
  /** [height axis, width axis]. */
  axes: [AxisField, AxisField];
  /** The node's spatial size [H, W] for this input size. */
  outSize: [number, number];
}

interface State {
  size: [number, number];
  axes: [AxisField, AxisField];
  /** No spatial layout left (a global mean, a dense layer). */
  global: boolean;
}

const ELEMENTWISE = new Set(['add', 'sub', 'mul', 'max', 'min']);
const PASS_THROUGH = new Set(['activation', 'identity', 'math', 'batchNorm']);

/** Where unit position (y, x) of a node with field `rf` looks in the input: a box, possibly partly outside it. */
export function fieldBox(rf: ReceptiveField, y: number, x: number): { x: number; y: number; width: number; height: number } {
  const [h, w] = rf.axes;
  return { x: w.start + x * w.jump, y: h.start + y * h.jump, width: w.size, height: h.size };
}

/** The receptive field of `node` for an input image of `inputSize` [H, W] fed to the graph's (only) input. */
export function receptiveField(graph: Graph, node: string, inputSize: readonly [number, number]): ReceptiveField {
  const order = graph.subgraph([node]);
  const states = new Map<string, State>();
  for (const n of order) {
    const s = step(graph, n, states, inputSize);
    if (s) states.set(n.name, s);
  }
  const s = states.get(node);
  if (!s) throw new Error(`receptiveField: node '${node}' does not depend on the graph's input`);
  if (s.global) throw new Error(`receptiveField: node '${node}' has no spatial layout (it follows a global pool or a dense layer)`);
  return { axes: s.axes, outSize: s.size };
}

function step(graph: Graph, n: GraphNode, states: Map<string, State>, inputSize: readonly [number, number]): State | null {
  if (n.op === 'input') return { size: [inputSize[0], inputSize[1]], axes: [{ jump: 1, size: 1, start: 0 }, { jump: 1, size: 1, start: 0 }], global: false };
  const ins = n.inputs.map((i) => states.get(i)).filter((s): s is State => s !== undefined);
  if (ins.length === 0) return null; // a constant expression
  if (n.op === 'conv' || n.op === 'maxPool' || n.op === 'avgPool') {
    const x = ins[0]!;
    if (x.global) return x;
    const a = n.attrs as { kernel?: number | number[]; strides?: number | number[]; dilations?: number | number[]; padding?: Padding };
    let kernel: number[];
    if (n.op === 'conv') {
      const w = graph.params.get(n.inputs[1]!);
      if (!w) throw new Error(`receptiveField: conv '${n.name}' has a filter that is not a parameter`);
      kernel = w.shape.slice(0, 2) as number[];
    } else {
      kernel = typeof a.kernel === 'number' ? [a.kernel, a.kernel] : [...(a.kernel ?? [1, 1])];
    }
    const strides = n.op === 'conv' ? a.strides : a.strides ?? kernel;
    const g = windowGeometry(n.name, x.size, kernel, { strides, dilations: a.dilations, padding: a.padding ?? 'valid' });
    const axes = [0, 1].map((i) => {
      const f = x.axes[i]!;
      const extent = (g.kernel[i + 1]! - 1) * g.dilations[i + 1]! + 1;
      return { jump: f.jump * g.strides[i + 1]!, size: f.size + (extent - 1) * f.jump, start: f.start - g.padBegin[i + 1]! * f.jump };
    }) as [AxisField, AxisField];
    return { size: [g.outSize[1], g.outSize[2]], axes, global: false };
  }
  if (PASS_THROUGH.has(n.op)) return ins[0]!;
  if (ELEMENTWISE.has(n.op)) {
    const spatial = ins.filter((s) => !s.global);
    if (spatial.length === 0) return ins[0]!;
    const first = spatial[0]!;
    const axes = [0, 1].map((i) => {
      const jump = first.axes[i]!.jump;
      if (spatial.some((s) => s.axes[i]!.jump !== jump)) throw new Error(`receptiveField: '${n.name}' joins paths of different strides`);
      const start = Math.min(...spatial.map((s) => s.axes[i]!.start));
      const end = Math.max(...spatial.map((s) => s.axes[i]!.start + s.axes[i]!.size));
      return { jump, size: end - start, start };
    }) as [AxisField, AxisField];
    return { size: first.size, axes, global: false };
  }
  if (n.op === 'mean' || n.op === 'globalAvgPool' || n.op === 'sum' || n.op === 'dense' || n.op === 'flatten' || n.op === 'reshape' || n.op === 'squeeze' || n.op === 'l2Normalize' || n.op === 'softmax') {
    return { ...ins[0]!, size: [1, 1], global: true };
  }
  throw new Error(`receptiveField: no rule for graph op '${n.op}' (node '${n.name}')`);
}
