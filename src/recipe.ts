// The recipe a budget buys: when `char-lstm train` is given a time budget (--max-time, or the 3-minute
// default of `npm start`) and no step or epoch budget, the shape and optimizer settings the user did not
// give come from this table, keyed by the WORK the budget buys on this machine and by the size of the text.
// Explicit flags always win, field by field; the banner says which values came from the recipe and why.
//
// How a row is chosen. Each row was tuned for a number of training characters: what its budget trained on
// the machine that swept it (`work`: chars/s of its shape there × its budget). A faster machine buys more
// characters in the same minutes, a slower one (a laptop, one more process beside the run)
// fewer, and a recipe tuned for 3 minutes of one machine is the recipe for the same characters on another.
// So at the start of a budget run a short probe (recipe_probe.ts: a few training steps of each row's shape
// on this machine's backend and threads, at most 3% of the budget) measures chars/s, and the first row
// (in table order, within the text's band) whose shape's rate × budget stays within the row's `maxWork`
// is the recipe: ~16k chars/s × 2 minutes = 1.9M characters → the 3m row (tuned for 5.7M, up to 10.5M).
// The probe stops at the first row that fits (a slow machine probes one small shape). Without a probe
// (train --help, a backend that supplies no rate) a row's shape runs at its tuning rate, which picks by
// the clock exactly as the table was tuned. The choice and the probe's figures are kept in the checkpoint
// (TrainState.recipe): a resume continues the run's own config and never probes again.
//
// THE TABLE is RECIPES below: one row per (budget band, text band), first match wins. Its values are set
// from `npm run bench:quality` (bench/quality.ts), which trains each candidate recipe for each budget in
// a fresh process and scores held-out bits/char on the bundled corpus's validation split (or `--text FILE`'s;
// its `ladder --speed 0.5` is the table on a machine half as fast). To update it, edit the rows — the recipe, and `work`
// from the characters its shape trained in that sweep (each cell gives the steps; × B × T), which sets the
// band's `maxWork` too — and the "measured" note, and nothing else.

import { defaultTrain, type DecayMode, type ModelConfig, type TrainConfig } from "./config.js";
import type { OptionField } from "./options.js";

/** Everything a recipe decides. lrMin is given as a fraction of lr, so an explicit --lr keeps it valid. */
export interface Recipe {
  layers: number;
  hidden: number;
  dropout: number;
  batch: number;
  seq: number;
  lr: number;
  decay: DecayMode;
  /** Final rate of a cosine/linear schedule, as a fraction of lr. */
  lrMinFrac: number;
  /** Warm-up steps. */
  warmup: number;
  /** Weight-drop on W_hh (AWD-LSTM's DropConnect; absent: 0). */
  weightDrop?: number;
  /** AdamW's decoupled weight decay (absent: 0). */
  weightDecay?: number;
}

/** What sets a recipe's speed: the model and the (B, T) of its steps (dropout costs a mask per layer). */
export type RecipeShape = Pick<Recipe, "layers" | "hidden" | "dropout" | "batch" | "seq" | "weightDrop">;

export interface RecipeRow {
  /** The budget this row was tuned for, as the banner names it. */
  name: string;
  /** That budget in seconds, on the machine that tuned the row. */
  seconds: number;
  /** Training characters the row was tuned for: its shape's chars/s on the tuning machine × `seconds`. */
  work: number;
  /** Applies to budgets that buy up to this many characters at its shape (the band's upper edge). */
  maxWork: number;
  /** Applies to texts of up to this many characters. */
  maxChars: number;
  recipe: Recipe;
}

const SMALL_TEXT = 5e6;   // characters: below this, long budgets repeat the text many times and need dropout

