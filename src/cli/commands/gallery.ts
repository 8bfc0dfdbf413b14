/**
 * `wgsl-vision gallery list | remove ID | export FILE | import FILE`: who is enrolled, forgetting
 * a person (their descriptors are erased from the folder or the database), and the JSON gallery
 * format in and out. No face model loads.
 */
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';
import type { FaceGallery, FaceMatcherJSON, GalleryIdentity, GalleryJSON } from '../../node.js';
import type { Command, CommandContext } from '../command.js';
import { CliError, EXIT, UsageError } from '../errors.js';
import { CLI_IDENTITY, checkGalleryFolder, describeSource, GALLERY_OPTIONS, gallerySource, openGallery, sourceJSON, type GallerySource } from '../galleries.js';
import { createCliEngine } from '../gpu.js';
import { keyValueLines } from '../output.js';

const SUBCOMMANDS = ['list', 'remove', 'forget', 'export', 'import'] as const;
type Subcommand = (typeof SUBCOMMANDS)[number];

export const gallery: Command = {
  name: 'gallery',
  summary: 'list the people of a gallery, forget one, export or import it as JSON',
  usage: 'gallery list | remove ID | export FILE | import FILE  (--gallery DIR | --db URL) [options]',
  description: [
    'list          every enrolled person and how many descriptors they have',
    'remove ID     forgets a person: their descriptors are erased from the gallery folder (overwritten',
    '              in its file) or deleted from the database (alias: forget)',
    'export FILE   writes the gallery as JSON (format "wgsl-vision-gallery"; - for stdout)',
    'import FILE   enrols the people of a JSON gallery (an export, or a gallery file of earlier',
    '              versions) or of a face-api FaceMatcher JSON (FaceMatcher.toJSON()); - for stdin.',
    '              An id already enrolled is refused unless --merge (adds to their descriptors) or',
    '              --replace (everyone enrolled is forgotten first). The file is checked in full',
    '              before anything is stored. The folder is made if missing.',
    '',
    'Face descriptors are biometric data: an export holds them all; keep it as you keep the gallery.',
  ],
  options: {
    ...GALLERY_OPTIONS,
    merge: { type: 'boolean', help: 'import: add the descriptors of ids already enrolled to theirs' },
    replace: { type: 'boolean', help: 'import: forget everyone enrolled, then enrol the file\'s people' },
  },
  positionals: { min: 1, max: 2 },
  notes: [
    'Examples:',
    '  wgsl-vision gallery list --gallery people/',
    '  wgsl-vision gallery remove ada --gallery people/',
    '  wgsl-vision gallery export people.json --gallery people/',
    '  wgsl-vision gallery import old-people.json --gallery people/   # a gallery file of earlier versions',
    'Exit code: 0 done, 1 remove: the id is not enrolled, 2 bad arguments, 3 bad input (a missing or',
    'bad gallery, a file that is not a gallery, an unreachable database).',
  ],
  async run(ctx) {
    const [sub, arg] = ctx.positionals as [string, string | undefined];
    if (!(SUBCOMMANDS as readonly string[]).includes(sub)) throw new UsageError(`unknown gallery subcommand '${sub}' (list, remove ID, export FILE, import FILE)`, 'gallery');
    const takes = sub === 'list' ? 0 : 1;
    const what = { remove: 'ID', forget: 'ID', export: 'FILE', import: 'FILE' }[sub as Exclude<Subcommand, 'list'>];
    if (takes === 0 && arg !== undefined) throw new UsageError(`gallery list takes no argument, got ${arg}`, 'gallery');
    if (takes === 1 && arg === undefined) throw new UsageError(`gallery ${sub} needs ${what}`, 'gallery');
    if ((ctx.values.merge || ctx.values.replace) && sub !== 'import') throw new UsageError('--merge and --replace are options of gallery import', 'gallery');
    if (ctx.values.merge && ctx.values.replace) throw new UsageError('give --merge or --replace, not both', 'gallery');
    const source = gallerySource(ctx, 'gallery', `gallery ${sub} needs --gallery DIR (a gallery folder) or --db URL (PostgreSQL)`);
    if (sub === 'import') return importGallery(ctx, source, arg!);
    const identity = source.kind === 'folder' ? (await checkGalleryFolder(source.dir, { create: false, command: 'gallery' }))! : CLI_IDENTITY;
    const g = await open(ctx, source, identity);
    try {
      if (sub === 'list') return await list(ctx, source, g);
      if (sub === 'export') return await exportGallery(ctx, source, g, arg!);
      return await remove(ctx, source, g, arg!);
    } finally {
      await g.close().catch(() => undefined);
    }
  },
};

