/** Reference pooling over channels-last data with explicit pads and output size. */
export function refPool(
  x: Float32Array,
  o: { inShape: number[]; kernel: number[]; strides: number[]; dilations: number[]; padBegin: number[]; padEnd: number[]; outSpatial: number[]; kind: 'max' | 'avg'; countIncludePad: boolean },
): Float32Array {
  const rank = o.kernel.length;
  const n = o.inShape[0]!;
  const C = o.inShape[rank + 1]!;
  const spatial = o.inShape.slice(1, 1 + rank);
  const outCount = o.outSpatial.reduce((a, b) => a * b, 1);
  const inCount = spatial.reduce((a, b) => a * b, 1);
  const kCount = o.kernel.reduce((a, b) => a * b, 1);
  const y = new Float32Array(n * outCount * C);
  for (let b = 0; b < n; b++) {
    for (let oi = 0; oi < outCount; oi++) {
      const oc: number[] = [];
      let r = oi;
      for (let d = rank - 1; d >= 0; d--) { oc[d] = r % o.outSpatial[d]!; r = Math.floor(r / o.outSpatial[d]!); }
      for (let c = 0; c < C; c++) {
        let acc = o.kind === 'max' ? -Infinity : 0;
        let inside = 0;
        let padded = 0;
        for (let k = 0; k < kCount; k++) {
          const kc: number[] = [];
          let rk = k;
          for (let d = rank - 1; d >= 0; d--) { kc[d] = rk % o.kernel[d]!; rk = Math.floor(rk / o.kernel[d]!); }
          let idx = 0;
          let ok = true;
          let inPad = true;
          for (let d = 0; d < rank; d++) {
            const pos = oc[d]! * o.strides[d]! - o.padBegin[d]! + kc[d]! * o.dilations[d]!;
            if (pos < -o.padBegin[d]! || pos >= spatial[d]! + o.padEnd[d]!) inPad = false;
            if (pos < 0 || pos >= spatial[d]!) ok = false;
            idx = idx * spatial[d]! + pos;
          }
          if (inPad) padded++;
          if (!ok) continue;
          const v = x[(b * inCount + idx) * C + c]!;
          acc = o.kind === 'max' ? Math.max(acc, v) : acc + v;
          inside++;
        }
        if (o.kind === 'avg') acc /= Math.max(1, o.countIncludePad ? padded : inside);
        y[(b * outCount + oi) * C + c] = acc;
      }
    }
  }
  return y;
}