// measured (2-core AMD EPYC, native avx512 backend, 2 threads, 2026-12-02; every table in BENCHMARKS.md). The
// 3m row won five rounds of `npm run bench:quality -- sweep --budgets 3m`: round 1 (c,d,e,f,g,h) found 2×192
// best at B32 (2.284 bits/char on the bundled corpus's validation split, 5,566 steps); rounds 2-5
// (--candidates c,b,l,m / l,n,o / n,q,r,t / q,u,v) found that at this size more, smaller updates win: B16
// 2.216, B8 2.137-2.155, **B4 2.061 and 2.074 (21,800-23,000 steps)**, B2 2.090, B4 at lr 2e-3 2.078, B8 T32
// 2.101. The 10m row won `npm run bench:quality -- sweep --budgets 10m --candidates c,d,e,g,i,j` (before the
// small-batch rounds): 2.081 bits/char (11,103 steps) against 2.090-2.136 — at 10 minutes the 1.2 MB text
// is seen ~20 times and dropout 0.2 pays. The 3m row's B4 recipe run for 10m (`-- sweep --budgets 10m
// --candidates q`) gets 2.135 after 71,487 steps: without dropout it overfits. Small batches with dropout
// then took the 10m row (2026-12-06, same kind of machine, native avx512, 2 threads, quiet): `-- sweep
// --budgets 10m --candidates w,x,y,z --section sweep-10m-dropout`: **x, the 3m row's 2×192 B4 with dropout
// 0.2, 2.004 bits/char (81,652 steps)**, against w 2×256 B8 d0.2 2.047, y 2×256 B16 d0.2 2.040 and the old
// row's 2.081 — 0.06-0.07 below the 3m row. Regularisation that lets more time pay (`-- sweep --budgets 10m
// --candidates xw,xd,yw --section sweep-10m-regularisation`, same day and machine): **xd, x with AdamW weight
// decay 0.05, 1.984 bits/char (79,375 steps)**, 0.02 below x; weight-drop 0.3 on W_hh (xw: 2.063 after
// 59,118 steps, its last training loss above the held-out one) costs a quarter of the steps for its masks and
// underfits in 10 minutes. The 30m row for texts under 5M characters from `-- sweep --budgets 30m --candidates
// yd --section sweep-30m-regularisation` (same day and machine): **yd, 2×256 B4 T64 with dropout 0.3 and
// weight decay 0.1, 1.993 bits/char (141,988 steps, last training loss 1.918: it no longer memorises)**,
// against z (2×384 B8 dropout 0.3, no decay) 2.043 earlier that day — but no better than the 10m row's
// 1.984. A second round (`-- sweep --budgets 30m --candidates yd2,yd8 --section sweep-30m-round2`, same kind
// of machine, 2 threads, quiet) took the row: **yd8, yd at B8, 1.971 bits/char (103,611 steps, 53.0M
// characters: B8 runs ~1.5× yd's characters per second)**, against yd2 (yd with dropout 0.2 and decay 0.05)
// 1.974 — 0.013 below the 10m row, within the 0.01-0.04 that seeds move a cell: on this 1.2 MB text 30
// minutes buy only a little more than 10. A larger text wants less regularisation: on 9.1M characters of TypeScript (`-- sweep --budgets 10m
// --candidates x,xd --text node_modules/typescript/lib/typescript.js --section sweep-10m-typescript`) x without
// weight decay got 1.382 bits/char (69,944 steps) against xd's 1.594, so texts over 5M characters keep x at 10m (the
// same shape: its work is the small-text row's). At 30 minutes the same x, run three times as long on the
// same text (`-- sweep --budgets 30m --candidates x --text node_modules/typescript/lib/typescript.js
// --section sweep-30m-typescript`, same day and machine), got **1.251 bits/char (262,870 steps, 67.3M
// characters)**, 0.13 below its 10 minutes: with 9 MB to learn from, more passes keep paying, so the 30m row
// for texts of 5M-10M characters is x. The wider w (2×256 B8 dropout 0.2, the row over 10M characters) on the
// same text (`-- sweep --budgets 30m --candidates w --text node_modules/typescript/lib/typescript.js --section
// sweep-30m-typescript-w`, 2026-12-07, a day the machine ran w's shape at ~72% of its tuning rate) got **1.250
// (74,955 steps, 38.4M characters; last training loss 0.923)**, and x again the same day (`... --candidates x
// ... --section sweep-30m-typescript-x-same-day`) 1.326 (214,970 steps, 55.0M characters; last training loss
// 0.590: it memorises): 0.076 below x on the same day, beyond the 0.01-0.04 seeds move a cell, so since then
// every text over 5M characters gets w at 30 minutes (x's 1.251 of the faster day ties w's 1.250 of the slower
// one). Texts
// of 10-100 MB were swept on 25M characters of Python (`npm run bench:corpus -- --out python-25m.txt
// /usr/lib/python3.11 /usr/lib/python3/dist-packages`: Debian 12's Python with python3-torch; bench/code_corpus.ts
// says what goes in). At 10 minutes (`-- sweep --budgets 10m --candidates q,x,d8 --text python-25m.txt`, same day
// and machine), where the text is seen less than once, dropout neither pays nor costs: q (no dropout) 1.820, x
// 1.818, d8 (2×256 B8, no dropout) 1.809, all within the seed noise, so x keeps the 10m row for every text over
// 5M. At 30 minutes (`-- sweep --budgets 30m --candidates x,d8,w --text python-25m.txt`), about two passes over
// the text, the wider model wins clearly: **w, 2×256 B8 with dropout 0.2, 1.628 bits/char (104,200 steps,
// 53.4M characters; last training loss 1.582)**, against d8 (the same without dropout) 1.640 (last training
// loss 1.128: it starts to memorise) and x 1.720, so texts over 10M characters get w at 30 minutes. One two-hour
// cell on the bundled corpus (`-- sweep --budgets 2h --candidates h2 --section sweep-2h-h2`, same kind of machine, 2
// threads, quiet) tried the obvious next step from the 30m winner, a wider model held back harder: h2, 2×384 B8 T64
// at lr 2e-3 with dropout 0.4 and weight decay 0.1, got 2.006 bits/char (208,619 steps, 107M characters, ~100
// passes over the training split; last training loss 1.504), worse than the 30m row's 1.971: at ~100 passes a
// wider model memorises a 1.2 MB text through that much dropout and decay. Scored as a user's run is kept
// (`--kept`: the default validation cadence keeps best.safetensors, scored with last.safetensors on the test split,
// which neither training nor the choice of best saw), the 30m winner yd8 itself run for two hours took the 2h row
// for texts under 5M characters (`-- sweep --budgets 2h --candidates yd8 --kept --section sweep-2h-yd8-kept`,
// 2026-12-07, same kind of machine, 2 threads, quiet): **1.932 bits/char kept (best.safetensors at step 340,800
// of 356,469, 183M characters with validation; its last weights 1.965 on test)**, against its own 1.944 at 30m
// kept in `ladder --budgets 10m,30m --kept` (1m 2.234, 3m 2.043, 10m 2.002 in the kept ladders): four times the
// time buys 0.012 on a 1.2 MB text, and only because the best checkpoint is kept (the last weights memorise).
// On 25M characters of Python, the 30m winner's shape widened to 2×384 (same B8, dropout 0.2, lr 2e-3: the
// 30m w's last training loss, 1.582 against 1.628 held out, said capacity, not memorising, held it back) took
// the 2h row for texts over 5M characters (`-- sweep --budgets 2h --candidates w3 --text python-25m.txt`,
// 2026-12-07, same kind of machine, 2 threads, quiet): **1.501 bits/char (213,841 steps, 109M characters,
// ~4.9 passes over the training split; last training loss 1.166)**, 0.127 below the 30m row's 1.628. On 9.1M
// characters of TypeScript (node_modules/typescript/lib/typescript.js: the row's texts of 5M-10M characters,
// where the same work is ~13.6 passes) the same candidate (`-- sweep --budgets 2h --candidates w3 --text
// node_modules/typescript/lib/typescript.js --section sweep-2h-typescript`, 2026-12-07, same kind of machine, 2
// threads, quiet) got **1.157 bits/char (242,386 steps, 124M characters; last training loss 0.749)**, 0.094
// below the 30m row x's 1.251 there (sweep-30m-typescript): the row pays on both texts. One candidate each, so
// the row is better than the 30m recipe, not shown best (something held back harder may do better on 9 MB).
// The 30m row for texts under 5M characters then went to xd, the 10m row's recipe run three times as long
// (2026-12-07, same kind of machine at about 75-90% of the tuning speed, 2 threads, quiet, both scored kept):
// `-- ladder --budgets 3m,30m --kept --seeds 2` (section ladder-3m-30m-s2-kept) gave yd8, then the 30m row,
// **2.003 (2.000-2.006 over two seeds; 69,522 steps, 35.6M characters: its 2×256 B8 probed 22k chars/s against
// 29.5k tuned)** against the 3m row's 2.066 (2.052-2.081), and an hour later `-- sweep --budgets 30m
// --candidates xd --kept --section sweep-30m-xd-kept` gave **xd 1.947 kept (best.safetensors at step 177,600
// of 199,846, 51.2M characters with validation; last weights 1.954 on test, 1.969 on validation, last
// training loss 1.845)**: 0.056 below yd8, nine times yd8's seed range, and 0.119 below the 3m row. The
// smaller, faster shape trains 1.4× yd8's characters in the same minutes and improves until late in the
// run (one seed; at 10 minutes xd's seeds spread 0.027). The table with this row, run as it is later the
// same day (`-- ladder --budgets 3m,30m --kept --seeds 2 --section ladder-3m-30m-s2-kept-xd`, 2 threads,
// quiet; xd's shape probed 31k chars/s against 33.9k tuned), kept **2.079 (2.058-2.101) at 3m and 1.941
// (1.933-1.949) at 30m (199,470 steps, 51.1M characters), a 0.138 gain beyond both seeds' ranges**. Two hours
// keep yd8 (1.932 kept on the faster day, within xd's 30m seed range). xd run for two hours (`-- sweep --budgets
// 2h --candidates xd --kept --section sweep-2h-xd-kept`, 2026-12-07, 2 threads, quiet, on a 2-core AMD EPYC
// without AVX-512, so the native backend ran its AVX2 kernels at about half the 30m cell's chars/s) kept
// **1.946 (best.safetensors at step 347,200 of 387,580, 99.2M characters with validation; last weights 1.974 on
// test, 1.986 on validation, last training loss 1.844)**: twice its 30m characters bought nothing over its 30m
// 1.941 (1.933-1.949). On a 1.2 MB text the 2×192 model levels off near 1.94 kept; the bigger yd8 stays the 2h row.
// The same machine, bare (`-- ladder --budgets 3m,30m --kept --section ladder-3m-30m-kept-avx2`, 2 threads,
// quiet): the probe measured 13k chars/s for the 3m shape (31.9k tuned), so 30 minutes bought 25.1M characters
// and took the 10m row (xd, the 30m row's recipe); kept **2.146 at 3m → 2.007 at 30m, a 0.139 gain** on a
// machine at about 40% of the tuning speed (one seed each).
//
// The work of each row, from the same day's figures (the sweeps train with --eval-every 0, so steps × B × T
// over the budget is the shape's training chars/s on that machine, as the probe measures it):
//   3m   2×192 B4 T64: sweep-3m-round4 and -round5, candidate q: 22,996 and 21,803 steps × 256 chars in
//        180 s, mean 5.73M characters = 31.9k chars/s.
//   10m  2×192 B4 T64 dropout 0.2, weight decay 0.05: sweep-10m-regularisation (2026-12-06), candidate xd:
//        79,375 steps × 256 in 600 s = 20.3M = 33.9k/s (x, the same without decay, did 81,652 steps: 20.9M).
//   30m  (texts < 5M) xd, the 10m row's recipe: that row's 20.3M / 600 s × 1800 s = 60.9M (the kept cell
//        validated on the default cadence on a slower day, so its 199,846 steps × 256 = 51.2M are not the
//        shape's tuning rate).
//   30m  (texts over 5M) 2×256 B8 T64 dropout 0.2: sweep-30m-python-25m (2026-12-06), candidate w: 104,200
//        steps × 512 in 1800 s = 53.4M = 29.6k/s.
//   2h   (texts < 5M) yd8: sweep-30m-round2 (2026-12-06), 103,611 steps × 512 in 1800 s = 29.5k chars/s,
//        × 7200 s = 212M (the kept 2h cell validated on the default cadence, so its 356,469 steps × 512 = 183M
//        are not its shape's rate).
//   2h   (texts over 5M) 2×384 B8 T64 dropout 0.2: sweep-2h-python-25m (2026-12-07), candidate w3: 213,841
//        steps × 512 in 7200 s = 109.5M = 15.2k/s.
// Each band's edge (maxWork) is its shape's rate × the edge the table had in seconds (330 s, 1020 s, 3000 s,
// about halfway between budgets on a log scale), so on the tuning machine the choice is what it was. A
// run with the default cadences also spends ~10% of its time validating, the same share on any machine.

