/**
 * A float64 interpreter of tfjs graph-model JSON (TensorFlow semantics, NHWC), written from
 * TensorFlow's op definitions and independent of src/nn/graph: the reference for the graph
 * loader's forward pass and, through finite differences, for its gradients.
 */
export interface RefTensor {
  shape: number[];
  data: Float64Array;
}

type Attr = { s?: string; i?: string | number; f?: number; b?: boolean; list?: { i?: (string | number)[]; s?: string[] } };
type Node = { name: string; op: string; input?: string[]; attr?: Record<string, Attr> };

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
const txt = (s?: string) => (s ? atob(s) : '');

function act(name: string, v: number, alpha = 0.2): number {
  switch (name) {
    case 'Relu': return Math.max(v, 0);
    case 'Relu6': return Math.min(Math.max(v, 0), 6);
    case 'Sigmoid': return 1 / (1 + Math.exp(-v));
    case 'Tanh': return Math.tanh(v);
    case 'LeakyRelu': return v >= 0 ? v : alpha * v;
    default: throw new Error(`ref: no activation ${name}`);
  }
}

function broadcast(a: RefTensor, b: RefTensor, f: (x: number, y: number) => number): RefTensor {
  const rank = Math.max(a.shape.length, b.shape.length);
  const pa = [...Array(rank - a.shape.length).fill(1), ...a.shape];
  const pb = [...Array(rank - b.shape.length).fill(1), ...b.shape];
  const shape = pa.map((d, i) => Math.max(d, pb[i]!));
  const out = new Float64Array(size(shape));
  const coord = Array(rank).fill(0);
  for (let i = 0; i < out.length; i++) {
    let r = i;
    for (let d = rank - 1; d >= 0; d--) { coord[d] = r % shape[d]!; r = Math.floor(r / shape[d]!); }
    let ia = 0;
    let ib = 0;
    for (let d = 0; d < rank; d++) {
      ia = ia * pa[d]! + (pa[d] === 1 ? 0 : coord[d]);
      ib = ib * pb[d]! + (pb[d] === 1 ? 0 : coord[d]);
    }
    out[i] = f(a.data[ia]!, b.data[ib]!);
  }
  return { shape, data: out };
}

/** TF padding for one spatial axis: [before, after, out]. */
function pad1(n: Node, axis: number, inSize: number, k: number, stride: number, dil: number): [number, number, number] {
  const p = txt(n.attr?.padding?.s);
  const extent = (k - 1) * dil + 1;
  if (p === 'SAME') {
    const out = Math.ceil(inSize / stride);
    const total = Math.max(0, (out - 1) * stride + extent - inSize);
    return [Math.floor(total / 2), total - Math.floor(total / 2), out];
  }
  if (p === 'EXPLICIT') {
    const e = (n.attr!.explicit_paddings!.list!.i ?? []).map(Number);
    const [b, a] = [e[2 + 2 * axis]!, e[3 + 2 * axis]!];
    return [b, a, Math.floor((inSize + b + a - extent) / stride) + 1];
  }
  return [0, 0, Math.floor((inSize - extent) / stride) + 1];
}

function listAttr(n: Node, key: string): number[] {
  const v = (n.attr?.[key]?.list?.i ?? []).map(Number);
  return v.length ? v : [1, 1, 1, 1];
}

/** Conv2D (depthwise = false, w [kh, kw, C, OC]) or depthwise (w [kh, kw, C, M], out c·M + m). */
function conv2d(n: Node, x: RefTensor, w: RefTensor, depthwise: boolean): RefTensor {
  const [N, H, W, C] = x.shape as [number, number, number, number];
  const [kh, kw, wc, m] = w.shape as [number, number, number, number];
  const [, sh, sw] = listAttr(n, 'strides');
  const [, dh, dw] = listAttr(n, 'dilations');
  const [pt, , oh] = pad1(n, 0, H, kh, sh!, dh!);
  const [pl, , ow] = pad1(n, 1, W, kw, sw!, dw!);
  const OC = depthwise ? C * m : m;
  if (wc !== C) throw new Error(`ref ${n.name}: filter channels ${wc} vs input ${C}`);
  const out = new Float64Array(N * oh * ow * OC);
  for (let b = 0; b < N; b++) for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++) for (let oc = 0; oc < OC; oc++) {
    let s = 0;
    for (let ky = 0; ky < kh; ky++) {
      const iy = oy * sh! - pt + ky * dh!;
      if (iy < 0 || iy >= H) continue;
      for (let kx = 0; kx < kw; kx++) {
        const ix = ox * sw! - pl + kx * dw!;
        if (ix < 0 || ix >= W) continue;
        const xb = ((b * H + iy) * W + ix) * C;
        if (depthwise) {
          const c = Math.floor(oc / m);
          s += x.data[xb + c]! * w.data[((ky * kw + kx) * C + c) * m + (oc % m)]!;
        } else {
          for (let c = 0; c < C; c++) s += x.data[xb + c]! * w.data[((ky * kw + kx) * C + c) * OC + oc]!;
        }
      }
    }
    out[((b * oh + oy) * ow + ox) * OC + oc] = s;
  }
  return { shape: [N, oh, ow, OC], data: out };
}

