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
import { Rng } from '../util/random.js';

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
    "await esbuild.build({ ...forNode, entryPoints: { 'wgsl-vision': 'src/cli/main.ts' }, outdir: 'build/cli' });";
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

/** A `gallery list --json` run as [id, descriptors] pairs, in enrolment order. */
function galleryList(r: Run): [string, number][] {
  assertEqual(r.code, 0, `gallery list: ${r.stderr}`);
  return JSON.parse(r.stdout).people.map((p: { id: string; descriptors: number }) => [p.id, p.descriptors]);
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
      const commands = ['verify', 'enroll', 'identify', 'gallery', 'style', 'visualize', 'bench', 'info'];
      for (const c of commands) assert(new RegExp(`^  ${c} `, 'm').test(top.stdout), `${c} listed`);
      for (const c of commands) {
        const r = await cli([c, '--help']);
        assertEqual(r.code, 0, `${c} --help exit code`);
        assert(r.stdout.startsWith(`usage: wgsl-vision ${c}`), `${c} usage: ${r.stdout.slice(0, 80)}`);
        assert(/--json/.test(r.stdout) || c === 'bench', `${c} help lists --json`);
      }
      assert(/-o, --output FILE/.test((await cli(['style', '-h'])).stdout), 'style options listed');
      const gallery = await cli(['help', 'gallery']);
      assertEqual(gallery.code, 0);
      for (const sub of ['list', 'remove ID', 'export FILE', 'import FILE']) assert(new RegExp(`^${sub}\\s`, 'm').test(gallery.stdout), `help gallery explains ${sub}: ${gallery.stdout}`);
      for (const option of ['--gallery DIR', '--db URL', '--merge', '--replace']) assert(gallery.stdout.includes(option), `help gallery lists ${option}`);
      const enroll = (await cli(['enroll', '--help'])).stdout;
      assert(/--dir PEOPLE/.test(enroll) && /--gallery DIR/.test(enroll) && /--db URL/.test(enroll), `enroll help: ${enroll}`);
      assert(/Exit code: 0 a face is recognized/.test((await cli(['identify', '--help'])).stdout), 'identify documents its exit codes');
    });

    it('rejects bad arguments with one line and exit code 2', async () => {
      assertFailure(await cli(['frobnicate']), 2, /unknown command 'frobnicate'/);
      assertFailure(await cli(['verify', orl('s1/1')]), 2, /verify needs 2 arguments/);
      assertFailure(await cli(['verify', '--bogus', orl('s1/1'), orl('s1/2')]), 2, /unknown option '--bogus'/);
      assertFailure(await cli(['verify', orl('s1/1'), orl('s1/2'), '--threshold', 'near']), 2, /--threshold must be a number, got 'near'/);
      assertFailure(await cli(['verify', orl('s1/1'), orl('s1/2'), '--detector', 'huge']), 2, /--detector must be one of ssd, tiny/);
      assertFailure(await cli(['enroll', 'ada', orl('s1/1')]), 2, /enroll needs --gallery DIR \(a gallery folder\) or --db URL/);
      assertFailure(await cli(['enroll', '-g', join(dir, 'g'), 'ada']), 2, /enroll needs NAME and at least one IMAGE, or --dir PEOPLE/);
      assertFailure(await cli(['enroll', '-g', join(dir, 'g'), '--dir', dir, 'ada']), 2, /enroll --dir takes no NAME or images/);
      assertFailure(await cli(['identify', '-g', join(dir, 'g'), '--db', 'postgres://127.0.0.1:1/x', orl('s1/1')]), 2, /give --gallery DIR or --db URL, not both/);
      assertFailure(await cli(['identify', '--db', 'mysql://somewhere/x', orl('s1/1')]), 2, /--db must be a postgres:\/\/ or postgresql:\/\/ URL/);
      assertFailure(await cli(['gallery', 'frobnicate', '-g', dir]), 2, /unknown gallery subcommand 'frobnicate'/);
      assertFailure(await cli(['gallery', 'remove', '-g', dir]), 2, /gallery remove needs ID/);
      assertFailure(await cli(['gallery', 'list', '-g', dir, '--merge']), 2, /--merge and --replace are options of gallery import/);
      assertFailure(await cli(['gallery', 'list']), 2, /gallery list needs --gallery DIR/);
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
      assertFailure(await cli(['identify', '--gallery', join(dir, 'nobody'), orl('s1/1')]), 3, /gallery .*nobody does not exist \(enroll people into it first/);
      assert(!existsSync(join(dir, 'nobody')), 'identify makes no gallery folder');
      assertFailure(await cli(['identify', '--gallery', dir, orl('s1/1')]), 3, /is not a wgsl-vision gallery folder \(no index\.json\)/);
      assertFailure(await cli(['enroll', '--gallery', dir, 'ada', orl('s1/1')]), 3, /is not a wgsl-vision gallery folder \(no index\.json; it holds other files: give a new or empty folder\)/);
      assertFailure(await cli(['identify', '--gallery', orl('s1/1'), orl('s1/1')]), 3, /s1\/1\.pgm is a file, not a gallery folder/);
      assertFailure(await cli(['identify', '--gallery', join(dir, 'g'), orl('s1/1'), join(dir, 'missing.jpg')]), 3, /file not found: .*missing\.jpg/);
      assertFailure(await cli(['identify', '--gallery', join(dir, 'g'), orl('s1/1'), notImage]), 3, /not an image: .*notes\.jpg is not a JPEG, PNG or PGM file/);
    });

    it('a JSON gallery file of earlier versions, or a face-api FaceMatcher file, says how to import it', async () => {
      const legacy = join(dir, 'people.json');
      writeFileSync(legacy, JSON.stringify({ format: 'wgsl-vision-gallery', version: 1, dims: 128, people: [{ id: 'ada', descriptors: [new Array(128).fill(0.01)] }] }));
      for (const args of [['identify', '--gallery', legacy, orl('s1/1')], ['enroll', '--gallery', legacy, 'ada', orl('s1/1')], ['gallery', 'list', '--gallery', legacy]]) {
        assertFailure(await cli(args), 3, new RegExp(`${legacy.replace(/[.\\/]/g, '\\$&')} is a JSON gallery file of an earlier wgsl-vision; galleries are folders now: convert it with wgsl-vision gallery import ${legacy.replace(/[.\\/]/g, '\\$&')} --gallery NEWDIR`));
      }
      const matcher = join(dir, 'matcher.json');
      writeFileSync(matcher, JSON.stringify({ distanceThreshold: 0.6, labeledDescriptors: [{ label: 'ada', descriptors: [new Array(128).fill(0.01)] }] }));
      assertFailure(await cli(['identify', '--gallery', matcher, orl('s1/1')]), 3, /matcher\.json is a face-api FaceMatcher file, not a gallery folder: import it with wgsl-vision gallery import .*matcher\.json --gallery NEWDIR/);
    });

    it('--db: an unreachable database is one clear line at once, before any model loads', async () => {
      const unreachable = 'postgres://wv:sekrit@127.0.0.1:1/faces';
      for (const args of [['gallery', 'list', '--db', unreachable], ['identify', '--db', unreachable, orl('s1/1')], ['enroll', '--db', unreachable, 'ada', orl('s1/1')]]) {
        const started = Date.now();
        const r = await cli(args);
        const seconds = (Date.now() - started) / 1000;
        assertFailure(r, 3, /database unreachable at wv@127\.0\.0\.1:1\/faces: ECONNREFUSED/);
        assert(!/loading face models/.test(r.stderr), `${args[0]}: no model loaded first: ${r.stderr}`);
        assert(!r.stderr.includes('sekrit'), `the password is never shown: ${r.stderr}`);
        assert(seconds < 20, `${args[0]} failed in ${seconds.toFixed(1)} s`);
      }
      const json = await cli(['gallery', 'list', '--db', unreachable, '--json']);
      assertEqual([json.code, JSON.parse(json.stdout).error.kind, JSON.parse(json.stdout).error.fault], [3, 'database', 'unreachable'], '--json names the fault');
      // The environment variable stands in for --db.
      assertFailure(await cli(['gallery', 'list'], { WGSL_VISION_DATABASE_URL: unreachable }), 3, /database unreachable at wv@127\.0\.0\.1:1\/faces/);
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
      const gallery = join(dir, 'untouched');
      assertFailure(await cli(['enroll', '--gallery', gallery, 'ada', orl('s1/1'), grey, ...FAST]), 3, /no face found in .*grey\.png/);
      assert(!existsSync(gallery), 'no gallery folder made');
    });

    it('enroll then identify round-trip in a gallery folder: a name, or "not recognized" (exit 1)', async () => {
      const gallery = join(dir, 'gallery');
      const first = await cli(['enroll', '--gallery', gallery, 's1', orl('s1/1'), orl('s1/2'), ...FAST]);
      assertEqual(first.code, 0, first.stderr);
      assert(/^enrolled\s+s1 \(2 images added, 2 in all\)/m.test(first.stdout), first.stdout);
      assert(existsSync(join(gallery, 'index.json')) && existsSync(join(gallery, 'descriptors.bin')), 'the folder holds the gallery');
      const second = JSON.parse((await cli(['enroll', '-g', gallery, 's8', orl('s8/1'), '--json', ...FAST])).stdout);
      assertEqual(second.gallery, { folder: gallery, people: 2, descriptors: 3 });
      assertEqual(galleryList(await cli(['gallery', 'list', '-g', gallery, '--json'])), [['s1', 2], ['s8', 1]]);

      const known = await cli(['identify', '--gallery', gallery, orl('s1/5'), '--json', ...FAST]);
      assertEqual(known.code, 0, known.stderr);
      const [k] = JSON.parse(known.stdout);
      assertEqual([k.file, k.recognized, k.faces.length, k.faces[0].id], [orl('s1/5'), true, 1, 's1']);
      assertEqual(k.faces[0].candidates.map((c: { id: string }) => c.id), ['s1', 's8'], 'candidates nearest first');

      const stranger = await cli(['identify', '--gallery', gallery, orl('s10/1'), ...FAST]);
      assertEqual(stranger.code, 1, stranger.stderr);
      assert(/^not recognized/.test(stranger.stdout), stranger.stdout);

      // A bad image changes nothing in an existing gallery either.
      assertFailure(await cli(['enroll', '-g', gallery, 's8', orl('s8/2'), grey, ...FAST]), 3, /no face found in .*grey\.png/);
      assertEqual(galleryList(await cli(['gallery', 'list', '-g', gallery, '--json'])), [['s1', 2], ['s8', 1]], 'unchanged');
    });

    it('enroll --dir: a folder per person in one run, bad images skipped and named; identify of many images in one run', async () => {
      const people = join(dir, 'people');
      const person = (id: string, images: string[]) => {
        mkdirSync(join(people, id), { recursive: true });
        for (const i of images) copyFileSync(orl(`${id}/${i}`), join(people, id, `${i}.pgm`));
      };
      person('s1', ['1', '2', '3']);
      person('s2', ['1', '2']);
      person('s8', ['1', '2']);
      copyFileSync(grey, join(people, 's2', 'grey.png'));
      copyFileSync(notImage, join(people, 's2', 'notes.jpg'));
      writeFileSync(join(people, 's1', 'README.txt'), 'not an image file name: ignored\n');
      copyFileSync(orl('s5/1'), join(people, 'stray.pgm'));
      mkdirSync(join(people, 'nobody'));
      const gallery = join(dir, 'from-folders');
      const r = await cli(['enroll', '--gallery', gallery, '--dir', people, '--json', ...FAST]);
      assertEqual(r.code, 0, r.stderr);
      const json = JSON.parse(r.stdout);
      assertEqual(json.enrolled.map((p: { id: string; added: number }) => [p.id, p.added]), [['s1', 3], ['s2', 2], ['s8', 2]]);
      assertEqual([json.people, json.descriptors, json.skipped], [3, 7, 2]);
      const s2 = json.enrolled[1];
      assertEqual(s2.skipped.map((k: { file: string }) => k.file), [join(people, 's2', 'grey.png'), join(people, 's2', 'notes.jpg')]);
      assert(/^no face found$/.test(s2.skipped[0].reason) && /not an image/.test(s2.skipped[1].reason), JSON.stringify(s2.skipped));
      assertEqual(json.notEnrolled.map((p: { id: string }) => p.id), ['nobody']);
      assertEqual(json.gallery, { folder: gallery, people: 3, descriptors: 7 });
      assertEqual(galleryList(await cli(['gallery', 'list', '-g', gallery, '--json'])), [['s1', 3], ['s2', 2], ['s8', 2]]);
      // Not a terminal: plain lines, a skipped image named with its reason, the models loaded once.
      assertEqual(lines(r.stderr).filter((l) => /loading face models/.test(l)).length, 1, r.stderr);
      assert(/^  skipped .*s2\/grey\.png: no face found$/m.test(r.stderr), r.stderr);
      assert(/^  s2: 2 faces, 2 skipped$/m.test(r.stderr) && /^  nobody: not enrolled/m.test(r.stderr), r.stderr);
      assert(/stray\.pgm: not in a person's folder, ignored/.test(r.stderr), r.stderr);
      assert(!r.stderr.includes('\x1b['), 'no terminal codes when stderr is not a terminal');

      const images = [orl('s1/5'), orl('s8/5'), orl('s10/1'), grey];
      const id = await cli(['identify', '-g', gallery, ...images, '--json', ...FAST]);
      assertEqual(id.code, 0, id.stderr);
      assertEqual(lines(id.stderr).filter((l) => /loading face models/.test(l)).length, 1, 'models loaded once');
      const results = JSON.parse(id.stdout);
      assertEqual(results.map((x: { file: string }) => x.file), images, 'one result per image, in order');
      assertEqual(results.slice(0, 3).map((x: { faces: { id: string | null }[] }) => x.faces.map((f) => f.id)), [['s1'], ['s8'], [null]]);
      assertEqual([results[3].recognized, results[3].error.kind], [false, 'no-face']);

      const none = await cli(['identify', '-g', gallery, orl('s10/1'), grey, ...FAST]);
      assertEqual(none.code, 1, `none recognized: ${none.stderr}`);
      const [stranger, blank, ...rest] = lines(none.stdout);
      assert(/^\.\.\/shared\/data\/orl-faces\/s10\/1\.pgm: not recognized  \(nearest s(1|2|8) at 0\.\d{4}, threshold 0\.6000\)$/.test(stranger!), `one line per image: ${none.stdout}`);
      assertEqual([blank, rest.length], [`${grey}: no face found`, 0]);
    });

    it('enroll --dir on a terminal: a progress bar on stderr, the summary on stdout', async () => {
      const people = join(dir, 'people-tty');
      for (const [id, images] of [['s1', ['1', '2']], ['s2', ['1']]] as const) {
        mkdirSync(join(people, id), { recursive: true });
        for (const i of images) copyFileSync(orl(`${id}/${i}`), join(people, id, `${i}.pgm`));
      }
      copyFileSync(grey, join(people, 's2', 'grey.png'));
      const gallery = join(dir, 'tty-gallery');
      // The bundle itself, told its stderr is a terminal (the launcher says so when it is one).
      const r = await cli(['enroll', '-g', gallery, '--dir', people, ...FAST], { WGSL_VISION_STDERR_TTY: '80' }, 'build/cli/wgsl-vision.js');
      assertEqual(r.code, 0, r.stderr);
      assert(/\r\x1b\[2Kenrolling [█░]{28}\s+0% 0\/4/.test(r.stderr) && /enrolling █{28} 100% 4\/4/.test(r.stderr), `a bar redrawn in place: ${JSON.stringify(r.stderr)}`);
      assert(/skipped .*grey\.png: no face found/.test(r.stderr), 'a skipped image stays in the scrollback');
      const out = lines(r.stdout);
      assert(/^enrolled\s+2 people, 3 descriptors from .*people-tty$/.test(out[0]!), out.join('\n'));
      assert(/^  s1\s+2 descriptors$/.test(out[1]!) && /^  s2\s+1 descriptor \(1 image skipped\)$/.test(out[2]!), out.join('\n'));
      assert(/^skipped\s+1 image$/m.test(r.stdout) && /grey\.png\s+no face found$/m.test(r.stdout), r.stdout);
      assert(new RegExp(`^gallery\\s+${gallery.replace(/[.\\/]/g, '\\$&')}: 2 people, 3 descriptors$`, 'm').test(r.stdout), r.stdout);
    });
  });

  describe('gallery list, remove, export, import (no model loads)', () => {
    // Seeded descriptors (float32 values, so they come back exactly): ada 2, bob 1, cy 3.
    const descriptor = (seed: number) => Array.from(new Rng(seed).array(128, -0.3, 0.3));
    const saved = { format: 'wgsl-vision-gallery', version: 1, dims: 128, people: [
      { id: 'ada', descriptors: [descriptor(1), descriptor(2)] },
      { id: 'bob', descriptors: [descriptor(3)] },
      { id: 'cy', descriptors: [descriptor(4), descriptor(5), descriptor(6)] },
    ] };
    const bytes = (d: number[]) => Buffer.from(Float32Array.from(d).buffer);

    it('imports an earlier JSON gallery, lists, exports, forgets (erased from the folder) and imports again by mode', async () => {
      const legacy = join(dir, 'legacy.json');
      writeFileSync(legacy, JSON.stringify(saved)); // no "descriptor": galleries from before there was a choice
      const gallery = join(dir, 'imported');
      const imported = await cli(['gallery', 'import', legacy, '--gallery', gallery]);
      assertEqual(imported.code, 0, imported.stderr);
      assertEqual(lines(imported.stdout), [`imported  3 people, 6 descriptors from ${legacy}`, `gallery   ${gallery}: 3 people, 6 descriptors`]);
      const listed = await cli(['gallery', 'list', '-g', gallery]);
      assertEqual(lines(listed.stdout), ['person  descriptors', 'ada               2', 'bob               1', 'cy                3', `3 people, 6 descriptors in ${gallery}`]);
      assert(!/loading face models/.test(listed.stderr), 'no model loads');

      const exported = join(dir, 'exported.json');
      const ex = await cli(['gallery', 'export', exported, '-g', gallery]);
      assertEqual(ex.code, 0, ex.stderr);
      assertEqual(lines(ex.stdout), [`exported 3 people, 6 descriptors from ${gallery} to ${exported}`]);
      const { format, version, dims, people } = saved;
      assertEqual(JSON.parse(readFileSync(exported, 'utf8')), { format, version, dims, descriptor: 'dlib', people }, 'the export holds every descriptor as enrolled');
      assertEqual(JSON.parse((await cli(['gallery', 'export', '-', '-g', gallery])).stdout).people.length, 3, 'export - writes to stdout');

      const bin = join(gallery, 'descriptors.bin');
      assert(readFileSync(bin).includes(bytes(saved.people[1]!.descriptors[0]!)), "bob's descriptor is in the file before");
      const forgot = await cli(['gallery', 'remove', 'bob', '-g', gallery]);
      assertEqual(forgot.code, 0, forgot.stderr);
      assertEqual(lines(forgot.stdout), ['forgot   bob (1 descriptor erased)', `gallery  ${gallery}: 2 people, 5 descriptors`]);
      assert(!readFileSync(bin).includes(bytes(saved.people[1]!.descriptors[0]!)), "bob's descriptor is erased from the file");
      assert(readFileSync(bin).includes(bytes(saved.people[0]!.descriptors[1]!)), "ada's are still there");
      assertEqual(galleryList(await cli(['gallery', 'list', '-g', gallery, '--json'])), [['ada', 2], ['cy', 3]]);
      assertFailure(await cli(['gallery', 'remove', 'bob', '-g', gallery]), 1, /'bob' is not enrolled in .*imported \(wgsl-vision gallery list shows who is\)/);
      assertEqual(JSON.parse((await cli(['gallery', 'forget', 'ada', '-g', gallery, '--json'])).stdout).forgotten, 'ada', 'forget is remove');

      assertFailure(await cli(['gallery', 'import', exported, '-g', gallery]), 3, /already enrolled in .*imported: cy \(import with --merge to add their descriptors to theirs, or --replace to forget everyone first\)/);
      assertEqual(galleryList(await cli(['gallery', 'list', '-g', gallery, '--json'])), [['cy', 3]], 'a refused import changes nothing');
      assertEqual((await cli(['gallery', 'import', exported, '-g', gallery, '--merge'])).code, 0);
      assertEqual(galleryList(await cli(['gallery', 'list', '-g', gallery, '--json'])), [['cy', 6], ['ada', 2], ['bob', 1]], '--merge adds to cy');
      const bad = join(dir, 'bad.json');
      writeFileSync(bad, JSON.stringify({ ...saved, people: [...saved.people, { id: 'dee', descriptors: [[1, 2, 3]] }] }));
      assertFailure(await cli(['gallery', 'import', bad, '-g', gallery, '--replace']), 3, /person 'dee' has a malformed descriptor: descriptor 0 has 3 values, expected 128/);
      assertEqual(galleryList(await cli(['gallery', 'list', '-g', gallery, '--json'])), [['cy', 6], ['ada', 2], ['bob', 1]], 'a bad file forgets no one');
      assertEqual((await cli(['gallery', 'import', exported, '-g', gallery, '--replace'])).code, 0);
      assertEqual(galleryList(await cli(['gallery', 'list', '-g', gallery, '--json'])), [['ada', 2], ['bob', 1], ['cy', 3]], '--replace');
      assertFailure(await cli(['gallery', 'import', notImage, '-g', gallery]), 3, /notes\.jpg is not valid JSON/);
    });

    it("imports a face-api FaceMatcher's JSON (repeated labels merged) and says its threshold", async () => {
      const matcher = join(dir, 'face-matcher.json');
      writeFileSync(matcher, JSON.stringify({ distanceThreshold: 0.5, labeledDescriptors: [
        { label: 'ada', descriptors: [descriptor(1)] }, { label: 'bob', descriptors: [descriptor(3)] }, { label: 'ada', descriptors: [descriptor(2)] },
      ] }));
      const gallery = join(dir, 'from-matcher');
      const r = await cli(['gallery', 'import', matcher, '-g', gallery]);
      assertEqual(r.code, 0, r.stderr);
      assert(/^imported\s+2 people, 3 descriptors from .*face-matcher\.json \(a face-api FaceMatcher\)$/m.test(r.stdout), r.stdout);
      assert(/^threshold\s+the matcher's distanceThreshold is 0\.5: identify with --threshold 0\.5/m.test(r.stdout), r.stdout);
      assertEqual(galleryList(await cli(['gallery', 'list', '-g', gallery, '--json'])), [['ada', 2], ['bob', 1]]);
    });
  });

  describe('--db: a PostgreSQL gallery (PGlite with pgvector served on 127.0.0.1)', () => {
    // Imported at run time by name: PGlite finds its WebAssembly next to its own module.
    const load = <T>(name: string): Promise<T> => import(/* not bundled */ name) as Promise<T>;
    let db: { close(): Promise<void> } | undefined;
    let server: { stop(): Promise<void> } | undefined;
    let url = '';

    before(async function () {
      try {
        const { PGlite } = await load<typeof import('@electric-sql/pglite')>('@electric-sql/pglite');
        const { vector } = await load<typeof import('@electric-sql/pglite-pgvector')>('@electric-sql/pglite-pgvector');
        const { PGLiteSocketServer } = await load<typeof import('@electric-sql/pglite-socket')>('@electric-sql/pglite-socket');
        const pglite = await PGlite.create({ extensions: { vector } });
        db = pglite;
        const s = new PGLiteSocketServer({ db: pglite, host: '127.0.0.1', port: 0, maxConnections: 8 });
        await s.start();
        server = s;
        url = `postgres://postgres:sekrit@${s.getServerConn()}/postgres`;
      } catch (e) {
        console.warn(`PGlite is not installed (${(e as Error).message}): skipping the --db tests`);
        this.skip();
      }
    });
    after(async () => {
      await server?.stop();
      await db?.close();
    });

    it('enroll, identify, gallery list / remove / import against the database', async () => {
      const enrolled = await cli(['enroll', '--db', url, 's1', orl('s1/1'), orl('s1/2'), ...FAST]);
      assertEqual(enrolled.code, 0, enrolled.stderr);
      assert(/^gallery\s+postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/postgres: 1 person, 2 descriptors$/m.test(enrolled.stdout), enrolled.stdout);
      assert(!enrolled.stdout.includes('sekrit') && !enrolled.stderr.includes('sekrit'), 'the password is never shown');
      const legacy = join(dir, 'for-db.json');
      writeFileSync(legacy, JSON.stringify({ format: 'wgsl-vision-gallery', version: 1, dims: 128, descriptor: 'dlib', people: [{ id: 'zed', descriptors: [new Array(128).fill(0.5)] }] }));
      assertEqual((await cli(['gallery', 'import', legacy], { WGSL_VISION_DATABASE_URL: url })).code, 0, 'import into the database named by the environment');
      assertEqual(galleryList(await cli(['gallery', 'list', '--db', url, '--json'])), [['s1', 2], ['zed', 1]]);
      const id = await cli(['identify', '--db', url, orl('s1/5'), orl('s10/1'), '--json', ...FAST]);
      assertEqual(id.code, 0, id.stderr);
      assertEqual(JSON.parse(id.stdout).map((r: { faces: { id: string | null }[] }) => r.faces[0]!.id), ['s1', null]);
      assertEqual((await cli(['gallery', 'remove', 's1', '--db', url])).code, 0);
      assertEqual(galleryList(await cli(['gallery', 'list', '--db', url, '--json'])), [['zed', 1]], 's1 forgotten in the database');
      assertFailure(await cli(['gallery', 'remove', 's1', '--db', url]), 1, /'s1' is not enrolled/);
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
  describe('visualize', () => {
    it('writes a top-patch and an activation-maximisation PNG per layer, and names unknown layers and units', async () => {
      const faces = join(dir, 'faces');
      mkdirSync(faces, { recursive: true });
      for (const s of [1, 2, 3]) copyFileSync(orl(`s${s}/1`), join(faces, `s${s}.pgm`));
      const out = join(dir, 'vis');
      const r = await cli(['visualize', '--images', faces, '-o', out, '--layers', 'conv32_down', '--units', '0,1', '--steps', '2', '--json']);
      assertEqual(r.code, 0, r.stderr);
      const json = JSON.parse(r.stdout);
      assertEqual(json.images, 3, 'images used');
      const [layer] = json.layers;
      assertEqual([layer.layer, layer.receptiveField], ['conv32_down', 7], 'layer and its field');
      for (const file of [layer.top, layer.max]) {
        assert(existsSync(file), `${file} written`);
        const image = decodeImage(readFileSync(file), file);
        assert(new Set(image.data.filter((_, i) => i % 4 === 0)).size > 10, `${file} is not blank`);
      }
      assertEqual(decodeImage(readFileSync(layer.top)).height, 2 * 48 + 3 * 2, 'two rows of patches');
      assertFailure(await cli(['visualize', '--images', faces, '-o', out, '--layers', 'conv99']), 2, /unknown layer 'conv99' of face-resnet \(layers: conv32_down, pool, conv32_1/);
      assertFailure(await cli(['visualize', '--images', faces, '-o', out, '--layers', 'conv32_down', '--units', '40']), 2, /unknown unit 40 of layer 'conv32_down': it has 32 units \(0–31\)/);
      assertFailure(await cli(['visualize', '--images', join(dir, 'absent'), '-o', out]), 3, /--images: .*absent is not a folder/);
    });
  });
});