/** A row tuned for `work` characters in `seconds`, covering budgets up to `edge` seconds at its tuning rate. */
const row = (name: string, seconds: number, work: number, edge: number, maxChars: number, recipe: Recipe): RecipeRow =>
  ({ name, seconds, work, maxWork: (work / seconds) * edge, maxChars, recipe });

// x: the 3m row's shape with dropout 0.2, which three rows share (the sweeps' candidate x; below 5M characters
// the 10m and 30m rows add weight decay 0.05, the sweeps' xd; above it the 10m row is x itself)
const x: Recipe = { layers: 2, hidden: 192, dropout: 0.2, batch: 4, seq: 64, lr: 3e-3, decay: "cosine", lrMinFrac: 0.1, warmup: 0 };
// xd: x held back by AdamW weight decay 0.05, the row of a text under 5M characters at 10 and at 30 minutes (the
// same recipe, its cosine schedule stretched over the budget)
const xd: Recipe = { ...x, weightDecay: 0.05 };
// yd8: 2×256 B8 held back by dropout 0.3 and weight decay 0.1, the row of a text under 5M characters at 2 hours
// (swept at 30 minutes, where xd has since beaten it, and run for 2 hours)
const yd8: Recipe = { layers: 2, hidden: 256, dropout: 0.3, batch: 8, seq: 64, lr: 3e-3, decay: "cosine", lrMinFrac: 0.1, warmup: 0, weightDecay: 0.1 };

