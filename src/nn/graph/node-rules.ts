/**
 * Forward and backward rules for each graph op, on the engine's kernels. A forward rule says
 * what its backward will need (saved tensors) so the graph can free everything else at once.
 */
import type { Engine } from '../../gpu/engine.js';
import { GPUOpError, shapeCheck } from '../../gpu/errors.js';
import type { Tensor } from '../../gpu/tensor.js';
import type { Activation } from '../../ops/activation.js';
import { activationGrad, avgPoolGrad, batchNormGrad, batchNormTrain, globalAvgPoolGrad, l2NormalizeGrad, maxPoolGrad } from '../../ops/backward.js';
import { convFilterGrad, convInputGrad } from '../../ops/conv-backward.js';
import { conv } from '../../ops/conv.js';
import { add, binary, mul, scaleShift, sub, unary, type UnaryMath } from '../../ops/elementwise.js';
import { matmul } from '../../ops/matmul.js';
import { l2Normalize, softmax } from '../../ops/normalize.js';
import { avgPool, globalAvgPool, maxPool, type PoolOptions } from '../../ops/pool.js';
import { mean, sum, sumToShape } from '../../ops/reduce.js';
import type { Padding } from '../../ops/window.js';

/** Attributes of each op (GraphNode.attrs). */
export interface ConvAttrs { strides?: number | number[]; dilations?: number | number[]; padding?: Padding; groups?: number; activation?: Activation; slope?: number }
export interface ActivationAttrs { activation: Activation; slope?: number }
export interface MeanAttrs { axes: number[]; keepDims?: boolean }
/** Inference-only elementwise maps (|x|, x², 1/√x): no backward rule. */
export interface MathAttrs { fn: Exclude<UnaryMath, 'affine'> }
export interface SqueezeAttrs { axes: number[] }
export interface SoftmaxAttrs { axis?: number }
export interface DenseAttrs { activation?: Activation; slope?: number }
export interface ReshapeAttrs { shape: number[] }
export interface L2Attrs { axis?: number; epsilon?: number }
export interface BatchNormAttrs { epsilon?: number; momentum?: number }

/** Activations whose derivative can be read off their output as well as their input. */
const MASK_FROM_OUTPUT = new Set<Activation>(['relu', 'relu6']);

export interface ForwardContext {
  engine: Engine;
  record: boolean;
  training: boolean;
  /** Which inputs of this node need a gradient (when recording). */
  needs: boolean[];
  /** Whether this node's output needs a gradient at all. */
  needsAny: boolean;
  /** A reference to a tensor that survives scopes and the forward pass's own disposals. */
  retain(t: Tensor): Tensor;
  /** Replaces a non-trainable parameter (batch-norm moving statistics). */
  setParam(name: string, t: Tensor): void;
}

export interface BackwardContext {
  engine: Engine;
  /** Which inputs need a gradient. */
  needs: boolean[];
  inputShapes: (readonly number[])[];
  /** A gradient equal to `t` reshaped, owned separately from it. */
  view(t: Tensor, shape?: readonly number[]): Tensor;
}

export interface ForwardResult {
  y: Tensor;
  saved?: Record<string, Tensor>;
}

type Node = { name: string; op: string; inputs: string[]; attrs: Record<string, unknown> };

function convGeometry(a: ConvAttrs) {
  return { strides: a.strides, dilations: a.dilations, padding: a.padding ?? 'valid', groups: a.groups ?? 1 };
}

/** y = f(x·W + b) style ops: run fused, or split off the activation when backward needs its input. */
function fusedActivation(ctx: ForwardContext, act: Activation, slope: number | undefined, run: (a: Activation) => Tensor): ForwardResult {
  if (!ctx.record || !ctx.needsAny || act === 'none' || MASK_FROM_OUTPUT.has(act)) {
    const y = run(act);
    return { y, saved: ctx.record && ctx.needsAny && act !== 'none' ? { act: ctx.retain(y) } : {} };
  }
  const z = run('none');
  const y = unary(z, act, { slope });
  return { y, saved: { act: ctx.retain(z) } };
}

