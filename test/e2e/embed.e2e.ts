// The components and the demo as a locked-down site embeds them: every page served with the strict
// Content-Security-Policy of the README, and each test fails on a CSP violation, on a request that
// leaves the page's origin and on any uncaught error or console error.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Browser, ElementHandle, Page } from 'puppeteer-core';
import { decodeImage, encodePNG } from '../../src/host/node-image.js';
// @ts-expect-error plain ESM module without types
import { serveStatic } from '../../scripts/static-server.mjs';
// @ts-expect-error plain ESM module without types
import { demoMounts, STRICT_CSP } from '../../scripts/demo-site.mjs';
import { assert, assertEqual } from '../util/assert.js';
import { launchChromium, openWatched, type PageWatch } from './browser.js';

interface Recorded { name: string; detail: Record<string, unknown> }

/** Events of the page so far (the pages record them in window.__events). */
const events = (page: Page, name: string): Promise<Recorded['detail'][]> =>
  page.evaluate((n) => ((window as unknown as { __events: Recorded[] }).__events ?? []).filter((e) => e.name === n).map((e) => e.detail), name);

/** Waits until the page has recorded `count` events called `name`; returns the last one. */
async function waitEvent(page: Page, name: string, count = 1, timeout = 120_000): Promise<Recorded['detail']> {
  await page.waitForFunction((n, c) => ((window as unknown as { __events?: Recorded[] }).__events ?? []).filter((e) => e.name === n).length >= c, { timeout, polling: 200 }, name, count);
  return (await events(page, name)).at(-1)!;
}

/** Records the components' events on a page that has no recorder of its own (CDP evaluation is not subject to the page's CSP). */
async function recordEvents(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __events: { name: string; detail: unknown }[] };
    w.__events = [];
    for (const name of ['wv-ready', 'wv-result', 'wv-enrolled', 'wv-error', 'wv-style-done']) {
      document.addEventListener(name, (e) => {
        const { image, png, ...rest } = ((e as CustomEvent).detail ?? {}) as Record<string, unknown>;
        w.__events.push({ name, detail: rest });
      });
    }
  });
}

function assertClean(watch: PageWatch, what: string): void {
  assertEqual(watch.violations, [], `${what}: Content-Security-Policy violations`);
  assertEqual(watch.offOrigin, [], `${what}: requests that left the page's origin`);
  assertEqual(watch.errors, [], `${what}: uncaught errors and console errors`);
}

/**
 * Waits for `selector` inside `host`'s shadow root, by polling: waitForSelector watches the
 * document with a MutationObserver, which does not see changes inside shadow roots.
 */
