// The Node gallery folder (src/host/gallery-file.ts): an append-only float32 file and its index.
// Round trips, forget erasing the bytes, clear, refusals of damaged or foreign folders (which
// must leave the files as they were), crashes (a writer process killed mid-write, again and
// again) and two processes enrolling into one folder at once. The child processes are this
// test's own bundle run again with WGSL_VISION_GALLERY_WRITER set (see gallery-writer.ts).
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fileGalleryStorage } from '../../src/host/gallery-file.js';
import type { PersonDescriptors } from '../../src/tasks/face/gallery-index.js';
import { assert, assertEqual, assertRejects } from '../util/assert.js';
import { crashBatch, descriptor, runGalleryWriter, valueOf, WRITER_ENV, type ChangeSummary, type WriterRole } from './gallery-writer.js';

const role = process.env[WRITER_ENV];
if (role) await runGalleryWriter(role);
else describe('face gallery folder (Node: append-only float32 file + index)', defineTests);

const DLIB = { dims: 128, descriptor: 'dlib' };
const pad4 = (n: number) => Math.ceil(n / 4) * 4;
/** Bytes of one add record as the format describes it: frame, kind, id length, id, count, floats. */
const addBytes = (id: string, count: number, dims: number) => 8 + 4 + 4 + pad4(Buffer.byteLength(id)) + 4 + count * dims * 4;
const bytesOf = (d: Float32Array) => Buffer.from(d.buffer, d.byteOffset, d.byteLength);
const summary = (people: PersonDescriptors[]) => people.map((p) => ({ id: p.id, descriptors: p.descriptors.map((d) => Array.from(d)) }));
const made: string[] = [];
/** A gallery folder that does not exist yet, in a temporary folder removed after the tests. */
function newDir(): string {
  made.push(mkdtempSync(join(tmpdir(), 'gallery-file-')));
  return join(made.at(-1)!, 'gallery');
}
let seed = 7;
const random = (dims: number) => Float32Array.from({ length: dims }, () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32) - 0.5);

/** Every file of the folder with its bytes: what a refused open must leave as it was. */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).sort().map((name) => [name, readFileSync(join(dir, name)).toString('base64')]));
}

function readIndex(dir: string): { committed: number; generation: number; scrub: [number, number][]; dims: number; descriptor: string } {
  return JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
}