async function open(ctx: CommandContext, source: GallerySource, identity: GalleryIdentity): Promise<FaceGallery> {
  return (await openGallery(ctx, source, createCliEngine, identity)).gallery;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const countText = (c: { people: number; descriptors: number }) => `${plural(c.people, 'person', 'people')}, ${plural(c.descriptors, 'descriptor')}`;

async function list(ctx: CommandContext, source: GallerySource, g: FaceGallery): Promise<number> {
  const people = await g.list();
  const count = await g.count();
  const where = describeSource(source);
  const width = Math.max('person'.length, ...people.map((p) => p.id.length));
  const text = people.length
    ? ['person'.padEnd(width) + '  descriptors', ...people.map((p) => `${p.id.padEnd(width)}  ${String(p.descriptors).padStart('descriptors'.length)}`), `${countText(count)} in ${where}`]
    : [`no one is enrolled in ${where}`];
  ctx.out.result({ gallery: { ...sourceJSON(source), ...count, descriptor: g.descriptor, dims: g.dims }, people }, text);
  return EXIT.ok;
}

async function remove(ctx: CommandContext, source: GallerySource, g: FaceGallery, id: string): Promise<number> {
  const where = describeSource(source);
  const had = (await g.list()).find((p) => p.id === id);
  if (!had || !(await g.forget(id))) throw new CliError(`'${id}' is not enrolled in ${where} (wgsl-vision gallery list shows who is)`, EXIT.negative, 'not-enrolled');
  const count = await g.count();
  ctx.out.result(
    { forgotten: id, descriptors: had.descriptors, gallery: { ...sourceJSON(source), ...count } },
    keyValueLines([
      ['forgot', `${id} (${plural(had.descriptors, 'descriptor')} erased)`],
      ['gallery', `${where}: ${countText(count)}`],
    ]),
  );
  return EXIT.ok;
}

async function exportGallery(ctx: CommandContext, source: GallerySource, g: FaceGallery, file: string): Promise<number> {
  const json = await g.export();
  const text = `${JSON.stringify(json)}\n`;
  const count = { people: json.people.length, descriptors: json.people.reduce((n, p) => n + p.descriptors.length, 0) };
  if (file === '-') {
    process.stdout.write(text);
    ctx.out.status(`exported ${countText(count)} from ${describeSource(source)}`);
    return EXIT.ok;
  }
  // Written beside the file and renamed over it: an interrupted export leaves no half file.
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  try {
    await writeFile(tmp, text, { mode: 0o600 });
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
  ctx.out.result(
    { exported: file, ...count, gallery: sourceJSON(source) },
    `exported ${countText(count)} from ${describeSource(source)} to ${file}`,
  );
  return EXIT.ok;
}

type ImportFile = { kind: 'gallery'; json: GalleryJSON } | { kind: 'face-matcher'; json: FaceMatcherJSON };

/** Reads a JSON gallery (ours, of any version so far) or a face-api FaceMatcher JSON. */
async function readImportFile(file: string): Promise<ImportFile> {
  let text: string;
  if (file === '-') {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    text = Buffer.concat(chunks).toString('utf8');
  } else {
    text = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
      throw e.code === 'EISDIR' ? new CliError(`${file} is a folder; gallery import reads a JSON file (gallery export writes one)`, undefined, 'file') : e;
    });
  }
  const name = file === '-' ? 'stdin' : file;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new CliError(`${name} is not valid JSON: ${(e as Error).message}`, undefined, 'gallery');
  }
  const o = json as { format?: unknown; labeledDescriptors?: unknown };
  if (o?.format === 'wgsl-vision-gallery') return { kind: 'gallery', json: json as GalleryJSON };
  if (o && typeof o === 'object' && 'labeledDescriptors' in o) return { kind: 'face-matcher', json: json as FaceMatcherJSON };
  throw new CliError(`${name} is neither a wgsl-vision gallery (no "format": "wgsl-vision-gallery") nor a face-api FaceMatcher JSON (no "labeledDescriptors")`, undefined, 'gallery');
}

