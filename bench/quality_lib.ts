// The pure parts of the quality bench (bench/quality.ts): its options, candidate recipes, budget parsing,
// the word score of a sample, and the BENCHMARKS.md sections this bench owns (between its own markers).

import type { Recipe } from "../src/recipe.js";
import { RECIPE_FIELDS } from "../src/recipe.js";
import { flagSpelling } from "../src/spelling.js";
import { parseDuration } from "../src/cli/args.js";

/**
 * Candidates of the sweep: model size, batch, window, learning rate, schedule, dropout. `h` is today's
 * plain default (2×256, B32, T64, Adam 2e-3, no decay), the baseline every recipe must beat.
 */
export const CANDIDATES: Record<string, Recipe> = {
  a: { layers: 1, hidden: 256, dropout: 0, batch: 32, seq: 64, lr: 3e-3, decay: "cosine", lrMinFrac: 0.1, warmup: 0 },
  b: { layers: 2, hidden: 128, dropout: 0, batch: 32, seq: 64, lr: 3e-3, decay: "cosine", lrMinFrac: 0.1, warmup: 0 },
  c: { layers: 2, hidden: 192, dropout: 0, batch: 32, seq: 64, lr: 3e-3, decay: "cosine", lrMinFrac: 0.1, warmup: 0 },
  d: { layers: 2, hidden: 256, dropout: 0, batch: 32, seq: 64, lr: 3e-3, decay: "cosine", lrMinFrac: 0.1, warmup: 0 },
  e: { layers: 2, hidden: 256, dropout: 0.1, batch: 32, seq: 100, lr: 3e-3, decay: "cosine", lrMinFrac: 0.1, warmup: 0 },
  f: { layers: 2, hidden: 384, dropout: 0, batch: 32, seq: 100, lr: 2e-3, decay: "cosine", lrMinFrac: 0.1, warmup: 0 },
  g: { layers: 2, hidden: 192, dropout: 0, batch: 64, seq: 64, lr: 4e-3, decay: "linear", lrMinFrac: 0.05, warmup: 50 },
  h: { layers: 2, hidden: 256, dropout: 0, batch: 32, seq: 64, lr: 2e-3, decay: "none", lrMinFrac: 0, warmup: 0 },
  // for budgets of 10 minutes and more, where a 1.2 MB text is seen 20-40 times and a larger model needs dropout
  i: { layers: 2, hidden: 384, dropout: 0.2, batch: 32, seq: 64, lr: 2e-3, decay: "cosine", lrMinFrac: 0.1, warmup: 0 },
  j: { layers: 2, hidden: 256, dropout: 0.2, batch: 32, seq: 64, lr: 3e-3, decay: "cosine", lrMinFrac: 0.1, warmup: 0 },
  // the 30m row for small texts as first reasoned (longer window, lighter dropout), to sweep against i
  k: { layers: 2, hidden: 384, dropout: 0.1, batch: 32, seq: 100, lr: 2e-3, decay: "cosine", lrMinFrac: 0.1, warmup: 0 },
  // around the 3m winner c: half the batch (twice the updates), and a cosine that ends near zero
  l: { layers: 2, hidden: 192, dropout: 0, batch: 16, seq: 64, lr: 3e-3, decay: "cosine", lrMinFrac: 0.1, warmup: 0 },
  m: { layers: 2, hidden: 192, dropout: 0, batch: 32, seq: 64, lr: 3e-3, decay: "cosine", lrMinFrac: 0.01, warmup: 0 },
  // l won round 2 at 3m (more updates beat bigger batches there): smaller still, and l's batch at 2×256
  n: { layers: 2, hidden: 192, dropout: 0, batch: 8, seq: 64, lr: 3e-3, decay: "cosine", lrMinFrac: 0.1, warmup: 0 },
  o: { layers: 2, hidden: 256, dropout: 0, batch: 16, seq: 64, lr: 3e-3, decay: "cosine", lrMinFrac: 0.1, warmup: 0 },
  // n (B8) won round 3: smaller again, a lower rate for its noisier steps, a shorter window
  q: { layers: 2, hidden: 192, dropout: 0, batch: 4, seq: 64, lr: 3e-3, decay: "cosine", lrMinFrac: 0.1, warmup: 0 },
  r: { layers: 2, hidden: 192, dropout: 0, batch: 8, seq: 64, lr: 2e-3, decay: "cosine", lrMinFrac: 0.1, warmup: 0 },
  t: { layers: 2, hidden: 192, dropout: 0, batch: 8, seq: 32, lr: 3e-3, decay: "cosine", lrMinFrac: 0.1, warmup: 0 },
  // q (B4) won round 4: B2, and B4 at a lower rate
  u: { layers: 2, hidden: 192, dropout: 0, batch: 2, seq: 64, lr: 3e-3, decay: "cosine", lrMinFrac: 0.1, warmup: 0 },
  v: { layers: 2, hidden: 192, dropout: 0, batch: 4, seq: 64, lr: 2e-3, decay: "cosine", lrMinFrac: 0.1, warmup: 0 },
  // for 10 minutes: the small batches that won at 3m overfit there without dropout (q for 10m: 2.135), the
  // B32 dropout 0.2 row (j) gains only 0.01 over 3m: small batches with dropout, and a bigger model at B8
  w: { layers: 2, hidden: 256, dropout: 0.2, batch: 8, seq: 64, lr: 3e-3, decay: "cosine", lrMinFrac: 0.1, warmup: 0 },
  x: { layers: 2, hidden: 192, dropout: 0.2, batch: 4, seq: 64, lr: 3e-3, decay: "cosine", lrMinFrac: 0.1, warmup: 0 },
  y: { layers: 2, hidden: 256, dropout: 0.2, batch: 16, seq: 64, lr: 3e-3, decay: "cosine", lrMinFrac: 0.1, warmup: 0 },
  z: { layers: 2, hidden: 384, dropout: 0.3, batch: 8, seq: 64, lr: 2e-3, decay: "cosine", lrMinFrac: 0.1, warmup: 0 },
  // regularisation that lets more time pay (at 10m x's last training loss was 1.64 bits/char against 2.00
  // held out): weight-drop on W_hh (AWD-LSTM's DropConnect), AdamW's weight decay, and a bigger model with both
  xw: { layers: 2, hidden: 192, dropout: 0.2, batch: 4, seq: 64, lr: 3e-3, decay: "cosine", lrMinFrac: 0.1, warmup: 0, weightDrop: 0.3 },
  xd: { layers: 2, hidden: 192, dropout: 0.2, batch: 4, seq: 64, lr: 3e-3, decay: "cosine", lrMinFrac: 0.1, warmup: 0, weightDecay: 0.05 },
  yw: { layers: 2, hidden: 256, dropout: 0.3, batch: 4, seq: 64, lr: 3e-3, decay: "cosine", lrMinFrac: 0.1, warmup: 0, weightDrop: 0.3 },
  zw: { layers: 2, hidden: 384, dropout: 0.3, batch: 8, seq: 64, lr: 2e-3, decay: "cosine", lrMinFrac: 0.1, warmup: 0, weightDrop: 0.4 },
  // for 30 minutes: the 10m winner's weight decay on a bigger model with more dropout
  yd: { layers: 2, hidden: 256, dropout: 0.3, batch: 4, seq: 64, lr: 3e-3, decay: "cosine", lrMinFrac: 0.1, warmup: 0, weightDecay: 0.1 },
  // 30 minutes, second round (yd, 2×256 with dropout 0.3 and decay 0.1, got 1.993: no better than the 10m row,
  // its last training loss 1.92 — held back hard): lighter regularisation on the same shape, and B8 (fewer,
  // less noisy steps, ~1.5× the characters per second) with yd's
  yd2: { layers: 2, hidden: 256, dropout: 0.2, batch: 4, seq: 64, lr: 3e-3, decay: "cosine", lrMinFrac: 0.1, warmup: 0, weightDecay: 0.05 },
  yd8: { layers: 2, hidden: 256, dropout: 0.3, batch: 8, seq: 64, lr: 3e-3, decay: "cosine", lrMinFrac: 0.1, warmup: 0, weightDecay: 0.1 },
  ywd: { layers: 2, hidden: 256, dropout: 0.3, batch: 4, seq: 64, lr: 3e-3, decay: "cosine", lrMinFrac: 0.1, warmup: 0, weightDrop: 0.2, weightDecay: 0.1 },
  // texts of 10-100 MB (bench/code_corpus.ts): ten minutes see less than one pass, so no dropout; q (the 3m row) and
  // x (the 10m row for texts over 5M characters) beside a wider model at B8, which runs about as many characters per second
  d8: { layers: 2, hidden: 256, dropout: 0, batch: 8, seq: 64, lr: 3e-3, decay: "cosine", lrMinFrac: 0.1, warmup: 0 },
  // two hours on a text under 5M characters (the 30m winner yd8, 2×256 B8 with dropout 0.3 and decay 0.1, still
  // memorised: last training loss 1.75 against 1.97 held out): four times the work buys a wider model
  // (2×384, ~15k chars/s at B8: ~110M characters, ~100 passes over the bundled text) held back harder.
  // It got 2.006 (sweep-2h-h2: 208,619 steps, last training loss 1.504), worse than the 30m row: it memorised
  h2: { layers: 2, hidden: 384, dropout: 0.4, batch: 8, seq: 64, lr: 2e-3, decay: "cosine", lrMinFrac: 0.1, warmup: 0, weightDecay: 0.1 },
  // two hours on a text over 10M characters (the 30m winner there, w: 2×256 B8 dropout 0.2, got 1.628 on 25M
  // characters of Python after ~2.4 passes, last training loss 1.582: barely memorising, so capacity is what
  // limits it): the wider 2×384 at w's batch and dropout, ~100M characters in two hours (~4.5 passes)
  w3: { layers: 2, hidden: 384, dropout: 0.2, batch: 8, seq: 64, lr: 2e-3, decay: "cosine", lrMinFrac: 0.1, warmup: 0 },
};

