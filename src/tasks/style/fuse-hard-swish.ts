/**
 * TF-exported MobileNet-V3 graphs spell hard-swish as four nodes, x·(1/6) · relu6(x + 3)
 * (Mul, Add, Relu6, Mul), which cost three broadcasting elementwise kernels forward and about
 * four backward each. This pass rewrites each such pattern into one hardSwish activation (fused
 * into the producing convolution when nothing else reads its output). The model stores 1/6 as
 * float16 (0.16663): where it is not exactly 1/6 the fused output is scaled back by 6·c with a
 * scalar multiply, so values stay those of the original graph.
 */
import type { Engine } from '../../gpu/engine.js';
import { Graph, type GraphNode } from '../../nn/graph/graph.js';
import type { FeatureNetwork } from '../../nn/graph/feature-networks.js';

async function scalarConst(graph: Graph, name: string): Promise<number | null> {
  const n = graph.node(name);
  const t = graph.params.get(name);
  if (n?.op !== 'const' || !t || t.size !== 1) return null;
  return (await t.read())[0]!;
}

export async function fuseHardSwish(engine: Engine, net: FeatureNetwork, keep: readonly string[] = []): Promise<{ network: FeatureNetwork; fused: number }> {
  const graph = net.graph;
  const nodes = new Map(graph.nodes.map((n) => [n.name, { ...n, inputs: [...n.inputs], attrs: { ...n.attrs } }]));
  const consumers = new Map<string, number>();
  for (const n of graph.nodes) for (const i of n.inputs) consumers.set(i, (consumers.get(i) ?? 0) + 1);
  const protectedNames = new Set([...keep, ...Object.values(net.layers), ...graph.inputs]);
  const only = (name: string, count: number) => (consumers.get(name) ?? 0) === count && !protectedNames.has(name);
  const extraParams = new Map(graph.params);
  const added: GraphNode[] = [];
  let fused = 0;

  for (const out of graph.nodes) {
    if (out.op !== 'mul' || out.inputs.length !== 2) continue;
    const [p, q] = out.inputs.map((i) => graph.node(i)!);
    const relu6 = [p, q].find((n) => n?.op === 'activation' && n.attrs.activation === 'relu6');
    const scaled = [p, q].find((n) => n !== relu6 && n?.op === 'mul');
    if (!relu6 || !scaled) continue;
    const plus = graph.node(relu6.inputs[0]!);
    if (plus?.op !== 'add') continue;
    // add(x, 3) and mul(x, c) / mul(c, x) over the same x.
    const addConst = await Promise.all(plus.inputs.map((i) => scalarConst(graph, i)));
    const mulConst = await Promise.all(scaled.inputs.map((i) => scalarConst(graph, i)));
    const ai = addConst.findIndex((v) => v === 3);
    const mi = mulConst.findIndex((v) => v !== null && Math.abs(v * 6 - 1) < 1e-3);
    if (ai < 0 || mi < 0) continue;
    const x = plus.inputs[1 - ai]!;
    if (scaled.inputs[1 - mi] !== x) continue;
    if (!only(plus.name, 1) || !only(relu6.name, 1) || !only(scaled.name, 1)) continue;
    const c = mulConst[mi]!;
    const producer = graph.node(x)!;
    const fuseIntoConv = producer.op === 'conv' && (producer.attrs.activation ?? 'none') === 'none' && only(x, 2);
    const exact = c === 1 / 6;
    const activated = exact ? out.name : `${out.name}/hard_swish_exact`;
    nodes.set(activated, fuseIntoConv
      ? { name: activated, op: 'conv', inputs: [...producer.inputs], attrs: { ...producer.attrs, activation: 'hardSwish' } }
      : { name: activated, op: 'activation', inputs: [x], attrs: { activation: 'hardSwish' } });
    if (!exact) {
      const k = `${out.name}/hard_swish_scale`;
      extraParams.set(k, engine.keep(engine.tensor([1], [6 * c], k)));
      added.push({ name: k, op: 'const', inputs: [], attrs: {} });
      nodes.set(out.name, { name: out.name, op: 'mul', inputs: [activated, k], attrs: {} });
    }
    fused++;
  }
  if (fused === 0) return { network: net, fused };
  for (const n of added) nodes.set(n.name, n);
  const rewritten = new Graph(engine, { inputs: graph.inputs, nodes: [...nodes.values()], params: extraParams, trainableNames: graph.trainableNames });
  return { network: { ...net, graph: rewritten }, fused };
}
