/** The report as plain text: how the figures were taken, then one table (task, ours, tfjs, ratio, GFLOP/s, % of peak). */
import type { BenchReport, BenchResult } from './types.js';

const num = (x: number | null, digits: number): string => (x === null ? '-' : x.toFixed(digits));
const ratio = (x: number | null): string => (x === null ? '-' : `${x.toFixed(2)}x`);

export function formatTable(results: readonly BenchResult[], withWebgl: boolean): string {
  const head = ['task', 'shape', 'vs', 'ours ms', 'tfjs ms', 'ratio', ...(withWebgl ? ['webgl ms', 'ratio'] : []), 'GFLOP/s', '% peak', 'check'];
  const body = results.map((r) => [
    r.name,
    r.shape,
    r.theirs,
    num(r.oursMs, 2),
    num(r.tfjsMs, 2),
    ratio(r.ratio),
    ...(withWebgl ? [num(r.webglMs, 2), ratio(r.webglRatio)] : []),
    num(r.gflops, 2),
    num(r.peakPct, 1),
    r.check + (r.errors ? ` (${r.errors.join('; ')})` : ''),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const left = new Set([0, 1, 2, head.length - 1]);
  const line = (cells: string[]): string => cells.map((c, i) => (left.has(i) ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

/** Environment, method, table and notes, ready to print. */
export function formatReport(report: BenchReport): string {
  const withWebgl = report.results.some((r) => r.webglMs !== null);
  return [
    `host: ${report.host}`,
    ...report.environment,
    ...report.method,
    `FMA peak: ${report.peakGflops} GFLOP/s`,
    '',
    formatTable(report.results.filter((r) => r.group !== 'peak'), withWebgl),
    '',
    ...report.notes,
  ].join('\n');
}
