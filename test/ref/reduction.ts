/** Float64 references for the whole-tensor reductions (src/ops/reduction.ts). */

export function refDot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

export function refGlobalNorm(ts: readonly ArrayLike<number>[]): number {
  return Math.sqrt(ts.reduce((acc, t) => acc + refDot(t, t), 0));
}

export function refSumAbs(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i]!);
  return s;
}

export function refMaxAbs(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s = Math.max(s, Math.abs(a[i]!));
  return s;
}
