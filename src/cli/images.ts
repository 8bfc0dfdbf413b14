/** Image files for the command line: read and decode, with errors that name the file. */
import { readFile, stat } from 'node:fs/promises';
import { decodeImage, ImageTooLargeError, type RGBAImage } from '../node.js';
import { CliError } from './errors.js';

/** Reads a JPEG, PNG or PGM file; missing files, folders, other formats and images over 100 megapixels are CliErrors naming the path. */
export async function readImageFile(path: string): Promise<RGBAImage> {
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new CliError(`file not found: ${path}`, undefined, 'file');
  }
  if (info.isDirectory()) throw new CliError(`${path} is a directory, not an image file`, undefined, 'file');
  const bytes = new Uint8Array(await readFile(path));
  try {
    return decodeImage(bytes, path);
  } catch (e) {
    if (e instanceof ImageTooLargeError) throw new CliError(e.message, undefined, 'image-too-large');
    throw new CliError((e as Error).message.replace(/^bad image: /, 'not an image: '), undefined, 'not-an-image');
  }
}
