/**
 * Where output goes: results on stdout (text, or JSON with --json), everything else — loading
 * messages, progress, per-iteration logs — on stderr, so stdout stays clean for pipes.
 */

export interface OutputOptions {
  json: boolean;
  quiet: boolean;
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
}

export class Output {
  readonly json: boolean;
  readonly quiet: boolean;
  private readonly stdout: NodeJS.WriteStream;
  private readonly stderr: NodeJS.WriteStream;
  private bar: ProgressBar | null = null;

  constructor(o: OutputOptions) {
    this.json = o.json;
    this.quiet = o.quiet;
    this.stdout = o.stdout ?? process.stdout;
    this.stderr = o.stderr ?? process.stderr;
  }

  /** A progress message on stderr ("loading face models…"). */
  status(message: string): void {
    if (this.quiet) return;
    this.bar?.clear();
    this.stderr.write(`${message}\n`);
    this.bar?.draw();
  }

  /** The command's result: `json` with --json, otherwise the text lines. */
  result(json: unknown, text: string | string[]): void {
    this.bar?.clear();
    if (this.json) this.stdout.write(`${toJSON(json)}\n`);
    else this.stdout.write(`${Array.isArray(text) ? text.join('\n') : text}\n`);
  }

  /** A progress bar on stderr: redrawn in place on a terminal, a line per update otherwise. */
  progress(total: number, label: string): ProgressBar {
    this.bar = new ProgressBar(this.stderr, total, label, this.quiet, isTerminal(this.stderr));
    return this.bar;
  }

  endProgress(): void {
    this.bar?.finish();
    this.bar = null;
  }
}

/** Whether a stream is a terminal; bin/wgsl-vision.js pipes our stderr and says so in WGSL_VISION_STDERR_TTY. */
function isTerminal(stream: NodeJS.WriteStream): boolean {
  return Boolean(stream.isTTY) || (stream === process.stderr && Boolean(process.env.WGSL_VISION_STDERR_TTY));
}

/** JSON with non-finite numbers (an Infinity distance) as null and typed arrays as plain arrays. */
export function toJSON(value: unknown): string {
  return JSON.stringify(value, (_key, v) => {
    if (typeof v === 'number' && !Number.isFinite(v)) return null;
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number>);
    return v;
  }, 2);
}

export class ProgressBar {
  private done = 0;
  private suffix = '';
  private readonly width = 28;

  constructor(private readonly stream: NodeJS.WriteStream, readonly total: number, private readonly label: string, private readonly quiet: boolean, readonly tty: boolean) {
    this.draw();
  }

  /** Moves the bar to `done` steps; `suffix` is shown after it (e.g. the loss). */
  update(done: number, suffix = ''): void {
    this.done = Math.min(done, this.total);
    this.suffix = suffix;
    this.draw();
  }

  /** A line printed above the bar (kept in the terminal's scrollback). */
  log(line: string): void {
    if (this.quiet) return;
    this.clear();
    this.stream.write(`${line}\n`);
    this.draw();
  }

  draw(): void {
    if (this.quiet || !this.tty) return;
    const filled = this.total > 0 ? Math.round((this.done / this.total) * this.width) : 0;
    const bar = '█'.repeat(filled) + '░'.repeat(this.width - filled);
    const percent = this.total > 0 ? Math.round((100 * this.done) / this.total) : 0;
    this.stream.write(`\r\x1b[2K${this.label} ${bar} ${String(percent).padStart(3)}% ${this.done}/${this.total}${this.suffix ? `  ${this.suffix}` : ''}`);
  }

  clear(): void {
    if (!this.quiet && this.tty) this.stream.write('\r\x1b[2K');
  }

  finish(): void {
    if (!this.quiet && this.tty) {
      this.draw();
      this.stream.write('\n');
    }
  }
}

/** Aligned "key  value" lines. */
export function keyValueLines(rows: readonly (readonly [string, string])[], indent = ''): string[] {
  const width = Math.max(0, ...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${indent}${k.padEnd(width)}  ${v}`);
}

export const fixed = (x: number, digits = 4): string => (Number.isFinite(x) ? x.toFixed(digits) : '∞');
