/**
 * Optimisers over GPU tensors, built from the kernels in src/ops/optim.ts (updates),
 * src/ops/vector.ts and src/ops/reduction.ts. SGD and Adam update lists of parameters in place
 * with per-parameter state created lazily; L-BFGS minimises one flat tensor with PyTorch's
 * algorithm (two-loop recursion over a GPU-resident history, strong-Wolfe line search), reading
 * back only scalars. Every default hyperparameter is in OPTIMIZER_DEFAULTS.
 */
import type { Tensor } from '../gpu/tensor.js';
import { adamStep, clipByGlobalNorm, sgdStep } from '../ops/optim.js';
import { dot, maxAbs, sumAbs } from '../ops/reduction.js';
import { axpy, clone, copyInto, fillInPlace, scaleInPlace } from '../ops/vector.js';
import type { WeightMap } from './weights.js';

/**
 * The optimisers' defaults, the one place they are written: the classes below, createOptimizer
 * (training specs) and style transfer read them. They are PyTorch's: SGD has no momentum unless
 * asked (torch.optim.SGD), Adam's lr, betas and epsilon are torch.optim.Adam's, L-BFGS's are
 * torch.optim.LBFGS's (maxEvals defaults to 1.25·maxIter). No gradient clipping by default.
 */
export const OPTIMIZER_DEFAULTS = Object.freeze({
  sgd: Object.freeze({ momentum: 0, weightDecay: 0, nesterov: false }),
  adam: Object.freeze({ lr: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 }),
  lbfgs: Object.freeze({ lr: 1, historySize: 100, lineSearch: 'strongWolfe' as const, maxIter: 20, toleranceGrad: 1e-7, toleranceChange: 1e-9 }),
});

export interface Optimizer {
  step(params: readonly Tensor[], grads: readonly Tensor[]): void;
  dispose(): void;
  /** The state kept for `params` (called `names`), for a checkpoint; the tensors stay the optimiser's. */
  saveState?(params: readonly Tensor[], names: readonly string[]): OptimizerState;
  /** Puts saved state back, after the parameters: `weights` holds the tensors saveState named. */
  loadState?(params: readonly Tensor[], names: readonly string[], weights: WeightMap, steps: number): void;
}

/**
 * What a checkpoint keeps of an optimiser so that a resumed run takes the same steps as one
 * that never stopped: its state tensors by name (Adam's moments, SGD's velocity) and the number
 * of steps taken (Adam's bias corrections depend on it).
 */
export interface OptimizerState {
  tensors: Map<string, Tensor>;
  steps: number;
}

/** State tensors named after their parameter, e.g. 'dense_1/kernel/adam_m'. */
function namedState(params: readonly Tensor[], names: readonly string[], kinds: readonly string[], of: (p: Tensor) => readonly Tensor[] | undefined): Map<string, Tensor> {
  if (params.length !== names.length) throw new RangeError(`saveState: ${params.length} parameters but ${names.length} names`);
  const out = new Map<string, Tensor>();
  params.forEach((p, i) => of(p)?.forEach((t, k) => out.set(`${names[i]}/${kinds[k]}`, t)));
  return out;
}

/** A kept tensor of p's shape holding the saved state `name`. */
function restoredLike(p: Tensor, weights: WeightMap, name: string): Tensor {
  const w = weights.get(name, p.shape);
  const t = p.engine.keep(p.engine.empty(p.shape, 'optimizer state'));
  p.engine.uploadBytes(t.buffer, w.data);
  return t;
}

export interface SGDOptions {
  lr: number;
  /** 0 by default (OPTIMIZER_DEFAULTS.sgd): plain SGD. */
  momentum?: number;
  /** L2 penalty added to the gradient (0 by default). */
  weightDecay?: number;
  nesterov?: boolean;
  /** Clip the gradients' global norm to this first (none by default). */
  clipNorm?: number;
}