export const RECIPES: RecipeRow[] = [
  row("3m", 180, 5.73e6, 330, Infinity, { layers: 2, hidden: 192, dropout: 0, batch: 4, seq: 64, lr: 3e-3, decay: "cosine", lrMinFrac: 0.1, warmup: 0 }),
  row("10m", 600, 20.3e6, 1020, SMALL_TEXT, { ...xd }),
  row("10m", 600, 20.3e6, 1020, Infinity, { ...x }),
  row("30m", 1800, 20.3e6 / 600 * 1800, 3000, SMALL_TEXT, { ...xd }),
  row("30m", 1800, 53.4e6, 3000, Infinity, { layers: 2, hidden: 256, dropout: 0.2, batch: 8, seq: 64, lr: 3e-3, decay: "cosine", lrMinFrac: 0.1, warmup: 0 }),
  row("2h", 7200, 53.0e6 / 1800 * 7200, Infinity, SMALL_TEXT, { ...yd8 }),
  row("2h", 7200, 109.5e6, Infinity, Infinity, { layers: 2, hidden: 384, dropout: 0.2, batch: 8, seq: 64, lr: 2e-3, decay: "cosine", lrMinFrac: 0.1, warmup: 0 }),
];

/** A row's shape's chars/s on the machine that tuned it. */
export const tunedRate = (row: RecipeRow): number => row.work / row.seconds;

