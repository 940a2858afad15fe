// Truncated-BPTT batches: a split is cut into B contiguous streams (torch-rnn's DataLoader), and window w
// of an epoch takes the next T characters of every stream, with targets shifted by one.
//
//   stream b covers split positions [b·S, (b+1)·S), S = ⌊(n − 1) / B⌋ (one spare for the last target)
//   window w, step t, stream b:  x = tok[start + b·S + w·T + t],  y = the next token
// Because the windows of a stream are consecutive, (h, c) carried from window w to w+1 continue exactly
// where the text left off. Tokens are written time-major: x[t·B + b].

import type { Split } from "./corpus.js";
import { CorpusError } from "./corpus.js";
import type { TokenSource } from "./tokens.js";

/** What makes a split long enough: only the fixes that exist at this shape (batch 1 × seq 1 cannot shrink). */
function tooSmallHint(what: string, B: number, T: number): string {
  const fixes = ["a longer text"];
  if (/validation/.test(what)) fixes.push("a larger --val-frac");
  else if (/test/.test(what)) fixes.push("a larger --test-frac");
  if (B > 1 && T > 1) fixes.push("a smaller --batch/--seq");
  else if (B > 1) fixes.push("a smaller --batch");
  else if (T > 1) fixes.push("a smaller --seq");
  else if (!/validation|test/.test(what)) fixes.push("a smaller --val-frac/--test-frac");
  return `use ${fixes.slice(0, -1).join(", ")} or ${fixes.at(-1)}`;
}

export class StreamBatcher {
  readonly B: number;
  readonly T: number;
  /** Characters per stream. */
  readonly S: number;
  private readonly tokens: TokenSource;
  private readonly start: number;
  /** One stream's window plus the next token, read in one range. */
  private readonly scratch: Int32Array;

  constructor(tokens: TokenSource, split: Split, B: number, T: number, what = "training split") {
    const n = split.end - split.start;
    if (n < B * T + 1) {
      throw new CorpusError(`the ${what} has ${n} characters, but batch ${B} × seq ${T} needs at least ${B * T + 1}; ${tooSmallHint(what, B, T)}`);
    }
    this.tokens = tokens;
    this.start = split.start;
    this.B = B;
    this.T = T;
    this.S = Math.floor((n - 1) / B);
    this.scratch = new Int32Array(T + 1);
  }

  /** Full windows per epoch. */
  get windows(): number {
    return Math.floor(this.S / this.T);
  }

  /** Steps in window w: T, or fewer for the last, partial window (reached only by evaluation). */
  windowLength(w: number): number {
    return Math.min(this.T, this.S - w * this.T);
  }

  /** Windows including a final partial one. */
  get windowsWithTail(): number {
    return Math.ceil(this.S / this.T);
  }

  /** Fill x, y (time-major, T·B) with window w; returns its length in steps. */
  fill(x: Int32Array, y: Int32Array, w: number): number {
    const { B, S } = this, T = this.windowLength(w), r = this.scratch;
    for (let b = 0; b < B; b++) {
      this.tokens.read(this.start + b * S + w * this.T, T + 1, r);
      for (let t = 0; t < T; t++) {
        x[t * B + b] = r[t];
        y[t * B + b] = r[t + 1];
      }
    }
    return T;
  }
}