export interface AdamOptions {
  /** 1e-3 by default (OPTIMIZER_DEFAULTS.adam). */
  lr?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** Decoupled weight decay (AdamW), 0 by default. */
  weightDecay?: number;
  /** Clip the gradients' global norm to this first (none by default). */
  clipNorm?: number;
}

function checkLists(name: string, params: readonly Tensor[], grads: readonly Tensor[]): void {
  if (params.length !== grads.length) throw new RangeError(`${name}.step: ${params.length} parameters but ${grads.length} gradients`);
}

/** A zero-filled tensor of t's shape that survives the caller's scopes (optimiser state). */
function zerosLike(t: Tensor): Tensor {
  const z = t.engine.keep(t.engine.empty(t.shape, 'optimizer state'));
  fillInPlace(z, 0);
  return z;
}

function clip(grads: readonly Tensor[], clipNorm: number | undefined): void {
  if (clipNorm === undefined || grads.length === 0) return;
  clipByGlobalNorm(grads, clipNorm).dispose();
}

/**
 * SGD with momentum (PyTorch semantics: v = μ·v + g + wd·x; x −= lr·v, or lr·(g + wd·x + μ·v)
 * with nesterov). clipNorm scales the gradients in place to that global norm first.
 * `lr` may be changed between steps (schedules).
 */
export class SGD implements Optimizer {
  lr: number;
  readonly momentum: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;
  private readonly velocity = new Map<Tensor, Tensor>();
  private steps = 0;
  constructor(readonly o: SGDOptions) {
    const d = OPTIMIZER_DEFAULTS.sgd;
    this.lr = o.lr;
    this.momentum = o.momentum ?? d.momentum;
    this.weightDecay = o.weightDecay ?? d.weightDecay;
    this.nesterov = o.nesterov ?? d.nesterov;
  }

  step(params: readonly Tensor[], grads: readonly Tensor[]): void {
    checkLists('SGD', params, grads);
    clip(grads, this.o.clipNorm);
    const { momentum, weightDecay, nesterov } = this;
    params.forEach((p, i) => {
      let v = this.velocity.get(p);
      if (!v) this.velocity.set(p, (v = momentum ? zerosLike(p) : p.engine.keep(p.engine.empty([p.size], 'unused velocity'))));
      sgdStep(p, grads[i]!, v, { lr: this.lr, momentum, weightDecay, nesterov });
    });
    this.steps++;
  }

  saveState(params: readonly Tensor[], names: readonly string[]): OptimizerState {
    // Without momentum the velocity buffer is never read: nothing to keep.
    const tensors = namedState(params, names, ['sgd_velocity'], (p) => (this.momentum && this.velocity.has(p) ? [this.velocity.get(p)!] : undefined));
    return { tensors, steps: this.steps };
  }

  loadState(params: readonly Tensor[], names: readonly string[], weights: WeightMap, steps: number): void {
    this.dispose();
    if (this.momentum) params.forEach((p, i) => weights.has(`${names[i]}/sgd_velocity`) && this.velocity.set(p, restoredLike(p, weights, `${names[i]}/sgd_velocity`)));
    this.steps = steps;
  }

  dispose(): void {
    for (const v of this.velocity.values()) v.dispose();
    this.velocity.clear();
  }
}

/** Adam with bias correction; weightDecay is decoupled (AdamW). `lr` may be changed between steps. */
export class Adam implements Optimizer {
  lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly weightDecay: number;
  private readonly state = new Map<Tensor, { m: Tensor; v: Tensor; step: number }>();
  constructor(readonly o: AdamOptions = {}) {
    const d = OPTIMIZER_DEFAULTS.adam;
    this.lr = o.lr ?? d.lr;
    this.beta1 = o.beta1 ?? d.beta1;
    this.beta2 = o.beta2 ?? d.beta2;
    this.epsilon = o.epsilon ?? d.epsilon;
    this.weightDecay = o.weightDecay ?? d.weightDecay;
  }

