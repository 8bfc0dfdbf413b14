/**
 * The demo's Benchmark section: adapter info, size selector, Run, a live progress bar, bar charts
 * and a table as results arrive, and a Download JSON button. The suite itself (TF.js, face-api
 * and our engine: several MB) is loaded from ./bench/bench-browser.js only when a run starts.
 * `?bench=tiny|small|full[&only=kernels|tasks]` runs it on load and leaves the report in
 * `window.__benchReport` (or the failure in `window.__benchError`) for scripts/screenshots.mjs,
 * bench/run-bench.ts and the end-to-end test; the rest of the suite's options come from the
 * query too (`&run=kernels`, `&family=conv`, `&tfjs=webgpu,wasm`: see bench/runs.ts).
 */
import type * as BenchModule from '../bench/hosts/browser.js';
import type { BenchOnly, BenchReport, BenchResult, BenchSize } from '../bench/types.js';
import { applyBarWidths, flopsChartRow, LEGEND, tableHead, tableRow, timeChartRow } from './bench-view.js';

declare global {
  interface Window {
    __benchReport?: BenchReport;
    __benchText?: string;
    __benchError?: string;
  }
}

const kv = (label: string, value: string): string => `<tr><th>${label}</th><td>${value.replace(/</g, '&lt;') || '—'}</td></tr>`;

async function describeAdapter(): Promise<string> {
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  if (!gpu) throw new Error('This browser has no WebGPU (navigator.gpu is missing): try a recent Chrome, Edge or Safari.');
  const adapter = await gpu.requestAdapter();
  if (!adapter) throw new Error('WebGPU is there but gave no adapter (blocklisted GPU or disabled in settings).');
  const info = adapter.info ?? ({} as GPUAdapterInfo);
  const l = adapter.limits;
  return [
    kv('Vendor', info.vendor),
    kv('Architecture', info.architecture),
    kv('Device', info.device),
    kv('Description', info.description),
    kv('Max storage buffer', `${(l.maxStorageBufferBindingSize / 2 ** 20).toFixed(0)} MiB`),
    kv('Max workgroup storage', `${l.maxComputeWorkgroupStorageSize / 1024} KiB`),
    kv('Max invocations / workgroup', String(l.maxComputeInvocationsPerWorkgroup)),
  ].join('');
}