function dropFused(dy: Tensor, saved: Record<string, Tensor>, act: Activation, slope?: number): { dz: Tensor; owned: boolean } {
  if (act === 'none') return { dz: dy, owned: false };
  return { dz: activationGrad(act, saved.act!, dy, slope), owned: true };
}

function reduceTo(ctx: BackwardContext, g: Tensor, shape: readonly number[]): Tensor {
  const same = g.shape.length === shape.length && g.shape.every((d, i) => d === shape[i]);
  if (same) return ctx.view(g);
  if (g.size === shapeSize(shape)) return ctx.view(g, shape);
  return sumToShape(g, shape);
}

const shapeSize = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

function poolOptions(attrs: Record<string, unknown>): PoolOptions {
  return attrs as unknown as PoolOptions;
}

function isSpatialMean(rank: number, a: MeanAttrs): boolean {
  const axes = [...new Set(a.axes.map((x) => (x < 0 ? x + rank : x)))].sort();
  return rank >= 3 && rank <= 5 && axes.length === rank - 2 && axes.every((x, i) => x === i + 1);
}

export function forwardNode(ctx: ForwardContext, node: Node, xs: Tensor[]): ForwardResult {
  const a = node.attrs;
  const keep = (cond: boolean, t: Tensor | undefined) => (cond && t ? ctx.retain(t) : undefined);
  switch (node.op) {
    case 'identity':
      return { y: xs[0]!.reshape(xs[0]!.shape) };
    case 'flatten': {
      const x = xs[0]!;
      return { y: x.reshape([x.shape[0]!, x.size / x.shape[0]!]) };
    }
    case 'reshape':
      return { y: xs[0]!.reshape((a as unknown as ReshapeAttrs).shape) };
    case 'conv': {
      const c = a as ConvAttrs;
      const [x, w, bias] = xs as [Tensor, Tensor, Tensor | undefined];
      const r = fusedActivation(ctx, c.activation ?? 'none', c.slope, (act) => conv(x, w, { ...convGeometry(c), bias, activation: act, slope: c.slope }));
      const saved = { ...r.saved, x: keep(ctx.record && ctx.needs[1]!, x)!, w: keep(ctx.record && ctx.needs[0]!, w)! };
      return { y: r.y, saved };
    }
    case 'dense': {
      const d = a as DenseAttrs;
      const [x, w, bias] = xs as [Tensor, Tensor, Tensor | undefined];
      shapeCheck(x.rank === 2, node.name, `dense needs a [N, K] input, got [${x.shape}] (flatten first)`);
      const r = fusedActivation(ctx, d.activation ?? 'none', d.slope, (act) => matmul(x, w, { bias, activation: act, slope: d.slope }));
      const saved = { ...r.saved, x: keep(ctx.record && ctx.needs[1]!, x)!, w: keep(ctx.record && ctx.needs[0]!, w)! };
      return { y: r.y, saved };
    }
    case 'add':
      return { y: add(xs[0]!, xs[1]!) };
    case 'sub':
      return { y: sub(xs[0]!, xs[1]!) };
    case 'mul':
      return { y: mul(xs[0]!, xs[1]!), saved: { a: keep(ctx.record && ctx.needs[1]!, xs[0])!, b: keep(ctx.record && ctx.needs[0]!, xs[1])! } };
    case 'max':
    case 'min':
      return { y: binary(node.op, xs[0]!, xs[1]!) };
    case 'math':
      return { y: unary(xs[0]!, (a as unknown as MathAttrs).fn) };
    case 'sum': {
      const m = a as unknown as MeanAttrs;
      return { y: sum(xs[0]!, m.axes, m.keepDims ?? false) };
    }
    case 'squeeze': {
      const x = xs[0]!;
      const axes = new Set((a as unknown as SqueezeAttrs).axes.map((d) => (d < 0 ? d + x.rank : d)));
      for (const d of axes) shapeCheck(x.shape[d] === 1, node.name, `squeeze: axis ${d} of [${x.shape}] is not 1`);
      return { y: x.reshape(x.shape.filter((d, i) => (axes.size ? !axes.has(i) : d !== 1))) };
    }
    case 'softmax':
      return { y: softmax(xs[0]!, (a as SoftmaxAttrs).axis ?? -1) };
    case 'activation': {
      const { activation, slope } = a as unknown as ActivationAttrs;
      const y = unary(xs[0]!, activation, { slope });
      if (!ctx.record || !ctx.needs[0]) return { y };
      return { y, saved: { act: ctx.retain(MASK_FROM_OUTPUT.has(activation) ? y : xs[0]!) } };
    }
    case 'globalAvgPool':
      return { y: globalAvgPool(xs[0]!) };
    case 'mean': {
      const m = a as unknown as MeanAttrs;
      const x = xs[0]!;
      if (isSpatialMean(x.rank, m)) {
        const y = globalAvgPool(x);
        if (m.keepDims) return { y };
        const flat = y.reshape([x.shape[0]!, x.shape[x.rank - 1]!]);
        y.dispose();
        return { y: flat };
      }
      return { y: mean(x, m.axes, m.keepDims ?? false) };
    }
    case 'maxPool':
      return { y: maxPool(xs[0]!, poolOptions(a)), saved: { x: keep(ctx.record && ctx.needs[0]!, xs[0])! } };
    case 'avgPool':
      return { y: avgPool(xs[0]!, poolOptions(a)) };
    case 'l2Normalize': {
      const l = a as L2Attrs;
      return { y: l2Normalize(xs[0]!, l.axis ?? -1, l.epsilon ?? 1e-12), saved: { x: keep(ctx.record && ctx.needs[0]!, xs[0])! } };
    }
    case 'batchNorm':
      return batchNormForward(ctx, node, xs);
    default:
      throw new GPUOpError(node.name, `graph op '${node.op}' has no forward rule`);
  }
}

