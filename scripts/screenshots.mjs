// `npm run screenshots` (after esbuild.mjs built build/): headless Chromium opens the demo, runs
// the benchmark at the small size (`--size tiny` for a quick look), and saves a screenshot of each
// section at a laptop (1280x800) and a phone (390x844) viewport under build/screenshots/.
// The demo is served with the strict Content-Security-Policy of the README. Console errors and
// policy violations on the page are printed and make the exit code 1.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';
import { chromiumArgs, chromiumPath } from './chromium.mjs';
import { BENCH_WASM_PROBE, demoMounts, STRICT_CSP } from './demo-site.mjs';
import { serveStatic } from './static-server.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const sizeAt = args.findIndex((a) => a === '--size' || a.startsWith('--size='));
const size = sizeAt < 0 ? 'small' : args[sizeAt].includes('=') ? args[sizeAt].split('=')[1] : args[sizeAt + 1];
const outDir = join(root, 'build', 'screenshots');
const SECTIONS = ['faces', 'style', 'training', 'benchmark'];
const VIEWPORTS = { laptop: { width: 1280, height: 800 }, // isMobile would make Chromium reload the page (and lose the benchmark): a 390 px wide viewport lays it out the same.
  phone: { width: 390, height: 844 } };
const BENCH_TIMEOUT_MS = 25 * 60 * 1000;

process.chdir(root);
mkdirSync(outDir, { recursive: true });
const { server, url } = await serveStatic(demoMounts, 0, { 'content-security-policy': STRICT_CSP });
const browser = await puppeteer.launch({ executablePath: chromiumPath, headless: true, args: chromiumArgs, protocolTimeout: 600_000 });
const errors = [];
const saved = [];
try {
  const page = await browser.newPage();
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.exposeFunction('__cspViolation', (v) => { if (!BENCH_WASM_PROBE.test(v)) errors.push(`CSP violation: ${v}`); });
  await page.evaluateOnNewDocument(() => document.addEventListener('securitypolicyviolation',
    (e) => window.__cspViolation(`${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`), true));
  await page.setViewport(VIEWPORTS.laptop);
  const pageUrl = `${url}?bench=${size}`;
  console.log(`opening ${pageUrl}`);
  await page.goto(pageUrl, { waitUntil: 'load' });

  // The components settle (models load) while the benchmark runs.
  const t0 = Date.now();
  let last = '';
  for (;;) {
    const state = await page.evaluate(() => ({
      done: Boolean(window.__benchReport),
      error: window.__benchError ?? null,
      progress: document.querySelector('#bench-progress span')?.textContent ?? '',
    }));
    if (state.error) throw new Error(`benchmark failed: ${state.error}`);
    if (state.done) break;
    if (state.progress !== last) console.log(`  benchmark: ${(last = state.progress)}`);
    if (Date.now() - t0 > BENCH_TIMEOUT_MS) throw new Error('benchmark did not finish in time');
    await new Promise((r) => setTimeout(r, 2000));
  }
  console.log(`benchmark done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  await page.waitForFunction(() => document.querySelector('wv-face-verify')?.shadowRoot?.querySelector('[part~=dropzone]'), { timeout: 60_000 }).catch(() => console.log('  <wv-face-verify> did not show its drop zones'));

  for (const [name, viewport] of Object.entries(VIEWPORTS)) {
    await page.setViewport(viewport);
    await new Promise((r) => setTimeout(r, 500)); // re-layout
    await page.evaluate(() => window.scrollTo(0, 0));
    const top = join(outDir, `${name}-top.png`);
    await page.screenshot({ path: top });
    saved.push(top);
    for (const id of SECTIONS) {
      const el = await page.$(`#${id}`);
      if (!el) continue;
      const file = join(outDir, `${name}-${id}.png`);
      await el.screenshot({ path: file });
      saved.push(file);
    }
  }
} finally {
  await browser.close().catch(() => undefined);
  server.close();
}
for (const f of saved) console.log(`saved ${f}`);
if (errors.length) {
  console.error(`console errors on the page:\n${errors.join('\n')}`);
  process.exit(1);
}
process.exit(0);
