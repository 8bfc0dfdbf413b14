import '../../components/face-verify/face-verify.js';
import type { FaceVerify } from '../../components/face-verify/face-verify.js';
import { decodePGM } from '../../src/host/pgm.js';
import { withEdgeBorder } from '../../src/nn/boxes.js';
import { nextEvent as next } from './next-event.js';
import { assert, assertEqual } from '../util/assert.js';
import { readFile } from '../util/engine.js';
import { repoURL } from '../util/host-browser.js';

/** An ORL face with the border detectors need (the faces fill the frame). */
async function orl(path: string): Promise<ImageData> {
  const img = withEdgeBorder(decodePGM(await readFile(`../shared/data/orl-faces/${path}`), path), 46, 56);
  return new ImageData(new Uint8ClampedArray(img.data), img.width, img.height);
}


describe('<face-verify> on the real models (SwiftShader)', () => {
  it('loads the models with progress, then gives the right verdicts on ORL faces', async () => {
    const host = document.createElement('div');
    host.innerHTML = `<face-verify model-url="${new URL('node_modules/@vladmandic/face-api/model/', repoURL)}"></face-verify>`;
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
    host.remove();
  });
});
