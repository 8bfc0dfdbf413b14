// Kernel benchmark driver (`npm run bench:kernels`, after esbuild.mjs built build/bench/):
// headless Chromium first, then Node. Each prints its table and writes bench/results/kernels-<host>.json.
//
// Options:
//   --host=chromium | --host=node   run one host only (default: both)
//   --quick                         smoke run: fewer shapes and repeats; its JSON goes to
//                                   build/bench/kernels-<host>-quick.json, leaving bench/results alone
//   --budget=SECONDS                per-host time budget: cases predicted to overrun are skipped
//                                   (default: chromium 420, node 900)
//   --wasm-threads                  Chromium: serve the page cross-origin isolated (COOP/COEP) and ask
//                                   TF.js WASM for one thread per core (default: 1 thread, as in Node,
//                                   where TF.js WASM has no threads)
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';
import { chromiumArgs, chromiumPath } from '../scripts/chromium.mjs';
import { serveStatic } from '../scripts/static-server.mjs';
import { runHosts, runNodeScript, waitForPageResult, wallTimeLine } from './driver.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const resultsDir = join(root, 'bench', 'results');
const args = process.argv.slice(2);
const option = (name) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const host = option('host') ?? 'all';
const quick = args.includes('--quick');
const budget = option('budget');
const wasmThreads = args.includes('--wasm-threads');
/** How long to wait for the page's report before giving up. */
const PAGE_TIMEOUT_MS = 20 * 60 * 1000;

if (!['all', 'chromium', 'node'].includes(host)) {
  console.error(`unknown --host=${host}: use chromium or node`);
  process.exit(2);
}

/** Serves the repository root (build/, bench/, node_modules/) on 127.0.0.1. */
async function startServer() {
  const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
  const { server } = await serveStatic({ '/': root }, 0, wasmThreads ? isolation : {});
  return server;
}

async function runChromium() {
  const server = await startServer();
  const { port } = server.address();
  let browser;
  try {
    browser = await puppeteer.launch({ executablePath: chromiumPath, headless: true, args: chromiumArgs, protocolTimeout: 600_000 });
    const page = await browser.newPage();
    page.on('console', (msg) => console.log(`[chromium] ${msg.text()}`));
    page.on('pageerror', (e) => console.log(`[chromium] page error: ${e.message}`));
    const query = new URLSearchParams({ budget: budget ?? '420', ...(quick ? { quick: '1' } : {}), ...(wasmThreads ? { wasmThreads: '1' } : {}) });
    const url = `http://127.0.0.1:${port}/bench/kernels.html?${query}`;
    console.log(`[chromium] ${await browser.version()}: ${url}${wasmThreads ? ' (cross-origin isolated)' : ''}`);
    await page.goto(url, { waitUntil: 'load' });
    const { report } = await waitForPageResult(page, () => (window.__benchError ? { error: window.__benchError } : window.__benchResult ? { report: window.__benchResult } : null), PAGE_TIMEOUT_MS);
    console.log('');
    console.log(report.text);
    // A quick smoke run must not replace the real results: it goes to build/bench/.
    const dir = quick ? join(root, 'build', 'bench') : resultsDir;
    mkdirSync(dir, { recursive: true });
    const file = join(dir, quick ? 'kernels-chromium-quick.json' : 'kernels-chromium.json');
    writeFileSync(file, JSON.stringify(report.rows, null, 2) + '\n');
    console.log(`wrote ${file}`);
  } finally {
    await browser?.close().catch(() => undefined);
    await new Promise((r) => server.close(r));
  }
}

function runNode() {
  const nodeArgs = [...(quick ? ['--quick'] : []), ...(budget ? [`--budget=${budget}`] : [])];
  return runNodeScript(join(root, 'build', 'bench', 'kernels-node.js'), nodeArgs, root);
}

const { failed, timings } = await runHosts([['chromium', runChromium], ['node', runNode]], host, 'benchmark');
console.log(`\n${wallTimeLine(timings)}`);
process.exit(failed ? 1 : 0);
