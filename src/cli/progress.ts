// The live progress line of `char-lstm train`: redrawn in place on a terminal, printed now and then
// otherwise (logs, CI). Lines printed between redraws (evaluations, samples) clear it first.
//
// On a terminal the line must never wrap: `\r\x1b[2K` clears only the row the cursor is on, so a line one
// character wider than the terminal leaves a stale row behind at every redraw. progressLine() therefore
// builds the line for a given width (re-read at every redraw, so a resized terminal gets a fitting line),
// taking the fields in order of importance — step, bits/char, chars/s, ETA, then percent done, epoch, loss
// in nats, and the bar — as long as they fit, and never using the last column (where some terminals wrap).
// wrapText() breaks banner and summary lines at word boundaries for the same width.

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

const count = (n: number): string => Math.round(n).toLocaleString("en-US");
const fixed = (x: number, d: number): string => (Number.isFinite(x) ? x.toFixed(d) : "…");
const SEP = " · ";
const BAR_MAX = 20;

/**
 * The progress line for a terminal `width` columns wide: at most width − 1 characters, the most important
 * fields first. Infinity gives every field (the plain lines of a log).
 */
export function progressLine(p: ProgressInfo, width: number): string {
  const room = width - 1;
  const known = Number.isFinite(p.frac);
  // [place in the line, text], in order of importance
  const fields: [number, string][] = [
    [1, `step ${count(p.step)}${p.maxSteps ? `/${count(p.maxSteps)}` : ""}`],
    [2, `${fixed(p.bpc, 3)} bits/char`],
    [5, `${count(p.charsPerSec)} chars/s`],
    [6, `ETA ${formatDuration(p.eta)}`],
  ];
  if (known) fields.push([0, `${Math.floor(p.frac * 100)}%`]);
  fields.push([4, `epoch ${fixed(p.epoch, 2)}`], [3, `loss ${fixed(p.loss, 3)} nats`]);
  const taken: [number, string][] = [];
  let len = -SEP.length;
  for (const f of fields) {
    if (len + SEP.length + f[1].length > room) break;
    taken.push(f);
    len += SEP.length + f[1].length;
  }
  if (taken.length === 0) return fields[0][1].slice(0, Math.max(0, room));
  taken.sort((a, b) => a[0] - b[0]);
  let line = taken.map((f) => f[1]).join(SEP);
  // the bar goes last in importance, first in the line, in whatever room is left (at least 5 cells)
  const cells = Math.min(BAR_MAX, room - line.length - 3);
  if (known && taken.length === fields.length && cells >= 5) {
    const full = Math.max(0, Math.min(cells, Math.round(p.frac * cells)));
    line = `[${"#".repeat(full)}${"-".repeat(cells - full)}] ${line}`;
  }
  return line;
}

/**
 * `text` broken at spaces into lines of at most width − 1 characters. A continuation line is indented two
 * more than the line it continues; a word longer than a line is cut. With `shell`, each broken line ends in
 * " \" so the result still reads as one command when pasted into a shell.
 */
export function wrapText(text: string, width: number, opts: { shell?: boolean } = {}): string {
  if (!Number.isFinite(width)) return text;
  return text.split("\n").map((line) => wrapLine(line, width - 1, opts.shell === true)).join("\n");
}

function wrapLine(line: string, room: number, shell: boolean): string {
  if (line.length <= room) return line;
  const indent = /^ */.exec(line)![0], next = indent + "  ", tail = shell ? " \\" : "";
  room = Math.max(room, next.length + 8);
  const lines: string[] = [];
  let cur = indent, fresh = true;   // fresh: `cur` holds its indent and no word yet
  for (const word of line.slice(indent.length).split(/ +/)) {
    if (!fresh && cur.length + 1 + word.length + tail.length > room) {
      lines.push(cur + tail);
      cur = next;
      fresh = true;
    }
    cur += (fresh ? "" : " ") + word;
    fresh = false;
    while (cur.length > room) {   // a word longer than a line: cut it at the edge
      lines.push(cur.slice(0, room));
      cur = next + cur.slice(room);
    }
  }
  lines.push(cur);
  return lines.join("\n");
}

export class Progress {
  private drawn = false;
  private lastDraw = -Infinity;
  private lastPlain = -Infinity;

  /**
   * @param width the terminal's columns, asked again at every redraw (a resized terminal gets a fitting
   *   line); only used when `tty`.
   * @param plainEvery ms between the plain lines written when stdout is not a terminal.
   */
  constructor(private readonly write: (s: string) => void, private readonly tty: boolean,
              private readonly width: () => number = () => 80, private readonly plainEvery = 5_000) {}

  update(p: ProgressInfo, now: number): void {
    if (this.tty) {
      if (now - this.lastDraw < 100) return;
      this.lastDraw = now;
      this.write(`\r\x1b[2K${progressLine(p, this.width())}`);
      this.drawn = true;
    } else if (now - this.lastPlain >= this.plainEvery || p.step === 1) {
      this.lastPlain = now;
      this.write(progressLine(p, Infinity) + "\n");
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
    this.lastDraw = -Infinity;
  }
}