  step(params: readonly Tensor[], grads: readonly Tensor[]): void {
    checkLists('Adam', params, grads);
    clip(grads, this.o.clipNorm);
    const { beta1, beta2, epsilon, weightDecay } = this;
    params.forEach((p, i) => {
      let s = this.state.get(p);
      if (!s) this.state.set(p, (s = { m: zerosLike(p), v: zerosLike(p), step: 0 }));
      s.step++;
      adamStep(p, grads[i]!, s.m, s.v, { lr: this.lr, step: s.step, beta1, beta2, epsilon, weightDecay });
    });
  }

  saveState(params: readonly Tensor[], names: readonly string[]): OptimizerState {
    const tensors = namedState(params, names, ['adam_m', 'adam_v'], (p) => {
      const s = this.state.get(p);
      return s && [s.m, s.v];
    });
    return { tensors, steps: Math.max(0, ...params.map((p) => this.state.get(p)?.step ?? 0)) };
  }

  loadState(params: readonly Tensor[], names: readonly string[], weights: WeightMap, steps: number): void {
    this.dispose();
    params.forEach((p, i) => {
      const name = names[i]!;
      if (!weights.has(`${name}/adam_m`)) return;
      this.state.set(p, { m: restoredLike(p, weights, `${name}/adam_m`), v: restoredLike(p, weights, `${name}/adam_v`), step: steps });
    });
  }

  dispose(): void {
    for (const s of this.state.values()) {
      s.m.dispose();
      s.v.dispose();
    }
    this.state.clear();
  }
}

/**
 * An optimiser as plain options (training specs). Omitted hyperparameters come from
 * OPTIMIZER_DEFAULTS: for 'sgd' that is no momentum (0).
 */
export interface OptimizerSpec {
  kind: 'adam' | 'sgd';
  lr: number;
  /** SGD momentum (0 by default). */
  momentum?: number;
  nesterov?: boolean;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** Adam: decoupled (AdamW); SGD: L2. */
  weightDecay?: number;
  /** Clip the gradients' global norm to this. */
  clipNorm?: number;
}

export function isOptimizer(o: unknown): o is Optimizer {
  return !!o && typeof (o as Optimizer).step === 'function' && typeof (o as Optimizer).dispose === 'function';
}

/** The optimiser a spec describes; omitted hyperparameters come from OPTIMIZER_DEFAULTS. */
export function createOptimizer(spec: OptimizerSpec): Optimizer {
  if (!(spec.lr > 0)) throw new RangeError(`optimizer lr must be > 0, got ${spec.lr}`);
  if (spec.kind === 'adam') return new Adam({ lr: spec.lr, beta1: spec.beta1, beta2: spec.beta2, epsilon: spec.epsilon, weightDecay: spec.weightDecay, clipNorm: spec.clipNorm });
  if (spec.kind === 'sgd') return new SGD({ lr: spec.lr, momentum: spec.momentum, nesterov: spec.nesterov, weightDecay: spec.weightDecay, clipNorm: spec.clipNorm });
  throw new RangeError(`optimizer kind must be 'adam' or 'sgd', got ${JSON.stringify((spec as { kind: unknown }).kind)}`);
}

async function scalar(t: Tensor): Promise<number> {
  const v = (await t.read())[0]!;
  t.dispose();
  return v;
}

/** L-BFGS settings; each defaults to OPTIMIZER_DEFAULTS.lbfgs (PyTorch's). */
export interface LBFGSOptions {
  /** Step length (1). */
  lr?: number;
  /** (s, y) pairs kept (100). */
  historySize?: number;
  lineSearch?: 'strongWolfe' | 'none';
  /** Inner iterations per step() (PyTorch max_iter, 20). */
  maxIter?: number;
  /** Function evaluations per step() (PyTorch max_eval, 1.25·maxIter). */
  maxEvals?: number;
  /** Stop when max |g| falls to this (1e-7). */
  toleranceGrad?: number;
  /** Stop when a step or the loss changes by less than this (1e-9). */
  toleranceChange?: number;
}

type Evaluate = (x: Tensor) => Promise<{ loss: number; grad: Tensor }>;