/** `char-lstm train` flags that set every field of a recipe. */
export function recipeArgs(r: Recipe): string[] {
  const v: Record<string, string> = {
    layers: String(r.layers), hidden: String(r.hidden), dropout: String(r.dropout), batch: String(r.batch), seq: String(r.seq),
    lr: String(r.lr), decay: r.decay, lrMinFrac: String(r.lr * r.lrMinFrac), warmup: String(r.warmup),
    weightDrop: String(r.weightDrop ?? 0), weightDecay: String(r.weightDecay ?? 0),
  };
  return (Object.keys(RECIPE_FIELDS) as (keyof Recipe)[]).flatMap((k) => [flagSpelling(RECIPE_FIELDS[k]), v[k]]);
}

export type BenchMode = "sweep" | "ladder" | "compare" | "steps";

/** What `npm run bench:quality -- [MODE] [options]` was asked (bench/quality.ts's header lists them). */
export interface BenchOptions {
  mode: BenchMode;
  quick: boolean;
  /** Write BENCHMARKS.md (not with --quick or --no-write). */
  write: boolean;
  budgets: number[];
  candidates: string[];
  steps: number;
  /**
   * --threads N: every char-lstm run (and its recipe probe) uses N threads (on 2 cores one thread runs the
   * small-batch rows nearly as fast as two: --speed is the slower machine); absent: all cores, char-lstm's default.
   */
  threads?: number;
  /** --text FILE: train and score on this text instead of the bundled corpus (a second kind of text). */
  text?: string;
  section?: string;
  keepStart?: string;
  torchThreads?: number;
  /**
   * --speed F (ladder): stand in for a machine F times as fast as this one. A budget B runs for B×F
   * seconds here: the probe measures this machine's chars/s, so B×F buys rate × B × F characters, which is
   * what B buys on a machine at F × the rate; the row picked and the characters trained are that machine's
   * (the probe's share of the budget and the steps scale with it). Absent: 1.
   */
  speed?: number;
  /**
   * --kept (sweep, ladder): score what a user's run keeps. Each cell trains with the default validation
   * cadence (as a bare `char-lstm train` does) instead of --eval-every 0, and is scored twice more on the
   * test split, which neither training nor the choice of the best checkpoint saw: best.safetensors (the best
   * validation so far, what `sample RUN_DIR` loads) and last.safetensors. For long budgets on small texts,
   * where the last weights have memorised, that is the fair comparison; absent: last weights on validation.
   */
  kept?: boolean;
  /**
   * --seeds N (sweep, ladder): train each cell N times, with `--seed 1` … `--seed N` (the initial weights and
   * the dropout masks differ, the batches do not; the clock adds its own noise to the steps a budget buys),
   * and judge it by the mean; the section gives each cell's range, so a difference can be read against the
   * noise between seeds. Absent: one run at char-lstm's default seed (1), as every section before it.
   */
  seeds?: number;
}

