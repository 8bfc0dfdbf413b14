import { readFileSync } from 'node:fs';
import { decodeImage, encodePNG } from '../../src/host/node-image.js';
import { assert, assertEqual, assertRejects } from '../util/assert.js';

describe('image decoding in Node', () => {
  it('decodes JPEG, PNG (round trip) and binary PGM', () => {
    const jpg = decodeImage(readFileSync('../shared/data/images/dog.jpg'), 'dog.jpg');
    assert(jpg.width > 100 && jpg.height > 100 && jpg.data.length === jpg.width * jpg.height * 4, `dog.jpg ${jpg.width}x${jpg.height}`);
    const pgm = decodeImage(readFileSync('../shared/data/orl-faces/s1/1.pgm'), '1.pgm');
    assertEqual([pgm.width, pgm.height], [92, 112], 'ORL image size');
    assert(pgm.data[0] === pgm.data[1] && pgm.data[1] === pgm.data[2] && pgm.data[3] === 255, 'gray RGBA');
    const small = { data: new Uint8Array([255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 10, 20, 30, 40]), width: 2, height: 2 };
    const back = decodeImage(encodePNG(small), 'small.png');
    assertEqual(Array.from(back.data), Array.from(small.data), 'PNG round trip');
    const text = decodeImage(new TextEncoder().encode('P2\n# comment\n2 1\n15\n0 15\n'), 'ascii.pgm');
    assertEqual(Array.from(text.data), [0, 0, 0, 255, 255, 255, 255, 255]);
  });

  it('names bad input: not an image, truncated file', async () => {
    await assertRejects(() => decodeImage(new TextEncoder().encode('hello'), 'notes.txt'), /bad image: notes.txt is not a JPEG, PNG or PGM file/);
    const jpg = readFileSync('../shared/data/images/dog.jpg');
    await assertRejects(() => decodeImage(jpg.subarray(0, 400), 'cut.jpg'), /bad image: cut.jpg could not be decoded/);
    await assertRejects(() => decodeImage(new TextEncoder().encode('P5 92 112 255\nxx'), 'cut.pgm'), /bad image: cut.pgm is truncated/);
  });
});
