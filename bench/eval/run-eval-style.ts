/**
 * Style transfer evaluation driver (`npm run eval:style`, after esbuild.mjs built build/bench/):
 * the Node part (build/bench/eval-style.js: Dawn on lavapipe), then the browser part in headless
 * Debian Chromium (bench/eval/eval-style.html: WebGPU on SwiftShader). Each saves its picture
 * (bench/results/style-node.png, style-chromium.png) and its entry of bench/results/style.json.
 * Options (style-options.ts): --host node|chromium (one host only); the rest go to both.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runHosts, runMain, runNodeScript, waitForPageResult, withChromiumPage } from '../hosts/drive.js';
import type { StyleEvalReport } from './style-eval-core.js';
import { parseStyleEvalArgs } from './style-options.js';

declare global {
  interface Window {
    __styleResult?: { report: StyleEvalReport & { host: string }; png: string };
    __styleError?: string;
  }
}

// This file runs as build/bench/run-eval-style.js: the repository root is two folders up.
const root = fileURLToPath(new URL('../../', import.meta.url));
const resultsDir = join(root, 'bench', 'results');
const PAGE_TIMEOUT_MS = 30 * 60 * 1000;

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const o = parseStyleEvalArgs(argv);
  const passOn = argv.filter((a, i) => !a.startsWith('--host') && argv[i - 1] !== '--host');
  const runNode = () => runNodeScript(join(root, 'build', 'bench', 'eval-style.js'), passOn, root);

  const runChromium = () =>
    // The repository root, and ../shared/data as /shared-data/ (the content and style images).
    withChromiumPage({ '/': root, '/shared-data/': join(root, '..', 'shared', 'data') }, async (page, url) => {
      const query = new URLSearchParams({ size: String(o.size), iterations: String(o.iterations), seed: String(o.seed), rounds: String(o.rounds) });
      if (o['no-webgpu']) query.set('no-webgpu', '1');
      const pageUrl = `${url}bench/eval/eval-style.html?${query}`;
      console.log(`[chromium] ${pageUrl}`);
      await page.goto(pageUrl, { waitUntil: 'load' });
      const { result } = await waitForPageResult<{ result: NonNullable<Window['__styleResult']> }>(page, () => (window.__styleError ? { error: window.__styleError } : window.__styleResult ? { result: window.__styleResult } : null), PAGE_TIMEOUT_MS);
      const { report, png } = result;
      mkdirSync(resultsDir, { recursive: true });
      writeFileSync(join(resultsDir, 'style-chromium.png'), Buffer.from(png.slice(png.indexOf(',') + 1), 'base64'));
      const file = join(resultsDir, 'style.json');
      const all = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
      all.chromium = { ...report, image: 'bench/results/style-chromium.png' };
      writeFileSync(file, JSON.stringify(all, null, 2) + '\n');
      console.log(JSON.stringify(all.chromium, null, 2));
      console.log(`wrote ${file} and bench/results/style-chromium.png`);
    }, { protocolTimeout: 1_800_000 });

  const { failed, timings } = await runHosts([['node', runNode], ['chromium', runChromium]], o.host, 'evaluation');
  for (const t of timings) console.log(`${t.name}: ${t.seconds.toFixed(0)} s`);
  if (failed) process.exitCode = 1;
}

runMain(main);
