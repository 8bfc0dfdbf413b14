#!/usr/bin/env node
// The wgsl-vision command line: runs the bundled CLI (build/cli/wgsl-vision.js, made by `npm run build`)
// in a child process whose stderr is passed through minus Dawn's native "Warning: …" lines, which
// it prints on every adapter request and which would bury the CLI's own one-line messages.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../build/cli/wgsl-vision.js', import.meta.url));
if (!existsSync(cli)) {
  process.stderr.write(`wgsl-vision: the command line is not built (${cli} is missing): run npm run build\n`);
  process.exit(2);
}

const args = process.argv.slice(2);
const keepNative = args.includes('--debug');
// The child's stderr is a pipe: tell it whether ours is a terminal (progress bars redraw in place).
const env = { ...process.env, WGSL_VISION_STDERR_TTY: process.stderr.isTTY ? String(process.stderr.columns || 80) : '' };
const child = spawn(process.execPath, [cli, ...args], { stdio: ['inherit', 'inherit', 'pipe'], env });

// Dawn's lines: "Warning: …" and the source locations it appends ("    at CheckVkSuccessImpl (…/dawn/…)").
const isNative = (line) => /^Warning: /.test(line) || /^\s+at \S+ \(.*\/dawn\//.test(line);
const WARNING = 'Warning: ';
let pending = '';
let dropped = false; // Dawn ends a warning with a source location and a blank line
child.stderr.setEncoding('utf8');
child.stderr.on('data', (chunk) => {
  pending += chunk;
  let newline;
  while ((newline = pending.indexOf('\n')) >= 0) {
    const line = pending.slice(0, newline);
    pending = pending.slice(newline + 1);
    const drop = !keepNative && (isNative(line) || (dropped && line === ''));
    if (!drop) process.stderr.write(`${line}\n`);
    dropped = drop;
  }
  // A partial line that cannot become a Dawn warning (a progress bar redraw) goes out at once.
  if (pending && !WARNING.startsWith(pending.slice(0, WARNING.length)) && !/^\s+$/.test(pending)) {
    process.stderr.write(pending);
    pending = '';
  }
});
child.stderr.on('end', () => {
  if (pending && (keepNative || !isNative(pending))) process.stderr.write(pending);
});

// Ctrl-C reaches both processes (one process group): the child decides how to stop, the launcher
// waits for it. SIGTERM sent to the launcher alone is passed on.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('error', (e) => {
  process.stderr.write(`wgsl-vision: cannot start: ${e.message}\n`);
  process.exit(5);
});
child.on('close', (code, signal) => process.exit(code ?? (signal === 'SIGINT' ? 130 : 128 + 15)));
