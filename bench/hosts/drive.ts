/**
 * What the benchmark and evaluation drivers share (Node only): a main that exits when done (Dawn
 * keeps the event loop alive), running a built Node entry, Chromium on a served page, waiting for
 * a page's result, and running each host in turn.
 */
import { spawn } from 'node:child_process';
import { UsageError } from '../args.js';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
// @ts-expect-error plain ESM module without types
import { chromiumArgs, chromiumPath } from '../../scripts/chromium.mjs';
// @ts-expect-error plain ESM module without types
import { serveStatic } from '../../scripts/static-server.mjs';

/**
 * Runs `main` and exits 0, or prints its failure and exits 1 (`prefix` before the message, or the
 * stack without one); a command-line mistake (UsageError) prints its message and exits 2.
 */
export function runMain(main: () => Promise<void>, prefix?: string): void {
  main().then(
    () => process.exit(process.exitCode ?? 0),
    (e: unknown) => {
      if (e instanceof UsageError) console.error(e.message);
      else console.error(prefix ? `${prefix}: ${e instanceof Error ? e.message : String(e)}` : e instanceof Error ? e.stack ?? e.message : e);
      process.exit(e instanceof UsageError ? 2 : 1);
    },
  );
}

/** Runs `node script ...args` with inherited output; rejects when it exits non-zero. */
export function runNodeScript(script: string, args: readonly string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { cwd, stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`${script.split(/[\\/]/).pop()} exited with ${signal ?? code}`))));
  });
}

/**
 * Serves `mounts` (URL prefix → folder) on 127.0.0.1, opens headless Chromium and hands `use`
 * a new page and the site's root URL; closes both afterwards. Page errors go to `say`, and so does
 * every console line, or only those `consoleFilter` passes (given the text, it returns what to print, or null).
 */
export async function withChromiumPage<T>(
  mounts: Record<string, string>,
  use: (page: Page, url: string, browser: Browser) => Promise<T>,
  o: { headers?: Record<string, string>; protocolTimeout?: number; say?: (line: string) => void; consoleFilter?: (text: string) => string | null } = {},
): Promise<T> {
  const say = o.say ?? console.log;
  const { server, url } = (await serveStatic(mounts, 0, o.headers ?? {})) as { server: { close(done: () => void): void }; url: string };
  let browser: Browser | undefined;
  try {
    browser = await puppeteer.launch({ executablePath: chromiumPath as string, headless: true, args: chromiumArgs as string[], protocolTimeout: o.protocolTimeout ?? 600_000 });
    const page = await browser.newPage();
    page.on('console', (msg) => {
      const line = o.consoleFilter ? o.consoleFilter(msg.text()) : msg.text();
      if (line !== null) say(`[chromium] ${line}`);
    });
    page.on('pageerror', (e) => say(`[chromium] page error: ${(e as Error).message}`));
    say(`[chromium] ${await browser.version()}`);
    return await use(page, url, browser);
  } finally {
    await browser?.close().catch(() => undefined);
    await new Promise<void>((r) => server.close(r));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls the page every 2 s with `read` (run in the page; returns null until done, else
 * `{ error }` or a result object) and returns the result; throws on an error or the timeout.
 */
export async function waitForPageResult<T>(page: Page, read: () => unknown, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const state = (await page.evaluate(read)) as (T & { error?: string }) | null;
    if (state?.error) throw new Error(`the page failed: ${state.error}`);
    if (state) return state as T;
    await sleep(2000);
  }
  throw new Error(`no result from the page after ${timeoutMs / 60000} minutes`);
}

export interface HostTiming {
  name: string;
  seconds: number;
  ok: boolean;
}

/**
 * Runs each [name, run] whose name is `host` (or all with 'all'), announcing it and catching its
 * failure ("<name> <what> failed: ..."). Returns whether any failed and the seconds each took.
 */
export async function runHosts(hosts: [string, () => Promise<void>][], host: string, what: string, say: (line: string) => void = console.log): Promise<{ failed: boolean; timings: HostTiming[] }> {
  let failed = false;
  const timings: HostTiming[] = [];
  for (const [name, run] of hosts) {
    if (host !== 'all' && host !== name) continue;
    say(`\n=== ${name} ===`);
    const t0 = Date.now();
    let ok = true;
    try {
      await run();
    } catch (e) {
      ok = false;
      console.error(`${name} ${what} failed: ${(e as Error)?.stack ?? e}`);
    }
    failed ||= !ok;
    timings.push({ name, seconds: (Date.now() - t0) / 1000, ok });
  }
  return { failed, timings };
}

/** "wall time: chromium 153 s, node 49 s" from runHosts' timings. */
export function wallTimeLine(timings: readonly HostTiming[]): string {
  return `wall time: ${timings.map((t) => `${t.name} ${t.seconds.toFixed(0)} s${t.ok ? '' : ' (failed)'}`).join(', ')}`;
}
