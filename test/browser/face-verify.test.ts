import '../../components/face-verify/face-verify.js';
import type { FaceVerify } from '../../components/face-verify/face-verify.js';
import type { DescribedFace, FaceRecognizerLike } from '../../src/tasks/face/types.js';
import { assertAccessible } from './a11y.js';
import { nextEvent as next } from './next-event.js';
import { assert, assertEqual } from '../util/assert.js';

/** A stand-in recognizer: the colour of a 1-pixel "photo" picks which faces it has. */
function fakeRecognizer(): FaceRecognizerLike<unknown> & { enrolled: Map<string, Float32Array[]> } {
  const face = (x: number, value: number): DescribedFace => ({
    box: { x, y: 2, width: 20, height: 20 }, score: 0.9, landmarks: [], alignedBox: { x, y: 2, width: 20, height: 20 },
    descriptor: new Float32Array(128).fill(value),
  });
  const facesFor = async (image: unknown): Promise<DescribedFace[]> => {
    const blob = image as Blob;
    const bitmap = await createImageBitmap(blob);
    const c = new OffscreenCanvas(bitmap.width, bitmap.height).getContext('2d')!;
    c.drawImage(bitmap, 0, 0);
    const [r, g] = c.getImageData(0, 0, 1, 1).data;
    if (r! > 200 && g! > 200) return []; // white: nobody
    if (r! > 200) return [face(5, 0.1)]; // red: person 1
    if (g! > 200) return [face(5, 0.1 + 0.03)]; // green: person 1 again (distance 0.34)
    return [face(5, 0.5), face(40, 0.1)]; // blue: two faces, the second is person 1
  };
  const enrolled = new Map<string, Float32Array[]>();
  return {
    enrolled,
    adapter: 'stand-in',
    describe: facesFor,
    gallery: {
      // Asynchronous like the real gallery (IndexedDB, the GPU index): answers come a task later.
      list: async () => (await tick(), [...enrolled].map(([id, d]) => ({ id, descriptors: d.length }))),
      enroll: async (id, ds) => (await tick(), void enrolled.set(id, [...(enrolled.get(id) ?? []), ...ds.map((d) => Float32Array.from(d))])),
      forget: async (id) => (await tick(), enrolled.delete(id)),
      descriptorsOf: async (id) => {
        await tick();
        const d = enrolled.get(id);
        if (!d) throw new Error(`'${id}' is not enrolled`);
        return d;
      },
    },
  };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
const text = (el: Element | null) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();

async function photo(color: string): Promise<Blob> {
  const c = new OffscreenCanvas(64, 48);
  const ctx = c.getContext('2d')!;
  ctx.fillStyle = color;
  ctx.fillRect(0, 0, 64, 48);
  return c.convertToBlob({ type: 'image/png' });
}


async function mount(html: string, recognizer = fakeRecognizer()): Promise<FaceVerify> {
  const host = document.createElement('div');
  host.innerHTML = html;
  const el = host.firstElementChild as FaceVerify;
  el.recognizer = recognizer;
  const ready = next(document.body, 'wv-ready');
  document.body.append(host);
  await ready;
  await el.updateComplete;
  return el;
}

describe('<wv-face-verify> with a stand-in recognizer', () => {
  afterEach(() => document.querySelectorAll('wv-face-verify').forEach((e) => e.parentElement!.remove()));

  it('compares two photos: verdict, distance against the threshold, bubbling composed events', async () => {
    const el = await mount('<wv-face-verify threshold="0.6"></wv-face-verify>');
    await el.setPhoto('a', await photo('#f00'));
    const result = next<{ match: boolean; distance: number; threshold: number }>(document.body, 'wv-result');
    await el.setPhoto('b', await photo('#0f0'));
    const r = await result;
    assert(r.bubbles && r.composed, 'events bubble and are composed');
    assertEqual(r.detail.match, true);
    assert(Math.abs(r.detail.distance - Math.sqrt(128 * 0.03 ** 2)) < 1e-4, `distance ${r.detail.distance}`);
    await el.updateComplete;
    const verdict = el.shadowRoot!.querySelector('[part=verdict]')!;
    assert(/^\s*Match/.test(verdict.textContent!) && /distance 0\.339 ≤ threshold 0\.6/.test(verdict.textContent!), verdict.textContent!);
    el.threshold = 0.3;
    const stricter = await next<{ match: boolean }>(document.body, 'wv-result');
    assertEqual(stricter.detail.match, false);
    await el.updateComplete;
    assert(/No match/.test(el.shadowRoot!.querySelector('[part=verdict]')!.textContent!), 'verdict follows the threshold attribute');
    assert(el.shadowRoot!.querySelector('[part=verdict]')!.closest('[role=status]'), 'the verdict is inside a live region');
    assertAccessible(el, 'two photos compared', { liveRegions: 4 });
  });

  it('no face found and several faces are visible states; the closest pair is pre-selected; a click or the arrow keys choose', async () => {
    const el = await mount('<wv-face-verify></wv-face-verify>');
    const error = next<{ kind: string; input?: string }>(el, 'wv-error');
    const status = el.shadowRoot!.querySelector("[role=status][data-side='a']")!;
    assertEqual(text(status), '', 'the photo\'s live region is there, empty, before any photo');
    await el.setPhoto('a', await photo('#fff'));
    assertEqual([(await error).detail.kind, (await error).detail.input], ['no-face', 'a']);
    await el.updateComplete;
    assert(el.shadowRoot!.querySelector("[role=status][data-side='a']") === status && /No face found/.test(text(status)), 'the notice is said in the same live region');
    await el.setPhoto('a', await photo('#00f'));
    await el.setPhoto('b', await photo('#f00'));
    await el.updateComplete;
    assert(/2 faces found: choose the one to use/.test(text(status)), `several-faces notice shown: ${text(status)}`);
    assert(/Match/.test(el.shadowRoot!.querySelector('[part=verdict]')!.textContent!), 'closest pair (face 2 ↔ person) pre-selected');
    assertAccessible(el, 'a photo with two faces', { liveRegions: 4 });
    // The faces of photo A are radios over their boxes, left to right: face 1 (x 5) is someone else, face 2 (x 40) the person.
    const radios = () => [...el.shadowRoot!.querySelectorAll<HTMLButtonElement>("[part~=face][data-side='a']")];
    assertEqual(radios().map((r) => [r.getAttribute('role'), r.getAttribute('aria-checked'), r.tabIndex]), [['radio', 'false', -1], ['radio', 'true', 0]], 'one tab stop: the chosen face');
    assertEqual(el.shadowRoot!.querySelector("[part=faces]")!.getAttribute('role'), 'radiogroup');
    let result = next<{ match: boolean }>(document.body, 'wv-result');
    radios()[0]!.click();
    assertEqual((await result).detail.match, false, 'a click on the first face chooses it');
    await el.updateComplete;
    assertEqual(radios().map((r) => r.getAttribute('aria-checked')), ['true', 'false']);
    // The keyboard: the arrow keys move the choice and the focus.
    radios()[0]!.focus();
    result = next<{ match: boolean }>(document.body, 'wv-result');
    radios()[0]!.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true, composed: true }));
    assertEqual((await result).detail.match, true, 'ArrowRight chooses the face to the right: the person');
    await el.updateComplete;
    await el.updateComplete;
    assertEqual(radios().map((r) => [r.getAttribute('aria-checked'), r.tabIndex]), [['false', -1], ['true', 0]]);
    assert(el.shadowRoot!.activeElement === radios()[1], 'the chosen face has the focus');
    result = next<{ match: boolean }>(document.body, 'wv-result');
    radios()[1]!.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true, composed: true }));
    assertEqual((await result).detail.match, false, 'ArrowRight past the last face wraps to the first');
    result = next<{ match: boolean }>(document.body, 'wv-result');
    radios()[0]!.dispatchEvent(new KeyboardEvent('keydown', { key: 'End', bubbles: true, composed: true }));
    assertEqual((await result).detail.match, true, 'End chooses the last face');
  });

  it('identity mode: enrol through the form, then verify a photo against the identity', async () => {
    const recognizer = fakeRecognizer();
    const el = await mount('<wv-face-verify mode="identity"></wv-face-verify>', recognizer);
    const form = el.shadowRoot!.querySelector('form')!;
    (form.elements.namedItem('name') as HTMLInputElement).value = 'Ada';
    const files = new DataTransfer();
    files.items.add(new File([await photo('#f00')], 'ada.png', { type: 'image/png' }));
    (form.elements.namedItem('photos') as HTMLInputElement).files = files.files;
    const enrolled = next<{ id: string; descriptors: number }>(el, 'wv-enrolled');
    form.requestSubmit();
    assertEqual((await enrolled).detail, { id: 'Ada', descriptors: 1 });
    const result = next<{ match: boolean; identity: string }>(el, 'wv-result');
    await el.setPhoto('a', await photo('#0f0'));
    const r = (await result).detail;
    assertEqual([r.match, r.identity], [true, 'Ada']);
    await el.updateComplete;
    assertAccessible(el, 'identity mode with one person enrolled', { liveRegions: 5 });
  });

  it('identity mode lists the enrolled people; Forget erases one: the list, the identity and the verdict follow, wv-forgotten fires', async () => {
    const recognizer = fakeRecognizer();
    recognizer.enrolled.set('Ada', [new Float32Array(128).fill(0.1)]);
    recognizer.enrolled.set('Bob', [new Float32Array(128).fill(0.5), new Float32Array(128).fill(0.52)]);
    const el = await mount('<wv-face-verify mode="identity"></wv-face-verify>', recognizer);
    const people = () => [...el.shadowRoot!.querySelectorAll<HTMLElement>('[part=people] [part=person]')].map((li) => li.textContent!.replace(/\s+/g, ' ').trim());
    assertEqual(people(), ['Ada 1 photo Forget', 'Bob 2 photos Forget']);
    const list = el.shadowRoot!.querySelector('[part=people]')!;
    assertEqual([list.tagName, list.getAttribute('aria-label')], ['UL', 'Enrolled people']);
    const forgetButton = (id: string) => el.shadowRoot!.querySelector<HTMLButtonElement>(`button[part=forget][aria-label="Forget ${id}"]`);
    assert(forgetButton('Ada') instanceof HTMLButtonElement && forgetButton('Bob') instanceof HTMLButtonElement, 'a real button per person, named by them');
    // Ada is the identity (the first enrolled): the red photo matches her.
    let result = next<{ match: boolean; identity: string }>(el, 'wv-result');
    await el.setPhoto('a', await photo('#f00'));
    assertEqual([(await result).detail.match, (await result).detail.identity], [true, 'Ada']);

    const forgotten = next<{ id: string }>(el, 'wv-forgotten');
    result = next(el, 'wv-result');
    forgetButton('Ada')!.click();
    const e = await forgotten;
    assertEqual(e.detail, { id: 'Ada' });
    assert(e.bubbles && e.composed, 'wv-forgotten bubbles and is composed');
    assert(!recognizer.enrolled.has('Ada'), 'the gallery no longer has Ada');
    const r = (await result).detail;
    assertEqual([r.match, r.identity], [false, 'Bob'], 'the identity moves to the next person: the photo is compared with Bob');
    await el.updateComplete;
    assertEqual(people(), ['Bob 2 photos Forget']);
    assert(forgetButton('Ada') === null, 'no button for Ada');
    assertEqual([...el.shadowRoot!.querySelectorAll('select option')].map((o) => o.textContent!.trim()), ['Bob (2 photos)'], 'the identity picker follows');

    assertEqual(await el.forget('Nobody'), false, 'forgetting someone not enrolled says so');
    forgetButton('Bob')!.click();
    assertEqual((await next<{ id: string }>(el, 'wv-forgotten')).detail.id, 'Bob');
    await el.updateComplete;
    assertEqual([people().length, recognizer.enrolled.size], [0, 0]);
    assert(/Nobody enrolled yet/.test(el.shadowRoot!.querySelector('select')!.textContent!), 'the picker says nobody is enrolled');
    assert(el.shadowRoot!.querySelector('[part=verdict]') === null, 'no verdict without an identity');
    assertAccessible(el, 'identity mode with nobody enrolled', { liveRegions: 5 });
  });

  it('examples: one click on an A example compares it with the first B example; an enrol example enrols; identity mode pre-selects the face closest to the identity', async () => {
    const url = async (color: string) => URL.createObjectURL(await photo(color));
    const examples = [
      { name: 'Red', url: await url('#f00'), role: 'a' as const },
      { name: 'Green', url: await url('#0f0'), role: 'b' as const },
      { name: 'Blue', url: await url('#00f'), role: 'b' as const },
      { name: 'Portrait', url: await url('#f00'), role: 'enroll' as const, person: 'Ada' },
      { name: 'Group', url: await url('#00f'), role: 'identify' as const },
    ];
    const el = await mount('<wv-face-verify></wv-face-verify>');
    el.examples = examples;
    await el.updateComplete;
    const buttons = (role: string) => [...el.shadowRoot!.querySelectorAll<HTMLButtonElement>(`[part~=example][data-role=${role}]`)];
    assertEqual([buttons('a').length, buttons('b').length, buttons('enroll').length, buttons('identify').length], [1, 2, 0, 0], 'compare mode offers A and B examples');
    const result = next<{ match: boolean; distance: number }>(el, 'wv-result');
    buttons('a')[0]!.click();
    const r = (await result).detail;
    assert(r.match && Math.abs(r.distance - Math.sqrt(128 * 0.03 ** 2)) < 1e-4, `red against green, the first B example: ${JSON.stringify(r)}`);
    await el.updateComplete;
    assertEqual(buttons('a').concat(buttons('b')).map((b) => b.getAttribute('aria-pressed')), ['true', 'true', 'false'], 'the chosen examples are pressed');
    el.mode = 'identity';
    await el.updateComplete;
    assertEqual([buttons('enroll').length, buttons('identify').length, buttons('a').length], [1, 1, 0], 'identity mode offers the enrol and identify examples');
    const enrolled = next<{ id: string; descriptors: number }>(el, 'wv-enrolled');
    buttons('enroll')[0]!.click();
    assertEqual((await enrolled).detail, { id: 'Ada', descriptors: 1 });
    await el.updateComplete;
    assert(buttons('enroll')[0]!.disabled && /Ada enrolled/.test(buttons('enroll')[0]!.textContent!), 'the enrol example says it is done');
    // The group photo has two faces; the second is Ada's: it is pre-selected, a match.
    const found = next<{ match: boolean; identity: string; distance: number }>(el, 'wv-result');
    buttons('identify')[0]!.click();
    const f = (await found).detail;
    assertEqual([f.match, f.identity, f.distance], [true, 'Ada', 0]);
    await el.updateComplete;
    assertAccessible(el, 'identity mode with examples', { liveRegions: 5 });
  });

  it('an example that cannot be loaded is a bad-image error naming it', async () => {
    const el = await mount('<wv-face-verify></wv-face-verify>');
    el.examples = [{ name: 'Gone', url: '/no/such/example.jpg', role: 'a' }];
    await el.updateComplete;
    const error = next<{ kind: string; message: string; input?: string }>(el, 'wv-error');
    el.shadowRoot!.querySelector<HTMLButtonElement>('[part~=example]')!.click();
    const e = (await error).detail;
    assertEqual([e.kind, e.input], ['bad-image', 'a']);
    assert(/The example Gone could not be loaded \(HTTP 404\)/.test(e.message), e.message);
  });

  it('shows a clear error when WebGPU or the models are missing; its live regions are there from the first render', async () => {
    const host = document.createElement('div');
    host.innerHTML = '<wv-face-verify model-url="/no/such/models/"></wv-face-verify>';
    const error = next<{ kind: string; message: string }>(document.body, 'wv-error');
    document.body.append(host);
    const el = host.firstElementChild as FaceVerify;
    await el.updateComplete;
    const alert = el.shadowRoot!.querySelector('[role=alert]');
    assert(alert && text(alert) === '', 'the alert region is in the first render, empty');
    assertAccessible(el, 'loading the models', { liveRegions: 3 });
    const e = (await error).detail;
    assertEqual(e.kind, 'model-load');
    await el.updateComplete;
    assert(el.shadowRoot!.querySelector('[role=alert]') === alert, 'the error is said in the same alert region');
    assert(/could not be loaded from \/no\/such\/models\//.test(alert.querySelector('[part=error]')!.textContent!), 'error shown');
    assertAccessible(el, 'the models missing', { liveRegions: 3 });
  });

  it('a theme set on an ancestor reaches the element; without one, the defaults apply', async () => {
    const el = await mount('<wv-face-verify></wv-face-verify>');
    const button = () => getComputedStyle(el.shadowRoot!.querySelector('[part~=button]')!).backgroundColor;
    assertEqual(button(), 'rgb(47, 111, 222)', 'the default accent');
    el.parentElement!.style.setProperty('--wv-accent', 'rgb(0, 128, 128)');
    assertEqual(button(), 'rgb(0, 128, 128)', 'the accent of the ancestor');
  });

  it('leaves a given recognizer to the page when it leaves the page, and is ready again when it comes back', async () => {
    const recognizer = fakeRecognizer();
    let disposed = 0;
    const el = await mount('<wv-face-verify></wv-face-verify>', Object.assign(recognizer, { dispose: async () => void disposed++ }));
    const host = el.parentElement!;
    host.remove();
    const ready = next(el, 'wv-ready');
    document.body.append(host);
    await ready;
    assertEqual([disposed, el.recognizer === recognizer], [0, true], 'the page\'s recognizer is kept and used again');
  });
});