function pool(n: Node, x: RefTensor, max: boolean): RefTensor {
  const [N, H, W, C] = x.shape as [number, number, number, number];
  const [, kh, kw] = listAttr(n, 'ksize');
  const [, sh, sw] = listAttr(n, 'strides');
  const [pt, , oh] = pad1(n, 0, H, kh!, sh!, 1);
  const [pl, , ow] = pad1(n, 1, W, kw!, sw!, 1);
  const out = new Float64Array(N * oh * ow * C);
  for (let b = 0; b < N; b++) for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++) for (let c = 0; c < C; c++) {
    let acc = max ? -Infinity : 0;
    let count = 0;
    for (let ky = 0; ky < kh!; ky++) for (let kx = 0; kx < kw!; kx++) {
      const iy = oy * sh! - pt + ky;
      const ix = ox * sw! - pl + kx;
      if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
      const v = x.data[((b * H + iy) * W + ix) * C + c]!;
      acc = max ? Math.max(acc, v) : acc + v;
      count++;
    }
    out[((b * oh + oy) * ow + ox) * C + c] = max ? acc : acc / count;
  }
  return { shape: [N, oh, ow, C], data: out };
}

function mean(x: RefTensor, axesIn: number[], keep: boolean): RefTensor {
  const rank = x.shape.length;
  const axes = new Set(axesIn.map((a) => (a < 0 ? a + rank : a)));
  const kept = x.shape.map((d, i) => (axes.has(i) ? 1 : d));
  const out = new Float64Array(size(kept));
  const count = size(x.shape) / out.length;
  const coord = Array(rank).fill(0);
  for (let i = 0; i < x.data.length; i++) {
    let r = i;
    for (let d = rank - 1; d >= 0; d--) { coord[d] = r % x.shape[d]!; r = Math.floor(r / x.shape[d]!); }
    let o = 0;
    for (let d = 0; d < rank; d++) o = o * kept[d]! + (axes.has(d) ? 0 : coord[d]);
    out[o] = out[o]! + x.data[i]! / count;
  }
  return { shape: keep ? kept : kept.filter((_, i) => !axes.has(i)), data: out };
}

/**
 * Evaluates `outputs` of a graph model given its consts (by node name) and feeds, in float64.
 */