/**
 * L-BFGS on one flat tensor, following torch.optim.LBFGS: each step() runs up to maxIter
 * iterations (and maxEvals evaluations) and keeps its history for the next call. The first
 * iteration's step is min(1, 1/‖g‖₁)·lr. The (s, y) history, the direction and the previous
 * gradient stay on the GPU; the two-loop recursion reads its coefficients on the GPU (dot → axpy);
 * only line-search scalars are read back. step() resolves with the latest evaluated loss.
 */
export class LBFGS {
  readonly lr: number;
  readonly historySize: number;
  readonly lineSearch: 'strongWolfe' | 'none';
  readonly maxIter: number;
  readonly maxEvals: number;
  readonly toleranceGrad: number;
  readonly toleranceChange: number;
  /** Evaluations so far, over all step() calls. */
  funcEvals = 0;
  /** Iterations so far, over all step() calls. */
  iterations = 0;

  private oldDirs: Tensor[] = []; // y = g_{k+1} − g_k
  private oldSteps: Tensor[] = []; // s = t·d
  private ro: number[] = [];
  private hDiag = 1;
  private d: Tensor | null = null;
  private t = 0;
  private prevGrad: Tensor | null = null;

  constructor(o: LBFGSOptions = {}) {
    const d = OPTIMIZER_DEFAULTS.lbfgs;
    this.lr = o.lr ?? d.lr;
    this.historySize = o.historySize ?? d.historySize;
    this.lineSearch = o.lineSearch ?? d.lineSearch;
    this.maxIter = o.maxIter ?? d.maxIter;
    this.maxEvals = o.maxEvals ?? Math.floor(this.maxIter * 1.25);
    this.toleranceGrad = o.toleranceGrad ?? d.toleranceGrad;
    this.toleranceChange = o.toleranceChange ?? d.toleranceChange;
  }

  async step(x: Tensor, evaluate: Evaluate): Promise<number> {
    const engine = x.engine;
    const first = await evaluate(x);
    let loss = first.loss;
    let grad = first.grad;
    let currentEvals = 1;
    this.funcEvals++;
    try {
      if ((await scalar(maxAbs(grad))) <= this.toleranceGrad) return loss;
      for (let nIter = 1; nIter <= this.maxIter; nIter++) {
        this.iterations++;
        if (this.iterations === 1) {
          this.clearHistory();
          this.d?.dispose();
          this.d = engine.keep(clone(grad));
          scaleInPlace(this.d, -1);
          this.hDiag = 1;
        } else {
          await this.updateHistory(grad);
          this.direction(grad);
        }
        const d = this.d!;
        if (this.prevGrad) copyInto(grad, this.prevGrad);
        else this.prevGrad = engine.keep(clone(grad));
        const prevLoss = loss;
        this.t = this.iterations === 1 ? Math.min(1, 1 / (await scalar(sumAbs(grad)))) * this.lr : this.lr;
        const gtd = await scalar(dot(grad, d));
        if (gtd > -this.toleranceChange) break;

        let evals = 0;
        let optimal = false;
        if (this.lineSearch === 'strongWolfe') {
          const xInit = clone(x);
          const probe = async (t: number) => {
            copyInto(xInit, x);
            axpy(t, d, x);
            const r = await evaluate(x);
            return { loss: r.loss, grad: r.grad, gtd: await scalar(dot(r.grad, d)) };
          };
          const dNorm = await scalar(maxAbs(d));
          const found = await strongWolfe(probe, this.t, dNorm, loss, grad, gtd, this.toleranceChange);
          if (found.grad !== grad) grad.dispose();
          ({ loss, grad, t: this.t, evals } = found);
          copyInto(xInit, x);
          axpy(this.t, d, x);
          xInit.dispose();
          optimal = (await scalar(maxAbs(grad))) <= this.toleranceGrad;
        } else {
          axpy(this.t, d, x);
          if (nIter !== this.maxIter) {
            const r = await evaluate(x);
            grad.dispose();
            ({ loss, grad } = r);
            evals = 1;
            optimal = (await scalar(maxAbs(grad))) <= this.toleranceGrad;
          }
        }
        currentEvals += evals;
        this.funcEvals += evals;
        if (nIter === this.maxIter || currentEvals >= this.maxEvals || optimal) break;
        if ((await scalar(maxAbs(d))) * Math.abs(this.t) <= this.toleranceChange) break;
        if (Math.abs(loss - prevLoss) < this.toleranceChange) break;
      }
      return loss;
    } finally {
      grad.dispose();
    }
  }

