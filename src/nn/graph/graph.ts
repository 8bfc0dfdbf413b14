/**
 * A graph of the engine's ops with a forward pass that runs only what the requested outputs
 * need, and a reverse-mode backward pass. Forward frees each intermediate as soon as its last
 * consumer has run; with `record` it keeps (as shared views) only what each node's backward
 * needs, and backward frees those as it walks back, so peak memory stays near one forward.
 */
import type { Engine } from '../../gpu/engine.js';
import { ShapeError } from '../../gpu/errors.js';
import type { Tensor } from '../../gpu/tensor.js';
import { add } from '../../ops/elementwise.js';
import { backwardNode, forwardNode } from './node-rules.js';

export type GraphOp =
  | 'input' | 'const' | 'conv' | 'add' | 'sub' | 'mul' | 'activation' | 'mean' | 'maxPool' | 'avgPool'
  | 'dense' | 'flatten' | 'reshape' | 'l2Normalize' | 'batchNorm' | 'identity' | 'globalAvgPool'
  | 'max' | 'min' | 'math' | 'sum' | 'squeeze' | 'softmax';

export interface GraphNode {
  name: string;
  op: GraphOp;
  /** Names of the nodes whose outputs feed this one, in the op's argument order. */
  inputs: string[];
  attrs: Record<string, unknown>;
}

export interface GraphSpec {
  inputs: string[];
  nodes: GraphNode[];
  params: Map<string, Tensor>;
  trainableNames?: string[];
}

export interface ForwardOptions {
  /** Keep what backward needs and return a tape. */
  record?: boolean;
  /** Batch norm uses batch statistics and updates its moving ones (default: same as record). */
  training?: boolean;
  /** With record: the names backward will be asked for (inputs/params); keeps less. All by default. */
  wrt?: readonly string[];
}

/** What a recorded forward pass kept for backward. Consumed (freed) by backward, or by dispose(). */
export class Tape {
  private disposed = false;
  constructor(
    readonly graph: Graph,
    /** The nodes that ran, in order. */
    readonly order: readonly GraphNode[],
    readonly shapes: ReadonlyMap<string, readonly number[]>,
    readonly saved: Map<string, Record<string, Tensor | undefined>>,
    /** Names backward may differentiate with respect to (null: any). */
    readonly wrtHint: ReadonlySet<string> | null,
  ) {}

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Frees what one node saved. */
  release(name: string): void {
    for (const t of Object.values(this.saved.get(name) ?? {})) t?.dispose();
    this.saved.delete(name);
  }

  dispose(): void {
    for (const name of [...this.saved.keys()]) this.release(name);
    this.disposed = true;
  }
}

export class Graph {
  readonly inputs: string[];
  readonly nodes: GraphNode[];
  readonly params: Map<string, Tensor>;
  readonly trainableNames: string[];
  private readonly byName = new Map<string, GraphNode>();

  constructor(readonly engine: Engine, spec: GraphSpec) {
    this.inputs = [...spec.inputs];
    this.params = spec.params;
    this.trainableNames = [...(spec.trainableNames ?? [])];
    for (const n of spec.nodes) {
      if (this.byName.has(n.name)) throw new Error(`graph: two nodes are named '${n.name}'`);
      this.byName.set(n.name, n);
    }
    for (const n of spec.nodes) {
      for (const i of n.inputs) if (!this.byName.has(i)) throw new Error(`graph: node '${n.name}' reads '${i}', which is not a node`);
      if (n.op === 'const' && !this.params.has(n.name)) throw new Error(`graph: const node '${n.name}' has no tensor in params`);
    }
    for (const i of this.inputs) if (this.byName.get(i)?.op !== 'input') throw new Error(`graph: input '${i}' is not an 'input' node`);
    for (const t of this.trainableNames) if (!this.params.has(t)) throw new Error(`graph: trainable '${t}' is not a parameter`);
    this.nodes = topologicalOrder(spec.nodes, this.byName);
  }

  node(name: string): GraphNode | undefined {
    return this.byName.get(name);
  }

  /** The nodes `outputs` depend on, in execution order. */
  subgraph(outputs: readonly string[]): GraphNode[] {
    const needed = new Set<string>();
    const stack = [...outputs];
    while (stack.length) {
      const name = stack.pop()!;
      if (needed.has(name)) continue;
      const n = this.byName.get(name);
      if (!n) throw new Error(`graph: no node named '${name}'`);
      needed.add(name);
      stack.push(...n.inputs);
    }
    return this.nodes.filter((n) => needed.has(n.name));
  }

