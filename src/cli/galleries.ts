/**
 * Where the face commands' gallery lives: a folder (--gallery DIR, fileGalleryStorage) searched on
 * the GPU, or a PostgreSQL database with pgvector (--db URL, or WGSL_VISION_DATABASE_URL). The
 * gallery is checked and opened before the face models load, so a wrong path or an unreachable
 * database fails at once.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { FaceGallery, fileGalleryStorage, GpuGalleryIndex, type Engine, type GalleryIdentity, type GalleryIndex } from '../node.js';
import { DATABASE_URL_ENV, postgresGalleryIndex, redactDatabaseURL } from '../host/postgres.js';
import { stringOption, type CommandContext, type OptionSpec } from './command.js';
import { CliError, UsageError } from './errors.js';

/** The descriptors the command line computes: face-api's 128-D dlib ResNet. */
export const CLI_IDENTITY: GalleryIdentity = { dims: 128, descriptor: 'dlib' };

export const GALLERY_OPTIONS: Record<string, OptionSpec> = {
  gallery: { type: 'string', short: 'g', value: 'DIR', help: 'gallery folder (made by the first enroll or import)' },
  db: { type: 'string', value: 'URL', help: `a PostgreSQL gallery (pgvector) instead of a folder: postgres://user:pass@host/db (default $${DATABASE_URL_ENV})` },
};

export type GallerySource = { kind: 'folder'; dir: string } | { kind: 'db'; url: string };

