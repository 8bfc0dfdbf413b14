/**
 * The child processes of test/node/gallery-file.test.ts: that test's bundle runs itself again
 * with WGSL_VISION_GALLERY_WRITER set to one of these roles (JSON), and this module takes over.
 * - crash: appends batches to a gallery folder until killed, saying "ready N" (N whole batches
 *   found at open), "writing B" as it calls append and "committed B" after it returned.
 * - concurrent: says "ready", waits for the go file, appends `count` people one at a time, then,
 *   once the other writer is done too, one empty append; prints every change the appends handed
 *   back (JSON).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { fileGalleryStorage } from '../../src/host/gallery-file.js';
import type { GalleryChange, PersonDescriptors } from '../../src/tasks/face/gallery-index.js';

export const WRITER_ENV = 'WGSL_VISION_GALLERY_WRITER';

export type WriterRole =
  | { role: 'crash'; dir: string; dims: number; people: number; perPerson: number; maxBatches: number }
  | { role: 'concurrent'; dir: string; dims: number; name: string; count: number; goFile: string; doneFile: string; otherDoneFile: string };

/** Value j of descriptor k of person `who` (float32-exact): what the children write and the test expects. */
export function valueOf(who: number, k: number, j: number): number {
  return Math.fround(((who * 131 + k * 17 + j * 7) % 997) / 997 - 0.5);
}

export function descriptor(who: number, k: number, dims: number): Float32Array {
  const d = new Float32Array(dims);
  for (let j = 0; j < dims; j++) d[j] = valueOf(who, k, j);
  return d;
}

/** Batch b of the crash writer: `people` people of `perPerson` descriptors, ids 'b<b>-<i>'. */
export function crashBatch(b: number, people: number, perPerson: number, dims: number): PersonDescriptors[] {
  return Array.from({ length: people }, (_, i) => ({
    id: `b${b}-${i}`,
    descriptors: Array.from({ length: perPerson }, (_, k) => descriptor(b * people + i, k, dims)),
  }));
}

/** What the concurrent writer prints: each change with the person's id and descriptor count. */
export interface ChangeSummary {
  kind: GalleryChange['kind'];
  id?: string;
  descriptors?: number;
}

export async function runGalleryWriter(spec: string): Promise<never> {
  const job = JSON.parse(spec) as WriterRole;
  const storage = fileGalleryStorage(job.dir);
  const identity = { dims: job.dims, descriptor: 'test' };
  const stored = await storage.load(identity);
  if (job.role === 'crash') {
    const whole = stored.length / job.people;
    if (!Number.isInteger(whole)) throw new Error(`found ${stored.length} people, not whole batches of ${job.people}`);
    process.stdout.write(`ready ${whole}\n`);
    for (let b = whole; b < job.maxBatches; b++) {
      const batch = crashBatch(b, job.people, job.perPerson, job.dims);
      process.stdout.write(`writing ${b}\n`);
      await storage.append(batch);
      process.stdout.write(`committed ${b}\n`);
    }
  } else {
    const changes: GalleryChange[] = [];
    const who = job.name === 'a' ? 0 : 1000;
    process.stdout.write('ready\n');
    await until(job.goFile);
    for (let i = 0; i < job.count; i++) {
      changes.push(...(await storage.append([{ id: `${job.name}-${i}`, descriptors: [descriptor(who + i, 0, job.dims)] }])));
    }
    writeFileSync(job.doneFile, 'done');
    await until(job.otherDoneFile);
    changes.push(...(await storage.append([])));
    const summary: ChangeSummary[] = changes.map((c) => (c.kind === 'add' ? { kind: c.kind, id: c.person.id, descriptors: c.person.descriptors.length } : c.kind === 'remove' ? { kind: c.kind, id: c.id } : { kind: c.kind }));
    process.stdout.write(JSON.stringify(summary) + '\n');
  }
  await storage.close();
  process.exit(0);
}

async function until(file: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`no ${file} after 60 s`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
