import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { decodeImage, encodePNG } from '../../src/host/node-image.js';
import { withEdgeBorder } from '../../src/nn/boxes.js';
import type { Browser } from 'puppeteer-core';
// @ts-expect-error plain ESM module without types
import { serveStatic } from '../../scripts/static-server.mjs';
// @ts-expect-error plain ESM module without types
import { demoMounts } from '../../scripts/demo-site.mjs';
import { assert } from '../util/assert.js';
import { launchChromium, openPage } from './browser.js';

describe('demo page (headless Chromium)', () => {
  let browser: Browser;
  let server: { close(): void };
  let url: string;

  before(async () => {
    ({ server, url } = await serveStatic(demoMounts));
    browser = await launchChromium();
    // Two photos of one person (ORL s1), with the border detectors need, as PNG uploads.
    mkdirSync('build/screenshots', { recursive: true });
    for (const n of [1, 2]) {
      const face = withEdgeBorder(decodeImage(readFileSync(`../shared/data/orl-faces/s1/${n}.pgm`)), 46, 56);
      writeFileSync(`build/screenshots/s1_${n}.png`, encodePNG(face));
    }
  });
  after(async () => {
    await browser?.close();
    server?.close();
  });

  it('reports the adapter and runs the convolutions without console errors', async () => {
    const errors: string[] = [];
    const page = await openPage(browser, url, errors);
    await page.waitForFunction(() => document.querySelector('#status')?.textContent === 'WebGPU is ready.', { timeout: 60_000 });
    const adapter = await page.$eval('#adapter', (t) => t.textContent ?? '');
    assert(/Max storage buffer/.test(adapter), `adapter table is filled: ${adapter}`);
    await page.click('#run');
    await page.waitForFunction(() => (window as unknown as { __convDone?: boolean }).__convDone === true, { timeout: 300_000 });
    const rows = await page.$$eval('#results tr', (trs) => trs.map((tr) => tr.textContent ?? ''));
    assert(rows.length === 3, `three conv rows, got ${rows.length}`);
    assert(rows[0]!.includes('75x75x32'), `stem output 75x75x32: ${rows[0]}`);
    mkdirSync('build/screenshots', { recursive: true });
    await page.screenshot({ path: 'build/screenshots/demo.png', fullPage: true });
    assert(errors.length === 0, `console errors: ${errors.join('\n')}`);
  });

  it('embeds <face-verify>, which loads its models and verifies two uploaded photos', async () => {
    const errors: string[] = [];
    const page = await openPage(browser, url, errors);
    await page.waitForFunction(() => document.querySelector('face-verify')?.shadowRoot?.querySelector('[part~=dropzone]'), { timeout: 120_000 });
    for (const [side, file] of [['a', 's1_1'], ['b', 's1_2']] as const) {
      const input = await page.waitForSelector(`face-verify >>> input[type=file][data-side=${side}]`);
      await (input as unknown as { uploadFile(p: string): Promise<void> }).uploadFile(`build/screenshots/${file}.png`);
    }
    try {
      await page.waitForFunction(() => /Match/.test(document.querySelector('face-verify')?.shadowRoot?.querySelector('[part=verdict]')?.textContent ?? ''), { timeout: 60_000 });
    } finally {
      await (await page.$('face-verify'))!.screenshot({ path: 'build/screenshots/face-verify.png' });
    }
    assert(errors.length === 0, `console errors: ${errors.join('\n')}`);
  });
});