/** The shape of a recipe (what the probe trains). */
export const shapeOf = (r: Recipe): RecipeShape => ({ layers: r.layers, hidden: r.hidden, dropout: r.dropout, batch: r.batch, seq: r.seq,
                                                      ...(r.weightDrop ? { weightDrop: r.weightDrop } : {}) });

/** "2×192, B4, T64" (", dropout 0.2", ", weight-drop 0.3" when it has them): a shape as the banner names it, and its key. */
export function describeShape(s: RecipeShape): string {
  return `${s.layers}×${s.hidden}, B${s.batch}, T${s.seq}${s.dropout ? `, dropout ${s.dropout}` : ""}${s.weightDrop ? `, weight-drop ${s.weightDrop}` : ""}`;
}

/** A measured chars/s of a shape, or undefined where it could not be measured (its tuning rate is used). */
export type RateOf = (shape: RecipeShape) => number | undefined;
/** The probe's hook: chars/s of training `shape` on this machine (each engine may supply its own). */
export type RateHook = (shape: RecipeShape) => Promise<number | undefined>;

/** One shape's rate as the choice used it. */
export interface ShapeRate {
  shape: string;
  charsPerSec: number;
  /** Measured here (false: the tuning machine's rate, no probe). */
  measured: boolean;
}

/**
 * The choice of a row, as the banner says it and the checkpoint keeps it (TrainState.recipe): the budget,
 * the rates of the shapes looked at (in table order; the last is the chosen row's), the characters the
 * budget buys at the chosen shape, and how the rates were had.
 */
export interface RecipeRecord {
  row: string;
  seconds: number;
  /** Characters of the text the choice was made for. */
  chars: number;
  rates: ShapeRate[];
  /** Characters the budget buys at the chosen row's shape: its rate × seconds. */
  work: number;
  /** The row's own work and band edge, for the banner. */
  rowWork: number;
  rowMaxWork: number | null;
  /** Seconds the probe took (0 without one). */
  probeSeconds: number;
  /** Why there was no probe ("" with one). */
  noProbe: string;
}

/** A checkpoint's TrainState.recipe as this version reads it (a damaged or foreign one is left out, not fatal). */
export function isRecipeRecord(x: unknown): x is RecipeRecord {
  const r = x as RecipeRecord;
  return typeof r === "object" && r !== null && typeof r.row === "string" && Number.isFinite(r.seconds) && Number.isFinite(r.work)
    && Number.isFinite(r.rowWork) && (r.rowMaxWork === null || Number.isFinite(r.rowMaxWork)) && Number.isFinite(r.probeSeconds)
    && typeof r.noProbe === "string" && Array.isArray(r.rates) && r.rates.length > 0
    && r.rates.every((q) => typeof q === "object" && q !== null && typeof q.shape === "string" && Number.isFinite(q.charsPerSec) && typeof q.measured === "boolean");
}