/**
 * Training: batch statistics (batchNormTrain), and the moving mean and moving 1/σ updated with
 * `momentum`. Inference: y = γ·(x − moving mean)·moving 1/σ + β as one scaleShift.
 * (1/σ is averaged rather than σ², since the engine has no square root kernel; close enough
 * for the slowly varying statistics it tracks.)
 */
function batchNormForward(ctx: ForwardContext, node: Node, xs: Tensor[]): ForwardResult {
  const b = node.attrs as BatchNormAttrs;
  const [x, gamma, beta, movingMean, movingInvStd] = xs as [Tensor, Tensor, Tensor, Tensor, Tensor];
  const eps = b.epsilon ?? 1e-3;
  if (ctx.training) {
    const { y, mean: mu, invStd } = batchNormTrain(x, gamma, beta, eps);
    const m = b.momentum ?? 0.99;
    const blend = (old: Tensor, now: Tensor) => {
      const s = unary(old, 'affine', { scale: m });
      const t = unary(now, 'affine', { scale: 1 - m });
      const r = add(s, t.reshape(old.shape));
      s.dispose();
      t.dispose();
      return r;
    };
    ctx.setParam(node.inputs[3]!, blend(movingMean, mu));
    ctx.setParam(node.inputs[4]!, blend(movingInvStd, invStd));
    if (ctx.record && ctx.needsAny) {
      return { y, saved: { x: ctx.retain(x), gamma: ctx.retain(gamma), mean: ctx.engine.keep(mu), invStd: ctx.engine.keep(invStd) } };
    }
    mu.dispose();
    invStd.dispose();
    return { y };
  }
  const scale = mul(gamma, movingInvStd);
  const shifted = mul(movingMean, scale);
  const shift = sub(beta, shifted);
  const y = scaleShift(x, scale, shift);
  for (const t of [scale, shifted, shift]) t.dispose();
  return { y };
}

