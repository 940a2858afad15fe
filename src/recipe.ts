// The recipe a budget buys: when `char-lstm train` is given a time budget (--max-time, or the 3-minute
// default of `npm start`) and no step or epoch budget, the shape and optimizer settings the user did not
// give come from this table, keyed by the budget and the size of the text. Explicit flags always win,
// field by field; the banner says which values came from the recipe.
//
// THE TABLE is RECIPES below: one row per (budget band, text band), first match wins. Its values are set
// from `npm run bench:quality` (bench/quality.ts), which trains each candidate recipe for each budget in
// a fresh process and scores held-out bits/char on the bundled corpus's validation split. To update it,
// edit the rows (and the "measured" note) and nothing else.

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
}

export interface RecipeRow {
  /** The budget this row was tuned for, as the banner names it. */
  name: string;
  /** Applies to budgets up to this many seconds. */
  maxSeconds: number;
  /** Applies to texts of up to this many characters. */
  maxChars: number;
  recipe: Recipe;
}

const SMALL_TEXT = 5e6;   // characters: below this, long budgets repeat the text many times and need dropout

// measured (2-core AMD EPYC, native avx512 backend, 2026-12-02; every table in BENCHMARKS.md). The 3m row
// won five rounds of `npm run bench:quality -- sweep --budgets 3m`: round 1 (c,d,e,f,g,h) found 2×192 best
// at B32 (2.284 bits/char on the bundled corpus's validation split, 5,566 steps); rounds 2-5 (--candidates
// c,b,l,m / l,n,o / n,q,r,t / q,u,v) found that at this size more, smaller updates win: B16 2.216, B8
// 2.137-2.155, **B4 2.061 and 2.074 (21,800-23,000 steps)**, B2 2.090, B4 at lr 2e-3 2.078, B8 T32 2.101.
// The 10m row won `npm run bench:quality -- sweep --budgets 10m --candidates c,d,e,g,i,j` (before the
// small-batch rounds): 2.081 bits/char (11,103 steps) against 2.090-2.136 — at 10 minutes the 1.2 MB text
// is seen ~20 times and dropout 0.2 pays. The 3m row's B4 recipe run for 10m (`-- sweep --budgets 10m
// --candidates q`) gets 2.135 after 71,487 steps: without dropout it overfits. Small batches with dropout at
// 10m are the next sweep to run.
// The 30m and 2h rows are still reasoned from throughput, not swept.
export const RECIPES: RecipeRow[] = [
  { name: "3m", maxSeconds: 330, maxChars: Infinity,
    recipe: { layers: 2, hidden: 192, dropout: 0, batch: 4, seq: 64, lr: 3e-3, decay: "cosine", lrMinFrac: 0.1, warmup: 0 } },
  { name: "10m", maxSeconds: 1020, maxChars: Infinity,
    recipe: { layers: 2, hidden: 256, dropout: 0.2, batch: 32, seq: 64, lr: 3e-3, decay: "cosine", lrMinFrac: 0.1, warmup: 0 } },
  { name: "30m", maxSeconds: 3000, maxChars: SMALL_TEXT,
    recipe: { layers: 2, hidden: 384, dropout: 0.1, batch: 32, seq: 100, lr: 2e-3, decay: "cosine", lrMinFrac: 0.1, warmup: 0 } },
  { name: "30m", maxSeconds: 3000, maxChars: Infinity,
    recipe: { layers: 2, hidden: 384, dropout: 0, batch: 32, seq: 100, lr: 2e-3, decay: "cosine", lrMinFrac: 0.1, warmup: 0 } },
  { name: "2h", maxSeconds: Infinity, maxChars: SMALL_TEXT,
    recipe: { layers: 2, hidden: 512, dropout: 0.2, batch: 64, seq: 100, lr: 2e-3, decay: "cosine", lrMinFrac: 0.1, warmup: 0 } },
  { name: "2h", maxSeconds: Infinity, maxChars: Infinity,
    recipe: { layers: 2, hidden: 512, dropout: 0, batch: 64, seq: 100, lr: 2e-3, decay: "cosine", lrMinFrac: 0.1, warmup: 0 } },
];

