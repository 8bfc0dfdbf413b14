/**
 * `wgsl-vision enroll --gallery DIR NAME IMAGE...`: adds a person to a gallery from photos of
 * their face; `enroll --gallery DIR --dir PEOPLE`: everyone in a folder of folders, one per person.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { FaceGallery } from '../../node.js';
import { stringOption, type Command, type CommandContext } from '../command.js';
import { CliError, EXIT, UsageError } from '../errors.js';
import { FACE_OPTIONS, faceSettings, findFaces, loadRecognizer, noFace, readImageFiles, type FaceSettings, type Recognizer } from '../faces.js';
import { CLI_IDENTITY, checkGalleryFolder, checkIdentityForRecognizer, describeSource, GALLERY_OPTIONS, gallerySource, openGallery, sourceJSON, type GallerySource } from '../galleries.js';
import { createCliEngine } from '../gpu.js';
import { isImageName, readImageFile } from '../images.js';
import { keyValueLines } from '../output.js';

/** People written to the gallery at a time by `--dir` (one write each: a crash loses at most these). */
const PEOPLE_PER_WRITE = 100;

export const enroll: Command = {
  name: 'enroll',
  summary: 'add people to a gallery from photos of their faces (one person, or a folder per person with --dir)',
  usage: 'enroll (--gallery DIR | --db URL) NAME IMAGE... | --dir PEOPLE [options]',
  description: [
    'Encodes the one face in each image and stores the descriptors under NAME in the gallery',
    '(a folder, made if missing; enrolling a NAME again adds to it). Every image is checked',
    'first: an image without exactly one face stores nothing and fails (exit 3).',
    '',
    'With --dir PEOPLE, every subfolder of PEOPLE is a person, named by the subfolder, with their',
    'photos (JPEG, PNG, PGM) inside: many people in one run, the models loaded once. An image',
    'without exactly one face is skipped and reported; a person is enrolled from their good',
    `images only, ${PEOPLE_PER_WRITE} people per write, so no one is ever half enrolled.`,
  ],
  options: {
    ...GALLERY_OPTIONS,
    dir: { type: 'string', value: 'PEOPLE', help: 'a folder with one subfolder of photos per person (the subfolder\'s name is the id)' },
    ...FACE_OPTIONS,
  },
  positionals: { min: 0, max: Infinity },
  notes: [
    'Examples:',
    '  wgsl-vision enroll --gallery people/ ada ada1.jpg ada2.jpg',
    '  wgsl-vision enroll --gallery people/ --dir photos/      # photos/ada/*.jpg, photos/bob/*.jpg, …',
    'Exit code: 0 enrolled (with --dir: at least one person), 2 bad arguments, 3 bad input (no face,',
    'several faces, not an image, a bad gallery, no usable image under --dir).',
  ],
  async run(ctx) {
    const dir = stringOption(ctx.values, 'dir');
    if (dir !== undefined && ctx.positionals.length) throw new UsageError(`enroll --dir takes no NAME or images (the subfolders of ${dir} are the people), got: ${ctx.positionals.join(' ')}`, 'enroll');
    if (dir === undefined && ctx.positionals.length < 2) throw new UsageError(`enroll needs NAME and at least one IMAGE, or --dir PEOPLE (${enroll.usage})`, 'enroll');
    const source = gallerySource(ctx, 'enroll');
    const settings = faceSettings(ctx, 'enroll');
    return dir !== undefined ? enrollFolder(ctx, source, settings, dir) : enrollOne(ctx, source, settings);
  },
};

interface Prepared {
  recognizer: Recognizer;
  /** The gallery, opened on first use when it is a new folder: a failed first enrolment makes none. */
  gallery(): Promise<FaceGallery>;
  /** Whether the gallery is a folder made by this run. */
  isNew: boolean;
  close(): Promise<void>;
}

/**
 * Checks the gallery and opens it (an existing one: bad galleries and unreachable databases fail
 * before the models load), then loads the models on the same engine.
 */