export interface RecipePick {
  row: RecipeRow;
  record: RecipeRecord;
}

/** Rows covering a text of `chars` characters, in table order: per budget band the first whose text band fits. */
const rowsFor = (chars: number, table: RecipeRow[]) => table.filter((r, i) => chars <= r.maxChars && !table.slice(0, i).some((q) => q.name === r.name && chars <= q.maxChars));

/** The distinct shapes a probe may have to measure for a text of `chars` characters (its time is split over them). */
export function candidateShapes(chars: number, table: RecipeRow[] = RECIPES): RecipeShape[] {
  const seen = new Map<string, RecipeShape>();
  for (const row of rowsFor(chars, table)) seen.set(describeShape(shapeOf(row.recipe)), shapeOf(row.recipe));
  return [...seen.values()];
}

/** Does `rate` × `seconds` fall in the row's band? */
const fits = (row: RecipeRow, seconds: number, rate: number) => rate * seconds <= row.maxWork;

/**
 * The row for a budget of `seconds` on a text of `chars` characters, on a machine whose shapes run at
 * `rateOf` chars/s (absent or undefined: the tuning machine's): the first row whose shape's work fits its
 * band. Pure; the probe supplies the rates.
 */
export function chooseRecipe(seconds: number, chars: number, rateOf: RateOf = () => undefined, table: RecipeRow[] = RECIPES,
                             extra: Partial<Pick<RecipeRecord, "probeSeconds" | "noProbe">> = {}): RecipePick {
  const rows = rowsFor(chars, table);
  if (!rows.length) throw new RangeError(`no recipe covers ${seconds} s on ${chars} characters`);
  const rates: ShapeRate[] = [];
  for (const [i, row] of rows.entries()) {
    const shape = shapeOf(row.recipe), label = describeShape(shape), r = rateOf(shape);
    const rate: ShapeRate = { shape: label, charsPerSec: r ?? tunedRate(row), measured: r !== undefined };
    // each shape once, at the place (and rate) it was last looked at: the chosen one last, so the banner
    // reads left to right
    const k = rates.findIndex((x) => x.shape === label);
    if (k >= 0) rates.splice(k, 1);
    rates.push(rate);
    if (fits(row, seconds, rate.charsPerSec) || i === rows.length - 1) {
      return { row, record: { row: row.name, seconds, chars, rates, work: rate.charsPerSec * seconds, rowWork: row.work,
                              rowMaxWork: Number.isFinite(row.maxWork) ? row.maxWork : null, probeSeconds: extra.probeSeconds ?? 0, noProbe: extra.noProbe ?? "" } };
    }
  }
  throw new Error("unreachable");
}

/**
 * chooseRecipe with rates from `rate` (the probe), asked lazily in table order: a shape is probed only when
 * every earlier row's band was too small for the budget, and once. `clock` (seconds) times the probe.
 */
export async function probeRecipe(seconds: number, chars: number, rate: RateHook, table: RecipeRow[] = RECIPES,
                                  clock: () => number = () => 0): Promise<RecipePick> {
  const t0 = clock(), measured = new Map<string, number | undefined>();
  for (const row of rowsFor(chars, table)) {
    const shape = shapeOf(row.recipe), label = describeShape(shape);
    if (!measured.has(label)) measured.set(label, await rate(shape));
    const r = measured.get(label);
    if (fits(row, seconds, r ?? tunedRate(row))) break;
  }
  return chooseRecipe(seconds, chars, (s) => measured.get(describeShape(s)), table, { probeSeconds: Math.max(0, clock() - t0) });
}

/** The row for a time budget (seconds) and a text of `chars` characters on the tuning machine. */
export function pickRecipe(seconds: number, chars: number, table: RecipeRow[] = RECIPES): RecipeRow {
  return chooseRecipe(seconds, chars, undefined, table).row;
}

/** "~24k chars/s", "~1.2M chars/s". */
const perSec = (r: number) => `~${count(r)} chars/s`;

