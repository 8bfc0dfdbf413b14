/** Headless Chromium with WebGPU (SwiftShader), for end-to-end tests of pages. */
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
// @ts-expect-error plain ESM module without types
import { chromiumArgs, chromiumPath } from '../../scripts/chromium.mjs';

/** Chromium flags for a camera without a person at it: permission prompts accepted, frames from `file` (Y4M) or a test pattern. */
export function fakeCameraArgs(file?: string): string[] {
  return ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', ...(file ? [`--use-file-for-fake-video-capture=${file}`] : [])];
}

export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return puppeteer.launch({ executablePath: chromiumPath as string, headless: true, args: [...(chromiumArgs as string[]), ...extraArgs] });
}

/** What a page did that an embeddable page must not: CSP violations, requests off its origin, uncaught errors and console errors. */
export interface PageWatch {
  /** Console errors and uncaught exceptions (CSP reports in the console land here too). */
  errors: string[];
  /** securitypolicyviolation events: directive, blocked URI, source file and line. */
  violations: string[];
  /** Requests to another origin than the page's (blob: and data: URLs stay on the device and are not counted). */
  offOrigin: string[];
  /** Console warnings. */
  warnings: string[];
}

/** Opens `url`, collecting console errors and uncaught exceptions into `errors`. */
export async function openPage(browser: Browser, url: string, errors: string[], viewport = { width: 1200, height: 900 }): Promise<Page> {
  const { page, watch } = await openWatched(browser, url, viewport);
  errors.push(...watch.errors);
  watch.errors = errors;
  return page;
}

/** Opens `url` with a PageWatch set up before the page's first script runs. */
export async function openWatched(browser: Browser, url: string, viewport = { width: 1200, height: 900 }): Promise<{ page: Page; watch: PageWatch }> {
  const page = await browser.newPage();
  const watch: PageWatch = { errors: [], violations: [], offOrigin: [], warnings: [] };
  const origin = new URL(url).origin;
  // Puppeteer's 30 s default also bounds the wait for a frame's script context: a cross-origin
  // frame loading the library on a loaded 2-core machine once took longer than that.
  page.setDefaultTimeout(120_000);
  await page.setViewport(viewport);
  page.on('console', (m) => {
    if (m.type() === 'error') watch.errors.push(m.text());
    if (m.type() === 'warn') watch.warnings.push(m.text());
  });
  page.on('pageerror', (e) => watch.errors.push(String(e)));
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.protocol !== 'blob:' && u.protocol !== 'data:' && u.origin !== origin) watch.offOrigin.push(r.url());
  });
  await page.exposeFunction('__wvViolation', (v: string) => void watch.violations.push(v));
  await page.evaluateOnNewDocument(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      (window as unknown as { __wvViolation(v: string): void }).__wvViolation(`${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}${e.sample ? ` "${e.sample}"` : ''}`);
    }, true);
  });
  await page.goto(url, { waitUntil: 'load', timeout: 120_000 });
  return { page, watch };
}