  /** The trainable parameters' tensors, in trainableNames order. */
  trainableParams(): Tensor[] {
    return this.trainableNames.map((n) => this.params.get(n)!);
  }

  /** Runs the graph up to the requested outputs (only the nodes they need). */
  forward(feeds: Record<string, Tensor>, outputs: readonly string[], o: ForwardOptions = {}): { outputs: Record<string, Tensor>; tape: Tape | null } {
    const record = o.record ?? false;
    const order = this.subgraph(outputs);
    const wrtHint = record && o.wrt ? new Set(o.wrt) : null;
    const grads = record ? requiresGrad(order, wrtHint) : new Set<string>();
    const consumers = new Map<string, number>();
    for (const n of order) for (const i of n.inputs) consumers.set(i, (consumers.get(i) ?? 0) + 1);
    const wanted = new Set(outputs);
    const values = new Map<string, Tensor>();
    const owned = new Set<string>();
    const shapes = new Map<string, readonly number[]>();
    const saved = new Map<string, Record<string, Tensor | undefined>>();
    const retain = (t: Tensor) => this.engine.keep(t.reshape(t.shape));
    try {
      for (const n of order) {
        let y: Tensor;
        if (n.op === 'input') {
          const fed = feeds[n.name];
          if (!fed) throw new Error(`graph: no feed for input '${n.name}'`);
          checkInputShape(n, fed);
          y = fed;
        } else if (n.op === 'const') {
          y = this.params.get(n.name)!;
        } else {
          const xs = n.inputs.map((i) => values.get(i)!);
          const r = forwardNode({
            engine: this.engine,
            record,
            training: o.training ?? record,
            needs: n.inputs.map((i) => grads.has(i)),
            needsAny: grads.has(n.name),
            retain,
            setParam: (name, t) => this.replaceParam(name, t),
          }, n, xs);
          y = r.y;
          owned.add(n.name);
          if (record && r.saved) saved.set(n.name, r.saved);
          for (const i of n.inputs) {
            const left = consumers.get(i)! - 1;
            consumers.set(i, left);
            if (left === 0 && owned.has(i) && !wanted.has(i)) values.get(i)!.dispose();
          }
        }
        values.set(n.name, y);
        shapes.set(n.name, y.shape);
      }
    } catch (e) {
      for (const [name, t] of values) if (owned.has(name) && !wanted.has(name)) t.dispose();
      for (const s of saved.values()) for (const t of Object.values(s)) t?.dispose();
      throw e;
    }
    const result: Record<string, Tensor> = {};
    for (const name of outputs) {
      const t = values.get(name)!;
      result[name] = owned.has(name) ? t : t.reshape(t.shape);
    }
    return { outputs: result, tape: record ? new Tape(this, order, shapes, saved, wrtHint) : null };
  }

