/** Float64 references for the optimiser and vector kernels (src/ops/optim.ts). */

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

export function refAdamStep(x: Float64Array, g: ArrayLike<number>, m: Float64Array, v: Float64Array, o: { lr: number; step: number; beta1?: number; beta2?: number; epsilon?: number; weightDecay?: number }): void {
  const b1 = o.beta1 ?? 0.9, b2 = o.beta2 ?? 0.999, eps = o.epsilon ?? 1e-8, wd = o.weightDecay ?? 0;
  const bc1 = 1 - b1 ** o.step, bc2 = 1 - b2 ** o.step;
  for (let i = 0; i < x.length; i++) {
    m[i] = b1 * m[i]! + (1 - b1) * g[i]!;
    v[i] = b2 * v[i]! + (1 - b2) * g[i]! * g[i]!;
    x[i] = x[i]! * (1 - o.lr * wd) - (o.lr * (m[i]! / bc1)) / (Math.sqrt(v[i]! / bc2) + eps);
  }
}

export function refDot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

export function refGlobalNorm(ts: readonly ArrayLike<number>[]): number {
  return Math.sqrt(ts.reduce((acc, t) => acc + refDot(t, t), 0));
}