  /** Adds the pair (s = t·d, y = g − g_prev) when its curvature s·y is positive. */
  private async updateHistory(grad: Tensor): Promise<void> {
    const engine = grad.engine;
    const y = engine.keep(clone(grad));
    axpy(-1, this.prevGrad!, y);
    const s = engine.keep(clone(this.d!));
    scaleInPlace(s, this.t);
    const ys = await scalar(dot(y, s));
    if (ys > 1e-10) {
      if (this.oldDirs.length === this.historySize) {
        this.oldDirs.shift()!.dispose();
        this.oldSteps.shift()!.dispose();
        this.ro.shift();
      }
      this.oldDirs.push(y);
      this.oldSteps.push(s);
      this.ro.push(1 / ys);
      this.hDiag = ys / (await scalar(dot(y, y)));
    } else {
      y.dispose();
      s.dispose();
    }
  }

  /** d = −H·g by the two-loop recursion; the α and β coefficients never leave the GPU. */
  private direction(grad: Tensor): void {
    const q = grad.engine.keep(clone(grad));
    scaleInPlace(q, -1);
    const n = this.oldDirs.length;
    const al: Tensor[] = [];
    for (let i = n - 1; i >= 0; i--) {
      al[i] = dot(this.oldSteps[i]!, q); // α_i = ρ_i·(s_i·q)
      axpy(al[i]!, this.oldDirs[i]!, q, -this.ro[i]!);
    }
    scaleInPlace(q, this.hDiag);
    for (let i = 0; i < n; i++) {
      const be = dot(this.oldDirs[i]!, q); // β_i = ρ_i·(y_i·r); r += (α_i − β_i)·s_i
      axpy(al[i]!, this.oldSteps[i]!, q, this.ro[i]!);
      axpy(be, this.oldSteps[i]!, q, -this.ro[i]!);
      be.dispose();
    }
    al.forEach((t) => t.dispose());
    this.d?.dispose();
    this.d = q;
  }

  private clearHistory(): void {
    for (const t of [...this.oldDirs, ...this.oldSteps]) t.dispose();
    this.oldDirs = [];
    this.oldSteps = [];
    this.ro = [];
  }

  dispose(): void {
    this.clearHistory();
    this.d?.dispose();
    this.prevGrad?.dispose();
    this.d = this.prevGrad = null;
  }
}

/** Minimiser of the cubic interpolating (x1, f1, g1) and (x2, f2, g2), clamped to bounds. */
export function cubicInterpolate(x1: number, f1: number, g1: number, x2: number, f2: number, g2: number, bounds?: [number, number]): number {
  const [lo, hi] = bounds ?? (x1 <= x2 ? [x1, x2] : [x2, x1]);
  const d1 = g1 + g2 - (3 * (f1 - f2)) / (x1 - x2);
  const d2Square = d1 * d1 - g1 * g2;
  if (d2Square >= 0) {
    const d2 = Math.sqrt(d2Square);
    const minPos = x1 <= x2 ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2)) : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
    return Math.min(Math.max(minPos, lo), hi);
  }
  return (lo + hi) / 2;
}

type Probe = (t: number) => Promise<{ loss: number; grad: Tensor; gtd: number }>;

/**
 * Strong-Wolfe line search (torch.optim.lbfgs._strong_wolfe): bracketing with cubic
 * extrapolation, then zoom. Gradients it evaluates but does not return are disposed; the
 * returned grad is either `g` (t = 0 kept) or one it evaluated.
 */
