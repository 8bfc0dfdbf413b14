// Runs a few test files alone, for work in progress: bundles only the given files (so a broken
// file elsewhere does not stop the build) into build/dev/<pid>/ and runs them in Node (mocha on
// Dawn) or, with --browser, in headless Chromium (web-test-runner).
// Usage: node scripts/dev-test.mjs [--browser] [--grep PATTERN] test/a.test.ts [test/b.test.ts ...]
import * as esbuild from 'esbuild';
import Mocha from 'mocha';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { forBrowser, forNode } from './build-options.mjs';
import { useFreshTestCache } from './test-cache.mjs';

useFreshTestCache();

const args = process.argv.slice(2);
const browser = args.includes('--browser');
const grepAt = args.indexOf('--grep');
const grep = grepAt >= 0 ? args[grepAt + 1] : undefined;
const files = args.filter((a, i) => !a.startsWith('--') && !(grepAt >= 0 && i === grepAt + 1));
if (files.length === 0) {
  console.error('usage: node scripts/dev-test.mjs [--browser] [--grep PATTERN] test/file.test.ts ...');
  process.exit(2);
}
const outdir = `build/dev/${process.pid}`;
const these = { entryPoints: files, outbase: 'test', outdir };
await esbuild.build(browser
  ? { ...forBrowser, ...these, alias: { 'test-host': './test/util/host-browser.ts' } }
  : { ...forNode, ...these, external: ['webgpu', 'puppeteer-core'], alias: { 'test-host': './test/util/host-node.ts' } });
const built = files.map((f) => resolve(outdir, f.replace(/^test\//, '').replace(/\.ts$/, '.js')));
let status = 0;
if (browser) {
  const wtrArgs = ['node_modules/@web/test-runner/dist/bin.js', '--config', 'web-test-runner.config.mjs'];
  status = spawnSync('node', wtrArgs, { stdio: 'inherit', env: { ...process.env, WTR_FILES: `${outdir}/**/*.test.js` } }).status ?? 1;
  rmSync(outdir, { recursive: true, force: true });
  process.exit(status);
}
const mocha = new Mocha({ timeout: 600_000, reporter: 'spec', grep });
for (const file of built) mocha.addFile(file);
await mocha.loadFilesAsync();
mocha.run((failures) => {
  rmSync(outdir, { recursive: true, force: true });
  // Dawn keeps the process alive; exit explicitly once mocha is done.
  setTimeout(() => process.exit(failures ? 1 : 0), 100);
});
