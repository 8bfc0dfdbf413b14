/** The report as plain text: how the figures were taken, then one table (task, ours, tfjs, ratio, GFLOP/s, % of peak). */
import type { BenchReport, BenchResult } from './types.js';

const num = (x: number | null, digits: number): string => (x === null ? '-' : x.toFixed(digits));
const ratio = (x: number | null): string => (x === null ? '-' : `${x.toFixed(2)}x`);

/** The table; the WebGL and WASM columns only where some case has them. */
export function formatTable(results: readonly BenchResult[]): string {
  const withWebgl = results.some((r) => r.webglMs !== null);
  const withWasm = results.some((r) => r.wasmMs !== null);
  const withStream = results.some((r) => r.streamMs != null);
  const withWasmStream = results.some((r) => r.wasmStreamMs != null);
  const head = ['task', 'shape', 'vs', 'ours ms', 'tfjs ms', 'ratio', ...(withWebgl ? ['webgl ms', 'ratio'] : []), ...(withWasm ? ['wasm ms', 'ratio'] : []), 'GFLOP/s', '% peak',
    ...(withStream ? ['stream ms', ...(withWasmStream ? ['wasm stream ms'] : []), '% peak stream'] : []), 'check'];
  const body = results.map((r) => [
    r.name,
    r.shape,
    r.theirs,
    num(r.oursMs, 2),
    num(r.tfjsMs, 2),
    ratio(r.ratio),
    ...(withWebgl ? [num(r.webglMs, 2), ratio(r.webglRatio)] : []),
    ...(withWasm ? [num(r.wasmMs, 2), ratio(r.wasmRatio)] : []),
    num(r.gflops, 2),
    num(r.peakPct, 1),
    ...(withStream ? [num(r.streamMs ?? null, 2), ...(withWasmStream ? [num(r.wasmStreamMs ?? null, 2)] : []), num(r.streamPeakPct ?? null, 1)] : []),
    r.check + (r.errors ? ` (${r.errors.join('; ')})` : ''),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const left = new Set([0, 1, 2, head.length - 1]);
  const line = (cells: string[]): string => cells.map((c, i) => (left.has(i) ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

/** Environment, method, table, profiles and notes, ready to print. */
export function formatReport(report: BenchReport): string {
  const profiles = report.results.filter((r) => r.profileMs).map((r) => `${r.name}, where our time goes (each phase synced): ${Object.entries(r.profileMs!).map(([k, v]) => `${k} ${v} ms`).join(', ')}`);
  return [
    `${report.name} on host ${report.host}`,
    ...report.environment,
    ...report.method,
    `FMA peak: ${report.peakGflops} GFLOP/s`,
    '',
    formatTable(report.results.filter((r) => r.group !== 'peak')),
    '',
    ...profiles,
    ...report.notes,
  ].join('\n');
}

/** An adapter as one line: vendor / architecture / device / description, those it gives. */
export const adapterLine = (a: { vendor?: string; architecture?: string; device?: string; description?: string }): string =>
  [a.vendor, a.architecture, a.device, a.description].filter(Boolean).join(' / ') || 'unknown';
