/** Image files for the command line: read and decode, with errors that name the file. */
import { open, readFile, stat } from 'node:fs/promises';
import { decodeImage, ImageTooLargeError, type RGBAImage } from '../node.js';
import { CliError } from './errors.js';

/** Reads a JPEG, PNG or PGM file; missing files, folders, other formats and images over 100 megapixels are CliErrors naming the path. */
export async function readImageFile(path: string): Promise<RGBAImage> {
  await checkIsFile(path);
  const bytes = new Uint8Array(await readFile(path));
  try {
    return decodeImage(bytes, path);
  } catch (e) {
    if (e instanceof ImageTooLargeError) throw new CliError(e.message, undefined, 'image-too-large');
    throw new CliError((e as Error).message.replace(/^bad image: /, 'not an image: '), undefined, 'not-an-image');
  }
}

/** A missing path or a folder, as a CliError naming it. */
async function checkIsFile(path: string): Promise<void> {
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new CliError(`file not found: ${path}`, undefined, 'file');
  }
  if (info.isDirectory()) throw new CliError(`${path} is a directory, not an image file`, undefined, 'file');
}

/** The file extensions of the images the command line reads. */
export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.pgm'] as const;

export function isImageName(name: string): boolean {
  const lower = name.toLowerCase();
  return !name.startsWith('.') && IMAGE_EXTENSIONS.some((e) => lower.endsWith(e));
}

/**
 * Checks an image file without decoding it: it exists, is a file, and starts like a JPEG, PNG or
 * PGM. For many images, checked before the models load and decoded one at a time after.
 */
export async function checkImageFile(path: string): Promise<void> {
  await checkIsFile(path);
  const head = Buffer.alloc(4);
  const fh = await open(path, 'r');
  try {
    await fh.read(head, 0, 4, 0);
  } finally {
    await fh.close();
  }
  const jpeg = head[0] === 0xff && head[1] === 0xd8;
  const png = head[0] === 0x89 && head.toString('latin1', 1, 4) === 'PNG';
  const pgm = head[0] === 0x50 && (head[1] === 0x35 || head[1] === 0x32);
  if (!(jpeg || png || pgm)) throw new CliError(`not an image: ${path} is not a JPEG, PNG or PGM file`, undefined, 'not-an-image');
}