/** The row for a time budget (seconds) and a text of `chars` characters. */
export function pickRecipe(seconds: number, chars: number, table: RecipeRow[] = RECIPES): RecipeRow {
  const row = table.find((r) => seconds <= r.maxSeconds && chars <= r.maxChars);
  if (!row) throw new RangeError(`no recipe covers ${seconds} s on ${chars} characters`);
  return row;
}

/** The config field (options.ts) that overrides each recipe field. */
export const RECIPE_FIELDS: Record<keyof Recipe, OptionField> = {
  layers: "layers", hidden: "hidden", dropout: "dropout", batch: "batch", seq: "seq", lr: "lr",
  decay: "decay", lrMinFrac: "lrMin", warmup: "warmup",
};

/** "2×192, B4, T64, lr 3e-3 cosine to 3e-4, dropout 0" — a recipe as the banner prints it. */
export function describeRecipe(r: Recipe): string {
  const sched = r.decay === "cosine" || r.decay === "linear" ? ` ${r.decay} to ${fmt(r.lr * r.lrMinFrac)}` : r.decay === "none" ? " constant" : ` ${r.decay} decay`;
  const warm = r.warmup > 0 ? `, warm-up ${r.warmup} steps` : "";
  return `${r.layers}×${r.hidden}, B${r.batch}, T${r.seq}, lr ${fmt(r.lr)}${sched}${warm}, dropout ${r.dropout}`;
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
}

const CADENCES = ["evalEvery", "sampleEvery", "checkpointEvery"] as const;

/**
 * Fill the fields of `model` and `train` the user did not give (`given(field)` false) from the
 * recipe row for train.maxTime on a text of `chars` characters. lrMin becomes lrMinFrac × the final lr; the
 * step cadences not given are rescaled to the final batch × window (below).
 */
export function applyRecipe(model: Omit<ModelConfig, "vocabSize">, train: TrainConfig, chars: number, given: (field: OptionField) => boolean,
                            table: RecipeRow[] = RECIPES): RecipeChoice {
  const row = pickRecipe(train.maxTime, chars, table), r = row.recipe;
  const filled: OptionField[] = [], taken: OptionField[] = [];
  for (const key of Object.keys(RECIPE_FIELDS) as (keyof Recipe)[]) {
    const field = RECIPE_FIELDS[key];
    if (given(field)) { taken.push(field); continue; }
    filled.push(field);
    switch (key) {
      case "layers": case "hidden": case "dropout": model[key] = r[key]; break;
      case "batch": case "seq": case "lr": case "warmup": train[key] = r[key]; break;
      case "decay": train.decay = r.decay; break;
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
  return { row, filled, given: taken };
}

// The page's Train tab runs on the wasm kernels in one Web Worker thread (two on a 4-core machine), several
// times slower than the CLI's native kernels, so a minute there buys far fewer characters than the 3m row
// assumes: its 2×192 B4 reached 2.95 bits/char in 60 s (1,157 steps). measured (headless Chromium 2026-12-06,
// 2-core AMD EPYC, wasm 1 thread, 60 s on 300k characters of the bundled corpus, constant lr): 1×128 B4 T64
// lr 3e-3 2.532 bits/char (6,663 steps, words and names readable), 1×96 B8 lr 4e-3 2.537, 1×128 B8 2.604,
// 1×128 B16 lr 4e-3 2.607, 1×192 B8 2.697, 2×128 B8 2.772. Longer page budgets use the CLI's rows (not
// measured in the page).
export const PAGE_RECIPES: RecipeRow[] = [
  { name: "1m (page)", maxSeconds: 150, maxChars: Infinity,
    recipe: { layers: 1, hidden: 128, dropout: 0, batch: 4, seq: 64, lr: 3e-3, decay: "cosine", lrMinFrac: 0.1, warmup: 0 } },
  ...RECIPES,
];