export function mountBenchmark(root: HTMLElement): void {
  const params = new URLSearchParams(location.search);
  const autorun = params.get('bench') as BenchSize | null;
  root.innerHTML = `
    <h3>Your adapter</h3>
    <p id="bench-status" aria-live="polite">Asking for WebGPU…</p>
    <table class="kv" id="bench-adapter"></table>
    <div class="controls">
      <label>Size <select id="bench-size">
        ${autorun === 'tiny' ? '<option value="tiny">tiny (smoke test)</option>' : ''}
        <option value="small">small — a few minutes on a laptop</option>
        <option value="full">full — every shape, more repeats</option>
      </select></label>
      <label>Run <select id="bench-only">
        <option value="all">kernels and tasks</option>
        <option value="kernels">kernels only</option>
        <option value="tasks">tasks only</option>
      </select></label>
      <button id="bench-run" disabled>Run benchmark</button>
      <button id="bench-download" class="secondary" disabled>Download JSON</button>
    </div>
    <div class="progress" id="bench-progress" hidden><progress max="1" value="0"></progress><span></span></div>
    <div id="bench-results" hidden>
      <p class="summary" id="bench-summary"></p>
      ${LEGEND}
      <div class="charts">
        <div><h3>Time per run, ms (shorter is better)</h3><div id="bench-time-chart"></div></div>
        <div><h3>GFLOP/s (bar: share of your adapter's FMA peak)</h3><div id="bench-flops-chart"></div></div>
      </div>
      <h3>Table</h3>
      <div class="table-scroll"><table id="bench-table"></table></div>
      <details><summary>How the figures were taken</summary><pre class="method" id="bench-method"></pre></details>
    </div>`;
  const $ = <T extends HTMLElement>(id: string) => root.querySelector(`#${id}`) as T;
  const status = $('bench-status');
  const runButton = $<HTMLButtonElement>('bench-run');
  const download = $<HTMLButtonElement>('bench-download');
  const sizeSelect = $<HTMLSelectElement>('bench-size');
  const onlySelect = $<HTMLSelectElement>('bench-only');
  if (autorun) sizeSelect.value = autorun;
  if (params.get('only')) onlySelect.value = params.get('only')!;
  let report: BenchReport | null = null;

  describeAdapter().then(
    (html) => {
      $('bench-adapter').innerHTML = html;
      status.textContent = 'WebGPU is ready. Results compare medians after warm-up runs; ratios (TF.js ms / ours ms) are the claims, not absolute times.';
      runButton.disabled = false;
      if (autorun) void run();
    },
    (e: Error) => {
      status.className = 'error';
      status.textContent = e.message;
      if (autorun) window.__benchError = e.message;
    },
  );

  async function run(): Promise<void> {
    runButton.disabled = true;
    download.disabled = true;
    const size = sizeSelect.value as BenchSize;
    const only = onlySelect.value as BenchOnly;
    const progress = $('bench-progress');
    const bar = progress.querySelector('progress')!;
    const label = progress.querySelector('span')!;
    progress.hidden = false;
    bar.removeAttribute('value'); // indeterminate while the suite loads
    label.textContent = 'Loading the benchmark (TF.js, face-api and the models)…';
    const results: BenchResult[] = [];
    const peak = { gflops: 0 };
    const render = (): void => {
      $('bench-results').hidden = false;
      const cases = results.filter((r) => r.group !== 'peak');
      $('bench-time-chart').innerHTML = cases.map(timeChartRow).join('');
      $('bench-flops-chart').innerHTML = cases.map((r) => flopsChartRow(r, peak.gflops)).join('') || '<p class="placeholder">Counted-flop cases come first…</p>';
      applyBarWidths($('bench-results'));
      const withWebgl = true;
      const withWasm = cases.some((r) => r.wasmMs !== null);
      $('bench-table').innerHTML = tableHead(withWebgl, withWasm) + '<tbody>' + cases.map((r) => tableRow(r, withWebgl, withWasm)).join('') + '</tbody>';
      const ratios = cases.map((r) => r.ratio).filter((r): r is number => r !== null);
      const geo = ratios.length ? Math.exp(ratios.reduce((a, r) => a + Math.log(r), 0) / ratios.length) : null;
      $('bench-summary').textContent = `FMA peak of this adapter: ${peak.gflops.toFixed(1)} GFLOP/s. ` +
        (geo !== null ? `${cases.length} cases so far; geometric mean of TF.js WebGPU ms / ours ms: ${geo.toFixed(2)}x.` : '');
    };
    try {
      const mod = (await import(new URL('./bench/bench-browser.js', document.baseURI).href)) as typeof BenchModule;
      const out = await mod.runBrowserBench({
        query: autorun ? location.search : '',
        size,
        only,
        onProgress: (p) => {
          bar.max = p.total;
          bar.value = p.done;
          label.textContent = p.done >= p.total ? 'Done.' : `${p.done + 1}/${p.total}: ${p.label}`;
        },
        onResult: (r) => {
          if (r.group === 'peak') peak.gflops = r.gflops ?? 0;
          results.push(r);
          render();
        },
        log: (line) => console.log(`[bench] ${line}`),
      });
      report = out.report;
      $('bench-method').textContent = [...report.environment, ...report.method, ...report.notes].join('\n');
      label.textContent = `Done in ${report.seconds} s.`;
      download.disabled = false;
      window.__benchText = out.text;
      window.__benchReport = report;
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      status.className = 'error';
      status.textContent = `The benchmark failed: ${message}`;
      label.textContent = 'Failed.';
      console.warn(e);
      window.__benchError = message;
    } finally {
      runButton.disabled = false;
    }
  }

  runButton.addEventListener('click', () => void run());
  download.addEventListener('click', () => {
    if (!report) return;
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([JSON.stringify(report, null, 2)], { type: 'application/json' }));
    a.download = `wgsl-vision-bench-${report.host}-${report.size}.json`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  });
}
