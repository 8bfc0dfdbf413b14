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
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';
import { chromiumArgs, chromiumPath } from '../scripts/chromium.mjs';
import { demoMounts } from '../scripts/demo-site.mjs';
import { serveStatic } from '../scripts/static-server.mjs';
import { runHosts, runNodeScript, waitForPageResult, wallTimeLine } from './driver.mjs';

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
    const state = await waitForPageResult(page, () => (window.__benchError ? { error: window.__benchError } : window.__benchReport ? { report: window.__benchReport, text: window.__benchText } : null), PAGE_TIMEOUT_MS);
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
  const nodeArgs = ['--size', size, ...(only !== 'all' ? ['--only', only] : []), ...(json ? ['--json'] : [])];
  return runNodeScript(join(root, 'build/bench/bench-node.js'), nodeArgs, root);
}

const { failed, timings } = await runHosts([['chromium', runChromium], ['node', runNode]], host, 'benchmark', say);
say(`\n${wallTimeLine(timings)}`);
process.exit(failed ? 1 : 0);
