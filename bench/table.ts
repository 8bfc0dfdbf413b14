/** One line of the benchmark table; the JSON results are an array of these. */
export interface BenchRow {
  name: string;
  shape: string;
  /** Median ms of ours / TF.js WebGPU / TF.js WASM SIMD; null where not applicable (peak kernel). */
  oursMs: number;
  tfjsMs: number | null;
  wasmMs: number | null;
  /** tfjsMs / oursMs: above 1 means ours is faster. */
  speedup: number | null;
  /** Ours. */
  gflops: number;
  /** Ours as a percentage of the FMA peak kernel's best GFLOP/s. */
  peakPct: number;
  /** 'ok <err>' when ours matches both TF.js backends within 1e-3 relative, else 'MISMATCH ...'. */
  check: string;
}

const fmt = (x: number | null, digits: number): string => (x === null ? '-' : x.toFixed(digits));

/** A plain-text table with right-aligned numbers. */
export function formatTable(rows: BenchRow[]): string {
  const head = ['name', 'shape', 'ours ms', 'tfjs ms', 'speed-up', 'wasm ms', 'GFLOP/s', '% peak', 'check'];
  const body = rows.map((r) => [
    r.name,
    r.shape,
    fmt(r.oursMs, 2),
    fmt(r.tfjsMs, 2),
    r.speedup === null ? '-' : `${r.speedup.toFixed(2)}x`,
    fmt(r.wasmMs, 2),
    fmt(r.gflops, 2),
    fmt(r.peakPct, 1),
    r.check,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const left = new Set([0, 1, 8]);
  const line = (cells: string[]): string =>
    cells.map((c, i) => (left.has(i) ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}
