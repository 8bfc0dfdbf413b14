/** Float64 references for the optimiser kernels (src/ops/optim.ts) and L-BFGS (src/nn/optimizers.ts). */
import { refDot } from './reduction.js';

export function refSgdStep(x: Float64Array, g: ArrayLike<number>, vel: Float64Array, o: { lr: number; momentum?: number; weightDecay?: number; nesterov?: boolean }): void {
  const mu = o.momentum ?? 0, wd = o.weightDecay ?? 0;
  for (let i = 0; i < x.length; i++) {
    const d = g[i]! + wd * x[i]!;
    if (mu === 0) {
      x[i]! -= o.lr * d;
      continue;
    }
    vel[i] = mu * vel[i]! + d;
    x[i]! -= o.lr * (o.nesterov ? d + mu * vel[i]! : vel[i]!);
  }
}

/** Adam's defaults are passed in (the optimiser's table is what the tests check them against). */
export function refAdamStep(x: Float64Array, g: ArrayLike<number>, m: Float64Array, v: Float64Array, o: { lr: number; step: number; beta1: number; beta2: number; epsilon: number; weightDecay?: number }): void {
  const b1 = o.beta1, b2 = o.beta2, eps = o.epsilon, wd = o.weightDecay ?? 0;
  const bc1 = 1 - b1 ** o.step, bc2 = 1 - b2 ** o.step;
  for (let i = 0; i < x.length; i++) {
    m[i] = b1 * m[i]! + (1 - b1) * g[i]!;
    v[i] = b2 * v[i]! + (1 - b2) * g[i]! * g[i]!;
    x[i] = x[i]! * (1 - o.lr * wd) - (o.lr * (m[i]! / bc1)) / (Math.sqrt(v[i]! / bc2) + eps);
  }
}

/**
 * torch.optim.LBFGS without line search (fixed step lr, first step min(1, 1/‖g‖₁)·lr), in float64,
 * for `iterations` iterations of one step() call; grad(x) is the objective's gradient.
 */
export function refLbfgsFixedStep(x0: ArrayLike<number>, grad: (x: Float64Array) => Float64Array, o: { lr: number; historySize: number; iterations: number }): Float64Array {
  const x = Float64Array.from(x0);
  const dirs: Float64Array[] = [], stps: Float64Array[] = [], ro: number[] = [];
  let hDiag = 1;
  let g = grad(x);
  let d = g.map((v) => -v);
  let prev = g;
  let t = 0;
  for (let k = 1; k <= o.iterations; k++) {
    if (k > 1) {
      const y = g.map((v, i) => v - prev[i]!);
      const s = d.map((v) => v * t);
      const ys = refDot(y, s);
      if (ys > 1e-10) {
        if (dirs.length === o.historySize) { dirs.shift(); stps.shift(); ro.shift(); }
        dirs.push(y); stps.push(s); ro.push(1 / ys);
        hDiag = ys / refDot(y, y);
      }
      const q = g.map((v) => -v);
      const al: number[] = [];
      for (let i = dirs.length - 1; i >= 0; i--) {
        al[i] = refDot(stps[i]!, q) * ro[i]!;
        for (let j = 0; j < q.length; j++) q[j]! -= al[i]! * dirs[i]![j]!;
      }
      for (let j = 0; j < q.length; j++) q[j]! *= hDiag;
      for (let i = 0; i < dirs.length; i++) {
        const be = refDot(dirs[i]!, q) * ro[i]!;
        for (let j = 0; j < q.length; j++) q[j]! += (al[i]! - be) * stps[i]![j]!;
      }
      d = q;
    }
    prev = g;
    t = k === 1 ? Math.min(1, 1 / g.reduce((s, v) => s + Math.abs(v), 0)) * o.lr : o.lr;
    for (let j = 0; j < x.length; j++) x[j]! += t * d[j]!;
    g = grad(x);
  }
  return x;
}
