import { mkdirSync } from 'node:fs';
import type { Browser } from 'puppeteer-core';
// @ts-expect-error plain ESM module without types
import { serveStatic } from '../../scripts/static-server.mjs';
import { assert } from '../util/assert.js';
import { launchChromium, openPage } from './browser.js';

describe('demo page (headless Chromium)', () => {
  let browser: Browser;
  let server: { close(): void };
  let url: string;

  before(async () => {
    ({ server, url } = await serveStatic({ '/': 'build/demo' }));
    browser = await launchChromium();
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
});
