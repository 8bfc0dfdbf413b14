/** Reference activations, identical in meaning to the kernels' ACTIVATION/OP codes. */
export function refActivation(name: string, v: number, alpha = 0.01, beta = 0): number {
  switch (name) {
    case 'none': return v;
    case 'relu': return Math.max(v, 0);
    case 'relu6': return Math.min(Math.max(v, 0), 6);
    case 'leakyRelu': return v >= 0 ? v : v * alpha;
    case 'sigmoid': return 1 / (1 + Math.exp(-v));
    case 'tanh': return Math.tanh(v);
    case 'hardSwish': return (v * Math.min(Math.max(v + 3, 0), 6)) / 6;
    case 'affine': return alpha * v + beta;
    default: throw new Error(`no reference for ${name}`);
  }
}

export function refBinary(op: string, a: number, b: number): number {
  switch (op) {
    case 'add': return a + b;
    case 'sub': return a - b;
    case 'mul': return a * b;
    case 'div': return a / b;
    case 'max': return Math.max(a, b);
    case 'min': return Math.min(a, b);
    case 'prelu': return a >= 0 ? a : a * b;
    default: throw new Error(`no reference for ${op}`);
  }
}

/** Broadcast binary op by explicit index arithmetic over the output shape. */
export function refBroadcast(op: string, a: Float32Array, aShape: number[], b: Float32Array, bShape: number[]): { data: Float32Array; shape: number[] } {
  const rank = Math.max(aShape.length, bShape.length);
  const pa = [...Array(rank - aShape.length).fill(1), ...aShape];
  const pb = [...Array(rank - bShape.length).fill(1), ...bShape];
  const shape = pa.map((d, i) => Math.max(d, pb[i]!));
  const size = shape.reduce((x, y) => x * y, 1);
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    let r = i;
    const coord: number[] = [];
    for (let d = rank - 1; d >= 0; d--) { coord[d] = r % shape[d]!; r = Math.floor(r / shape[d]!); }
    let ia = 0;
    let ib = 0;
    for (let d = 0; d < rank; d++) {
      ia = ia * pa[d]! + (pa[d] === 1 ? 0 : coord[d]!);
      ib = ib * pb[d]! + (pb[d] === 1 ? 0 : coord[d]!);
    }
    out[i] = refBinary(op, a[ia]!, b[ib]!);
  }
  return { data: out, shape };
}
