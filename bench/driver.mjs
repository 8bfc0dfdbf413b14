// What the benchmark and evaluation drivers (run-kernels.mjs, run-bench.mjs, eval-style.mjs)
// share: running a built Node entry, waiting for a page's result, and running each host in turn.
import { spawn } from 'node:child_process';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Runs `node script ...args` with inherited output; rejects when it exits non-zero. */
export function runNodeScript(script, args, cwd) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { cwd, stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`${script.split(/[\\/]/).pop()} exited with ${signal ?? code}`))));
  });
}

/**
 * Polls the page every 2 s with `read` (run in the page; returns null until done, else
 * `{ error }` or a result object) and returns the result; throws on an error or the timeout.
 */
export async function waitForPageResult(page, read, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const state = await page.evaluate(read);
    if (state?.error) throw new Error(`the page failed: ${state.error}`);
    if (state) return state;
    await sleep(2000);
  }
  throw new Error(`no result from the page after ${timeoutMs / 60000} minutes`);
}

/**
 * Runs each [name, run] whose name is `host` (or all with 'all'), announcing it and catching its
 * failure ("<name> <what> failed: ..."). Returns whether any failed and the seconds each took.
 */
export async function runHosts(hosts, host, what, say = console.log) {
  let failed = false;
  const timings = [];
  for (const [name, run] of hosts) {
    if (host !== 'all' && host !== name) continue;
    say(`\n=== ${name} ===`);
    const t0 = Date.now();
    let ok = true;
    try {
      await run();
    } catch (e) {
      ok = false;
      console.error(`${name} ${what} failed: ${e?.stack ?? e}`);
    }
    failed ||= !ok;
    timings.push({ name, seconds: (Date.now() - t0) / 1000, ok });
  }
  return { failed, timings };
}

/** "wall time: chromium 153 s, node 49 s" from runHosts' timings. */
export function wallTimeLine(timings) {
  return `wall time: ${timings.map((t) => `${t.name} ${t.seconds.toFixed(0)} s${t.ok ? '' : ' (failed)'}`).join(', ')}`;
}
