// `npm run bench` (after esbuild.mjs built build/): the benchmark suite of bench/tasks/ in headless
// Chromium (the demo's Benchmark section, demo/bench.html, on SwiftShader's WebGPU) and in Node
// (Dawn). Each prints one table (task, ours ms, tfjs ms, ratio, GFLOP/s, % of peak) and writes
// bench/results/bench-<host>.json (a tiny run: build/bench/bench-<host>-tiny.json).
//
// Options:
//   --size tiny|small|full    default small (the whole run takes ~10 minutes on a 2-core CPU-emulated GPU)
//   --only kernels|tasks      one half of the suite
//   --host chromium|node      one host only (default: both)
//   --json                    print the reports as JSON instead of tables
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';
import { chromiumArgs, chromiumPath } from '../scripts/chromium.mjs';
import { demoMounts } from '../scripts/demo-site.mjs';
import { serveStatic } from '../scripts/static-server.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const option = (name) => {
  const i = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return undefined;
  return args[i].includes('=') ? args[i].slice(args[i].indexOf('=') + 1) : args[i + 1];
};
const size = option('size') ?? 'small';
const only = option('only') ?? 'all';
const host = option('host') ?? 'all';
const json = args.includes('--json');
const PAGE_TIMEOUT_MS = 30 * 60 * 1000;

if (!['tiny', 'small', 'full'].includes(size)) fail(`--size must be tiny, small or full, got ${size}`);
if (!['kernels', 'tasks', 'all'].includes(only)) fail(`--only must be kernels or tasks, got ${only}`);
if (!['all', 'chromium', 'node'].includes(host)) fail(`--host must be chromium or node, got ${host}`);

function fail(message) {
  console.error(message);
  process.exit(2);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const say = (line) => (json ? process.stderr : process.stdout).write(line + '\n');

async function runChromium() {
  // Served from the repository root: the demo-site mounts use paths relative to it.
  process.chdir(root);
  const { server, url } = await serveStatic(demoMounts);
  let browser;
  try {
    browser = await puppeteer.launch({ executablePath: chromiumPath, headless: true, args: chromiumArgs, protocolTimeout: 600_000 });
    const page = await browser.newPage();
    page.on('console', (msg) => { if (!json && msg.text().startsWith('[bench]')) say(`[chromium] ${msg.text().slice(8)}`); });
    page.on('pageerror', (e) => say(`[chromium] page error: ${e.message}`));
    const query = new URLSearchParams({ bench: size, ...(only !== 'all' ? { only } : {}) });
    const pageUrl = `${url}bench.html?${query}`;
    say(`[chromium] ${await browser.version()}: ${pageUrl}`);
    await page.goto(pageUrl, { waitUntil: 'load' });
    const deadline = Date.now() + PAGE_TIMEOUT_MS;
    let state = null;
    while (Date.now() < deadline) {
      state = await page.evaluate(() => (window.__benchError ? { error: window.__benchError } : window.__benchReport ? { report: window.__benchReport, text: window.__benchText } : null));
      if (state) break;
      await sleep(2000);
    }
    if (!state) throw new Error(`no result from the page after ${PAGE_TIMEOUT_MS / 60000} minutes`);
    if (state.error) throw new Error(`the page failed: ${state.error}`);
    if (json) console.log(JSON.stringify(state.report, null, 2));
    else console.log(`\n${state.text}`);
    const file = size === 'tiny' ? join(root, 'build/bench/bench-chromium-tiny.json') : join(root, 'bench/results/bench-chromium.json');
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, JSON.stringify(state.report, null, 2) + '\n');
    say(`wrote ${file}`);
  } finally {
    await browser?.close().catch(() => undefined);
    await new Promise((r) => server.close(r));
  }
}

function runNode() {
  const nodeArgs = [join(root, 'build/bench/bench-node.js'), '--size', size, ...(only !== 'all' ? ['--only', only] : []), ...(json ? ['--json'] : [])];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, nodeArgs, { cwd: root, stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`bench-node.js exited with ${signal ?? code}`))));
  });
}

const timings = [];
let failed = false;
for (const [name, run] of [['chromium', runChromium], ['node', runNode]]) {
  if (host !== 'all' && host !== name) continue;
  say(`\n=== ${name} ===`);
  const t0 = Date.now();
  let ok = true;
  try {
    await run();
  } catch (e) {
    ok = false;
    console.error(`${name} benchmark failed: ${e?.stack ?? e}`);
  }
  failed ||= !ok;
  timings.push(`${name} ${((Date.now() - t0) / 1000).toFixed(0)} s${ok ? '' : ' (failed)'}`);
}
say(`\nwall time: ${timings.join(', ')}`);
process.exit(failed ? 1 : 0);
