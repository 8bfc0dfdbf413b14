/**
 * Gradient check of a whole Graph: the backward pass's gradients to the input and to every
 * trainable parameter against directional derivatives of the forward pass (training mode, so
 * batch norm uses the batch's statistics), for the loss Σ output·R with a random R. A smaller
 * eps suits deep models with max pooling, whose windows' maxima switch under larger steps.
 */
import type { Engine } from '../../src/gpu/engine.js';
import type { Graph } from '../../src/nn/graph/graph.js';
import { assert } from './assert.js';
import { directionalDerivative, dotProduct } from './gradcheck.js';
import type { Rng } from './random.js';

/** Every parameter of a graph, read back. */
export async function paramData(graph: Graph): Promise<Record<string, Float32Array>> {
  const out: Record<string, Float32Array> = {};
  for (const [name, t] of graph.params) out[name] = await t.read();
  return out;
}

async function loss(engine: Engine, graph: Graph, shape: readonly number[], x: Float32Array, r: Float32Array): Promise<number> {
  return engine.scope(async () => dotProduct(await graph.forward({ input: engine.tensor(shape, x) }, ['output'], { training: true }).outputs.output!.read(), r));
}

/** Checks dL/d(input) and dL/d(each trainable) of `g` on a random batch of `shape`; `what` names the model. */
export async function checkGraphGradients(engine: Engine, g: Graph, shape: readonly number[], rng: Rng, what: string, eps = 1e-3): Promise<void> {
  const x = rng.array(shape.reduce((a, b) => a * b, 1));
  const outShape = await engine.scope(async () => [...g.forward({ input: engine.tensor(shape, x) }, ['output']).outputs.output!.shape]);
  const r = rng.array(outShape.reduce((a, b) => a * b, 1));
  const grads = await engine.scope(async () => {
    const { outputs, tape } = g.forward({ input: engine.tensor(shape, x) }, ['output'], { record: true });
    const res = g.backward(tape!, { output: engine.tensor(outputs.output!.shape, r) }, ['input', ...g.trainableNames]);
    const out: Record<string, Float32Array> = {};
    for (const [k, t] of Object.entries(res)) out[k] = await t.read();
    return out;
  });
  // float32 rounding of the two losses, divided by 2·eps, bounds the difference's absolute error.
  const atol = 2e-7 / eps;
  const close = (name: string, dd: number, dot: number) =>
    assert(Math.abs(dd - dot) <= 1e-2 * Math.abs(dot) + atol, `${what}, ${name}: directional derivative ${dd} vs Σ grad·d ${dot}`);
  const d = rng.array(x.length);
  close('input', await directionalDerivative((v) => loss(engine, g, shape, v, r), x, d, eps), dotProduct(grads.input!, d));
  for (const name of g.trainableNames) {
    const param = g.params.get(name)!;
    const base = await param.read();
    const dp = rng.array(base.length);
    const dd = await directionalDerivative(async (v) => {
      engine.uploadBytes(param.buffer, v);
      return loss(engine, g, shape, x, r);
    }, base, dp, eps);
    engine.uploadBytes(param.buffer, base);
    close(name, dd, dotProduct(grads[name]!, dp));
  }
}
