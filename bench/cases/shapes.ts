/** The kernel cases' shapes: the dlib face ResNet's convolutions and square matmuls. */

export interface ConvCase {
  kind: 'conv';
  name: string;
  /** Input [1, H, W, C] (NHWC). */
  input: [number, number, number, number];
  /** Filter [kH, kW, C, OC]. */
  filter: [number, number, number, number];
  stride: number;
}

export interface MatmulCase {
  kind: 'matmul';
  name: string;
  m: number;
  n: number;
  k: number;
}

export type KernelShape = ConvCase | MatmulCase;

function conv(name: string, hw: number, c: number, k: number, oc: number, stride: number): ConvCase {
  return { kind: 'conv', name, input: [1, hw, hw, c], filter: [k, k, c, oc], stride };
}

function matmul(n: number): MatmulCase {
  return { kind: 'matmul', name: `matmul ${n}`, m: n, n, k: n };
}

/** Face ResNet (150x150 input): the 7x7/2 stem, then (after a 3x3/2 max pool) its 3x3 convs. */
export const convCases: ConvCase[] = [
  conv('conv 7x7/2 stem', 150, 3, 7, 32, 2),
  conv('conv 3x3 32', 37, 32, 3, 32, 1),
  conv('conv 3x3/2 32>64', 37, 32, 3, 64, 2),
  conv('conv 3x3 64', 19, 64, 3, 64, 1),
  conv('conv 3x3/2 64>128', 19, 64, 3, 128, 2),
  conv('conv 3x3 128', 10, 128, 3, 128, 1),
  conv('conv 3x3/2 128>256', 10, 128, 3, 256, 2),
  conv('conv 3x3 256', 5, 256, 3, 256, 1),
];

export const matmulCases: MatmulCase[] = [matmul(256), matmul(512), matmul(1024)];

/** TensorFlow 'same' padding: out = ceil(in / stride). */
export function convOutput(c: ConvCase): [number, number, number, number] {
  const [n, h, w] = c.input;
  return [n, Math.ceil(h / c.stride), Math.ceil(w / c.stride), c.filter[3]];
}

export function flopsOf(c: KernelShape): number {
  if (c.kind === 'matmul') return 2 * c.m * c.n * c.k;
  const [, oh, ow, oc] = convOutput(c);
  const [kh, kw, ch] = c.filter;
  return 2 * oh * ow * oc * kh * kw * ch;
}

export function shapeOf(c: KernelShape): string {
  if (c.kind === 'matmul') return `${c.m}x${c.k} · ${c.k}x${c.n}`;
  const [, h, w, ch] = c.input;
  const [kh, kw, , oc] = c.filter;
  const [, oh, ow] = convOutput(c);
  return `${h}x${w}x${ch} ${kh}x${kw}/${c.stride} > ${oh}x${ow}x${oc}`;
}
