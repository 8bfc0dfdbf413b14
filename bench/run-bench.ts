/**
 * `npm run bench`, `bench:kernels`, `bench:train` (after esbuild.mjs built build/): one run of the
 * suite (bench/runs.ts RUNS) in headless Chromium — the demo's Benchmark section, demo/bench.html,
 * on SwiftShader's WebGPU — and in Node (Dawn, build/bench/bench-node.js). Each host prints one
 * table and writes bench/results/<run>-<host>.json (a tiny run: build/bench/<run>-<host>-tiny.json).
 * Options: see BENCH_USAGE in bench/runs.ts; --host chromium|node runs one host only.
 */
import { createRequire } from 'node:module';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
// @ts-expect-error plain ESM module without types
import { demoMounts } from '../scripts/demo-site.mjs';
import { runHosts, runMain, runNodeScript, waitForPageResult, wallTimeLine, withChromiumPage } from './hosts/drive.js';
import { benchHelp, parseBenchArgs, resultsPath } from './runs.js';
import type { BenchReport } from './types.js';

// This file runs as build/bench/run-bench.js: the repository root is two folders up.
const root = fileURLToPath(new URL('../../', import.meta.url));
const PAGE_TIMEOUT_MS = 30 * 60 * 1000;

declare global {
  interface Window {
    __benchReport?: BenchReport;
    __benchText?: string;
    __benchError?: string;
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const args = parseBenchArgs(argv, 'chromium');
  if (args.help) return console.log(benchHelp());
  const say = (line: string) => (args.json ? process.stderr : process.stdout).write(line + '\n');

  const runChromium = async (): Promise<void> => {
    // Served from the repository root: the demo-site mounts use paths relative to it. TF.js WASM's
    // binaries are served too, for runs that compare against it.
    process.chdir(root);
    const wasmDir = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'));
    const mounts = { ...(demoMounts as Record<string, string>), '/tfjs-wasm/': wasmDir };
    await withChromiumPage(mounts, async (page, url) => {
      const query = new URLSearchParams({ run: args.name, bench: args.size, only: args.only });
      if (args.families) query.set('family', args.families.join(','));
      if (args.tfjs) query.set('tfjs', args.tfjs.join(','));
      for (const [k, v] of [['warmup', args.warmup], ['repeats', args.repeats], ['budget', args.budgetS]] as const) if (v !== undefined) query.set(k, String(v));
      if (args.profile) query.set('profile', '1');
      const pageUrl = `${url}bench.html?${query}`;
      say(`[chromium] ${pageUrl}`);
      await page.goto(pageUrl, { waitUntil: 'load' });
      const state = await waitForPageResult<{ report: BenchReport; text?: string }>(page, () => (window.__benchError ? { error: window.__benchError } : window.__benchReport ? { report: window.__benchReport, text: window.__benchText } : null), PAGE_TIMEOUT_MS);
      if (args.json) console.log(JSON.stringify(state.report, null, 2));
      else console.log(`\n${state.text}`);
      const file = resolve(args.out && args.host === 'chromium' ? args.out : join(root, resultsPath(args.name, 'chromium', args.size)));
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, JSON.stringify(state.report, null, 2) + '\n');
      say(`wrote ${file}`);
    }, { say, consoleFilter: (text) => (!args.json && text.startsWith('[bench]') ? text.slice(8) : null) });
  };

  const runNode = () => runNodeScript(join(root, 'build/bench/bench-node.js'), argv.filter((a, i) => !a.startsWith('--host') && argv[i - 1] !== '--host'), root);

  const { failed, timings } = await runHosts([['chromium', runChromium], ['node', runNode]], args.host, 'benchmark', say);
  say(`\n${wallTimeLine(timings)}`);
  if (failed) process.exitCode = 1;
}

runMain(main);