async function shadow(page: Page, host: string, selector: string, timeout = 120_000): Promise<ElementHandle<Element>> {
  const until = Date.now() + timeout;
  for (;;) {
    const found = await page.$(`${host} >>> ${selector}`);
    if (found) return found;
    if (Date.now() > until) throw new Error(`no ${selector} in <${host}> after ${timeout} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The width in pixels of the verdict's distance bar: 0 if its width (set through the CSSOM) was refused. */
const barWidth = (page: Page) => page.$eval('wv-face-verify', (el) => {
  const fill = el.shadowRoot!.querySelector<HTMLElement>('[part=distance] .fill');
  return fill ? fill.getBoundingClientRect().width : -1;
});

describe('embedding under a strict Content-Security-Policy (headless Chromium)', () => {
  let browser: Browser;
  let server: { close(): void };
  let url: string;
  const headers: Record<string, string>[] = [];

  before(async () => {
    ({ server, url } = await serveStatic({ ...demoMounts, '/embed/': 'test/e2e/pages', '/e2e/': 'build/e2e' }, 0, () => {
      const h = { 'content-security-policy': STRICT_CSP };
      headers.push(h);
      return h;
    }));
    browser = await launchChromium();
    mkdirSync('build/e2e', { recursive: true });
    for (const p of ['s1/1', 's1/2']) writeFileSync(`build/e2e/${p.replace('/', '_')}.png`, encodePNG(decodeImage(readFileSync(`../shared/data/orl-faces/${p}.pgm`))));
  });
  after(async () => {
    await browser?.close();
    server?.close();
  });

  it('the demo page: one click on an example compares two group photos; enrol the portrait and find her in a group; a short style transfer', async () => {
    const { page, watch } = await openWatched(browser, url, { width: 1200, height: 1600 });
    await recordEvents(page);
    assert(headers.length > 0 && headers.every((h) => h['content-security-policy'] === STRICT_CSP), 'every response carried the policy');
    const meta = await page.$eval('meta[http-equiv=Content-Security-Policy]', (m) => (m as HTMLMetaElement).content);
    assertEqual(meta, STRICT_CSP, 'the page states the same policy itself (npm start serves no header)');
    await shadow(page, 'wv-face-verify', '[part~=dropzone]');
    // One click: photo A is the example clicked, photo B the first example for B.
    await (await shadow(page, 'wv-face-verify', '[part~=example][data-role=a]')).click();
    const compared = await waitEvent(page, 'wv-result');
    assert(compared.match === true && (compared.distance as number) < 0.55, `group photos 1 and 2 share a person: ${JSON.stringify(compared)}`);
    assert(await barWidth(page) > 10, `the distance bar has its width under the policy: ${await barWidth(page)} px`);
    const pressed = await page.$eval('wv-face-verify', (el) => [...el.shadowRoot!.querySelectorAll('[part~=example][aria-pressed=true]')].map((b) => b.getAttribute('title')));
    assertEqual(pressed, ['Group photo 1', 'Group photo 2'], 'both examples are marked as chosen');

    // Identity mode: enrol the portrait in one click, then find her in a group photo, and not in another.
    await page.click('input[name=face-mode][value=identity]');
    await (await shadow(page, 'wv-face-verify', '[part~=example][data-role=enroll]')).click();
    const enrolled = await waitEvent(page, 'wv-enrolled');
    assertEqual(enrolled, { id: 'Guest', descriptors: 1 });
    const identify = await page.$$('wv-face-verify >>> [part~=example][data-role=identify]');
    assertEqual(identify.length, 2, 'two group photos to check');
    const before = (await events(page, 'wv-result')).length;
    await identify[0]!.click();
    const found = await waitEvent(page, 'wv-result', before + 1);
    assert(found.match === true && found.identity === 'Guest', `the portrait's person is in group photo 2: ${JSON.stringify(found)}`);
    const verdict = await page.$eval('wv-face-verify', (el) => el.shadowRoot!.querySelector('[part=verdict]')?.textContent ?? '');
    assert(/Match as Guest/.test(verdict), verdict);
    await (await page.$$('wv-face-verify >>> [part~=example][data-role=identify]'))[1]!.click();
    const notFound = await waitEvent(page, 'wv-result', before + 2);
    assert(notFound.match === false && (notFound.distance as number) > 0.6, `nobody in group photo 3 is her: ${JSON.stringify(notFound)}`);
    await (await page.$('#faces'))!.screenshot({ path: 'build/e2e/csp-demo-faces.png' });

    // Style transfer: the examples are picked already; a few steps at 48 px.
    await page.$eval('wv-style-transfer', (el) => { el.setAttribute('size', '48'); el.setAttribute('iterations', '3'); el.setAttribute('preview-every', '1'); });
    const start = await shadow(page, 'wv-style-transfer', '[part~=start]:not([disabled])');
    await start.click();
    const done = await waitEvent(page, 'wv-style-done');
    assert(done.iteration === 3 && Number.isFinite(done.J as number), `style transfer finished: ${JSON.stringify(done)}`);
    assertClean(watch, 'demo page');
  });

  it('a plain page with each component and the bundle loaded twice: the first copy defines the tags, the second says so; verification and style transfer work', async () => {
    const { page, watch } = await openWatched(browser, `${url}embed/plain.html`);
    const defined = await page.evaluate(() => ['wv-face-verify', 'wv-style-transfer'].map((t) => customElements.get(t) !== undefined));
    assertEqual(defined, [true, true], 'both tags are defined');
    for (const tag of ['wv-face-verify', 'wv-style-transfer']) {
      const said = watch.warnings.filter((w) => w.includes(`<${tag}> is already defined by wgsl-vision`));
      assertEqual(said.length, 1, `one warning for <${tag}>: ${watch.warnings.join(' | ')}`);
      assert(/defined by wgsl-vision \S+ \(http:\/\/[^)]*\/components\/wgsl-vision-components\.js\); that copy is used, and this one \(wgsl-vision \S+, http:\/\/[^)]*wgsl-vision-components\.js\?copy=2\) is not/.test(said[0]!), said[0]!);
    }
    await waitEvent(page, 'wv-ready');
    for (const [side, file] of [['a', 's1_1'], ['b', 's1_2']] as const) {
      await (await shadow(page, 'wv-face-verify', `input[type=file][data-side=${side}]`) as ElementHandle<HTMLInputElement>).uploadFile(`build/e2e/${file}.png`);
      if (side === 'a') await page.waitForFunction(() => document.querySelector('wv-face-verify')!.shadowRoot!.querySelector('canvas[data-side=a]'), { timeout: 60_000 });
    }
    const r = await waitEvent(page, 'wv-result');
    assert(r.match === true, `two photos of ORL s1: ${JSON.stringify(r)}`);
    const width = await barWidth(page);
    assert(width > 10, `the distance bar has its width: ${width} px`);
    await waitEvent(page, 'wv-style-ready');
    for (const [role, file] of [['content', 'demo/assets/dog.jpg'], ['style', 'demo/assets/scream.jpg']]) {
      await (await shadow(page, 'wv-style-transfer', `input[type=file][data-role=${role}]`) as ElementHandle<HTMLInputElement>).uploadFile(file!);
    }
    await (await shadow(page, 'wv-style-transfer', '[part~=start]:not([disabled])')).click();
    const done = await waitEvent(page, 'wv-style-done');
    assertEqual(done.iteration, 3, 'three steps');
    await page.screenshot({ path: 'build/e2e/csp-plain.png', fullPage: true });
    assertClean(watch, 'plain page');
  });
});
