// The live progress line of `char-lstm train`: redrawn in place on a terminal, printed now and then
// otherwise (logs, CI). Lines printed between redraws (evaluations, samples) clear it first.

export interface ProgressInfo {
  step: number;
  maxSteps: number;
  epoch: number;
  loss: number;
  bpc: number;
  charsPerSec: number;
  /** Seconds left, or NaN when unknown. */
  eta: number;
  /** Fraction of the budget done, 0..1, or NaN when unknown. */
  frac: number;
}

export function formatDuration(s: number): string {
  if (!Number.isFinite(s)) return "?";
  s = Math.max(0, Math.round(s));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  return h ? `${h}h${String(m).padStart(2, "0")}m` : m ? `${m}m${String(sec).padStart(2, "0")}s` : `${sec}s`;
}

export class Progress {
  private drawn = false;
  private lastDraw = 0;
  private lastPlain = 0;

  constructor(private readonly write: (s: string) => void, private readonly tty: boolean, private readonly width = 100) {}

  update(p: ProgressInfo, now: number): void {
    const bar = Number.isFinite(p.frac) ? this.bar(p.frac) + " " : "";
    const steps = p.maxSteps ? `${p.step}/${p.maxSteps}` : `${p.step}`;
    const line = `${bar}step ${steps} · epoch ${p.epoch.toFixed(2)} · loss ${p.loss.toFixed(3)} (${p.bpc.toFixed(3)} bpc) · ${Math.round(p.charsPerSec).toLocaleString("en-US")} chars/s · ETA ${formatDuration(p.eta)}`;
    if (this.tty) {
      if (now - this.lastDraw < 100) return;
      this.lastDraw = now;
      this.write(`\r\x1b[2K${line.slice(0, this.width)}`);
      this.drawn = true;
    } else if (now - this.lastPlain >= 10_000 || p.step === 1) {
      this.lastPlain = now;
      this.write(line + "\n");
    }
  }

  /** Print a whole line above the progress line. */
  log(s: string): void {
    this.clear();
    this.write(s.endsWith("\n") ? s : s + "\n");
  }

  clear(): void {
    if (this.drawn) this.write("\r\x1b[2K");
    this.drawn = false;
    this.lastDraw = 0;
  }

  private bar(frac: number): string {
    const n = 20, full = Math.max(0, Math.min(n, Math.round(frac * n)));
    return `[${"#".repeat(full)}${"-".repeat(n - full)}] ${String(Math.floor(frac * 100)).padStart(3)}%`;
  }
}
