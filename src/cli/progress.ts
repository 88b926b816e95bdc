/** Progress of a long batch on stderr: a redrawn bar with rate and ETA on a terminal, plain lines
 * (at most every few seconds) when the output is a file or a pipe, so logs stay readable. */

export interface ProgressOptions {
  readonly label: string;
  readonly total: number;
  readonly stream?: NodeJS.WriteStream;
  /** Force terminal or plain mode (default: the stream's isTTY). */
  readonly tty?: boolean;
  /** Milliseconds between plain lines. */
  readonly plainEveryMs?: number;
  readonly now?: () => number;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  const mm = String(m).padStart(h > 0 ? 2 : 1, '0');
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(r).padStart(2, '0')}`;
}

export class Progress {
  private done = 0;
  private readonly started: number;
  private lastDraw = 0;
  private lastPlain = 0;
  private readonly stream: NodeJS.WriteStream;
  private readonly tty: boolean;
  private readonly now: () => number;
  private finished = false;

  constructor(private readonly options: ProgressOptions) {
    this.stream = options.stream ?? process.stderr;
    this.tty = options.tty ?? Boolean(this.stream.isTTY);
    this.now = options.now ?? (() => performance.now());
    this.started = this.now();
    if (!this.tty && options.total > 0) this.stream.write(`${options.label}: 0/${options.total}\n`);
  }

  /** Seconds left at the current rate (undefined until something is done). */
  eta(): number | undefined {
    if (this.done === 0) return undefined;
    const elapsed = (this.now() - this.started) / 1000;
    return (elapsed / this.done) * (this.options.total - this.done);
  }

  tick(detail = ''): void {
    this.done = Math.min(this.options.total, this.done + 1);
    const t = this.now();
    if (this.tty) {
      // Redraw at most ~12 times a second: a terminal write per photo would cost more than it shows.
      if (t - this.lastDraw >= 80 || this.done === this.options.total) {
        this.lastDraw = t;
        this.draw(detail);
      }
    } else if (t - this.lastPlain >= (this.options.plainEveryMs ?? 5000) && this.done < this.options.total) {
      this.lastPlain = t;
      this.stream.write(`${this.line()}\n`);
    }
  }

  private line(): string {
    const { total, label } = this.options;
    const pct = total === 0 ? 100 : Math.floor((this.done / total) * 100);
    const elapsed = (this.now() - this.started) / 1000;
    const rate = elapsed > 0 ? this.done / elapsed : 0;
    const eta = this.eta();
    return `${label}: ${this.done}/${total} (${pct}%)  ${rate.toFixed(1)}/s  ETA ${eta === undefined ? '--:--' : formatDuration(eta)}`;
  }

  private draw(detail: string): void {
    const { total, label } = this.options;
    const width = 28;
    const filled = total === 0 ? width : Math.round((this.done / total) * width);
    const elapsed = (this.now() - this.started) / 1000;
    const eta = this.eta();
    const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
    const text = `${label} ${bar} ${this.done}/${total}  ${formatDuration(elapsed)} elapsed  ETA ${eta === undefined ? '--:--' : formatDuration(eta)}`;
    const columns = this.stream.columns ?? 100;
    const tail = detail ? `  ${detail}` : '';
    this.stream.write(`\r\x1b[2K${(text + tail).slice(0, Math.max(20, columns - 1))}`);
  }

  /** Final line: total time; on a terminal it replaces the bar. */
  finish(summary = ''): void {
    if (this.finished) return;
    this.finished = true;
    const elapsed = (this.now() - this.started) / 1000;
    const text = `${this.options.label}: ${this.done}/${this.options.total} in ${formatDuration(elapsed)}${summary ? `  ${summary}` : ''}`;
    this.stream.write(this.tty ? `\r\x1b[2K${text}\n` : `${text}\n`);
  }
}