  /**
   * Reverse-mode pass: seeds are dL/d(output) per output name; returns dL/d(name) for each name
   * in wrt (inputs or param names; zeros where the outputs do not depend on it). Consumes the tape.
   */
  backward(tape: Tape, seeds: Record<string, Tensor>, wrt: readonly string[]): Record<string, Tensor> {
    if (tape.isDisposed) throw new Error('graph.backward: this tape was already used (or disposed); record a new forward pass');
    if (tape.graph !== this) throw new Error('graph.backward: the tape belongs to another graph');
    const wrtSet = new Set(wrt);
    for (const w of wrtSet) {
      if (tape.wrtHint && !tape.wrtHint.has(w)) throw new Error(`graph.backward: '${w}' was not in the forward pass's wrt list`);
      if (!this.byName.has(w)) throw new Error(`graph.backward: no node or parameter named '${w}'`);
    }
    const reach = requiresGrad(tape.order, wrtSet);
    const grads = new Map<string, Tensor>();
    const accumulate = (name: string, g: Tensor) => {
      const prev = grads.get(name);
      if (!prev) {
        grads.set(name, g);
        return;
      }
      grads.set(name, add(prev, g));
      prev.dispose();
      g.dispose();
    };
    const view = (t: Tensor, shape?: readonly number[]) => t.reshape(shape ?? t.shape);
    try {
      for (const [name, seed] of Object.entries(seeds)) {
        const shape = tape.shapes.get(name);
        if (!shape) throw new Error(`graph.backward: seed for '${name}', which the forward pass did not compute`);
        if (seed.size !== shape.reduce((a, b) => a * b, 1)) throw new ShapeError(`graph.backward: seed for '${name}' has shape [${seed.shape}], the output is [${shape}]`);
        if (reach.has(name)) accumulate(name, view(seed, shape));
      }
      for (let k = tape.order.length - 1; k >= 0; k--) {
        const n = tape.order[k]!;
        const dy = grads.get(n.name);
        if (n.op === 'input' || n.op === 'const' || !dy || !reach.has(n.name)) {
          tape.release(n.name);
          continue;
        }
        const inputGrads = backwardNode({
          engine: this.engine,
          needs: n.inputs.map((i) => reach.has(i)),
          inputShapes: n.inputs.map((i) => tape.shapes.get(i)!),
          view,
        }, n, dy, (tape.saved.get(n.name) ?? {}) as Record<string, Tensor>);
        tape.release(n.name);
        if (!wrtSet.has(n.name)) {
          dy.dispose();
          grads.delete(n.name);
        }
        inputGrads.forEach((g, i) => {
          if (g) accumulate(n.inputs[i]!, g);
        });
      }
    } catch (e) {
      for (const g of grads.values()) g.dispose();
      throw e;
    } finally {
      tape.dispose();
    }
    const result: Record<string, Tensor> = {};
    for (const w of wrt) {
      const g = grads.get(w);
      grads.delete(w);
      if (g) result[w] = g;
      else {
        const shape = tape.shapes.get(w) ?? this.params.get(w)?.shape;
        if (!shape) throw new Error(`graph.backward: the outputs do not depend on input '${w}' and its shape is unknown`);
        result[w] = this.engine.tensor(shape, new Float32Array(shape.reduce((a, b) => a * b, 1)), `d${w}`);
      }
    }
    for (const g of grads.values()) g.dispose();
    return result;
  }

  private replaceParam(name: string, t: Tensor): void {
    this.params.get(name)?.dispose();
    this.params.set(name, this.engine.keep(t));
  }

  /** Frees the parameters. */
  dispose(): void {
    for (const t of this.params.values()) t.dispose();
    this.params.clear();
  }
}

/** Nodes that depend on any of `from` (all inputs and consts when from is null), plus from itself. */
function requiresGrad(order: readonly GraphNode[], from: ReadonlySet<string> | null): Set<string> {
  const out = new Set<string>();
  for (const n of order) {
    const leaf = n.op === 'input' || n.op === 'const';
    if ((from ? from.has(n.name) : leaf) || n.inputs.some((i) => out.has(i))) out.add(n.name);
  }
  return out;
}

function checkInputShape(n: GraphNode, t: Tensor): void {
  const shape = n.attrs.shape as (number | null)[] | undefined;
  if (!shape) return;
  const ok = shape.length === t.rank && shape.every((d, i) => d === null || d < 0 || d === t.shape[i]);
  if (!ok) throw new ShapeError(`graph: input '${n.name}' expects shape [${shape.map((d) => (d === null || d < 0 ? '?' : d))}], got [${t.shape}]`);
}

function topologicalOrder(nodes: readonly GraphNode[], byName: Map<string, GraphNode>): GraphNode[] {
  const state = new Map<string, 1 | 2>();
  const out: GraphNode[] = [];
  for (const root of nodes) {
    if (state.has(root.name)) continue;
    // Iterative DFS: real graphs are deep enough to overflow a recursive one.
    const stack: [GraphNode, number][] = [[root, 0]];
    state.set(root.name, 1);
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const [n, i] = top;
      if (i < n.inputs.length) {
        top[1]++;
        const child = byName.get(n.inputs[i]!)!;
        const s = state.get(child.name);
        if (s === 1) throw new Error(`graph: cycle through '${child.name}'`);
        if (!s) {
          state.set(child.name, 1);
          stack.push([child, 0]);
        }
      } else {
        stack.pop();
        state.set(n.name, 2);
        out.push(n);
      }
    }
  }
  return out;
}
