import '../../components/face-verify/face-verify.js';
import type { FaceVerify } from '../../components/face-verify/face-verify.js';
import { assertAccessible } from './a11y.js';
import { decodePGM } from '../../src/host/pgm.js';
import { withEdgeBorder } from '../../src/nn/boxes.js';
import { indexedDBGalleryStorage } from '../../src/index.js';
import { nextEvent as next } from './next-event.js';
import { assert, assertEqual } from '../util/assert.js';
import { readFile } from '../util/engine.js';
import { repoURL } from '../util/host-browser.js';

/** An ORL face with the border detectors need (the faces fill the frame). */
async function orl(path: string): Promise<ImageData> {
  const img = withEdgeBorder(decodePGM(await readFile(`../shared/data/orl-faces/${path}`), path), 46, 56);
  return new ImageData(new Uint8ClampedArray(img.data), img.width, img.height);
}


describe('<wv-face-verify> on the real models (SwiftShader)', () => {
  it('loads the models with progress, then gives the right verdicts on ORL faces', async () => {
    const host = document.createElement('div');
    host.innerHTML = `<wv-face-verify model-url="${new URL('node_modules/@vladmandic/face-api/model/', repoURL)}"></wv-face-verify>`;
    const el = host.firstElementChild as FaceVerify;
    const progress: number[] = [];
    el.addEventListener('wv-progress', (e) => progress.push(e.detail.loaded));
    const ready = next(el, 'wv-ready');
    document.body.append(host);
    await ready;
    assertEqual(progress, [1, 2, 3], 'progress events for the three models');
    await el.setPhoto('a', await orl('s1/1.pgm'));
    let result = next<{ match: boolean; distance: number }>(el, 'wv-result');
    await el.setPhoto('b', await orl('s1/2.pgm'));
    const same = (await result).detail;
    assert(same.match && same.distance < 0.5, `same person: ${JSON.stringify(same)}`);
    result = next(el, 'wv-result');
    await el.setPhoto('b', await orl('s2/1.pgm'));
    const other = (await result).detail;
    assert(!other.match && other.distance > 0.6, `different people: ${JSON.stringify(other)}`);
    await el.updateComplete;
    assert(/No match/.test(el.shadowRoot!.querySelector('[part=verdict]')!.textContent!), 'verdict shown');
    assertAccessible(el, 'a verdict on ORL faces', { liveRegions: 4 });
    host.remove();
  });

  it('store="…" persists the enrolled people to that IndexedDB gallery; Forget erases them there; leaving the page disposes the recognizer', async () => {
    const store = `wv-test-${Date.now()}`;
    const identity = { dims: 128, descriptor: 'dlib' };
    const stored = async (gallery?: string) => {
      const storage = indexedDBGalleryStorage(gallery ? { gallery } : {});
      try {
        return (await storage.load(identity)).map((p) => [p.id, p.descriptors.length]);
      } finally {
        await storage.close();
      }
    };
    const host = document.createElement('div');
    host.innerHTML = `<wv-face-verify mode="identity" store="${store}" model-url="${new URL('node_modules/@vladmandic/face-api/model/', repoURL)}"></wv-face-verify>`;
    const el = host.firstElementChild as FaceVerify;
    const ready = next(el, 'wv-ready');
    document.body.append(host);
    await ready;
    await el.updateComplete;
    // Enrol through the form, as a visitor does: a name and a photo.
    const face = await orl('s1/1.pgm');
    const canvas = new OffscreenCanvas(face.width, face.height);
    canvas.getContext('2d')!.putImageData(face, 0, 0);
    const files = new DataTransfer();
    files.items.add(new File([await canvas.convertToBlob({ type: 'image/png' })], 's1.png', { type: 'image/png' }));
    const form = el.shadowRoot!.querySelector('form')!;
    (form.elements.namedItem('name') as HTMLInputElement).value = 'Ada';
    (form.elements.namedItem('photos') as HTMLInputElement).files = files.files;
    const enrolled = next<{ id: string; descriptors: number }>(el, 'wv-enrolled');
    form.requestSubmit();
    assertEqual((await enrolled).detail, { id: 'Ada', descriptors: 1 });
    assertEqual(await stored(store), [['Ada', 1]], `Ada is in the IndexedDB gallery '${store}'`);
    assert(!(await stored()).some(([id]) => id === 'Ada'), 'and not in the default gallery');
    await el.updateComplete;
    const forgotten = next<{ id: string }>(el, 'wv-forgotten');
    el.shadowRoot!.querySelector<HTMLButtonElement>('button[part=forget][aria-label="Forget Ada"]')!.click();
    assertEqual((await forgotten).detail, { id: 'Ada' });
    assertEqual(await stored(store), [], 'Forget erased her record');
    host.remove();
    assertEqual(el.recognizer, undefined, 'the recognizer it loaded is disposed when it leaves the page');
  });
});
