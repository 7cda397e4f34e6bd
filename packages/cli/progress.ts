/**
 * Progress of a long send on stderr: on a terminal one line redrawn in place,
 * in a log (not a TTY) one line per tenth of the work, so CI logs stay short.
 */

/** Where progress goes: stderr, or a fake in tests. */
export interface ProgressStream {
  write(text: string): void;
  readonly isTTY?: boolean;
}

/** `[############------------------]  100/250 events  40%` (the bar is `width` characters). */
export function formatProgress(done: number, total: number, width = 30, unit = 'events'): string {
  const fraction = total <= 0 ? 1 : Math.min(1, Math.max(0, done / total));
  const filled = Math.round(fraction * width);
  const digits = String(total).length;
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]  ${String(done).padStart(digits)}/${total} ${unit}  ${percent}`;
}

/** The tenth of the work `done` has reached: 0 to 10. */
export function decileOf(done: number, total: number): number {
  return total <= 0 ? 10 : Math.min(10, Math.floor((done * 10) / total));
}

/** Reports progress of `total` units of work on a stream. */
export class ProgressReporter {
  private lastDecile = 0;
  private drawn = false;

  constructor(
    private readonly stream: ProgressStream,
    private readonly total: number,
    private readonly unit = 'events',
  ) {}

  /** `done` units are complete. */
  update(done: number): void {
    const line = formatProgress(done, this.total, 30, this.unit);
    if (this.stream.isTTY === true) {
      // Carriage return and erase-line: redraw in place.
      this.stream.write(`\r\u001b[2K${line}`);
      this.drawn = true;
      return;
    }
    const decile = decileOf(done, this.total);
    if (decile > this.lastDecile) {
      this.lastDecile = decile;
      this.stream.write(`${line}\n`);
    }
  }

  /** Ends the redrawn line, so what follows starts on a fresh one. */
  finish(): void {
    if (this.drawn) this.stream.write('\n');
    this.drawn = false;
  }
}