function defineTests(): void {
  after(() => {
    for (const dir of made) rmSync(dir, { recursive: true, force: true });
  });

  it('stores people, adds to a person, and reads everyone back in enrolment order after a reopen', async () => {
    const dir = newDir();
    const ada = [random(128), random(128)];
    const bob = [random(128)];
    const adaMore = [random(128)];
    const zoe = [random(128), random(128), random(128)];
    const s = fileGalleryStorage(dir);
    assertEqual(await s.load(DLIB), [], 'a new gallery');
    assertEqual(await s.append([{ id: 'ada', descriptors: ada }, { id: 'bob', descriptors: bob }]), [], 'changes by others');
    await s.append([{ id: 'ada', descriptors: adaMore }]);
    await s.append([{ id: 'Zoë 🙂', descriptors: zoe }]);
    await s.close();
    await assertRejects(() => s.append([]), /GalleryError: gallery .* is closed/);
    const expected = [
      { id: 'ada', descriptors: [...ada, ...adaMore].map((d) => Array.from(d)) },
      { id: 'bob', descriptors: bob.map((d) => Array.from(d)) },
      { id: 'Zoë 🙂', descriptors: zoe.map((d) => Array.from(d)) },
    ];
    assertEqual(summary(await fileGalleryStorage(dir).load(DLIB)), expected, 'reopened');
    // The layout the format describes: a 16-byte header, then one record per person per append.
    const size = 16 + addBytes('ada', 2, 128) + addBytes('bob', 1, 128) + addBytes('ada', 1, 128) + addBytes('Zoë 🙂', 3, 128);
    assertEqual(statSync(join(dir, 'descriptors.bin')).size, size, 'descriptors.bin bytes');
    const bin = readFileSync(join(dir, 'descriptors.bin'));
    assertEqual(bin.subarray(0, 8).toString('latin1'), 'wgslvgal', 'magic');
    assertEqual(bin.readUInt32LE(12), 128, 'dims in the header');
    assertEqual(bin.indexOf(bytesOf(bob[0]!)), 16 + addBytes('ada', 2, 128) + 8 + 4 + 4 + 4 + 4, "bob's floats, 4-byte aligned after his record's header");
    const index = readIndex(dir);
    assertEqual([index.committed, index.dims, index.descriptor, index.scrub], [size, 128, 'dlib', []], 'index.json');
  });

  it('forget overwrites the person’s descriptors and id in the file, every record of them', async () => {
    const dir = newDir();
    const ada = random(128);
    const bob = [random(128), random(128)];
    const bobLater = random(128);
    const cy = random(128);
    const s = fileGalleryStorage(dir);
    await s.load(DLIB);
    await s.append([{ id: 'ada', descriptors: [ada] }, { id: 'bob-the-person', descriptors: bob }]);
    await s.append([{ id: 'bob-the-person', descriptors: [bobLater] }, { id: 'cy', descriptors: [cy] }]);
    const before = readFileSync(join(dir, 'descriptors.bin'));
    assert(before.indexOf(bytesOf(bob[1]!)) > 0 && before.indexOf('bob-the-person') > 0, 'bob is in the file before');
    assertEqual(await s.remove('bob-the-person'), [], 'changes by others');
    const after = readFileSync(join(dir, 'descriptors.bin'));
    for (const d of [...bob, bobLater]) assertEqual(after.indexOf(bytesOf(d)), -1, "one of bob's descriptors' bytes in the file");
    assertEqual(after.indexOf('bob-the-person'), -1, "bob's id in the file");
    assertEqual(readFileSync(join(dir, 'index.json'), 'utf8').includes('bob'), false, 'bob in index.json');
    for (const d of [ada, cy]) assert(after.indexOf(bytesOf(d)) > 0, 'the others are still there');
    assertEqual(readIndex(dir).scrub, [], 'nothing left to erase');
    // Forgetting someone unknown writes nothing.
    const files = snapshot(dir);
    assertEqual(await s.remove('nobody'), [], 'changes');
    assertEqual(snapshot(dir), files, 'the folder after forgetting nobody');
    await s.close();
    assertEqual(summary(await fileGalleryStorage(dir).load(DLIB)), summary([{ id: 'ada', descriptors: [ada] }, { id: 'cy', descriptors: [cy] }]), 'reopened');
  });

  it('a forget interrupted by a crash (records listed to erase, one half-overwritten) is finished at the next open', async () => {
    const dir = newDir();
    const ada = random(128);
    const bob = random(128);
    const s = fileGalleryStorage(dir);
    await s.load(DLIB);
    await s.append([{ id: 'ada', descriptors: [ada] }, { id: 'bob', descriptors: [bob] }]);
    await s.close();
    // As a crash would leave it: the index lists bob's record to erase, and the overwrite got
    // half-way (its checksum no longer matches: damage anywhere else).
    const at = 16 + addBytes('ada', 1, 128);
    const length = addBytes('bob', 1, 128);
    const index = readIndex(dir);
    writeFileSync(join(dir, 'index.json'), JSON.stringify({ ...index, scrub: [[at, length]] }));
    const bin = readFileSync(join(dir, 'descriptors.bin'));
    bin.fill(0, at + 8 + 4, at + 8 + 200);
    writeFileSync(join(dir, 'descriptors.bin'), bin);
    assertEqual(summary(await fileGalleryStorage(dir).load(DLIB)), summary([{ id: 'ada', descriptors: [ada] }]), 'opened');
    const after = readFileSync(join(dir, 'descriptors.bin'));
    assertEqual(after.indexOf(bytesOf(bob).subarray(200)), -1, "the rest of bob's floats");
    assertEqual(after.indexOf('bob'), -1, "bob's id");
    assertEqual(readIndex(dir).scrub, [], 'the scrub list after the open');
    assert(after.indexOf(bytesOf(ada)) > 0, 'ada is still there');
    // Without the list, the same half-overwritten record is damage.
    writeFileSync(join(dir, 'descriptors.bin'), bin);
    writeFileSync(join(dir, 'index.json'), JSON.stringify(index));
    await assertRejects(() => fileGalleryStorage(dir).load(DLIB), new RegExp(`GalleryError: gallery file .*descriptors.bin is damaged at byte ${at}: checksum mismatch`));
  });

  it('clear cuts the file to its header; a crash between its commit and the cut is finished at the next open', async () => {
    const dir = newDir();
    const ada = random(128);
    const s = fileGalleryStorage(dir);
    await s.load(DLIB);
    await s.append([{ id: 'ada', descriptors: [ada] }]);
    const generation = readIndex(dir).generation;
    await s.clear();
    assertEqual(statSync(join(dir, 'descriptors.bin')).size, 16, 'bytes after clear');
    assertEqual([readIndex(dir).committed, readIndex(dir).generation], [16, generation + 1], 'index after clear');
    assertEqual(await fileGalleryStorage(dir).load(DLIB), [], 'reopened');
    await s.append([{ id: 'ada', descriptors: [ada] }]);
    await s.close();
    // The crash: the index says cleared, the file still holds ada.
    writeFileSync(join(dir, 'index.json'), JSON.stringify({ ...readIndex(dir), committed: 16, generation: generation + 2 }));
    assert(readFileSync(join(dir, 'descriptors.bin')).indexOf(bytesOf(ada)) > 0, 'ada is in the file before');
    assertEqual(await fileGalleryStorage(dir).load(DLIB), [], 'opened');
    assertEqual(statSync(join(dir, 'descriptors.bin')).size, 16, 'bytes after the open');
  });

  it('bytes past the committed end (an interrupted append) are ignored and cut off; the next append goes there', async () => {
    const dir = newDir();
    const ada = random(4);
    const bob = random(4);
    const s = fileGalleryStorage(dir);
    await s.load({ dims: 4, descriptor: 'dlib' });
    await s.append([{ id: 'ada', descriptors: [ada] }]);
    const committed = readIndex(dir).committed;
    appendFileSync(join(dir, 'descriptors.bin'), Buffer.from([60, 0, 0, 0, 1, 2, 3, 4, 1, 0, 0, 0, 9]));
    await s.append([{ id: 'bob', descriptors: [bob] }]);
    assertEqual(statSync(join(dir, 'descriptors.bin')).size, committed + addBytes('bob', 1, 4), 'bytes after the append');
    appendFileSync(join(dir, 'descriptors.bin'), Buffer.alloc(100, 7));
    assertEqual(summary(await fileGalleryStorage(dir).load({ dims: 4, descriptor: 'dlib' })), summary([{ id: 'ada', descriptors: [ada] }, { id: 'bob', descriptors: [bob] }]), 'opened');
    assertEqual(statSync(join(dir, 'descriptors.bin')).size, committed + addBytes('bob', 1, 4), 'bytes after the open');
  });

  it('refuses another network, another size, a truncated or damaged file and a foreign index, naming the problem and changing nothing', async () => {
    const dir = newDir();
    const small = { dims: 4, descriptor: 'dlib' };
    const s = fileGalleryStorage(dir);
    await s.load(small);
    await s.append([{ id: 'ada', descriptors: [Float32Array.of(0.25, -0.5, 0.125, 1)] }]);
    await s.close();
    const good = snapshot(dir);
    const refused = async (identity: { dims: number; descriptor: string }, pattern: RegExp) => {
      const files = snapshot(dir);
      await assertRejects(() => fileGalleryStorage(dir).load(identity), pattern);
      assertEqual(snapshot(dir), files, `the folder after the refusal (${pattern})`);
    };
    await refused({ dims: 8, descriptor: 'dlib' }, /GalleryError: gallery .* holds 4-value 'dlib' descriptors, not the 8-value 'dlib' descriptors/);
    await refused({ dims: 4, descriptor: 'mobilefacenet' }, /GalleryError: gallery .* holds 4-value 'dlib' descriptors, not the 4-value 'mobilefacenet' descriptors/);
    const bin = join(dir, 'descriptors.bin');
    const size = statSync(bin).size;
    const original = readFileSync(bin);
    truncateSync(bin, size - 4);
    await refused(small, new RegExp(`GalleryError: gallery file .*descriptors.bin is truncated: index.json says ${size} bytes, the file has ${size - 4}`));
    const flipped = Buffer.from(original);
    flipped[size - 3]! ^= 0x10; // a bit of ada's last float
    writeFileSync(bin, flipped);
    await refused(small, /GalleryError: gallery file .*descriptors.bin is damaged at byte 16: checksum mismatch/);
    const header = Buffer.from(original);
    header.write('jpegjpeg', 0, 'latin1');
    writeFileSync(bin, header);
    await refused(small, /GalleryError: .*descriptors.bin is not a wgsl-vision descriptor file/);
    writeFileSync(bin, original);
    const index = readFileSync(join(dir, 'index.json'));
    writeFileSync(join(dir, 'index.json'), JSON.stringify({ format: 'someone-else', people: [] }));
    await refused(small, /GalleryError: .*index.json is not a wgsl-vision gallery index/);
    writeFileSync(join(dir, 'index.json'), '{"format":"wgsl-vision-gallery-index","vers');
    await refused(small, /GalleryError: gallery index .*index.json is not valid JSON/);
    rmSync(join(dir, 'index.json'));
    await refused(small, /GalleryError: gallery .* has .*descriptors.bin \(\d+ bytes\) but no index.json/);
    writeFileSync(join(dir, 'index.json'), index);
    assertEqual(snapshot(dir), good, 'the folder put back');
    assertEqual((await fileGalleryStorage(dir).load(small)).map((p) => p.id), ['ada'], 'the gallery after all that');
    // A file where the folder should be.
    const file = join(dir, 'descriptors.bin');
    await assertRejects(() => fileGalleryStorage(file).load(small), /GalleryError: gallery .*descriptors.bin is a file, not a gallery folder/);
  });

  it('an append with a descriptor of the wrong length stores none of it', async () => {
    const dir = newDir();
    const s = fileGalleryStorage(dir);
    await s.load(DLIB);
    await s.append([{ id: 'ada', descriptors: [random(128)] }]);
    const files = snapshot(dir);
    await assertRejects(() => s.append([{ id: 'bob', descriptors: [random(128)] }, { id: 'cy', descriptors: [random(127)] }]), /GalleryError: .*a descriptor of 'cy' has 127 values, the gallery holds 128/);
    assertEqual(snapshot(dir), files, 'the folder');
    assertEqual((await fileGalleryStorage(dir).load(DLIB)).map((p) => p.id), ['ada'], 'reopened');
  });

  it('storages sharing a folder hand back each other’s adds, forgets and clears', async () => {
    const dir = newDir();
    const [ada, bob, cy, dan, eve] = [random(8), random(8), random(8), random(8), random(8)] as Float32Array[];
    const id8 = { dims: 8, descriptor: 'dlib' };
    const one = fileGalleryStorage(dir);
    const two = fileGalleryStorage(dir);
    await one.load(id8);
    await two.load(id8);
    const adds = (id: string, d: Float32Array) => ({ kind: 'add', person: { id, descriptors: [Array.from(d)] } });
    const plain = (changes: unknown[]) => JSON.parse(JSON.stringify(changes, (_, v) => (v instanceof Float32Array ? Array.from(v) : v)));
    assertEqual(plain(await one.append([{ id: 'ada', descriptors: [ada!] }])), [], 'one: ada');
    assertEqual(plain(await two.append([{ id: 'bob', descriptors: [bob!] }])), [adds('ada', ada!)], 'two: bob');
    assertEqual(plain(await one.remove('bob')), [adds('bob', bob!)], 'one: forget bob');
    assertEqual(plain(await two.append([{ id: 'cy', descriptors: [cy!] }])), [{ kind: 'remove', id: 'bob' }], 'two: cy');
    assertEqual(plain(await two.clear()), [], 'two: clear');
    assertEqual(plain(await two.append([{ id: 'dan', descriptors: [dan!] }])), [], 'two: dan');
    assertEqual(plain(await one.append([{ id: 'eve', descriptors: [eve!] }])), [{ kind: 'clear' }, adds('dan', dan!)], 'one: eve');
    assertEqual(plain(await two.append([])), [adds('eve', eve!)], 'two: nothing');
    // At the same time in one process: they take turns at the lock; the second hears of the first.
    const [fromOne, fromTwo] = await Promise.all([one.append([{ id: 'fay', descriptors: [ada!] }]), two.append([{ id: 'gus', descriptors: [bob!] }])]);
    const heard = [...plain(fromOne), ...plain(fromTwo)];
    assert(JSON.stringify(heard) === JSON.stringify([adds('fay', ada!)]) || JSON.stringify(heard) === JSON.stringify([adds('gus', bob!)]), `changes handed back: ${JSON.stringify(heard)}`);
    assertEqual((await fileGalleryStorage(dir).load(id8)).map((p) => p.id).sort(), ['dan', 'eve', 'fay', 'gus'], 'reopened');
  });

  it('waits for a lock held by a live process, naming it, and takes over one whose process is gone', async () => {
    const dir = newDir();
    const s = fileGalleryStorage(dir, { lockTimeoutMs: 300 });
    await s.load(DLIB);
    const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    const ended = new Promise((r) => sleeper.on('exit', r));
    try {
      writeFileSync(join(dir, 'lock'), String(sleeper.pid));
      await assertRejects(() => s.append([{ id: 'ada', descriptors: [random(128)] }]), new RegExp(`GalleryError: gallery .* is locked by process ${sleeper.pid} \\(.*lock\\); gave up after 300 ms`));
      assertEqual(readFileSync(join(dir, 'lock'), 'utf8'), String(sleeper.pid), 'the live lock is left alone');
    } finally {
      sleeper.kill('SIGKILL');
      await ended;
    }
    // The same lock, its process gone.
    await s.append([{ id: 'ada', descriptors: [random(128)] }]);
    assertEqual(existsSync(join(dir, 'lock')), false, 'the lock is released');
    // A lock with this process's own pid that this process does not hold: left by an earlier
    // process that had the same pid (a container's pid 1 after a restart).
    writeFileSync(join(dir, 'lock'), String(process.pid));
    await s.append([{ id: 'bob', descriptors: [random(128)] }]);
    assertEqual((await fileGalleryStorage(dir).load(DLIB)).map((p) => p.id), ['ada', 'bob'], 'reopened');
  });

  it('a writer process killed again and again, mid-write too, leaves whole batches only, and writes go on after', async function () {
    this.timeout(120_000);
    const dir = newDir();
    const job = { role: 'crash', dir, dims: 128, people: 200, perPerson: 100, maxBatches: 40 } as const; // 20,000 descriptors (10 MB) a batch
    let acknowledged = 0; // batches a child said were committed
    let kills = 0;
    let torn = 0; // kills that left bytes past the committed end (killed mid-write)
    const appendMs: number[] = [60]; // how long appends took (writing → committed), to aim the kills
    for (let run = 0; run < 12 && (kills < 6 || torn < 3); run++) {
      const child = spawnWriter(job);
      const ready = await child.line(/^ready (\d+)$/);
      const found = Number(ready[1]);
      // Every acknowledged batch survived; at most the one in flight at the kill got in besides.
      assert(found === acknowledged || found === acknowledged + 1, `run ${run}: ${found} whole batches at open, ${acknowledged} acknowledged`);
      acknowledged = found;
      if (found >= job.maxBatches - 2) break;
      // Killed in the first or second append of this run: every other run at a random moment,
      // the others as soon as the file grows past its committed end (the records being written,
      // not yet committed).
      const batch = found + (Math.random() < 0.5 ? 0 : 1);
      await child.line(new RegExp(`^writing ${batch}$`));
      if (run % 2 === 0) {
        const typical = [...appendMs].sort((x, y) => x - y)[appendMs.length >> 1]!;
        await new Promise((r) => setTimeout(r, Math.random() * typical * 1.2));
      } else {
        const committed = readIndex(dir).committed;
        const until = performance.now() + 5000;
        while (statSync(join(dir, 'descriptors.bin')).size <= committed && !child.lines().some((l) => l.text === `committed ${batch}`) && performance.now() < until) {
          await new Promise((r) => setTimeout(r, 1));
        }
      }
      child.process.kill('SIGKILL');
      const exit = await child.exit;
      assertEqual(exit.signal, 'SIGKILL', `run ${run}: how the writer ended (stderr: ${child.stderr()})`);
      const lines = child.lines();
      for (const l of lines) {
        const m = /^committed (\d+)$/.exec(l.text);
        if (!m) continue;
        acknowledged = Number(m[1]) + 1;
        const started = lines.find((w) => w.text === `writing ${m[1]}`);
        if (started) appendMs.push(l.at - started.at);
      }
      kills++;
      if (statSync(join(dir, 'descriptors.bin')).size > readIndex(dir).committed) torn++;
    }
    assert(kills >= 3, `only ${kills} kills before the gallery filled up`);
    assert(torn >= 1, `none of ${kills} kills landed mid-write`);
    const s = fileGalleryStorage(dir);
    const people = await s.load({ dims: 128, descriptor: 'test' });
    assert(people.length % job.people === 0, `${people.length} people: a partial batch`);
    const batches = people.length / job.people;
    assert(batches === acknowledged || batches === acknowledged + 1, `${batches} batches, ${acknowledged} acknowledged`);
    assertEqual(statSync(join(dir, 'descriptors.bin')).size, readIndex(dir).committed, 'bytes after the open (the torn tail cut off)');
    for (let b = 0; b < batches; b++) {
      for (let i = 0; i < job.people; i++) {
        const p = people[b * job.people + i]!;
        assertEqual(p.id, `b${b}-${i}`, 'id');
        assertEqual(p.descriptors.length, job.perPerson, `descriptors of ${p.id}`);
        for (let k = 0; k < job.perPerson; k += 33) {
          for (let j = 0; j < 128; j += 5) if (p.descriptors[k]![j] !== valueOf(b * job.people + i, k, j)) throw new Error(`${p.id} descriptor ${k} value ${j}: ${p.descriptors[k]![j]}`);
        }
      }
    }
    await s.append(crashBatch(batches, 2, 1, 128));
    await s.close();
    assertEqual((await fileGalleryStorage(dir).load({ dims: 128, descriptor: 'test' })).length, batches * job.people + 2, 'people after one more append');
    console.log(`      ${kills} kills, ${torn} mid-write, ${batches} batches of 20,000 descriptors kept; appends took ~${[...appendMs].sort((x, y) => x - y)[appendMs.length >> 1]!.toFixed(0)} ms`);
  });

  it('two processes enrolling into one folder at the same time lose nobody and hear of each other', async function () {
    this.timeout(60_000);
    const dir = newDir();
    const signals = join(dir, '..', 'signals');
    mkdirSync(signals);
    const goFile = join(signals, 'go');
    const job = (name: string, other: string): WriterRole => ({ role: 'concurrent', dir, dims: 16, name, count: 50, goFile, doneFile: join(signals, name), otherDoneFile: join(signals, other) });
    const a = spawnWriter(job('a', 'b'));
    const b = spawnWriter(job('b', 'a'));
    await Promise.all([a.line(/^ready$/), b.line(/^ready$/)]);
    writeFileSync(goFile, 'go'); // both loaded: start together
    const [ea, eb] = await Promise.all([a.exit, b.exit]);
    assertEqual([ea.code, eb.code], [0, 0], `exit codes (stderr: ${a.stderr()} ${b.stderr()})`);
    const heard = (child: Writer) => JSON.parse(child.lines().at(-1)!.text) as ChangeSummary[];
    const ids = (name: string) => Array.from({ length: 50 }, (_, i) => `${name}-${i}`);
    // Each heard of exactly the other's 50 people, each once, with their descriptor.
    assertEqual(heard(a), ids('b').map((id) => ({ kind: 'add', id, descriptors: 1 })), "a's changes from b");
    assertEqual(heard(b), ids('a').map((id) => ({ kind: 'add', id, descriptors: 1 })), "b's changes from a");
    const people = await fileGalleryStorage(dir).load({ dims: 16, descriptor: 'test' });
    assertEqual(people.map((p) => p.id).sort(), [...ids('a'), ...ids('b')].sort(), 'people in the folder');
    for (const p of people) {
      const [name, i] = p.id.split('-') as [string, string];
      assertEqual(Array.from(p.descriptors[0]!), Array.from(descriptor((name === 'a' ? 0 : 1000) + Number(i), 0, 16)), `${p.id}'s descriptor`);
    }
    // How their enrolments interleaved (not asserted: that is up to the scheduler).
    console.log(`      enrolment order: ${people.map((p) => p.id[0]).join('')}`);
  });
}

