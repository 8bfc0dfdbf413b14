// The command line end to end: the built CLI is spawned through bin/wgsl-vision.js on the shared
// images, and its stdout, stderr and exit codes are checked. Each face command loads the models
// in a fresh process (seconds on lavapipe), so they use the tiny detector (SSD, the default, takes
// ~10x longer per image) and, but for one, a fixed border.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeImage, encodePNG } from '../../src/host/node-image.js';
import { assert, assertEqual } from '../util/assert.js';

const ORL = '../shared/data/orl-faces';
const orl = (p: string) => `${ORL}/${p}.pgm`;
const FAST = ['--detector', 'tiny', '--border', '0.5'];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the launcher with the given arguments (and extra environment), collecting its output. */
function cli(args: string[], env: Record<string, string> = {}, launcher = 'bin/wgsl-vision.js'): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [launcher, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Bundles the CLI from the current sources as `npm run build` does (esbuild.mjs's CLI entry). In a
 * child process: esbuild's API cannot run inside this (bundled) test file.
 */
function buildCli(): void {
  const script = "const { forNode } = await import('./scripts/build-options.mjs'); const esbuild = await import('esbuild');" +
    "await esbuild.build({ ...forNode, external: ['webgpu'], entryPoints: { 'wgsl-vision': 'src/cli/main.ts' }, outdir: 'build/cli' });";
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert(r.status === 0, `building the CLI failed: ${r.stderr}`);
}

const lines = (text: string) => text.split('\n').filter((l) => l.trim() !== '');

/** A failure: the expected exit code, one line on stderr naming the problem, no stack trace. */
function assertFailure(r: Run, code: number, pattern: RegExp): void {
  assertEqual(r.code, code, `exit code (stderr: ${r.stderr})`);
  const errors = lines(r.stderr).filter((l) => l.startsWith('wgsl-vision'));
  assertEqual(errors.length, 1, `one error line in ${JSON.stringify(r.stderr)}`);
  assert(pattern.test(errors[0]!), `error '${errors[0]}' matches ${pattern}`);
  assert(!/\n\s+at /.test(r.stderr) && !/Warning: /.test(r.stderr), `no stack trace or Dawn warnings: ${r.stderr}`);
}

describe('command line (wgsl-vision)', function () {
  this.timeout(300_000);
  let dir: string;
  let grey: string;
  let notImage: string;

  before(async () => {
    buildCli();
    dir = mkdtempSync(join(tmpdir(), 'wgsl-vision-cli-'));
    grey = join(dir, 'grey.png');
    writeFileSync(grey, encodePNG({ width: 96, height: 96, data: new Uint8Array(96 * 96 * 4).fill(128) }));
    notImage = join(dir, 'notes.jpg');
    writeFileSync(notImage, 'these are not pixels\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  describe('help and arguments', () => {
    it('prints a top-level help listing every command, and a usage for each', async () => {
      const top = await cli(['--help']);
      assertEqual(top.code, 0);
      for (const c of ['verify', 'enroll', 'identify', 'style', 'bench', 'info']) assert(new RegExp(`^  ${c} `, 'm').test(top.stdout), `${c} listed`);
      for (const c of ['verify', 'enroll', 'identify', 'style', 'bench', 'info']) {
        const r = await cli([c, '--help']);
        assertEqual(r.code, 0, `${c} --help exit code`);
        assert(r.stdout.startsWith(`usage: wgsl-vision ${c}`), `${c} usage: ${r.stdout.slice(0, 80)}`);
        assert(/--json/.test(r.stdout) || c === 'bench', `${c} help lists --json`);
      }
      assert(/-o, --output FILE/.test((await cli(['style', '-h'])).stdout), 'style options listed');
    });

    it('rejects bad arguments with one line and exit code 2', async () => {
      assertFailure(await cli(['frobnicate']), 2, /unknown command 'frobnicate'/);
      assertFailure(await cli(['verify', orl('s1/1')]), 2, /verify needs 2 arguments/);
      assertFailure(await cli(['verify', '--bogus', orl('s1/1'), orl('s1/2')]), 2, /unknown option '--bogus'/);
      assertFailure(await cli(['verify', orl('s1/1'), orl('s1/2'), '--threshold', 'near']), 2, /--threshold must be a number, got 'near'/);
      assertFailure(await cli(['verify', orl('s1/1'), orl('s1/2'), '--detector', 'huge']), 2, /--detector must be one of ssd, tiny/);
      assertFailure(await cli(['enroll', 'ada', orl('s1/1')]), 2, /enroll needs --gallery FILE/);
      assertFailure(await cli(['style', 'a.jpg', 'b.jpg']), 2, /style needs -o OUT.png/);
      assertFailure(await cli(['style', 'a.jpg', 'b.jpg', '-o', join(dir, 'out.png'), '--size=-3']), 2, /--size must be at least 16/);
      assertFailure(await cli(['style', 'a.jpg', 'b.jpg', '-o', join(dir, 'out.png'), '--size', '-3']), 2, /option '--size' argument is ambiguous.*'--size=-XYZ'/);
      const json = await cli(['info', 'extra', '--json']);
      assertEqual(json.code, 2);
      assertEqual(JSON.parse(json.stdout).error.kind, 'usage', '--json error object');
    });

    it('says to build when the bundle is missing (the launcher alone)', async () => {
      const bin = join(dir, 'pkg', 'bin');
      mkdirSync(bin, { recursive: true });
      copyFileSync('bin/wgsl-vision.js', join(bin, 'wgsl-vision.js'));
      assertFailure(await cli(['info'], {}, join(bin, 'wgsl-vision.js')), 2, /not built .* run npm run build/);
    });
  });

  describe('input errors (before any model loads)', () => {
    it('missing file, folder, not an image: exit 3 naming the file', async () => {
      assertFailure(await cli(['verify', join(dir, 'missing.jpg'), orl('s1/1')]), 3, /file not found: .*missing\.jpg/);
      assertFailure(await cli(['verify', dir, orl('s1/1')]), 3, /is a directory/);
      assertFailure(await cli(['verify', orl('s1/1'), notImage]), 3, /not an image: .*notes\.jpg is not a JPEG, PNG or PGM file/);
      assertFailure(await cli(['identify', '--gallery', join(dir, 'nobody.json'), orl('s1/1')]), 3, /gallery .*nobody\.json does not exist/);
      const badGallery = join(dir, 'bad-gallery.json');
      writeFileSync(badGallery, '{"people": []}');
      assertFailure(await cli(['identify', '--gallery', badGallery, orl('s1/1')]), 3, /not a wgsl-vision gallery/);
    });
  });

  describe('info and the GPU', () => {
    it('info names the adapter and driver and lists limits and features (text and --json)', async () => {
      const text = await cli(['info']);
      assertEqual(text.code, 0, text.stderr);
      for (const key of ['adapter', 'driver', 'features', 'limits', 'maxStorageBufferBindingSize']) assert(new RegExp(`^\\s*${key}`, 'm').test(text.stdout), `${key} shown`);
      const json = JSON.parse((await cli(['info', '--json'])).stdout);
      assert(typeof json.adapter.description === 'string' && typeof json.driver === 'string', 'adapter and driver');
      assert(json.limits.maxComputeWorkgroupsPerDimension >= 65535, 'limits are numbers');
      assert(Array.isArray(json.features), 'features listed');
    });

    it('no WebGPU adapter: exit 4 with one line, Dawn\'s warnings filtered', async () => {
      const noDriver = join(dir, 'no-driver.json');
      writeFileSync(noDriver, '{}');
      assertFailure(await cli(['info'], { VK_ICD_FILENAMES: noDriver }), 4, /no WebGPU adapter found/);
      assertFailure(await cli(['verify', orl('s1/1'), orl('s1/2')], { VK_ICD_FILENAMES: noDriver }), 4, /no WebGPU adapter found/);
      assertFailure(await cli(['info'], { VK_ICD_FILENAMES: join(dir, 'absent.json') }), 4, /VK_ICD_FILENAMES names .*absent\.json, which does not exist/);
    });
  });

  describe('faces', () => {
    it('verify: the same person matches (exit 0, automatic border), --json', async () => {
      const r = await cli(['verify', orl('s1/1'), orl('s1/2'), '--detector', 'tiny', '--json']);
      assertEqual(r.code, 0, r.stderr);
      const json = JSON.parse(r.stdout);
      assertEqual(json.match, true);
      assert(json.distance > 0 && json.distance <= 0.6 && json.threshold === 0.6, `distance ${json.distance} within τ`);
      assertEqual([json.a.faces.length, json.b.faces.length], [1, 1], 'one face each');
      assert(json.a.border.x > 0, 'ORL crops needed the border fallback');
      assert(/loading face models/.test(r.stderr), 'progress on stderr');
    });

    it('verify: different people do not match (exit 1), text output', async () => {
      const r = await cli(['verify', orl('s1/1'), orl('s8/1'), ...FAST]);
      assertEqual(r.code, 1, r.stderr);
      assert(/^verdict\s+no match/m.test(r.stdout), r.stdout);
      const distance = Number(/^distance\s+([\d.]+)/m.exec(r.stdout)?.[1]);
      assert(distance > 0.6, `distance ${distance} above τ`);
      assert(/^threshold\s+0\.6000/m.test(r.stdout), 'threshold shown');
    });

    it('an image without a face: exit 3, and enrolment stores nothing', async () => {
      assertFailure(await cli(['verify', grey, orl('s1/1'), ...FAST]), 3, /no face found in .*grey\.png/);
      const gallery = join(dir, 'untouched.json');
      assertFailure(await cli(['enroll', '--gallery', gallery, 'ada', orl('s1/1'), grey, ...FAST]), 3, /no face found in .*grey\.png/);
      assert(!existsSync(gallery), 'no gallery written');
    });

    it('enroll then identify round-trip in a gallery file: a name, or "not recognized" (exit 1)', async () => {
      const gallery = join(dir, 'gallery.json');
      const first = await cli(['enroll', '--gallery', gallery, 's1', orl('s1/1'), orl('s1/2'), ...FAST]);
      assertEqual(first.code, 0, first.stderr);
      assert(/^enrolled\s+s1 \(2 images added, 2 in all\)/m.test(first.stdout), first.stdout);
      const second = JSON.parse((await cli(['enroll', '-g', gallery, 's8', orl('s8/1'), '--json', ...FAST])).stdout);
      assertEqual(second.gallery, { file: gallery, people: 2, descriptors: 3 });
      const saved = JSON.parse(readFileSync(gallery, 'utf8'));
      assertEqual(saved.people.map((p: { id: string; descriptors: unknown[] }) => [p.id, p.descriptors.length]), [['s1', 2], ['s8', 1]]);

      const known = await cli(['identify', '--gallery', gallery, orl('s1/5'), '--json', ...FAST]);
      assertEqual(known.code, 0, known.stderr);
      const k = JSON.parse(known.stdout);
      assertEqual([k.recognized, k.faces.length, k.faces[0].id], [true, 1, 's1']);
      assertEqual(k.faces[0].candidates.map((c: { id: string }) => c.id), ['s1', 's8'], 'candidates nearest first');

      const stranger = await cli(['identify', '--gallery', gallery, orl('s10/1'), ...FAST]);
      assertEqual(stranger.code, 1, stranger.stderr);
      assert(/^not recognized/.test(stranger.stdout), stranger.stdout);
    });
  });

  describe('bench', () => {
    it('passes its arguments to the suite and returns its exit code; a missing suite is one line', async () => {
      const suite = join(dir, 'suite.mjs');
      writeFileSync(suite, 'console.log(JSON.stringify(process.argv.slice(2))); process.exit(7);\n');
      const r = await cli(['bench', '--json', '--size', 'small'], { WGSL_VISION_BENCH: suite });
      assertEqual(r.code, 7);
      assertEqual(JSON.parse(r.stdout), ['--json', '--size', 'small']);
      assertFailure(await cli(['bench'], { WGSL_VISION_BENCH: join(dir, 'absent.js') }), 2, /benchmark suite is not built .* run npm run build/);
    });
  });

  describe('style', () => {
    it('writes a stylised PNG at a tiny size with the loss of every iteration', async () => {
      const out = join(dir, 'styled.png');
      const r = await cli(['style', '../shared/data/images/dog.jpg', '../shared/data/images/scream.jpg', '-o', out, '--size', '32', '--iterations', '2', '--seed', '1', '--json']);
      assertEqual(r.code, 0, r.stderr);
      const json = JSON.parse(r.stdout);
      assertEqual(json.losses.map((l: { iteration: number }) => l.iteration), [1, 2]);
      assert(json.losses.every((l: { J: number }) => Number.isFinite(l.J) && l.J > 0), 'finite losses');
      assertEqual(lines(r.stderr).filter((l) => /^iteration /.test(l)).length, 2, 'a loss line per iteration on stderr');
      const image = decodeImage(readFileSync(out));
      assertEqual([image.width, image.height], [json.width, json.height]);
      assertEqual(Math.max(image.width, image.height), 32, 'longest side --size');
    });
  });
});