async function strongWolfe(probe: Probe, t0: number, dNorm: number, f: number, g: Tensor, gtd: number, toleranceChange: number, c1 = 1e-4, c2 = 0.9, maxLs = 25): Promise<{ loss: number; grad: Tensor; t: number; evals: number }> {
  const made = new Set<Tensor>();
  let t = t0;
  let cur = await probe(t);
  made.add(cur.grad);
  let evals = 1;
  let tPrev = 0, fPrev = f, gPrev = g, gtdPrev = gtd;
  let done = false;
  let lsIter = 0;
  let bracket: number[] = [], bF: number[] = [], bG: Tensor[] = [], bGtd: number[] = [];
  while (lsIter < maxLs) {
    const armijoFails = cur.loss > f + c1 * t * gtd || (lsIter > 1 && cur.loss >= fPrev);
    if (!armijoFails && Math.abs(cur.gtd) <= -c2 * gtd) {
      [bracket, bF, bG, bGtd] = [[t], [cur.loss], [cur.grad], [cur.gtd]];
      done = true;
      break;
    }
    if (armijoFails || cur.gtd >= 0) {
      [bracket, bF, bG, bGtd] = [[tPrev, t], [fPrev, cur.loss], [gPrev, cur.grad], [gtdPrev, cur.gtd]];
      break;
    }
    const minStep = t + 0.01 * (t - tPrev);
    const maxStep = t * 10;
    const tmp = t;
    t = cubicInterpolate(tPrev, fPrev, gtdPrev, t, cur.loss, cur.gtd, [minStep, maxStep]);
    [tPrev, fPrev, gPrev, gtdPrev] = [tmp, cur.loss, cur.grad, cur.gtd];
    cur = await probe(t);
    made.add(cur.grad);
    evals++;
    lsIter++;
  }
  if (lsIter === maxLs) [bracket, bF, bG, bGtd] = [[0, t], [f, cur.loss], [g, cur.grad], [gtd, cur.gtd]];

  let insufProgress = false;
  let [low, high] = bF[0]! <= bF[bF.length - 1]! ? [0, 1] : [1, 0];
  while (!done && lsIter < maxLs) {
    if (Math.abs(bracket[1]! - bracket[0]!) * dNorm < toleranceChange) break;
    t = cubicInterpolate(bracket[0]!, bF[0]!, bGtd[0]!, bracket[1]!, bF[1]!, bGtd[1]!);
    const bMax = Math.max(...bracket), bMin = Math.min(...bracket);
    const eps = 0.1 * (bMax - bMin);
    if (Math.min(bMax - t, t - bMin) < eps) {
      if (insufProgress || t >= bMax || t <= bMin) {
        t = Math.abs(t - bMax) < Math.abs(t - bMin) ? bMax - eps : bMin + eps;
        insufProgress = false;
      } else {
        insufProgress = true;
      }
    } else {
      insufProgress = false;
    }
    cur = await probe(t);
    made.add(cur.grad);
    evals++;
    lsIter++;
    if (cur.loss > f + c1 * t * gtd || cur.loss >= bF[low]!) {
      [bracket[high], bF[high], bG[high], bGtd[high]] = [t, cur.loss, cur.grad, cur.gtd];
      [low, high] = bF[0]! <= bF[1]! ? [0, 1] : [1, 0];
    } else {
      if (Math.abs(cur.gtd) <= -c2 * gtd) done = true;
      else if (cur.gtd * (bracket[high]! - bracket[low]!) >= 0) {
        [bracket[high], bF[high], bG[high], bGtd[high]] = [bracket[low]!, bF[low]!, bG[low]!, bGtd[low]!];
      }
      [bracket[low], bF[low], bG[low], bGtd[low]] = [t, cur.loss, cur.grad, cur.gtd];
    }
  }
  const grad = bG[low]!;
  for (const m of made) if (m !== grad) m.dispose();
  return { loss: bF[low]!, grad, t: bracket[low]!, evals };
}
