/** Headless Chromium with WebGPU (SwiftShader), for end-to-end tests of pages. */
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
// @ts-expect-error plain ESM module without types
import { chromiumArgs, chromiumPath } from '../../scripts/chromium.mjs';

export async function launchChromium(): Promise<Browser> {
  return puppeteer.launch({ executablePath: chromiumPath as string, headless: true, args: chromiumArgs as string[] });
}

/** Opens `url`, collecting console errors and uncaught exceptions into `errors`. */
export async function openPage(browser: Browser, url: string, errors: string[], viewport = { width: 1200, height: 900 }): Promise<Page> {
  const page = await browser.newPage();
  await page.setViewport(viewport);
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url, { waitUntil: 'load' });
  return page;
}