/** Parse the bench's argv (after `--`); a bad value is an Error naming the option. */
export function benchOptions(argv: string[]): BenchOptions {
  const opt = (name: string) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : undefined; };
  const count = (name: string): number | undefined => {
    const v = opt(name);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name}: "${v}" is not a whole number ≥ 1`);
    return n;
  };
  const mode = (argv[0] && !argv[0].startsWith("--") ? argv[0] : "sweep") as BenchMode;
  if (!["sweep", "ladder", "compare", "steps"].includes(mode)) throw new Error(`unknown mode "${mode}"; use sweep, ladder, compare or steps`);
  const quick = argv.includes("--quick");
  const candidates = (opt("candidates") ?? Object.keys(CANDIDATES).join(",")).split(",");
  for (const c of candidates) if (!CANDIDATES[c]) throw new Error(`unknown candidate "${c}"; known: ${Object.keys(CANDIDATES).join(", ")}`);
  const speedArg = opt("speed");
  const speed = speedArg === undefined ? undefined : Number(speedArg);
  if (speed !== undefined && !(speed > 0 && speed <= 16)) throw new Error(`--speed: "${speedArg}" is not a speed factor in (0, 16], e.g. 0.5 for a machine half as fast`);
  if (speed !== undefined && mode !== "ladder") throw new Error("--speed applies to the ladder (a sweep's cells are this machine's budgets): use it with `ladder`");
  const text = opt("text");
  if (text !== undefined && (text === "" || text.startsWith("--"))) throw new Error("--text needs a file: --text FILE");
  const kept = argv.includes("--kept");
  if (kept && mode !== "sweep" && mode !== "ladder") throw new Error("--kept scores a sweep's or a ladder's cells: use it with `sweep` or `ladder`");
  const seeds = count("seeds");
  if (seeds !== undefined && mode !== "sweep" && mode !== "ladder") throw new Error("--seeds repeats a sweep's or a ladder's cells: use it with `sweep` or `ladder` (steps runs seeds 1 and 2 already)");
  return {
    mode, quick, write: !quick && !argv.includes("--no-write"),
    budgets: parseBudgets(opt("budgets") ?? (quick ? (mode === "compare" || mode === "ladder" ? "20s,40s" : "20s") : mode === "compare" ? "2m,5m,10m" : mode === "ladder" ? "1m,3m,10m,30m" : "3m,10m")),
    candidates, steps: count("steps") ?? (quick ? 30 : 500), threads: count("threads"), text,
    section: opt("section"), keepStart: opt("keep-start"), torchThreads: count("torch-threads"),
    ...(speed !== undefined && speed !== 1 ? { speed } : {}),
    ...(kept ? { kept } : {}),
    ...(seeds !== undefined && seeds > 1 ? { seeds } : {}),
  };
}

/**
 * The BENCHMARKS.md section of a run: the mode and budgets (sweep-3m-10m, compare-2m-5m-10m, steps-500), then
 * `-t1` for --threads 1, `-x0.5` for --speed 0.5, `-s3` for --seeds 3, `-kept` for --kept and `-NAME` for --text
 * NAME.txt, so runs on another machine speed, number of seeds, scoring or text keep their own.
 */
export function sectionKey(o: BenchOptions): string {
  const base = o.mode === "steps" ? `steps-${o.steps}` : `${o.mode}-${o.budgets.map(fmtDuration).join("-")}`;
  const name = o.text ? o.text.split(/[\\/]/).pop()!.replace(/\.[^.]*$/, "").replace(/[^\w-]+/g, "-") : "";
  return `${base}${o.threads ? `-t${o.threads}` : ""}${o.speed ? `-x${o.speed}` : ""}${o.seeds ? `-s${o.seeds}` : ""}${o.kept ? "-kept" : ""}${name ? `-${name}` : ""}`;
}

/**
 * The budget and reporting flags of a sweep's or a ladder's cell: `seconds` of training, no samples and no
 * periodic checkpoints; no validation until the end either (all the time trains), unless --kept, where the
 * default cadence runs so best.safetensors is what a user's run would keep.
 */
export function cellFlags(o: Pick<BenchOptions, "kept">, seconds: number): string[] {
  return ["--max-time", `${seconds}s`, ...(o.kept ? [] : ["--eval-every", "0"]), "--sample-every", "0", "--checkpoint-every", "0"];
}

/** The text and thread arguments every char-lstm process of the bench gets (before its own flags). */
export function runArgs(o: Pick<BenchOptions, "text" | "threads">, args: string[]): string[] {
  return [...(o.text ? [o.text] : []), ...args, ...(o.threads ? ["--threads", String(o.threads)] : [])];
}

/**
 * Seconds a ladder's budget `b` runs here: b × --speed (a machine half as fast gets in 10 minutes what
 * 5 minutes buy here), whole seconds as --max-time takes them.
 */
export const secondsHere = (b: number, o: Pick<BenchOptions, "speed">): number => Math.max(1, Math.round(b * (o.speed ?? 1)));

/** The seeds of a cell's runs: none (one run at char-lstm's default) without --seeds, else 1 … N. */
export const cellSeeds = (o: Pick<BenchOptions, "seeds">): (number | undefined)[] =>
  o.seeds ? Array.from({ length: o.seeds }, (_, i) => i + 1) : [undefined];

/** One figure of a cell over its seeds: the mean it is judged by and the range the seeds spread over. */
export interface Spread { mean: number; min: number; max: number; n: number }

export function spread(xs: number[]): Spread {
  if (!xs.length) throw new Error("spread of no figures");
  return { mean: xs.reduce((a, b) => a + b, 0) / xs.length, min: Math.min(...xs), max: Math.max(...xs), n: xs.length };
}

/** "2.043" for one run; "2.043 (2.037–2.049)" for several: the mean, then the lowest and highest seed. */
export function fmtSpread(s: Spread): string {
  return s.n === 1 ? s.mean.toFixed(3) : `${s.mean.toFixed(3)} (${s.min.toFixed(3)}–${s.max.toFixed(3)})`;
}

/**
 * Whether two cells are told apart by their seeds: their ranges do not overlap, so every seed of one beat
 * every seed of the other. With one run each there is no range to read, and this says nothing (false).
 */
export function separated(a: Spread, b: Spread): boolean {
  return a.n > 1 && b.n > 1 && (a.max < b.min || b.max < a.min);
}

/** A difference in bits/char to 3 places; one that rounds to zero prints as 0.000, not -0.000. */
export const fmtDiff = (x: number): string => (Math.abs(x) < 5e-4 ? 0 : x).toFixed(3);

/**
 * A cell's change in bits/char from the one it is compared with (lower is better): "-0.041"; bold "not
 * better" when it is not lower; "(ranges overlap)" when both have seeds and those do not tell them apart.
 */
export function describeChange(now: number, before: number, nowSpread?: Spread, beforeSpread?: Spread): string {
  const text = fmtDiff(now - before);
  if (!(now < before)) return `**${text}: not better**`;
  return nowSpread && beforeSpread && !separated(nowSpread, beforeSpread) ? `${text} (ranges overlap)` : text;
}

/** "3m,10m,90s" → seconds; a bad entry is an error naming it. */
export function parseBudgets(s: string): number[] {
  return s.split(",").map((b) => {
    const v = parseDuration(b);
    if (!(v > 0)) throw new Error(`--budgets: "${b}" is not a duration like 90s, 3m or 1h`);
    return v;
  });
}

/** Lower-cased words of a text with punctuation stripped (Unicode P), split on whitespace. */
export function words(text: string): string[] {
  return text.split(/\s+/).map((w) => w.replace(/\p{P}/gu, "").toLowerCase()).filter((w) => w.length > 0);
}

/** The fraction of a sample's words that occur in the training text. */
export function knownWordFraction(sample: string, trainWords: Set<string>): { words: number; known: number; fraction: number } {
  const ws = words(sample);
  const known = ws.filter((w) => trainWords.has(w)).length;
  return { words: ws.length, known, fraction: ws.length ? known / ws.length : 0 };
}

/**
 * Replace the section between `<!-- quality:KEY:begin -->` and `<!-- quality:KEY:end -->` in `md` (the
 * markers included), or add it (after the last quality section, else before the raw data, else at the end);
 * the rest of the file is untouched.
 */
export function replaceSection(md: string, key: string, body: string): string {
  const begin = `<!-- quality:${key}:begin -->`, end = `<!-- quality:${key}:end -->`;
  const block = `${begin}\n${body.trim()}\n${end}`;
  const i = md.indexOf(begin), j = md.indexOf(end);
  if (i >= 0 && j > i) return md.slice(0, i) + block + md.slice(j + end.length);
  // a new section goes after the last quality section, else before bench.ts's raw data, else at the end
  const last = [...md.matchAll(/<!-- quality:[\w-]+:end -->/g)].at(-1);
  const at = last ? last.index! + last[0].length : md.indexOf("Raw results");
  if (at > 0) return `${md.slice(0, at).replace(/\s*$/, "")}\n\n${block}\n\n${md.slice(at).replace(/^\s*/, "")}`;
  return `${md.replace(/\s*$/, "")}\n\n${block}\n`;
}

/** Every quality section of `md`, to carry over when another bench rewrites the file. */
export function qualitySections(md: string): string[] {
  return [...md.matchAll(/<!-- quality:([\w-]+):begin -->[\s\S]*?<!-- quality:\1:end -->/g)].map((m) => m[0]);
}

export function fmtDuration(seconds: number): string {
  if (seconds >= 3600 && seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds >= 60 && seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

/** `next` (a regenerated BENCHMARKS.md) with the quality sections of `previous` carried over, before its raw data. */
export function keepQualitySections(next: string, previous: string | null): string {
  const kept = previous ? qualitySections(previous) : [];
  if (!kept.length) return next;
  const at = next.indexOf("Raw results");
  const block = kept.join("\n\n") + "\n\n";
  return at >= 0 ? next.slice(0, at) + block + next.slice(at) : `${next.replace(/\s*$/, "")}\n\n${block}`;
}
