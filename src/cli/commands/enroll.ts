/** `wgsl-vision enroll --gallery g.json NAME img…`: adds a person to a gallery file. */
import { stringOption, type Command } from '../command.js';
import { CliError, EXIT, UsageError } from '../errors.js';
import { FACE_OPTIONS, checkGalleryFile, faceSettings, findFaces, readImageFiles, loadRecognizer, noFace } from '../faces.js';
import { keyValueLines } from '../output.js';

export const enroll: Command = {
  name: 'enroll',
  summary: 'add a person to a gallery file from photos of their face',
  usage: 'enroll --gallery FILE NAME IMAGE... [options]',
  description: [
    'Encodes the one face in each image and stores the descriptors under NAME in the gallery',
    '(a JSON file, created if missing; enrolling a NAME again adds to it).',
  ],
  options: {
    gallery: { type: 'string', short: 'g', value: 'FILE', help: 'gallery JSON file (required)' },
    ...FACE_OPTIONS,
  },
  positionals: { min: 2, max: Infinity },
  async run(ctx) {
    const gallery = stringOption(ctx.values, 'gallery');
    if (!gallery) throw new UsageError('enroll needs --gallery FILE', 'enroll');
    const [name, ...images] = ctx.positionals as [string, ...string[]];
    if (!name.trim()) throw new UsageError('NAME must not be empty', 'enroll');
    const settings = faceSettings(ctx, 'enroll');
    const files = await readImageFiles(images);
    await checkGalleryFile(gallery);
    const recognizer = await loadRecognizer(ctx, settings, { galleryFile: gallery });
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
    await recognizer.gallery.enroll(name, descriptors);
    const people = recognizer.gallery.list();
    const total = people.reduce((n, p) => n + p.descriptors, 0);
    const mine = people.find((p) => p.id === name)!.descriptors;
    ctx.out.result(
      { enrolled: name, added: descriptors.length, descriptors: mine, gallery: { file: gallery, people: people.length, descriptors: total } },
      keyValueLines([
        ['enrolled', `${name} (${descriptors.length} image${descriptors.length === 1 ? '' : 's'} added, ${mine} in all)`],
        ['gallery', `${gallery}: ${people.length} ${people.length === 1 ? 'person' : 'people'}, ${total} descriptor${total === 1 ? '' : 's'}`],
      ]),
    );
    return EXIT.ok;
  },
};
