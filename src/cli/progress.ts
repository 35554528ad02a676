/**
 * A one-line progress bar with the step count, rate and ETA, redrawn in place on a
 * terminal. Off a terminal (a pipe, a log file, CI) it prints nothing: the epoch tables
 * are the plain lines there.
 */
export class ProgressLine {
  private readonly start = performance.now();
  private lastDraw = 0;
  private shown = false;

  /** `from`: the step training starts at (a resumed run's rate counts only its own steps). */
  constructor(private readonly out: NodeJS.WriteStream, private readonly from = 0) {}

  update(t: number, total: number): void {
    if (!this.out.isTTY) return;
    const now = performance.now();
    if (now - this.lastDraw < 100 && t < total) return; // at most 10 redraws a second
    this.lastDraw = now;
    const elapsed = (now - this.start) / 1000, rate = (t - this.from) / Math.max(elapsed, 1e-9);
    const eta = (total - t) / Math.max(rate, 1e-9);
    const width = 30, filled = Math.round((width * t) / total);
    const bar = `${'#'.repeat(filled)}${'.'.repeat(width - filled)}`;
    this.out.write(`\r[${bar}] ${t}/${total} steps  ${rate.toFixed(0)} steps/s  ETA ${formatSeconds(eta)}   `);
    this.shown = true;
  }

  /** Erases the bar (before other output). */
  clear(): void {
    if (!this.shown) return;
    this.out.write('\r\x1b[2K');
    this.shown = false;
  }
}

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const m = Math.floor(s / 60), h = Math.floor(m / 60);
  return h > 0 ? `${h}h${String(m % 60).padStart(2, '0')}m` : m > 0 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.round(s)}s`;
}
