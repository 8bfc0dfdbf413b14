/** `wgsl-vision identify --gallery DIR IMAGE...`: who is in each photo? (1:K search) */
import type { DescribedFace, Identification } from '../../node.js';
import { numberOption, type Command } from '../command.js';
import { CliError, EXIT } from '../errors.js';
import { FACE_OPTIONS, boxText, faceJSON, faceSettings, findFaces, loadRecognizer, noFace } from '../faces.js';
import { CLI_IDENTITY, checkGalleryFolder, checkIdentityForRecognizer, GALLERY_OPTIONS, gallerySource, openGallery } from '../galleries.js';
import { createCliEngine } from '../gpu.js';
import { checkImageFile, readImageFile } from '../images.js';
import { fixed } from '../output.js';
import { MAX_TOP_K } from '../../ops/gallery-search.js';

type FaceResult = Identification & { face: DescribedFace };
type ImageResult = { file: string; faces: FaceResult[] } | { file: string; error: { kind: string; message: string } };

export const identify: Command = {
  name: 'identify',
  summary: 'who is in each photo? every face: a name from the gallery or "not recognized"',
  usage: 'identify (--gallery DIR | --db URL) IMAGE... [options]',
  description: [
    'Searches the gallery for every face in each IMAGE: the nearest enrolled person within the',
    'threshold, or "not recognized". Many images in one run load the models once; each gets its',
    'own result (an image without a face, or one that cannot be decoded, says so and the others go on).',
  ],
  options: {
    ...GALLERY_OPTIONS,
    threshold: { type: 'string', value: 'T', help: 'largest distance that counts as recognized (default 0.6)' },
    top: { type: 'string', value: 'K', help: 'candidates listed per face with --json (default 3)' },
    ...FACE_OPTIONS,
  },
  positionals: { min: 1, max: Infinity },
  notes: [
    '--json prints an array: one { file, recognized, faces } per image, or { file, error } for an',
    'image without a face or that could not be decoded.',
    'Exit code: 0 a face is recognized (in any image), 1 none is, 2 bad arguments, 3 bad input (a',
    'missing file or not an image, checked before the models load; no face in any image; a bad',
    'gallery or an unreachable database).',
  ],
  async run(ctx) {
    const images = ctx.positionals;
    const threshold = numberOption(ctx.values, 'threshold', 'identify', { min: 0 }) ?? 0.6;
    const topK = numberOption(ctx.values, 'top', 'identify', { min: 1, max: MAX_TOP_K, integer: true }) ?? 3;
    const source = gallerySource(ctx, 'identify');
    const settings = faceSettings(ctx, 'identify');
    // Cheap checks of every file first (decoded one at a time later): bad input fails at once.
    for (const path of images) await checkImageFile(path);
    if (source.kind === 'folder') checkIdentityForRecognizer(await checkGalleryFolder(source.dir, { create: false, command: 'identify' }), source.dir);
    const opened = await openGallery(ctx, source, createCliEngine, CLI_IDENTITY);
    const recognizer = await loadRecognizer(ctx, settings, { threshold, engine: opened.engine ?? undefined, galleryIndex: opened.index });
    try {
      const bar = images.length > 1 ? ctx.out.progress(images.length, 'identifying') : null;
      const results: ImageResult[] = [];
      for (const [i, path] of images.entries()) {
        results.push(await identifyOne(recognizer, path, threshold, topK));
        bar?.update(i + 1);
      }
      ctx.out.endProgress();
      const recognized = results.some((r) => 'faces' in r && r.faces.some((f) => f.id !== null));
      const anyFace = results.some((r) => 'faces' in r);
      if (images.length === 1 && !anyFace) {
        const e = (results[0] as { error: { kind: string; message: string } }).error;
        throw e.kind === 'no-face' ? noFace(images[0]!) : new CliError(e.message, EXIT.input, e.kind);
      }
      const line = (r: FaceResult) => (r.id !== null ? `${r.id}  (distance ${fixed(r.distance)}, threshold ${fixed(threshold)})` : `not recognized  (nearest ${r.candidates[0] ? `${r.candidates[0].id} at ${fixed(r.distance)}` : 'none: empty gallery'}, threshold ${fixed(threshold)})`);
      const textOf = (r: ImageResult, prefix: string): string[] => {
        if ('error' in r) return [`${prefix}${r.error.message}`];
        if (r.faces.length === 1) return [`${prefix}${line(r.faces[0]!)}`];
        return r.faces.map((f, i) => `${prefix}face ${i + 1} ${boxText(f.face.box)}: ${line(f)}`);
      };
      ctx.out.result(
        results.map((r) => ('error' in r
          ? { file: r.file, recognized: false, error: r.error }
          : { file: r.file, threshold, recognized: r.faces.some((f) => f.id !== null), faces: r.faces.map((f) => ({ ...faceJSON(f.face), id: f.id, distance: f.distance, candidates: f.candidates })) })),
        images.length === 1 ? textOf(results[0]!, '') : results.flatMap((r) => textOf(r, `${r.file}: `)),
      );
      if (recognized) return EXIT.ok;
      return anyFace ? EXIT.negative : EXIT.input;
    } finally {
      ctx.out.endProgress();
      await recognizer.dispose().catch(() => undefined);
    }
  },
};

/** One image's result; an image that cannot be decoded or shows no face is an error entry, not a failure of the run. */
async function identifyOne(recognizer: Awaited<ReturnType<typeof loadRecognizer>>, path: string, threshold: number, topK: number): Promise<ImageResult> {
  let image;
  try {
    image = await readImageFile(path);
  } catch (e) {
    if (e instanceof CliError) return { file: path, error: { kind: e.kind, message: e.message } };
    throw e;
  }
  const found = await findFaces(recognizer, { path, image });
  if (found.faces.length === 0) return { file: path, error: { kind: 'no-face', message: 'no face found' } };
  const faces: FaceResult[] = [];
  for (const face of found.faces) faces.push({ face, ...(await recognizer.gallery.identify(face.descriptor, { threshold, topK })) });
  return { file: path, faces };
}
