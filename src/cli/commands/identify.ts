/** `wgsl-vision identify --gallery g.json IMAGE`: who is in the photo? (1:K search) */
import type { DescribedFace, Identification } from '../../node.js';
import { numberOption, stringOption, type Command } from '../command.js';
import { CliError, EXIT, UsageError } from '../errors.js';
import { FACE_OPTIONS, boxText, checkGalleryFile, faceJSON, faceSettings, findFaces, readImageFiles, loadRecognizer, noFace } from '../faces.js';
import { fixed } from '../output.js';

export const identify: Command = {
  name: 'identify',
  summary: 'who is in a photo? each face: a name from the gallery or "not recognized"',
  usage: 'identify --gallery FILE IMAGE [options]',
  description: [
    'Searches the gallery for every face in IMAGE: the nearest enrolled person within the',
    'threshold, or "not recognized".',
  ],
  options: {
    gallery: { type: 'string', short: 'g', value: 'FILE', help: 'gallery JSON file written by enroll (required)' },
    threshold: { type: 'string', value: 'T', help: 'largest distance that counts as recognized (default 0.6)' },
    top: { type: 'string', value: 'K', help: 'candidates listed per face with --json (default 3)' },
    ...FACE_OPTIONS,
  },
  positionals: { min: 1, max: 1 },
  notes: ['Exit code: 0 when a face is recognized, 1 when none is, 3 bad input (missing file, not an image, no face, bad gallery).'],
  async run(ctx) {
    const gallery = stringOption(ctx.values, 'gallery');
    if (!gallery) throw new UsageError('identify needs --gallery FILE', 'identify');
    const [image] = ctx.positionals as [string];
    const threshold = numberOption(ctx.values, 'threshold', 'identify', { min: 0 }) ?? 0.6;
    const topK = numberOption(ctx.values, 'top', 'identify', { min: 1, integer: true }) ?? 3;
    const settings = faceSettings(ctx, 'identify');
    const [file] = await readImageFiles([image]);
    if (!(await checkGalleryFile(gallery))) throw new CliError(`gallery ${gallery} does not exist (create it with: wgsl-vision enroll --gallery ${gallery} NAME IMAGE...)`, undefined, 'gallery');
    const recognizer = await loadRecognizer(ctx, settings, { threshold, galleryFile: gallery });
    const found = await findFaces(recognizer, file!);
    if (found.faces.length === 0) throw noFace(image);
    const results: (Identification & { face: DescribedFace })[] = [];
    for (const face of found.faces) results.push({ face, ...(await recognizer.gallery.identify(face.descriptor, { threshold, topK })) });
    const recognized = results.some((r) => r.id !== null);
    const line = (r: typeof results[number]) => (r.id !== null ? `${r.id}  (distance ${fixed(r.distance)}, threshold ${fixed(threshold)})` : `not recognized  (nearest ${r.candidates[0] ? `${r.candidates[0].id} at ${fixed(r.distance)}` : 'none: empty gallery'}, threshold ${fixed(threshold)})`);
    ctx.out.result(
      {
        file: image,
        threshold,
        recognized,
        faces: results.map((r) => ({ ...faceJSON(r.face), id: r.id, distance: r.distance, candidates: r.candidates })),
      },
      results.length === 1 ? line(results[0]!) : results.map((r, i) => `face ${i + 1} ${boxText(r.face.box)}: ${line(r)}`),
    );
    return recognized ? EXIT.ok : EXIT.negative;
  },
};
