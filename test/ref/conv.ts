/** Plain-loop reference convolution over channels-last data, 1 to 3 spatial dimensions. */
export interface RefConvParams {
  inShape: number[]; // [N, ...spatial, C]
  kernel: number[]; // spatial kernel sizes
  outC: number;
  groups: number;
  strides: number[];
  dilations: number[];
  padBegin: number[];
  padEnd: number[];
}

export function refConvOutSpatial(p: RefConvParams): number[] {
  const spatial = p.inShape.slice(1, -1);
  return spatial.map((s, i) => Math.floor((s + p.padBegin[i]! + p.padEnd[i]! - ((p.kernel[i]! - 1) * p.dilations[i]! + 1)) / p.strides[i]!) + 1);
}

/** x [N, ...spatial, C], w [...kernel, C/groups, OC] → [N, ...outSpatial, OC] (before bias/activation). */
export function refConv(x: Float32Array, w: Float32Array, p: RefConvParams): { data: Float32Array; shape: number[] } {
  const rank = p.kernel.length;
  const n = p.inShape[0]!;
  const inC = p.inShape[rank + 1]!;
  const spatial = p.inShape.slice(1, 1 + rank);
  const out = refConvOutSpatial(p);
  const cinG = inC / p.groups;
  const coutG = p.outC / p.groups;
  const outCount = out.reduce((a, b) => a * b, 1);
  const kCount = p.kernel.reduce((a, b) => a * b, 1);
  const y = new Float32Array(n * outCount * p.outC);
  const oc = new Array(rank).fill(0);
  const kc = new Array(rank).fill(0);
  for (let b = 0; b < n; b++) {
    for (let o = 0; o < outCount; o++) {
      let r = o;
      for (let d = rank - 1; d >= 0; d--) { oc[d] = r % out[d]!; r = Math.floor(r / out[d]!); }
      for (let co = 0; co < p.outC; co++) {
        const g = Math.floor(co / coutG);
        let sum = 0;
        for (let k = 0; k < kCount; k++) {
          let rk = k;
          for (let d = rank - 1; d >= 0; d--) { kc[d] = rk % p.kernel[d]!; rk = Math.floor(rk / p.kernel[d]!); }
          let inIndex = 0;
          let inside = true;
          for (let d = 0; d < rank; d++) {
            const pos = oc[d] * p.strides[d]! - p.padBegin[d]! + kc[d] * p.dilations[d]!;
            if (pos < 0 || pos >= spatial[d]!) { inside = false; break; }
            inIndex = inIndex * spatial[d]! + pos;
          }
          if (!inside) continue;
          for (let ci = 0; ci < cinG; ci++) {
            sum += x[(b * spatial.reduce((a2, c2) => a2 * c2, 1) + inIndex) * inC + g * cinG + ci]! * w[(k * cinG + ci) * p.outC + co]!;
          }
        }
        y[(b * outCount + o) * p.outC + co] = sum;
      }
    }
  }
  return { data: y, shape: [n, ...out, p.outC] };
}
