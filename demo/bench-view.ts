/**
 * How benchmark results look on the page: bar charts (ms; GFLOP/s against the FMA peak) and a table. Plain DOM, no chart library.
 * The markup carries no style attributes (a strict Content-Security-Policy refuses them): bar
 * widths travel as data-width and `applyBarWidths` sets them through the CSSOM.
 */
import type { BenchResult } from '../bench/types.js';

const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const ms = (x: number | null): string => (x === null ? '–' : x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : x.toFixed(0));
const num = (x: number | null, d: number): string => (x === null ? '–' : x.toFixed(d));

function ratioCell(r: number | null): string {
  if (r === null) return '<td class="num">–</td>';
  const cls = r >= 1.05 ? 'faster' : r <= 0.95 ? 'slower' : '';
  return `<td class="num ${cls}">${r.toFixed(2)}x</td>`;
}

export const LEGEND = `<div class="legend"><span><i class="ours"></i>wgsl-vision</span><span><i class="tfjs"></i>TF.js WebGPU</span><span><i class="webgl"></i>TF.js WebGL</span></div>`;

/** Sets the width of every bar under `root` from its data-width (percent). */
export function applyBarWidths(root: ParentNode): void {
  for (const bar of root.querySelectorAll<HTMLElement>('.bar[data-width]')) bar.style.setProperty('width', `${bar.dataset.width}%`);
}

function bar(kind: string, value: number | null, scale: number, label: string): string {
  if (value === null) return '';
  const width = Math.max(0.5, Math.min(100, (value / scale) * 100));
  return `<div class="bar ${kind}" data-width="${width.toFixed(1)}" title="${esc(label)}"><span class="bar-value">${esc(label)}</span></div>`;
}

function rowLabel(r: BenchResult): string {
  return `<div class="label">${esc(r.name)}<small>${esc(r.shape)}</small></div>`;
}

/** One row of the time chart: bars scaled to the slowest side of this case (shorter is better). */
export function timeChartRow(r: BenchResult): string {
  const max = Math.max(r.oursMs ?? 0, r.tfjsMs ?? 0, r.webglMs ?? 0) || 1;
  return `<div class="chart-row">${rowLabel(r)}<div class="bars-wrap"><div class="bars">` +
    bar('ours', r.oursMs, max, `${ms(r.oursMs)} ms`) +
    bar('tfjs', r.tfjsMs, max, `${ms(r.tfjsMs)} ms`) +
    bar('webgl', r.webglMs, max, `${ms(r.webglMs)} ms`) +
    `</div></div></div>`;
}

/** One row of the throughput chart: GFLOP/s with bars scaled to the adapter's FMA peak. */
export function flopsChartRow(r: BenchResult, peak: number): string {
  if (r.gflops === null) return '';
  const webgl = r.webglMs && r.gflops && r.oursMs ? (r.gflops * r.oursMs) / r.webglMs : null;
  const pct = (g: number | null) => (g === null ? '' : ` (${((g / peak) * 100).toFixed(0)}%)`);
  return `<div class="chart-row">${rowLabel(r)}<div class="bars-wrap"><div class="bars">` +
    bar('ours', r.gflops, peak, `${num(r.gflops, 2)}${pct(r.gflops)}`) +
    bar('tfjs', r.tfjsGflops, peak, `${num(r.tfjsGflops, 2)}${pct(r.tfjsGflops)}`) +
    bar('webgl', webgl, peak, `${num(webgl, 2)}${pct(webgl)}`) +
    `</div></div></div>`;
}

export function tableHead(withWebgl: boolean, withWasm = false): string {
  return `<thead><tr><th>Task</th><th>Shape</th><th>vs</th><th class="num">ours ms</th><th class="num">TF.js WebGPU ms</th><th class="num">ratio</th>` +
    (withWebgl ? `<th class="num">TF.js WebGL ms</th><th class="num">ratio</th>` : '') +
    (withWasm ? `<th class="num">TF.js WASM ms</th><th class="num">ratio</th>` : '') +
    `<th class="num">GFLOP/s</th><th class="num">% of peak</th><th>check</th></tr></thead>`;
}

export function tableRow(r: BenchResult, withWebgl: boolean, withWasm = false): string {
  const check = r.check + (r.errors ? ` — ${r.errors.join('; ')}` : '');
  return `<tr data-group="${r.group}"><td>${esc(r.name)}</td><td>${esc(r.shape)}</td><td>${esc(r.theirs)}</td>` +
    `<td class="num">${ms(r.oursMs)}</td><td class="num">${ms(r.tfjsMs)}</td>${ratioCell(r.ratio)}` +
    (withWebgl ? `<td class="num">${ms(r.webglMs)}</td>${ratioCell(r.webglRatio)}` : '') +
    (withWasm ? `<td class="num">${ms(r.wasmMs)}</td>${ratioCell(r.wasmRatio)}` : '') +
    `<td class="num">${num(r.gflops, 2)}</td><td class="num">${num(r.peakPct, 1)}</td><td>${esc(check)}</td></tr>`;
}