export function refRunTfjsGraph(model: { modelTopology: { node: Node[] } }, consts: Record<string, RefTensor>, feeds: Record<string, RefTensor>, outputs: string[]): Record<string, RefTensor> {
  const nodes = new Map(model.modelTopology.node.map((n) => [n.name, n]));
  const memo = new Map<string, RefTensor>();
  const evaluate = (name: string): RefTensor => {
    const hit = memo.get(name);
    if (hit) return hit;
    const n = nodes.get(name);
    if (!n) throw new Error(`ref: no node ${name}`);
    const ins = (n.input ?? []).filter((i) => !i.startsWith('^')).map((i) => i.replace(/:\d+$/, ''));
    const arg = (k: number) => evaluate(ins[k]!);
    let y: RefTensor;
    switch (n.op) {
      case 'Placeholder': y = feeds[name]!; break;
      case 'Const': y = consts[name]!; break;
      case 'Identity': y = arg(0); break;
      case 'Conv2D': y = conv2d(n, arg(0), arg(1), false); break;
      case 'DepthwiseConv2dNative': y = conv2d(n, arg(0), arg(1), true); break;
      case '_FusedConv2D':
      case 'FusedDepthwiseConv2dNative': {
        const ops = (n.attr?.fused_ops?.list?.s ?? []).map(txt);
        y = conv2d(n, arg(0), arg(1), n.op !== '_FusedConv2D');
        let k = 0;
        if (ops[0] === 'BiasAdd') {
          y = broadcast(y, arg(2), (p, q) => p + q);
          k = 1;
        } else if (ops[0] === 'FusedBatchNorm') {
          const [sc, off, mu, v] = [arg(2), arg(3), arg(4), arg(5)];
          const eps = n.attr?.epsilon?.f ?? 1e-3;
          const C = y.shape[3]!;
          y = { shape: y.shape, data: y.data.map((val, i) => { const c = i % C; return (val - mu.data[c]!) * sc.data[c]! / Math.sqrt(v.data[c]! + eps) + off.data[c]!; }) };
          k = 1;
        }
        if (ops[k]) { const f = ops[k]!; y = { shape: y.shape, data: y.data.map((v) => act(f, v)) }; }
        break;
      }
      case 'BiasAdd': case 'Add': case 'AddV2': y = broadcast(arg(0), arg(1), (p, q) => p + q); break;
      case 'Sub': y = broadcast(arg(0), arg(1), (p, q) => p - q); break;
      case 'Mul': y = broadcast(arg(0), arg(1), (p, q) => p * q); break;
      case 'Relu': case 'Relu6': case 'Sigmoid': case 'Tanh': case 'LeakyRelu': {
        const x = arg(0);
        y = { shape: x.shape, data: x.data.map((v) => act(n.op, v, n.attr?.alpha?.f ?? 0.2)) };
        break;
      }
      case 'Mean': y = mean(arg(0), Array.from(arg(1).data), n.attr?.keep_dims?.b ?? false); break;
      case 'Sum': {
        const x = arg(0);
        const m = mean(x, Array.from(arg(1).data), n.attr?.keep_dims?.b ?? false);
        const count = x.data.length / m.data.length;
        y = { shape: m.shape, data: m.data.map((v) => v * count) };
        break;
      }
      case 'Maximum': y = broadcast(arg(0), arg(1), Math.max); break;
      case 'Minimum': y = broadcast(arg(0), arg(1), Math.min); break;
      case 'Abs': { const x = arg(0); y = { shape: x.shape, data: x.data.map(Math.abs) }; break; }
      case 'Square': { const x = arg(0); y = { shape: x.shape, data: x.data.map((v) => v * v) }; break; }
      case 'Rsqrt': { const x = arg(0); y = { shape: x.shape, data: x.data.map((v) => 1 / Math.sqrt(v)) }; break; }
      case 'Squeeze': {
        const x = arg(0);
        const dims = (n.attr?.squeeze_dims?.list?.i ?? []).map(Number);
        y = { shape: x.shape.filter((d, i) => (dims.length ? !dims.includes(i) : d !== 1)), data: x.data };
        break;
      }
      case 'Softmax': {
        const x = arg(0);
        const C = x.shape[x.shape.length - 1]!;
        const out = new Float64Array(x.data.length);
        for (let r = 0; r < x.data.length; r += C) {
          const row = x.data.subarray(r, r + C);
          const top = Math.max(...row);
          const e = Array.from(row, (v) => Math.exp(v - top));
          const total = e.reduce((a, b) => a + b, 0);
          e.forEach((v, i) => { out[r + i] = v / total; });
        }
        y = { shape: x.shape, data: out };
        break;
      }
      case 'Pad': {
        const x = arg(0);
        const p = Array.from(arg(1).data);
        const [N, H, W, C] = x.shape as [number, number, number, number];
        const [oh, ow] = [H + p[2]! + p[3]!, W + p[4]! + p[5]!];
        const out = new Float64Array(N * oh * ow * C);
        for (let b = 0; b < N; b++) for (let i = 0; i < H; i++) for (let j = 0; j < W; j++) for (let c = 0; c < C; c++) {
          out[((b * oh + i + p[2]!) * ow + j + p[4]!) * C + c] = x.data[((b * H + i) * W + j) * C + c]!;
        }
        y = { shape: [N, oh, ow, C], data: out };
        break;
      }
      case 'MaxPool': y = pool(n, arg(0), true); break;
      case 'AvgPool': y = pool(n, arg(0), false); break;
      case 'Reshape': {
        const x = arg(0);
        const s = Array.from(arg(1).data);
        const known = s.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
        y = { shape: s.map((d) => (d === -1 ? x.data.length / known : d)), data: x.data };
        break;
      }
      case 'MatMul':
      case '_FusedMatMul': {
        const [a, b] = [arg(0), arg(1)];
        const [M, K] = a.shape as [number, number];
        const N = b.shape[1]!;
        const out = new Float64Array(M * N);
        for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) { let s = 0; for (let k = 0; k < K; k++) s += a.data[i * K + k]! * b.data[k * N + j]!; out[i * N + j] = s; }
        y = { shape: [M, N], data: out };
        const ops = (n.attr?.fused_ops?.list?.s ?? []).map(txt);
        if (ops[0] === 'BiasAdd') y = broadcast(y, arg(2), (p, q) => p + q);
        if (ops[1]) { const f = ops[1]; y = { shape: y.shape, data: y.data.map((v) => act(f, v)) }; }
        break;
      }
      default: throw new Error(`ref: op ${n.op} not in the reference`);
    }
    memo.set(name, y);
    return y;
  };
  return Object.fromEntries(outputs.map((o) => [o, evaluate(o)]));
}