/** The ids a file enrols (as written; the gallery checks them in full). */
function idsOf(f: ImportFile): string[] {
  const entries = f.kind === 'gallery' ? (Array.isArray(f.json.people) ? f.json.people.map((p) => p?.id) : []) : Array.isArray(f.json.labeledDescriptors) ? f.json.labeledDescriptors.map((l) => l?.label) : [];
  return [...new Set(entries.filter((id): id is string => typeof id === 'string'))];
}

async function importGallery(ctx: CommandContext, source: GallerySource, file: string): Promise<number> {
  const mode = ctx.values.replace ? 'replace' : ctx.values.merge ? 'merge' : 'add';
  const f = await readImportFile(file);
  const fileIdentity: GalleryIdentity = f.kind === 'gallery' ? { dims: f.json.dims, descriptor: f.json.descriptor ?? 'dlib' } : CLI_IDENTITY;
  // An existing folder keeps its identity (the gallery refuses a file of another network); a new one takes the file's.
  const folderIdentity = source.kind === 'folder' ? await checkGalleryFolder(source.dir, { create: true, command: 'gallery' }) : null;
  const identity = folderIdentity ?? (typeof fileIdentity.dims === 'number' && fileIdentity.dims > 0 ? fileIdentity : CLI_IDENTITY);
  const g = await open(ctx, source, identity);
  try {
    const where = describeSource(source);
    if (mode === 'add') {
      const enrolled = new Set((await g.list()).map((p) => p.id));
      const clash = idsOf(f).filter((id) => enrolled.has(id));
      if (clash.length) {
        throw new CliError(`already enrolled in ${where}: ${clash.slice(0, 10).join(', ')}${clash.length > 10 ? ` and ${clash.length - 10} more` : ''} (import with --merge to add their descriptors to theirs, or --replace to forget everyone first)`, undefined, 'gallery');
      }
    }
    let added: { people: number; descriptors: number };
    let threshold: number | undefined;
    if (f.kind === 'gallery') added = await g.import(f.json, { mode });
    else if (mode !== 'replace') ({ threshold, ...added } = await g.importFaceMatcher(f.json));
    else {
      // Checked in full by the gallery before it forgets anyone: the matcher as a gallery JSON.
      threshold = f.json.distanceThreshold;
      added = await g.import(matcherAsGallery(f.json), { mode: 'replace' });
    }
    const count = await g.count();
    const from = file === '-' ? 'stdin' : file;
    const notes = [f.kind === 'face-matcher' && 'a face-api FaceMatcher', mode !== 'add' && mode].filter(Boolean);
    const rows: [string, string][] = [
      ['imported', `${countText(added)} from ${from}${notes.length ? ` (${notes.join(', ')})` : ''}`],
      ['gallery', `${where}: ${countText(count)}`],
    ];
    if (threshold !== undefined && threshold !== 0.6) rows.push(['threshold', `the matcher's distanceThreshold is ${threshold}: identify with --threshold ${threshold} to match as it did`]);
    const text = keyValueLines(rows);
    ctx.out.result({ imported: from, kind: f.kind, mode, ...added, ...(threshold !== undefined ? { threshold } : {}), gallery: { ...sourceJSON(source), ...count } }, text);
    return EXIT.ok;
  } finally {
    await g.close().catch(() => undefined);
  }
}

/** A face-api FaceMatcher's people as a wgsl-vision gallery (labels repeated in the matcher merged). */
function matcherAsGallery(m: FaceMatcherJSON): GalleryJSON {
  if (!Array.isArray(m.labeledDescriptors)) throw new CliError("not a face-api FaceMatcher JSON: missing 'labeledDescriptors'", undefined, 'gallery');
  const people = new Map<string, number[][]>();
  m.labeledDescriptors.forEach((ld, i) => {
    if (typeof ld?.label !== 'string' || !ld.label.trim()) throw new CliError(`not a face-api FaceMatcher JSON: labeledDescriptors[${i}] has no label`, undefined, 'gallery');
    people.set(ld.label, [...(people.get(ld.label) ?? []), ...(Array.isArray(ld.descriptors) ? ld.descriptors : [])]);
  });
  return { format: 'wgsl-vision-gallery', version: 1, dims: CLI_IDENTITY.dims, descriptor: CLI_IDENTITY.descriptor, people: [...people].map(([id, descriptors]) => ({ id, descriptors })) };
}