/** 5.73e6 → "5.7M", 10.5e6 → "10.5M", 24,310 → "24k", 950 → "950". */
export function count(n: number): string {
  if (n >= 1e6) return `${Number((n / 1e6).toPrecision(n >= 1e7 ? 3 : 2))}M`;
  if (n >= 1e3) return `${Math.round(n / 1e3)}k`;
  return String(Math.round(n));
}

/** 120 → "2m", 5400 → "1h30m", 45 → "45s": a budget as the banner names it. */
export function budgetText(seconds: number): string {
  const t = Math.round(seconds), h = Math.floor(t / 3600), m = Math.floor((t % 3600) / 60), s = t % 60;
  return `${h ? `${h}h` : ""}${m ? `${m}m` : ""}${s || t === 0 ? `${s}s` : ""}`;
}

/**
 * Why this row, in one line: "~24k chars/s here (2×192, B4, T64) → 2.9M characters in 2m → row 3m (tuned
 * for 5.7M, up to 10.5M)"; shapes probed and passed over come first ("2×192, B4, T64 ~90k chars/s → 16M, more
 * than row 3m's 10.5M; …"); without a probe, why not and that the row follows the clock as tuned. `where`
 * is "here" at the start of a run ("then" when a resume recalls it).
 */
export function describePick(rec: RecipeRecord, table: RecipeRow[] = RECIPES, where = "here"): string {
  const budget = budgetText(rec.seconds), chosen = rec.rates.at(-1)!;
  const tail = `row ${rec.row} (tuned for ${count(rec.rowWork)}${rec.rowMaxWork !== null ? `, up to ${count(rec.rowMaxWork)}` : " and more"})`;
  if (!chosen.measured) {
    return `${rec.noProbe || "not probed"}: at the tuning machine's speed (${perSec(chosen.charsPerSec)} for ${chosen.shape}) ${budget} buys ${count(rec.work)} characters → ${tail}`;
  }
  const passed = rec.rates.slice(0, -1).map((r) => {
    const row = table.find((x) => describeShape(shapeOf(x.recipe)) === r.shape);
    const how = r.measured ? "" : " (not measured: its tuning rate)";
    return `${r.shape} ${perSec(r.charsPerSec)}${how} → ${count(r.charsPerSec * rec.seconds)}, more than row ${row?.name ?? "?"} takes (${row ? count(row.maxWork) : "?"}); `;
  }).join("");
  const took = rec.probeSeconds > 0 ? `; probe ${rec.probeSeconds.toFixed(1)} s` : "";
  return `${passed}${perSec(chosen.charsPerSec)} ${where} (${chosen.shape}) → ${count(rec.work)} characters in ${budget} → ${tail}${took}`;
}

/** The config field (options.ts) that overrides each recipe field. */
export const RECIPE_FIELDS: Record<keyof Recipe, OptionField> = {
  layers: "layers", hidden: "hidden", dropout: "dropout", batch: "batch", seq: "seq", lr: "lr",
  decay: "decay", lrMinFrac: "lrMin", warmup: "warmup", weightDrop: "weightDrop", weightDecay: "weightDecay",
};

/** "2×192, B4, T64, lr 3e-3 cosine to 3e-4, dropout 0[, weight-drop 0.3, weight decay 0.1]" — a recipe as the banner prints it. */
export function describeRecipe(r: Recipe): string {
  const sched = r.decay === "cosine" || r.decay === "linear" ? ` ${r.decay} to ${fmt(r.lr * r.lrMinFrac)}` : r.decay === "none" ? " constant" : ` ${r.decay} decay`;
  const warm = r.warmup > 0 ? `, warm-up ${r.warmup} steps` : "";
  const reg = `${r.weightDrop ? `, weight-drop ${r.weightDrop}` : ""}${r.weightDecay ? `, weight decay ${fmt(r.weightDecay)}` : ""}`;
  return `${r.layers}×${r.hidden}, B${r.batch}, T${r.seq}, lr ${fmt(r.lr)}${sched}${warm}, dropout ${r.dropout}${reg}`;
}

/** 0.003 → "3e-3", 0.0025 → "2.5e-3". */
export function fmt(x: number): string {
  if (x === 0) return "0";
  const e = Math.floor(Math.log10(Math.abs(x)) + 1e-9);
  if (e >= -1 && e <= 2) return String(Number(x.toPrecision(3)));
  return `${Number((x / 10 ** e).toPrecision(3))}e${e}`;
}

/** "1.2M chars", "48k chars". */
export function describeSize(chars: number): string {
  if (chars >= 1e6) return `${Number((chars / 1e6).toPrecision(2))}M chars`;
  if (chars >= 1e3) return `${Math.round(chars / 1e3)}k chars`;
  return `${chars} chars`;
}

