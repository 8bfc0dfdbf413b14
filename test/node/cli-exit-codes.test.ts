// Exit codes of the command line by what went wrong: no WebGPU adapter (4) is the machine,
// a GPU fault (6) the device at work, an image too large (3) the input. reportOf maps what is
// thrown; readImageFile refuses an image over 100 megapixels by its header, naming the file.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT, reportOf } from '../../src/cli/errors.js';
import { topLevelHelp } from '../../src/cli/help.js';
import { readImageFile } from '../../src/cli/images.js';
import { BufferTooLargeError, DeviceLostError, GPUOpError, ImageTooLargeError, WebGPUUnavailableError } from '../../src/gpu/errors.js';
import { encodePNG } from '../../src/host/node-image.js';
import { GalleryError } from '../../src/tasks/face/gallery-index.js';
import { GalleryDatabaseError } from '../../src/tasks/face/sql-gallery.js';
import { assert, assertEqual } from '../util/assert.js';

describe('command line exit codes', () => {
  it('no adapter is 4; a lost device, a rejected kernel and a buffer over the limit are 6', () => {
    assertEqual([EXIT.gpu, EXIT.gpuError], [4, 6]);
    const noAdapter = reportOf(new WebGPUUnavailableError('WebGPU is not available in this browser: no GPU adapter was found'));
    assertEqual([noAdapter.exitCode, noAdapter.kind], [4, 'no-webgpu']);
    for (const e of [new DeviceLostError('GPU device was lost (unknown: no details)'), new GPUOpError('conv', 'GPU error: bad binding'), new BufferTooLargeError('conv', 300e6, 134217728)]) {
      const r = reportOf(e);
      assertEqual([r.exitCode, r.kind], [6, 'gpu'], e.name);
      assert(r.message.startsWith('GPU error: '), r.message);
    }
  });

  it('an image too large is bad input (3), with a message that says so', async () => {
    const r = reportOf(new ImageTooLargeError(9000, 9000, 'imageToTensor: the 9000x9000 image takes 324000000 bytes as RGBA, more than …'));
    assertEqual([r.exitCode, r.kind], [EXIT.input, 'image-too-large']);
    const dir = mkdtempSync(join(tmpdir(), 'wgsl-vision-exit-'));
    try {
      const png = encodePNG({ data: new Uint8Array(16), width: 2, height: 2 });
      new DataView(png.buffer, png.byteOffset).setUint32(16, 20000);
      new DataView(png.buffer, png.byteOffset).setUint32(20, 20000);
      const path = join(dir, 'huge.png');
      writeFileSync(path, png);
      const e = await readImageFile(path).then(() => null, (x: unknown) => x);
      const report = reportOf(e);
      assertEqual([report.exitCode, report.kind], [3, 'image-too-large']);
      assert(report.message.includes(`${path} is too large (20000x20000, 400.0 megapixels; at most 100 are decoded)`), report.message);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a gallery that cannot be used is bad input (3): a bad folder or file is kind gallery, a database fault kind database with its fault', () => {
    const bad = reportOf(new GalleryError('gallery people is damaged: descriptors.bin is shorter than its index says'));
    assertEqual([bad.exitCode, bad.kind, bad.fault], [3, 'gallery', undefined]);
    const unreachable = reportOf(new GalleryDatabaseError('database unreachable at wv@127.0.0.1:1/faces: ECONNREFUSED', 'unreachable'));
    assertEqual([unreachable.exitCode, unreachable.kind, unreachable.fault], [3, 'database', 'unreachable']);
    assertEqual(unreachable.message, 'database unreachable at wv@127.0.0.1:1/faces: ECONNREFUSED', 'shown as it is');
  });

  it('the help lists 4 and 6 apart', () => {
    const help = topLevelHelp([], '0.0.0');
    assert(/4 no WebGPU adapter,/.test(help) && /6 GPU error/.test(help), help);
  });
});
