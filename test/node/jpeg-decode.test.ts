// The Node host's own JPEG decoder against jpeg-js, which it replaced for baseline and
// progressive files: the same pixels, byte for byte, on the test photos, sampling layouts
// 4:2:0, 4:2:2, 4:4:0 and 4:4:4, sizes that do not fill whole 8x8 blocks, progressive scans and
// restart markers.
import jpeg from 'jpeg-js';
import { readdirSync, readFileSync } from 'node:fs';
import { decodeJpeg } from '../../src/host/jpeg-decode.js';
import { decodeImage } from '../../src/host/node-image.js';
import { Rng } from '../util/random.js';
import { assertEqual, assertRejects } from '../util/assert.js';

function assertSame(bytes: Uint8Array, name: string): void {
  const ref = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true });
  const ours = decodeJpeg(bytes);
  assertEqual([ours.width, ours.height], [ref.width, ref.height], `${name} size`);
  const i = ref.data.findIndex((v, k) => v !== ours.data[k]);
  if (i >= 0) throw new Error(`${name}: byte ${i} is ${ours.data[i]}, jpeg-js gives ${ref.data[i]}`);
}

describe('JPEG decoding (Node)', () => {
  it('gives jpeg-js\'s pixels exactly on photos with 4:2:0, 4:2:2 and 4:4:0 chroma', () => {
    for (const path of [
      '../shared/data/lfw-view1/images/Aaron_Peirsol/Aaron_Peirsol_0001.jpg', // 2x2
      'node_modules/@vladmandic/face-api/demo/sample1.jpg', // 2x1
      '../shared/data/images/dog.jpg', // 1x2
    ]) assertSame(new Uint8Array(readFileSync(path)), path);
  });

  it('and on 4:4:4 noise whose size is no multiple of 8 (partial blocks at the edges)', () => {
    const rng = new Rng(7);
    for (const [w, h] of [[37, 23], [8, 8], [1, 1], [129, 3]] as const) {
      const data = Uint8Array.from({ length: w * h * 4 }, () => Math.floor(rng.next() * 256));
      assertSame(new Uint8Array(jpeg.encode({ data, width: w, height: h }, 90).data), `${w}x${h} noise`);
    }
  });

  it('and on progressive files, greyscale, and restart markers (libjpeg-turbo encodings, test/fixtures/jpeg)', () => {
    const dir = 'test/fixtures/jpeg';
    const files = readdirSync(dir).filter((f) => f.endsWith('.jpg'));
    assertEqual(files.length, 5, 'fixtures');
    for (const f of files) assertSame(new Uint8Array(readFileSync(`${dir}/${f}`)), f);
  });

  it('names a truncated file, and leaves what it does not take to jpeg-js', async () => {
    const photo = new Uint8Array(readFileSync('../shared/data/images/dog.jpg'));
    await assertRejects(() => decodeImage(photo.subarray(0, photo.length >> 1), 'half.jpg'), /bad image: half.jpg could not be decoded: the image data ends early/);
    const twelveBit = photo.slice();
    const sof = twelveBit.findIndex((v, i) => v === 0xff && twelveBit[i + 1] === 0xc0);
    twelveBit[sof + 4] = 12;
    await assertRejects(() => decodeJpeg(twelveBit), /UnsupportedJpegError: 12-bit samples/);
  });
});