export interface RecipeChoice {
  row: RecipeRow;
  /** Config fields whose values came from the recipe (the user gave the others). */
  filled: OptionField[];
  /** Config fields the user gave that override the recipe. */
  given: OptionField[];
  /** How the row was chosen (the probe's figures), as the checkpoint keeps it. */
  record: RecipeRecord;
}

const CADENCES = ["evalEvery", "sampleEvery", "checkpointEvery"] as const;

/**
 * Fill the fields of `model` and `train` the user did not give (`given(field)` false) from the
 * recipe row `pick` (by default the row for train.maxTime on a text of `chars` characters at the tuning
 * machine's speed). lrMin becomes lrMinFrac × the final lr; the
 * step cadences not given are rescaled to the final batch × window (below).
 */
export function applyRecipe(model: Omit<ModelConfig, "vocabSize">, train: TrainConfig, chars: number, given: (field: OptionField) => boolean,
                            table: RecipeRow[] = RECIPES, pick: RecipePick = chooseRecipe(train.maxTime, chars, undefined, table)): RecipeChoice {
  const row = pick.row, r = row.recipe;
  const filled: OptionField[] = [], taken: OptionField[] = [];
  for (const key of Object.keys(RECIPE_FIELDS) as (keyof Recipe)[]) {
    const field = RECIPE_FIELDS[key];
    if (given(field)) { taken.push(field); continue; }
    filled.push(field);
    switch (key) {
      case "layers": case "hidden": case "dropout": model[key] = r[key]; break;
      case "batch": case "seq": case "lr": case "warmup": train[key] = r[key]; break;
      case "decay": train.decay = r.decay; break;
      case "weightDrop": train.weightDrop = r.weightDrop ?? 0; break;
      // AdamW's: a row's decay applies to adam runs only (another --optimizer keeps 0)
      case "weightDecay": train.weightDecay = train.optimizer === "adam" ? r.weightDecay ?? 0 : 0; break;
      case "lrMinFrac": break;   // after lr is final, below
    }
  }
  if (!given("lrMin")) train.lrMin = r.lrMinFrac * train.lr;
  // The step cadences (--eval-every, --sample-every, --checkpoint-every) default to 200 steps of the
  // default B32 × T64 = 409,600 training characters. A recipe with another B·T keeps the ones you did not
  // give that many characters apart: a B8 recipe takes 4× the steps per second and would otherwise stop to
  // evaluate the validation split 4× as often in the same budget (≈ 20% of a 3-minute run instead of ≈ 5%).
  const scale = (defaultTrain.batch * defaultTrain.seq) / (train.batch * train.seq);
  for (const key of CADENCES) {
    if (!given(key) && train[key] === defaultTrain[key] && train[key] > 0) train[key] = Math.max(1, Math.round(defaultTrain[key] * scale));
  }
  return { row, filled, given: taken, record: pick.record };
}

// The page's Train tab runs on the wasm kernels in one Web Worker thread (two on a 4-core machine), several
// times slower than the CLI's native kernels, so a minute there buys far fewer characters than the 3m row
// assumes: its 2×192 B4 reached 2.95 bits/char in 60 s (1,157 steps). measured (headless Chromium 2026-12-06,
// 2-core AMD EPYC, wasm 1 thread, 60 s on 300k characters of the bundled corpus, constant lr): 1×128 B4 T64
// lr 3e-3 2.532 bits/char (6,663 steps, words and names readable), 1×96 B8 lr 4e-3 2.537, 1×128 B8 2.604,
// 1×128 B16 lr 4e-3 2.607, 1×192 B8 2.697, 2×128 B8 2.772. Longer page budgets use the CLI's rows (not
// measured in the page).
export const PAGE_RECIPES: RecipeRow[] = [
  // keyed like the CLI's rows: 6,663 steps × B4 × T64 in 60 s is ~28.4k chars/s on the page's kernels, the band
  // reaching 150 s of it; the page picks without a probe (pickRecipe: each row at its tuning rate)
  { name: "1m (page)", seconds: 60, work: 6663 * 4 * 64, maxWork: (6663 * 4 * 64 / 60) * 150, maxChars: Infinity,
    recipe: { layers: 1, hidden: 128, dropout: 0, batch: 4, seq: 64, lr: 3e-3, decay: "cosine", lrMinFrac: 0.1, warmup: 0 } },
  ...RECIPES,
];