interface Writer {
  process: ReturnType<typeof spawn>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  line(pattern: RegExp): Promise<RegExpExecArray>;
  /** Lines printed so far, with when they came (performance.now()). */
  lines(): { text: string; at: number }[];
  stderr(): string;
}

/** This test's bundle, run again as a writer child (see gallery-writer.ts). */
function spawnWriter(job: WriterRole): Writer {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url)], { env: { ...process.env, [WRITER_ENV]: JSON.stringify(job) }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: { text: string; at: number }[] = [];
  const listeners: ((line: string) => void)[] = [];
  let partial = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop()!;
    for (const text of parts) {
      lines.push({ text, at: performance.now() });
      for (const f of listeners) f(text);
    }
  });
  child.stderr!.on('data', (d) => (stderr += d));
  // 'exit' comes once Node has reaped the child: its pid is free, its lock stale.
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return {
    process: child,
    exit,
    lines: () => lines,
    stderr: () => stderr,
    line: (pattern) =>
      new Promise((resolve, reject) => {
        for (const l of lines) {
          const m = pattern.exec(l.text);
          if (m) return resolve(m);
        }
        listeners.push((l) => {
          const m = pattern.exec(l);
          if (m) resolve(m);
        });
        void exit.then((e) => reject(new Error(`the writer ended (${e.code ?? e.signal}) before printing ${pattern}: ${stderr}`)));
      }),
  };
}
