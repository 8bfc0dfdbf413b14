/**
 * A progress bar with an ETA for long runs (training): on a terminal one line redrawn in place,
 * elsewhere (CI logs, files) a line every `logEvery` of the way, so logs stay short. The ETA is
 * the mean time per unit so far times the units left; it ignores time before the first unit.
 */

export interface ProgressBarOptions {
  /** Units of work in the whole run. */
  total: number;
  /** Units already done (a resumed run). */
  done?: number;
  width?: number;
  /** Where the bar goes (process.stdout by default); `isTTY` decides how it is drawn. */
  out?: { write(s: string): unknown; isTTY?: boolean };
  /** Without a terminal: a line each time this fraction of the run more is done (0.05). */
  logEvery?: number;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export class ProgressBar {
  private readonly total: number;
  private readonly start: number;
  private readonly width: number;
  private readonly out: NonNullable<ProgressBarOptions['out']>;
  private readonly logEvery: number;
  private done: number;
  private firstAt: number | null = null;
  private firstDone = 0;
  private lastLogged = -1;

  constructor(o: ProgressBarOptions, private readonly now: () => number = () => performance.now()) {
    if (!(o.total > 0)) throw new RangeError(`ProgressBar: total must be > 0, got ${o.total}`);
    this.total = o.total;
    this.done = this.start = o.done ?? 0;
    this.width = o.width ?? 30;
    this.out = o.out ?? process.stdout;
    this.logEvery = o.logEvery ?? 0.05;
  }

  /** Seconds left at the pace since the first update, or NaN before there is a pace. */
  eta(): number {
    if (this.firstAt === null || this.done <= this.firstDone) return NaN;
    return ((this.now() - this.firstAt) / 1000 / (this.done - this.firstDone)) * (this.total - this.done);
  }

  /** The bar's text for `done` units and a status such as the loss. */
  line(status = ''): string {
    const f = Math.min(1, this.done / this.total);
    const filled = Math.round(f * this.width);
    const eta = this.done >= this.total ? 'done' : `ETA ${formatDuration(this.eta())}`;
    return `[${'#'.repeat(filled)}${'.'.repeat(this.width - filled)}] ${(100 * f).toFixed(0).padStart(3)}% ${this.done}/${this.total} ${eta}${status ? `  ${status}` : ''}`;
  }

  update(done: number, status = ''): void {
    if (this.firstAt === null) {
      // The pace counts from the first unit finished, not from start-up (compiling, loading).
      this.firstAt = this.now();
      this.firstDone = done;
    }
    this.done = done;
    if (this.out.isTTY) {
      this.out.write(`\r${this.line(status)}\x1b[K`);
      return;
    }
    const bucket = Math.floor((done - this.start) / (this.logEvery * (this.total - this.start || 1)));
    if (bucket !== this.lastLogged || done >= this.total) {
      this.lastLogged = bucket;
      this.out.write(`${this.line(status)}\n`);
    }
  }

  /** Ends the terminal line, so what is printed next starts on its own. */
  finish(): void {
    if (this.out.isTTY) this.out.write('\n');
  }
}
