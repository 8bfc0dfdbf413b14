import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { decodeImage, encodePNG } from '../../src/host/node-image.js';
import type { Browser } from 'puppeteer-core';
// @ts-expect-error plain ESM module without types
import { serveStatic } from '../../scripts/static-server.mjs';
// @ts-expect-error plain ESM module without types
import { BENCH_WASM_PROBE, demoMounts, STRICT_CSP } from '../../scripts/demo-site.mjs';
import { assert, assertEqual } from '../util/assert.js';
import { launchChromium, openPage, openWatched } from './browser.js';

describe('demo page (headless Chromium)', () => {
  let browser: Browser;
  let server: { close(): void };
  let url: string;

  before(async () => {
    // Served as a locked-down site would serve it (embed.e2e.ts holds the components to that).
    ({ server, url } = await serveStatic(demoMounts, 0, { 'content-security-policy': STRICT_CSP }));
    browser = await launchChromium();
    // Two photos of one person (ORL s1) as PNG uploads, as they are: faces that fill the frame,
    // which <wv-face-verify> finds without being told about borders.
    mkdirSync('build/screenshots', { recursive: true });
    for (const n of [1, 2]) writeFileSync(`build/screenshots/s1_${n}.png`, encodePNG(decodeImage(readFileSync(`../shared/data/orl-faces/s1/${n}.pgm`))));
  });
  after(async () => {
    await browser?.close();
    server?.close();
  });

  it('shows every section and runs the benchmark at the tiny size under the strict CSP: ours and TF.js rows, bars drawn, no console errors', async () => {
    const { page, watch } = await openWatched(browser, `${url}?bench=tiny`);
    const errors = watch.errors;
    for (const id of ['faces', 'style', 'training', 'learns', 'benchmark']) {
      const heading = await page.$eval(`#${id} h2`, (h) => h.textContent ?? '').catch(() => '');
      assert(heading.length > 0, `section #${id} with a heading`);
    }
    await page.waitForFunction(() => document.querySelector('wv-face-verify')?.shadowRoot?.querySelector('[part~=dropzone]'), { timeout: 60_000 });
    // <wv-style-transfer> shows the example pictures the page gives it; the training section is mounted.
    await page.waitForFunction(() => document.querySelector('wv-style-transfer')?.shadowRoot?.querySelectorAll('[part~=example]').length === 3, { timeout: 60_000 });
    const trainingState = await page.$eval('[data-training]', (el) => (el as HTMLElement).dataset.state ?? '');
    assert(trainingState === 'idle', `training section mounted and idle: '${trainingState}'`);
    const state = await page.waitForFunction(
      () => (window as unknown as { __benchReport?: unknown; __benchError?: string }).__benchError ?? (window as unknown as { __benchReport?: unknown }).__benchReport ?? null,
      { timeout: 120_000, polling: 1000 },
    );
    const outcome = await state.jsonValue();
    assert(typeof outcome === 'object', `the benchmark failed: ${String(outcome)}`);
    const adapter = await page.$eval('#bench-adapter', (t) => t.textContent ?? '');
    assert(/Max storage buffer/.test(adapter), `adapter table is filled: ${adapter}`);
    const report = outcome as { results: { group: string; name: string; oursMs: number | null; tfjsMs: number | null; check: string }[] };
    const kernels = report.results.filter((r) => r.group === 'kernel');
    const families = ['conv', 'matmul', 'softmax'];
    for (const f of families) assert(kernels.some((r) => r.name.startsWith(f)), `a ${f} row: ${kernels.map((r) => r.name).join(', ')}`);
    for (const r of report.results.filter((x) => x.group !== 'peak')) {
      assert(r.oursMs !== null && r.oursMs > 0 && r.tfjsMs !== null && r.tfjsMs > 0, `${r.name}: ours ${r.oursMs} ms and TF.js ${r.tfjsMs} ms`);
      assert(r.check.startsWith('ok'), `${r.name}: ours agrees with TF.js (${r.check})`);
    }
    // The table on the page shows the same rows, with our and TF.js's times.
    const rows = await page.$$eval('#bench-table tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    assert(rows.length === report.results.length - 1, `table rows ${rows.length} = results without the peak ${report.results.length - 1}`);
    assert(rows.every((cells) => Number(cells[3]) > 0 && Number(cells[4]) > 0), `every table row has our and TF.js's ms: ${JSON.stringify(rows[0])}`);
    // Each bar's share of its row is its data-width (set through the CSSOM; a style attribute would be refused).
    const bars = await page.$$eval('#bench-time-chart .bar', (b) => b.map((bar) => ({
      want: Number((bar as HTMLElement).dataset.width), got: (100 * bar.getBoundingClientRect().width) / bar.parentElement!.getBoundingClientRect().width,
    })));
    assert(bars.length >= 2 * rows.length, `time chart has ours and TF.js bars (${bars.length})`);
    assert(bars.every((b) => Math.abs(b.got - b.want) < 1 || (b.want < 1 && b.got < 2)), `every bar has its width: ${bars.map((b) => `${b.want}%→${b.got.toFixed(1)}%`).join(' ')}`);
    const legend = await page.$$eval('#benchmark .legend i', (keys) => keys.map((k) => getComputedStyle(k).backgroundColor));
    assertEqual(new Set(legend).size, 3, `three legend colours: ${legend.join(', ')}`);
    assertEqual(watch.violations.filter((v) => !(BENCH_WASM_PROBE as RegExp).test(v)), [], 'Content-Security-Policy violations');
    assertEqual(watch.offOrigin, [], 'requests off the origin');
    mkdirSync('build/screenshots', { recursive: true });
    await page.screenshot({ path: 'build/screenshots/demo.png', fullPage: true });
    assert(errors.length === 0, `console errors: ${errors.join('\n')}`);
  });

  it('embeds <wv-face-verify>, which loads its models and verifies two uploaded photos', async () => {
    const errors: string[] = [];
    const page = await openPage(browser, url, errors);
    await page.waitForFunction(() => document.querySelector('wv-face-verify')?.shadowRoot?.querySelector('[part~=dropzone]'), { timeout: 120_000 });
    for (const [side, file] of [['a', 's1_1'], ['b', 's1_2']] as const) {
      const input = await page.waitForSelector(`wv-face-verify >>> input[type=file][data-side=${side}]`);
      await (input as unknown as { uploadFile(p: string): Promise<void> }).uploadFile(`build/screenshots/${file}.png`);
    }
    try {
      await page.waitForFunction(() => /Match/.test(document.querySelector('wv-face-verify')?.shadowRoot?.querySelector('[part=verdict]')?.textContent ?? ''), { timeout: 60_000 });
    } finally {
      await (await page.$('wv-face-verify'))!.screenshot({ path: 'build/screenshots/face-verify.png' });
    }
    assert(errors.length === 0, `console errors: ${errors.join('\n')}`);
  });
  it('"What the network learns" draws a unit\'s top patches and its activation maximisation under the strict CSP', async () => {
    const { page, watch } = await openWatched(browser, url);
    await page.waitForFunction(() => (document.querySelector('[data-visualize]') as HTMLElement | null)?.dataset.state === 'idle');
    await page.select('#learns .vis-layer', 'conv32_down');
    await page.$eval('#learns .vis-unit', (i) => { (i as HTMLInputElement).value = '1'; });
    await page.click('#learns .vis-run');
    await page.waitForFunction(() => ['done', 'error'].includes((document.querySelector('[data-visualize]') as HTMLElement).dataset.state ?? ''), { timeout: 300_000, polling: 1000 });
    const status = await page.$eval('#learns .vis-status', (p) => p.textContent ?? '');
    assert(/conv32_down unit 1 \(of 32\): receptive field 7 px/.test(status), `status: ${status}`);
    // Both canvases hold a picture with many distinct values (not blank).
    const distinct = await page.$$eval('#learns canvas', (cs) => cs.map((c) => {
      const canvas = c as HTMLCanvasElement;
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      const seen = new Set<number>();
      for (let i = 0; i < data.length; i += 4) seen.add(data[i]! * 65536 + data[i + 1]! * 256 + data[i + 2]!);
      return seen.size;
    }));
    assert(distinct.length === 2 && distinct.every((n) => n > 50), `distinct colours per canvas: ${distinct.join(', ')}`);
    await (await page.$('#learns'))!.screenshot({ path: 'build/screenshots/demo-learns.png' });
    assertEqual(watch.violations, [], 'Content-Security-Policy violations');
    assertEqual(watch.errors, [], 'console errors');
  });
});