async function prepare(ctx: CommandContext, source: GallerySource, settings: FaceSettings): Promise<Prepared> {
  const identity = source.kind === 'folder' ? await checkGalleryFolder(source.dir, { create: true, command: 'enroll' }) : null;
  if (source.kind === 'folder') checkIdentityForRecognizer(identity, source.dir);
  if (source.kind === 'folder' && identity === null) {
    const recognizer = await loadRecognizer(ctx, settings);
    let opened: Promise<FaceGallery> | undefined;
    const gallery = () => (opened ??= openGallery(ctx, source, async () => recognizer.engine, CLI_IDENTITY).then((o) => o.gallery));
    return { recognizer, gallery, isNew: true, close: async () => {
      await recognizer.dispose().catch(() => undefined);
      await opened?.then((g) => g.close()).catch(() => undefined);
    } };
  }
  const opened = await openGallery(ctx, source, createCliEngine, CLI_IDENTITY);
  const recognizer = await loadRecognizer(ctx, settings, { engine: opened.engine ?? undefined, galleryIndex: opened.index });
  return { recognizer, gallery: async () => recognizer.gallery, isNew: false, close: () => recognizer.dispose().catch(() => undefined) };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

async function enrollOne(ctx: CommandContext, source: GallerySource, settings: FaceSettings): Promise<number> {
  const [name, ...images] = ctx.positionals as [string, ...string[]];
  if (!name.trim()) throw new UsageError('NAME must not be empty', 'enroll');
  const files = await readImageFiles(images);
  const prepared = await prepare(ctx, source, settings);
  const { recognizer } = prepared;
  try {
    const descriptors: Float32Array[] = [];
    // Every image is checked before anything is stored: a bad one leaves the gallery as it was.
    for (const file of files) {
      const path = file.path;
      const found = await findFaces(recognizer, file);
      if (found.faces.length === 0) throw noFace(path);
      if (found.faces.length > 1) throw new CliError(`${path} shows ${found.faces.length} faces; enroll from photos of one face`, undefined, 'many-faces');
      descriptors.push(found.faces[0]!.descriptor);
      ctx.out.status(`  face found in ${path}`);
    }
    const gallery = await prepared.gallery();
    await gallery.enroll(name, descriptors);
    const count = await gallery.count();
    const mine = (await gallery.descriptorsOf(name)).length;
    const where = describeSource(source);
    ctx.out.result(
      { enrolled: name, added: descriptors.length, descriptors: mine, gallery: { ...sourceJSON(source), ...count } },
      keyValueLines([
        ['enrolled', `${name} (${plural(descriptors.length, 'image')} added, ${mine} in all)`],
        ['gallery', `${where}: ${plural(count.people, 'person', 'people')}, ${plural(count.descriptors, 'descriptor')}`],
      ]),
    );
    return EXIT.ok;
  } finally {
    await prepared.close();
  }
}

interface Skipped {
  file: string;
  reason: string;
}

interface PersonRun {
  id: string;
  folder: string;
  images: string[];
  descriptors: Float32Array[];
  skipped: Skipped[];
}

/** File names in natural order: 2.pgm before 10.pgm. */
const natural = new Intl.Collator('en', { numeric: true }).compare;

/** The people under `dir`: each subfolder and its image files. Fails when there are none. */
async function scanPeople(dir: string): Promise<{ people: PersonRun[]; ignored: string[] }> {
  const info = await stat(dir).catch(() => null);
  if (!info) throw new CliError(`folder not found: ${dir}`, undefined, 'file');
  if (!info.isDirectory()) throw new CliError(`${dir} is a file; --dir takes a folder with one subfolder of photos per person`, undefined, 'file');
  const entries = (await readdir(dir, { withFileTypes: true })).filter((e) => !e.name.startsWith('.')).sort((a, b) => natural(a.name, b.name));
  const people: PersonRun[] = [];
  const ignored: string[] = [];
  for (const e of entries) {
    if (!e.isDirectory()) {
      if (isImageName(e.name)) ignored.push(join(dir, e.name));
      continue;
    }
    const folder = join(dir, e.name);
    const images = (await readdir(folder, { withFileTypes: true })).filter((f) => f.isFile() && isImageName(f.name)).map((f) => f.name).sort(natural);
    people.push({ id: e.name, folder, images, descriptors: [], skipped: [] });
  }
  if (!people.length) throw new CliError(`${dir} has no subfolders: --dir takes a folder with one subfolder per person, named by the person's id, holding their photos`, undefined, 'no-people');
  return { people, ignored };
}

async function enrollFolder(ctx: CommandContext, source: GallerySource, settings: FaceSettings, dir: string): Promise<number> {
  const { people, ignored } = await scanPeople(dir);
  const total = people.reduce((n, p) => n + p.images.length, 0);
  if (total === 0) throw new CliError(`no images (JPEG, PNG, PGM) in the subfolders of ${dir}`, undefined, 'no-people');
  const prepared = await prepare(ctx, source, settings);
  const { recognizer } = prepared;
  try {
    for (const path of ignored) ctx.out.status(`  ${path}: not in a person's folder, ignored`);
    const already = new Set(prepared.isNew ? [] : (await (await prepared.gallery()).list()).map((p) => p.id));
    const bar = ctx.out.progress(total, 'enrolling');
    let done = 0;
    let pending: PersonRun[] = [];
    const flush = async () => {
      const ready = pending.filter((p) => p.descriptors.length);
      pending = [];
      if (!ready.length) return;
      await (await prepared.gallery()).enrollMany(ready.map((p) => ({ id: p.id, descriptors: p.descriptors })));
    };
    for (const person of people) {
      for (const name of person.images) {
        const path = join(person.folder, name);
        // A bad image is skipped; anything else (a GPU fault) ends the run.
        const reason = await faceOf(recognizer, path).then((d) => (person.descriptors.push(d), null), (e: unknown) => {
          if (e instanceof CliError) return e.message;
          throw e;
        });
        if (reason) {
          person.skipped.push({ file: path, reason });
          bar.log(`  skipped ${path}: ${reason}`);
        }
        bar.update(++done, person.id);
      }
      if (!bar.tty) {
        const skipped = person.skipped.length ? `, ${person.skipped.length} skipped` : '';
        bar.log(person.descriptors.length ? `  ${person.id}: ${plural(person.descriptors.length, 'face')}${skipped}` : `  ${person.id}: not enrolled (${person.images.length ? 'no image of exactly one face' : 'no images in the folder'})`);
      }
      pending.push(person);
      if (pending.length >= PEOPLE_PER_WRITE) await flush();
    }
    await flush();
    ctx.out.endProgress();
    const enrolled = people.filter((p) => p.descriptors.length);
    const notEnrolled = people.filter((p) => !p.descriptors.length);
    const skipped = people.flatMap((p) => p.skipped);
    const added = enrolled.reduce((n, p) => n + p.descriptors.length, 0);
    if (!enrolled.length) throw new CliError(`nobody enrolled: no image under ${dir} shows exactly one face (${plural(skipped.length, 'image')} skipped)`, undefined, 'no-face');
    const count = await (await prepared.gallery()).count();
    const idWidth = Math.max(...people.map((p) => p.id.length));
    const personLine = (p: PersonRun) => {
      const notes = [p.skipped.length && plural(p.skipped.length, 'image') + ' skipped', already.has(p.id) && 'added to their earlier ones'].filter(Boolean);
      return `  ${p.id.padEnd(idWidth)}  ${plural(p.descriptors.length, 'descriptor')}${notes.length ? ` (${notes.join('; ')})` : ''}`;
    };
    const width = Math.max(...skipped.map((s) => s.file.length));
    const head = (key: string, value: string) => `${key.padEnd(notEnrolled.length ? 12 : 8)}  ${value}`;
    const text = [head('enrolled', `${plural(enrolled.length, 'person', 'people')}, ${plural(added, 'descriptor')} from ${dir}`), ...enrolled.map(personLine)];
    if (notEnrolled.length) text.push(head('not enrolled', `${plural(notEnrolled.length, 'person', 'people')} without an image of exactly one face: ${notEnrolled.map((p) => p.id).join(', ')}`));
    if (skipped.length) text.push(head('skipped', plural(skipped.length, 'image')), ...skipped.map((s) => `  ${s.file.padEnd(width)}  ${s.reason}`));
    text.push(head('gallery', `${describeSource(source)}: ${plural(count.people, 'person', 'people')}, ${plural(count.descriptors, 'descriptor')}`));
    ctx.out.result(
      {
        folder: dir,
        enrolled: enrolled.map((p) => ({ id: p.id, added: p.descriptors.length, images: p.images.length, skipped: p.skipped, existing: already.has(p.id) })),
        notEnrolled: notEnrolled.map((p) => ({ id: p.id, images: p.images.length, skipped: p.skipped })),
        people: enrolled.length,
        descriptors: added,
        skipped: skipped.length,
        gallery: { ...sourceJSON(source), ...count },
      },
      text,
    );
    return EXIT.ok;
  } finally {
    ctx.out.endProgress();
    await prepared.close();
  }
}

/** The one face's descriptor in an image; throws (a reason to skip it) when it has none or several. */
async function faceOf(recognizer: Recognizer, path: string): Promise<Float32Array> {
  const image = await readImageFile(path);
  const found = await findFaces(recognizer, { path, image });
  if (found.faces.length === 0) throw new CliError('no face found', undefined, 'no-face');
  if (found.faces.length > 1) throw new CliError(`${found.faces.length} faces (enrol from photos of one face)`, undefined, 'many-faces');
  return found.faces[0]!.descriptor;
}
