/** `wgsl-vision verify A B`: are the faces in two photos the same person? */
import { euclidean } from '../../node.js';
import { numberOption, type Command } from '../command.js';
import { EXIT } from '../errors.js';
import { FACE_OPTIONS, faceJSON, faceSettings, findFaces, readImageFiles, loadRecognizer, noFace } from '../faces.js';
import { fixed, keyValueLines } from '../output.js';

export const verify: Command = {
  name: 'verify',
  summary: 'are the faces in two photos the same person? (exit 0 match, 1 no match)',
  usage: 'verify A B [options]',
  description: [
    'Finds the faces in images A and B (JPEG, PNG or PGM), encodes each as a 128-D descriptor and',
    'compares the closest pair: the same person when their distance is at most the threshold.',
  ],
  options: {
    threshold: { type: 'string', value: 'T', help: 'distance at or below which two faces match (default 0.6)' },
    ...FACE_OPTIONS,
  },
  positionals: { min: 2, max: 2 },
  notes: ['Exit code: 0 match, 1 no match, 2 bad arguments, 3 bad input (missing file, not an image, no face), 4 no WebGPU.'],
  async run(ctx) {
    const [a, b] = ctx.positionals as [string, string];
    const threshold = numberOption(ctx.values, 'threshold', 'verify', { min: 0 }) ?? 0.6;
    const settings = faceSettings(ctx, 'verify');
    const files = await readImageFiles([a, b]);
    const recognizer = await loadRecognizer(ctx, settings, { threshold });
    const found = [];
    for (const file of files) {
      const f = await findFaces(recognizer, file);
      if (f.faces.length === 0) throw noFace(file.path);
      found.push(f);
    }
    const [fa, fb] = found as [typeof found[0], typeof found[0]];
    // Many-to-many: every face of A against every face of B; the closest pair decides.
    let best = { distance: Infinity, a: 0, b: 0 };
    fa.faces.forEach((x, i) => fb.faces.forEach((y, j) => {
      const distance = euclidean(x.descriptor, y.descriptor);
      if (distance < best.distance) best = { distance, a: i, b: j };
    }));
    const match = best.distance <= threshold;
    ctx.out.result(
      {
        match,
        distance: best.distance,
        threshold,
        a: { file: a, faces: fa.faces.map(faceJSON), face: best.a, border: fa.border },
        b: { file: b, faces: fb.faces.map(faceJSON), face: best.b, border: fb.border },
      },
      keyValueLines([
        ['verdict', match ? 'match (same person)' : 'no match (different people)'],
        ['distance', fixed(best.distance)],
        ['threshold', fixed(threshold)],
        ['faces', `${fa.faces.length} in ${a}, ${fb.faces.length} in ${b}${fa.faces.length + fb.faces.length > 2 ? ' (closest pair compared)' : ''}`],
      ]),
    );
    return match ? EXIT.ok : EXIT.negative;
  },
};