/** The gallery a command names: exactly one of --gallery DIR and --db URL (the environment variable stands in for --db). */
export function gallerySource(ctx: CommandContext, command: string, usage = `${command} needs --gallery DIR (a gallery folder) or --db URL (PostgreSQL)`): GallerySource {
  const dir = stringOption(ctx.values, 'gallery');
  const url = stringOption(ctx.values, 'db');
  if (dir !== undefined && url !== undefined) throw new UsageError('give --gallery DIR or --db URL, not both', command);
  if (dir !== undefined) {
    if (!dir.trim()) throw new UsageError('--gallery needs a folder', command);
    return { kind: 'folder', dir };
  }
  const fromEnv = process.env[DATABASE_URL_ENV];
  if (url !== undefined || fromEnv) {
    const u = url ?? fromEnv!;
    if (!/^postgres(ql)?:\/\//i.test(u)) throw new UsageError(`${url !== undefined ? '--db' : DATABASE_URL_ENV} must be a postgres:// or postgresql:// URL, got ${JSON.stringify(redactDatabaseURL(u))}`, command);
    return { kind: 'db', url: u };
  }
  throw new UsageError(usage, command);
}

/** The gallery for messages: the folder, or the database without its password. */
export function describeSource(source: GallerySource): string {
  return source.kind === 'folder' ? source.dir : redactDatabaseURL(source.url);
}

/** The gallery in --json output: { folder } or { database } (no password). */
export function sourceJSON(source: GallerySource): { folder: string } | { database: string } {
  return source.kind === 'folder' ? { folder: source.dir } : { database: describeSource(source) };
}

/** What a JSON file holds, for the message that says what to do with it. */
async function jsonKind(path: string): Promise<'gallery' | 'face-matcher' | null> {
  try {
    const json = JSON.parse(await readFile(path, 'utf8')) as { format?: unknown; labeledDescriptors?: unknown };
    if (json?.format === 'wgsl-vision-gallery') return 'gallery';
    if (Array.isArray(json?.labeledDescriptors)) return 'face-matcher';
  } catch {
    // not JSON: just a file
  }
  return null;
}

/**
 * Checks a gallery folder before anything slow runs. `create`: the folder may be missing or empty
 * (enroll and import make the gallery); otherwise it must hold a gallery. A JSON gallery of
 * earlier versions, or a face-api FaceMatcher file, is named with the command that imports it.
 * Returns the identity the folder records (its descriptor network and size), or null when new.
 */
export async function checkGalleryFolder(dir: string, options: { create: boolean; command: string }): Promise<GalleryIdentity | null> {
  const info = await stat(dir).catch(() => null);
  if (!info) {
    if (options.create) return null;
    throw new CliError(`gallery ${dir} does not exist (enroll people into it first: wgsl-vision enroll --gallery ${dir} NAME IMAGE..., or --dir FOLDER)`, undefined, 'gallery');
  }
  if (!info.isDirectory()) {
    const kind = await jsonKind(dir);
    const importIt = `wgsl-vision gallery import ${dir} --gallery NEWDIR`;
    if (kind === 'gallery') throw new CliError(`${dir} is a JSON gallery file of an earlier wgsl-vision; galleries are folders now: convert it with ${importIt}`, undefined, 'gallery');
    if (kind === 'face-matcher') throw new CliError(`${dir} is a face-api FaceMatcher file, not a gallery folder: import it with ${importIt}`, undefined, 'gallery');
    throw new CliError(`${dir} is a file, not a gallery folder`, undefined, 'gallery');
  }
  const index = join(dir, 'index.json');
  if (!existsSync(index)) {
    const entries = await readdir(dir);
    if (entries.length === 0 && options.create) return null;
    throw new CliError(entries.length === 0
      ? `gallery ${dir} is empty (enroll people into it first: wgsl-vision enroll --gallery ${dir} NAME IMAGE...)`
      : `${dir} is not a wgsl-vision gallery folder (no index.json${options.create ? '; it holds other files: give a new or empty folder' : ''})`, undefined, 'gallery');
  }
  let json: { format?: unknown; dims?: unknown; descriptor?: unknown };
  try {
    json = JSON.parse(await readFile(index, 'utf8'));
  } catch (e) {
    throw new CliError(`gallery ${dir} is damaged: ${index} is not valid JSON (${(e as Error).message})`, undefined, 'gallery');
  }
  if (json?.format !== 'wgsl-vision-gallery-index' || typeof json.dims !== 'number' || typeof json.descriptor !== 'string') {
    throw new CliError(`${dir} is not a wgsl-vision gallery folder (${index} is not a gallery index)`, undefined, 'gallery');
  }
  return { dims: json.dims, descriptor: json.descriptor };
}

/** A descriptor network the command line cannot compute: the recognizer commands refuse such a gallery. */
export function checkIdentityForRecognizer(identity: GalleryIdentity | null, where: string): void {
  if (identity && (identity.descriptor !== CLI_IDENTITY.descriptor || identity.dims !== CLI_IDENTITY.dims)) {
    throw new CliError(`gallery ${where} holds '${identity.descriptor}' descriptors (${identity.dims} values); the command line computes face-api's '${CLI_IDENTITY.descriptor}' ones (${CLI_IDENTITY.dims}): use that gallery through the API with descriptor: '${identity.descriptor}'`, undefined, 'gallery');
  }
}

/** An index already opened: the recognizer opens its gallery's index again, which must not reload it. */
class OpenedIndex implements GalleryIndex {
  constructor(private readonly inner: GalleryIndex) {}
  get dims() {
    return this.inner.dims;
  }
  get descriptor() {
    return this.inner.descriptor;
  }
  open = () => Promise.resolve();
  add: GalleryIndex['add'] = (people) => this.inner.add(people);
  remove: GalleryIndex['remove'] = (id) => this.inner.remove(id);
  clear: GalleryIndex['clear'] = () => this.inner.clear();
  get: GalleryIndex['get'] = (id) => this.inner.get(id);
  list: GalleryIndex['list'] = () => this.inner.list();
  count: GalleryIndex['count'] = () => this.inner.count();
  search: GalleryIndex['search'] = (query, k) => this.inner.search(query, k);
  entries: GalleryIndex['entries'] = () => this.inner.entries();
  close: GalleryIndex['close'] = () => this.inner.close();
}

export interface OpenedGallery {
  gallery: FaceGallery;
  /** The opened index, for a recognizer (`galleryIndex`): it does not open it again. */
  index: GalleryIndex;
  source: GallerySource;
  /** The engine the folder gallery searches on (made here when `engine` was a factory). */
  engine: Engine | null;
}

/**
 * Opens the gallery: a folder is loaded into the GPU index (so it needs an engine), a database is
 * connected to (no GPU). `identity`: what the gallery holds (the CLI's dlib descriptors by default).
 */
export async function openGallery(ctx: CommandContext, source: GallerySource, engine: (() => Promise<Engine>) | null, identity: GalleryIdentity = CLI_IDENTITY): Promise<OpenedGallery> {
  let index: GalleryIndex;
  let gpu: Engine | null = null;
  if (source.kind === 'db') {
    ctx.out.status(`connecting to the gallery database ${redactDatabaseURL(source.url)} …`);
    index = await postgresGalleryIndex({ url: source.url, dims: identity.dims, descriptor: identity.descriptor });
  } else {
    if (!engine) throw new Error('a folder gallery needs an engine');
    gpu = await engine();
    index = new GpuGalleryIndex(gpu, identity, fileGalleryStorage(source.dir));
  }
  await index.open();
  const opened = new OpenedIndex(index);
  return { gallery: new FaceGallery(opened, gpu ?? undefined), index: opened, source, engine: gpu };
}
