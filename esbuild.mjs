// Builds the library (browser + Node), the demo, the benchmarks and the test bundles.
// WGSL files are imported as text. Usage: node esbuild.mjs [--package]
// --package (npm pack's prepack) also writes what only the published package needs: the
// declaration files (build/types) and the custom-elements manifest (build/custom-elements.json).
import * as esbuild from 'esbuild';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { forBrowser, forNode } from './scripts/build-options.mjs';
import { copyBundledLicenses, copyModels, publishElementsManifest } from './scripts/package-files.mjs';

// The package's components module imports the engine by the package's own name (one engine in a
// page that imports both) and lit as a dependency (one lit in a page that has its own).
const componentsAsPackage = {
  name: 'components-as-package',
  setup(build) {
    build.onResolve({ filter: /\/src\/index\.js$/ }, () => ({ path: 'wgsl-vision', external: true }));
  },
};

function find(dir, suffix) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...find(path, suffix));
    else if (name.endsWith(suffix)) out.push(path);
  }
  return out;
}

// test/node/ holds Node-only tests (file system, reference implementations on TF.js),
// test/browser/ browser-only ones (IndexedDB, DOM).
const tests = find('test', '.test.ts');
const browserTests = tests.filter((t) => !t.startsWith(join('test', 'node')));
const nodeTests = tests.filter((t) => !t.startsWith(join('test', 'browser')));
const e2e = find('test/e2e', '.e2e.ts'); // Node drives Chromium: Node-only
const builds = [
  { ...forBrowser, entryPoints: { index: 'src/index.ts' }, outdir: 'build/browser' },
  { ...forNode, entryPoints: { index: 'src/node.ts' }, outdir: 'build/node' },
  { ...forBrowser, entryPoints: { main: 'demo/main.ts' }, outdir: 'build/demo' },
  // Components as one self-contained module for plain <script type="module"> pages.
  { ...forBrowser, entryPoints: { 'wgsl-vision-components': 'components/index.ts' }, outdir: 'build/components' },
  // The same components for bundlers (wgsl-vision/components): engine and lit left to the app's bundler.
  { ...forBrowser, entryPoints: { components: 'components/index.ts' }, outdir: 'build/package', external: ['lit', 'lit/*'], plugins: [componentsAsPackage] },
  // Each test file is one bundle; the engine helper picks its host through the 'test-host' alias.
  { ...forBrowser, entryPoints: browserTests, outbase: 'test', outdir: 'build/test-browser', alias: { 'test-host': './test/util/host-browser.ts' } },
  { ...forNode, entryPoints: [...nodeTests, ...e2e, 'test/onnx/conformance.ts'], outbase: 'test', outdir: 'build/test-node', external: ['webgpu', 'puppeteer-core'], alias: { 'test-host': './test/util/host-node.ts' } },
  // The benchmarks (bench/: the suite's hosts and drivers, the gallery benchmarks) and the
  // evaluations (bench/eval/). Those that hold our engine against TF.js or face-api bundle TF.js
  // (its ES modules do not load in Node as they are); the drivers leave puppeteer to Node.
  { ...forNode, external: [...forNode.external, 'puppeteer-core'], entryPoints: { 'run-bench': 'bench/run-bench.ts', 'run-eval-style': 'bench/eval/run-eval-style.ts', 'gallery-node': 'bench/gallery-node.ts', 'gallery-pgvector': 'bench/gallery-pgvector.ts' }, outdir: 'build/bench' },
  {
    ...forNode,
    external: ['webgpu'],
    entryPoints: {
      'bench-node': 'bench/hosts/node.ts',
      'big-photo': 'bench/big-photo.ts',
      'eval-faces': 'bench/eval/eval-faces.ts',
      'eval-style': 'bench/eval/eval-style.ts',
      'eval-lfw': 'bench/eval/eval-lfw.ts',
      'lfw-faces': 'bench/eval/lfw-faces.ts',
      'lfw-variants': 'bench/eval/lfw-variants.ts',
      'train-fashion': 'bench/eval/train-fashion.ts',
      'train-orl-head': 'bench/eval/train-orl-head.ts',
      'train-face-projection': 'bench/eval/train-face-projection.ts',
      'train-motion': 'bench/eval/train-motion.ts',
      'train-words': 'bench/eval/train-words.ts',
    },
    outdir: 'build/bench',
  },
  { ...forBrowser, entryPoints: { 'bench-browser': 'bench/hosts/browser.ts', 'eval-style-browser': 'bench/eval/eval-style-browser.ts' }, outdir: 'build/bench' },
  // The command line (bin/wgsl-vision.js runs it).
  { ...forNode, external: ['webgpu'], entryPoints: { 'wgsl-vision': 'src/cli/main.ts' }, outdir: 'build/cli' },
];

// Entry points that do not exist yet are left out (a fresh feature adds its own).
const isFile = (path) => { try { return statSync(path).isFile(); } catch { return false; } };
const existing = builds
  .map((b) => Array.isArray(b.entryPoints)
    ? { ...b, entryPoints: b.entryPoints.filter(isFile) }
    : { ...b, entryPoints: Object.fromEntries(Object.entries(b.entryPoints).filter(([, e]) => isFile(e))) })
  .filter((b) => Object.keys(b.entryPoints).length > 0);
await Promise.all(existing.map((b) => esbuild.build(b)));
mkdirSync('build/demo', { recursive: true });
// The demo's pages, style sheet and pictures (demo/assets: small example photos) as they are.
for (const name of readdirSync('demo')) if (/\.(html|css)$/.test(name)) cpSync(join('demo', name), join('build/demo', name));
cpSync('demo/assets', 'build/demo/assets', { recursive: true });
copyModels('build/models');
if (process.argv.includes('--package')) {
  copyBundledLicenses('build/licenses');
  rmSync('build/types', { recursive: true, force: true });
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.types.json'], { stdio: 'inherit' });
  execFileSync(process.execPath, ['node_modules/@custom-elements-manifest/analyzer/cem.js', 'analyze', '--litelement', '--globs', 'components/**/*.ts', '--outdir', 'build', '--quiet'], { stdio: 'inherit' });
  publishElementsManifest('build/custom-elements.json');
}
console.log(`built ${existing.length} bundles (${tests.length} test files)`);
