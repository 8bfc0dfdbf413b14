// Style transfer evaluation driver (`npm run eval:style`, after esbuild.mjs built build/bench/):
// the Node part (build/bench/eval-style.js: Dawn on lavapipe), then the browser part in headless
// Debian Chromium (bench/eval-style.html: WebGPU on SwiftShader). Each saves its picture
// (bench/results/style-node.png, style-chromium.png) and its entry of bench/results/style.json.
// Options: --host=node | --host=chromium (one host only); the rest (--size=N --iterations=N
// --seed=N --rounds=N --no-webgpu) go to both.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';
import { chromiumArgs, chromiumPath } from '../scripts/chromium.mjs';
import { serveStatic } from '../scripts/static-server.mjs';
import { runHosts, runNodeScript, waitForPageResult } from './driver.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const resultsDir = join(root, 'bench', 'results');
const args = process.argv.slice(2);
const option = (name) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const host = option('host') ?? 'all';
const passOn = args.filter((a) => !a.startsWith('--host='));
const PAGE_TIMEOUT_MS = 30 * 60 * 1000;

function runNode() {
  return runNodeScript(join(root, 'build', 'bench', 'eval-style.js'), passOn, root);
}

async function runChromium() {
  // The repository root, and ../shared/data as /shared-data/ (the content and style images).
  const { server } = await serveStatic({ '/': root, '/shared-data/': join(root, '..', 'shared', 'data') });
  const { port } = server.address();
  let browser;
  try {
    browser = await puppeteer.launch({ executablePath: chromiumPath, headless: true, args: chromiumArgs, protocolTimeout: 1_800_000 });
    const page = await browser.newPage();
    page.on('console', (msg) => console.log(`[chromium] ${msg.text()}`));
    page.on('pageerror', (e) => console.log(`[chromium] page error: ${e.message}`));
    const query = new URLSearchParams();
    for (const k of ['size', 'iterations', 'seed', 'rounds']) if (option(k)) query.set(k, option(k));
    if (args.includes('--no-webgpu')) query.set('webgpu', '0');
    const url = `http://127.0.0.1:${port}/bench/eval-style.html?${query}`;
    console.log(`[chromium] ${await browser.version()}: ${url}`);
    await page.goto(url, { waitUntil: 'load' });
    const state = await waitForPageResult(page, () => (window.__styleError ? { error: window.__styleError } : window.__styleResult ? { result: window.__styleResult } : null), PAGE_TIMEOUT_MS);
    const { report, png } = state.result;
    mkdirSync(resultsDir, { recursive: true });
    writeFileSync(join(resultsDir, 'style-chromium.png'), Buffer.from(png.slice(png.indexOf(',') + 1), 'base64'));
    const file = join(resultsDir, 'style.json');
    const all = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
    all.chromium = { ...report, image: 'bench/results/style-chromium.png' };
    writeFileSync(file, JSON.stringify(all, null, 2) + '\n');
    console.log(JSON.stringify(all.chromium, null, 2));
    console.log(`wrote ${file} and bench/results/style-chromium.png`);
  } finally {
    await browser?.close().catch(() => undefined);
    await new Promise((r) => server.close(r));
  }
}

const { failed, timings } = await runHosts([['node', runNode], ['chromium', runChromium]], host, 'evaluation');
for (const t of timings) console.log(`${t.name}: ${t.seconds.toFixed(0)} s`);
process.exit(failed ? 1 : 0);