/** Gradients for each input (null where not needed). `saved` is what forwardNode kept. */
export function backwardNode(ctx: BackwardContext, node: Node, dy: Tensor, saved: Record<string, Tensor>): (Tensor | null)[] {
  const a = node.attrs;
  const [s0, s1] = ctx.inputShapes as [readonly number[], readonly number[] | undefined];
  const need = (i: number) => ctx.needs[i] === true;
  switch (node.op) {
    case 'identity':
    case 'flatten':
    case 'reshape':
      return [ctx.view(dy, s0)];
    case 'conv': {
      const c = a as ConvAttrs;
      const { dz, owned } = dropFused(dy, saved, c.activation ?? 'none', c.slope);
      const geom = convGeometry(c);
      const grads = [
        need(0) ? convInputGrad(dz, saved.w!, s0, geom) : null,
        need(1) ? convFilterGrad(saved.x!, dz, s1!, geom) : null,
        need(2) ? reduceTo(ctx, dz, ctx.inputShapes[2]!) : null,
      ];
      if (owned) dz.dispose();
      return grads;
    }
    case 'dense': {
      const d = a as DenseAttrs;
      const { dz, owned } = dropFused(dy, saved, d.activation ?? 'none', d.slope);
      const grads = [
        need(0) ? matmul(dz, saved.w!, { transposeB: true }) : null,
        need(1) ? matmul(saved.x!, dz, { transposeA: true }) : null,
        need(2) ? reduceTo(ctx, dz, ctx.inputShapes[2]!) : null,
      ];
      if (owned) dz.dispose();
      return grads;
    }
    case 'add':
      return [need(0) ? reduceTo(ctx, dy, s0) : null, need(1) ? reduceTo(ctx, dy, s1!) : null];
    case 'sub': {
      let db: Tensor | null = null;
      if (need(1)) {
        const neg = unary(dy, 'affine', { scale: -1 });
        db = reduceTo(ctx, neg, s1!);
        neg.dispose();
      }
      return [need(0) ? reduceTo(ctx, dy, s0) : null, db];
    }
    case 'mul': {
      const side = (other: Tensor, shape: readonly number[]) => {
        const p = mul(dy, other);
        const r = reduceTo(ctx, p, shape);
        p.dispose();
        return r;
      };
      return [need(0) ? side(saved.b!, s0) : null, need(1) ? side(saved.a!, s1!) : null];
    }
    case 'activation': {
      const { activation, slope } = a as unknown as ActivationAttrs;
      return [activationGrad(activation, saved.act!, dy, slope)];
    }
    case 'globalAvgPool':
      return [globalAvgPoolGrad(dy, s0)];
    case 'mean': {
      const m = a as unknown as MeanAttrs;
      const rank = s0.length;
      const kept = s0.map((d, i) => (m.axes.some((x) => (x < 0 ? x + rank : x) === i) ? 1 : d));
      if (isSpatialMean(rank, m)) {
        const g = dy.reshape(kept);
        const r = globalAvgPoolGrad(g, s0);
        g.dispose();
        return [r];
      }
      // Spread dy evenly over the reduced axes: dy (broadcast) · 1/count.
      const count = shapeSize(s0) / shapeSize(kept);
      const spread = ctx.engine.tensor(s0, new Float32Array(shapeSize(s0)).fill(1 / count), 'meanGrad');
      const g = dy.reshape(kept);
      const r = binary('mul', spread, g);
      spread.dispose();
      g.dispose();
      return [r];
    }
    case 'maxPool':
      return [maxPoolGrad(saved.x!, dy, poolOptions(a))];
    case 'avgPool':
      return [avgPoolGrad(dy, s0, poolOptions(a))];
    case 'l2Normalize': {
      const l = a as L2Attrs;
      return [l2NormalizeGrad(saved.x!, dy, l.axis ?? -1, l.epsilon ?? 1e-12)];
    }
    case 'batchNorm': {
      if (!saved.invStd) throw new GPUOpError(node.name, 'batch norm backward needs a training-mode forward (record: true, training: true)');
      const { dx, dGamma, dBeta } = batchNormGrad(saved.x!, dy, saved.gamma!, saved.mean!, saved.invStd);
      const out = [need(0) ? dx : null, need(1) ? reduceTo(ctx, dGamma, ctx.inputShapes[1]!) : null, need(2) ? reduceTo(ctx, dBeta, ctx.inputShapes[2]!) : null, null, null];
      if (!need(0)) dx.dispose();
      dGamma.dispose();
      dBeta.dispose();
      return out;
    }
    default:
      throw new GPUOpError(node.name, `graph op '${node.op}' has no backward rule`);
  }
}
