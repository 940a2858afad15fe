// The recipe table: one row per budget and text band, first match wins; applying it fills only the fields
// whose flags were not given.

import { test } from "node:test";
import assert from "node:assert/strict";
import { PAGE_RECIPES, RECIPES, RECIPE_FIELDS, applyRecipe, describeRecipe, fmt, pickRecipe } from "./recipe.js";
import { defaultModel, defaultTrain, validateModel, validateTrain } from "./config.js";

test("every row is a valid configuration, and every budget and text size finds one", () => {
  for (const row of RECIPES) {
    const model = { ...defaultModel }, train = { ...defaultTrain, maxTime: row.seconds };
    applyRecipe(model, train, Math.min(row.maxChars, 1e9), () => false, [row]);
    validateModel({ ...model, vocabSize: 80 });
    validateTrain(train);
  }
  for (const s of [1, 20, 180, 600, 1800, 7200, 1e6]) for (const c of [1e3, 1.2e6, 5e7]) assert.ok(pickRecipe(s, c));
  // bands are ordered: a longer budget never picks an earlier row
  let last = 0;
  for (const s of [10, 180, 400, 600, 1200, 1800, 4000, 36000]) {
    const i = RECIPES.indexOf(pickRecipe(s, 1.2e6));
    assert.ok(i >= last, `${s} s picks row ${i} after row ${last}`);
    last = i;
  }
  assert.equal(pickRecipe(180, 1.2e6).name, "3m");
  assert.equal(pickRecipe(600, 1.2e6).name, "10m");
});

test("the page's table: its own valid row for a minute or two on the wasm kernels, then the CLI's rows", () => {
  const page = PAGE_RECIPES[0];
  const model = { ...defaultModel }, train = { ...defaultTrain, maxTime: 150 };
  applyRecipe(model, train, 1e5, () => false, [page]);
  validateModel({ ...model, vocabSize: 80 });
  validateTrain(train);
  for (const s of [30, 60, 120, 150]) assert.equal(pickRecipe(s, 1e5, PAGE_RECIPES).name, "1m (page)");
  assert.equal(describeRecipe(pickRecipe(60, 1e5, PAGE_RECIPES).recipe), "1×128, B4, T64, lr 3e-3 cosine to 3e-4, dropout 0");
  for (const s of [300, 600, 7200]) assert.equal(pickRecipe(s, 1e5, PAGE_RECIPES), pickRecipe(s, 1e5));
});

test("applyRecipe fills only what was not given; lrMin follows the final lr", () => {
  const r = pickRecipe(180, 1.2e6).recipe;
  const model = { ...defaultModel, hidden: 48 }, train = { ...defaultTrain, maxTime: 180, lr: 0.01 };
  const given = new Set(["hidden", "lr"]);
  const choice = applyRecipe(model, train, 1.2e6, (f) => given.has(f));
  assert.deepEqual(choice.given, ["hidden", "lr"]);
  assert.deepEqual(choice.filled.sort(), Object.values(RECIPE_FIELDS).filter((f) => !given.has(f)).sort());
  assert.equal(model.hidden, 48);
  assert.equal(train.lr, 0.01);
  assert.equal(model.layers, r.layers);
  assert.equal(model.dropout, r.dropout);
  assert.equal(train.batch, r.batch);
  assert.equal(train.seq, r.seq);
  assert.equal(train.decay, r.decay);
  assert.equal(train.warmup, r.warmup);
  assert.equal(train.lrMin, r.lrMinFrac * 0.01);
  // an explicit --lr-min stays
  const t2 = { ...defaultTrain, maxTime: 180, lrMin: 1e-5 };
  applyRecipe({ ...defaultModel }, t2, 1.2e6, (f) => f === "lrMin");
  assert.equal(t2.lrMin, 1e-5);
});

test("a recipe keeps the step cadences you did not give at the default's characters apart", () => {
  const row = (batch: number, seq: number) => [{ name: "t", seconds: 60, work: 1e6, maxWork: Infinity, maxChars: Infinity,
    recipe: { layers: 1, hidden: 32, dropout: 0, batch, seq, lr: 3e-3, decay: "cosine" as const, lrMinFrac: 0.1, warmup: 0 } }];
  // B8 × T64 is a quarter of B32 × T64 per step: four times the steps between evaluations, samples, checkpoints
  const t8 = { ...defaultTrain, maxTime: 180 };
  applyRecipe({ ...defaultModel }, t8, 1e6, () => false, row(8, 64));
  assert.deepEqual([t8.evalEvery, t8.sampleEvery, t8.checkpointEvery], [800, 800, 800]);
  // the default shape changes nothing
  const t32 = { ...defaultTrain, maxTime: 180 };
  applyRecipe({ ...defaultModel }, t32, 1e6, () => false, row(32, 64));
  assert.deepEqual([t32.evalEvery, t32.sampleEvery, t32.checkpointEvery], [200, 200, 200]);
  // a given cadence stays, also when it equals the default; 0 (off) stays off; a given --batch counts
  const tg = { ...defaultTrain, maxTime: 180, batch: 16, sampleEvery: 0 };
  applyRecipe({ ...defaultModel }, tg, 1e6, (f) => f === "evalEvery" || f === "batch", row(8, 100));
  assert.equal(tg.evalEvery, 200);
  assert.equal(tg.sampleEvery, 0);
  assert.equal(tg.checkpointEvery, Math.round(200 * (32 * 64) / (16 * 100)));
});

test("describeRecipe names every value", () => {
  const r = { layers: 2, hidden: 384, dropout: 0.1, batch: 32, seq: 100, lr: 3e-3, decay: "cosine" as const, lrMinFrac: 0.1, warmup: 50 };
  assert.equal(describeRecipe(r), "2×384, B32, T100, lr 3e-3 cosine to 3e-4, warm-up 50 steps, dropout 0.1");
  assert.equal(fmt(0.0025), "2.5e-3");
  assert.equal(fmt(0.5), "0.5");
});

// ---- choosing by work: injected rates stand in for the probe ----------------------------------------

import { RECIPES as TABLE, chooseRecipe, describePick, describeShape, probeRecipe, shapeOf, tunedRate, type RecipeShape } from "./recipe.js";

/** Every shape at `factor` × the speed the table was tuned at. */
const speed = (factor: number) => (s: RecipeShape) => factor * tunedRate(TABLE.find((r) => describeShape(shapeOf(r.recipe)) === describeShape(s))!);

test("each row states its work; at the tuning machine's speed the rows fall where the clock put them", () => {
  for (const row of TABLE) {
    assert.ok(row.work > 0 && row.maxWork > row.work, `${row.name}: tuned for ${row.work}, band up to ${row.maxWork}`);
    assert.ok(Math.abs(row.work / tunedRate(row) - row.seconds) < 1e-6);
  }
  // a text over 5M characters takes each band's large-text row (less regularisation), probing its shape: at
  // 30 minutes a wider model (swept on 25 MB of Python; on 9 MB of TypeScript it beat the 10m shape run longer
  // by 0.076 the same day, sweep-30m-typescript-w and -x-same-day)
  for (const [chars, shape] of [[6e6, "2×256, B8, T64, dropout 0.2"], [9e6, "2×256, B8, T64, dropout 0.2"], [1e7, "2×256, B8, T64, dropout 0.2"], [1.1e7, "2×256, B8, T64, dropout 0.2"], [5e7, "2×256, B8, T64, dropout 0.2"], [1e9, "2×256, B8, T64, dropout 0.2"]] as const) {
    const big = chooseRecipe(1800, chars);
    assert.equal(big.row.name, "30m");
    assert.equal(big.row.recipe.weightDecay ?? 0, 0);
    assert.equal(big.record.rates.at(-1)?.shape, shape, `${chars} characters`);
    assert.equal(chooseRecipe(1800, chars, speed(1)).record.rates.at(-1)?.shape, shape, `${chars} characters, probed`);
  }
  // ... and at 10 minutes every text over 5M characters keeps x (the wider model was no better there)
  assert.equal(chooseRecipe(600, 5e7).record.rates.at(-1)?.shape, "2×192, B4, T64, dropout 0.2");
  // a small text's 30m row is the 10m row's recipe (dropout and weight decay) run three times as long
  // (sweep-30m-xd-kept: 1.947 kept against yd8's 2.003 the same day)
  assert.equal(chooseRecipe(1800, 1.2e6).row.name, "30m");
  assert.deepEqual(chooseRecipe(1800, 1.2e6).row.recipe, chooseRecipe(600, 1.2e6).row.recipe);
  assert.equal(chooseRecipe(1800, 1.2e6).record.rates.at(-1)?.shape, "2×192, B4, T64, dropout 0.2");
  assert.equal(chooseRecipe(1800, 1.2e6).row.recipe.weightDecay, 0.05);
  // at 2 hours a small text gets a bigger model held back by more dropout and weight decay (sweep-2h-yd8-kept:
  // 1.932 kept)
  assert.equal(chooseRecipe(7200, 1.2e6).row.name, "2h");
  assert.equal(chooseRecipe(7200, 1.2e6).record.rates.at(-1)?.shape, "2×256, B8, T64, dropout 0.3");
  assert.equal(chooseRecipe(7200, 1.2e6).row.recipe.weightDecay, 0.1);
  // at 2 hours a large text's row is the 30m row's B8 widened to 2×384, dropout kept (sweep-2h-python-25m: 1.501
  // against 1.628 at 30m)
  for (const chars of [6e6, 2.5e7, 5e7]) {
    assert.equal(chooseRecipe(7200, chars).row.name, "2h");
    assert.equal(chooseRecipe(7200, chars).record.rates.at(-1)?.shape, "2×384, B8, T64, dropout 0.2", `${chars} characters`);
  }
  // at 10 minutes a text over 5M characters keeps the 10m shape without weight decay (more data, less regularisation)
  assert.equal(chooseRecipe(600, 9e6).row.recipe.weightDecay ?? 0, 0);
  assert.equal(chooseRecipe(600, 1.2e6).row.recipe.weightDecay, 0.05);
  // the old clock edges (330 s, 1020 s, 3000 s) are where the bands end at the tuning rates
  for (const [s, name] of [[180, "3m"], [330, "3m"], [331, "10m"], [600, "10m"], [1020, "10m"], [1021, "30m"], [3000, "30m"], [3001, "2h"], [7200, "2h"]] as const) {
    assert.equal(chooseRecipe(s, 1.2e6, speed(1)).row.name, name, `${s} s`);
    assert.equal(chooseRecipe(s, 1.2e6).row.name, name, `${s} s without rates`);
  }
});

test("a machine at half speed picks a smaller row for the same minutes, a fast one a bigger row", () => {
  // the laptop: 6 minutes at half the speed buy what 3 minutes bought where the table was tuned
  assert.equal(chooseRecipe(360, 1.2e6, speed(1)).row.name, "10m");
  assert.equal(chooseRecipe(360, 1.2e6, speed(0.5)).row.name, "3m");
  assert.equal(chooseRecipe(120, 1.2e6, speed(0.5)).row.name, "3m");
  // a server 4× as fast: 2 minutes buy 8 tuning minutes, the 10m row; 10 minutes buy the 30m row's work
  assert.equal(chooseRecipe(120, 1.2e6, speed(4)).row.name, "10m");
  assert.equal(chooseRecipe(600, 1.2e6, speed(4)).row.name, "30m");
  // more time never buys a smaller row, at any speed
  for (const chars of [1.2e6, 9e6, 2.5e7]) for (const f of [0.25, 0.5, 1, 2, 8]) {
    let last = 0;
    for (const s of [30, 60, 120, 180, 360, 600, 1200, 1800, 3600, 7200, 36000]) {
      const i = TABLE.indexOf(chooseRecipe(s, chars, speed(f)).row);
      assert.ok(i >= last, `${chars} characters, ×${f}: ${s} s picks row ${i} after row ${last}`);
      last = i;
    }
  }
  // the record: the rates looked at (the chosen shape last) and the work bought
  const rec = chooseRecipe(360, 1.2e6, speed(0.5)).record;
  assert.equal(rec.row, "3m");
  assert.equal(rec.rates.length, 1);
  assert.equal(rec.rates[0].shape, "2×192, B4, T64");
  assert.ok(rec.rates[0].measured);
  assert.ok(Math.abs(rec.work - 0.5 * tunedRate(TABLE[0]) * 360) < 1e-6);
});

test("the probe is asked lazily, once per shape, in table order; a shape it cannot measure runs at its tuning rate", async () => {
  const asked: string[] = [];
  const hook = async (s: RecipeShape) => { asked.push(describeShape(s)); return speed(0.5)(s); };
  assert.equal((await probeRecipe(120, 1.2e6, hook)).row.name, "3m");
  assert.deepEqual(asked, ["2×192, B4, T64"], "a slow machine probes the first shape only");
  asked.length = 0;
  const fast = await probeRecipe(1200, 1.2e6, async (s) => { asked.push(describeShape(s)); return speed(4)(s); });
  assert.equal(fast.row.name, "2h");
  // a small text's 30m row is the 10m row's recipe run longer: its shape, already measured, is not probed twice
  assert.deepEqual(asked, ["2×192, B4, T64", "2×192, B4, T64, dropout 0.2", "2×256, B8, T64, dropout 0.3"]);
  assert.deepEqual(fast.record.rates.map((r) => r.shape), asked);
  // a failed probe (undefined) is the tuning rate, marked as not measured
  const failed = await probeRecipe(180, 1.2e6, async () => undefined);
  assert.equal(failed.row.name, "3m");
  assert.equal(failed.record.rates[0].measured, false);
  // the clock given times the probe
  let t = 10;
  const timed = await probeRecipe(180, 1.2e6, async (s) => { t += 1.5; return speed(1)(s); }, TABLE, () => t);
  assert.equal(timed.record.probeSeconds, 1.5);
});

test("the banner says what was measured, what it buys and why that row", () => {
  const rows = TABLE;
  const laptop = chooseRecipe(120, 1.2e6, () => 24_000, rows, { probeSeconds: 1.34 }).record;
  assert.equal(describePick(laptop), "~24k chars/s here (2×192, B4, T64) → 2.9M characters in 2m → row 3m (tuned for 5.7M, up to 10.5M); probe 1.3 s");
  const server = chooseRecipe(180, 1.2e6, (s) => (s.dropout === 0 ? 90_000 : 150_000), rows).record;
  assert.equal(describePick(server), "2×192, B4, T64 ~90k chars/s → 16.2M, more than row 3m takes (10.5M); ~150k chars/s here (2×192, B4, T64, dropout 0.2) → 27M characters in 3m → row 10m (tuned for 20.3M, up to 34.5M)");
  const gpu = chooseRecipe(180, 1.2e6, undefined, rows, { noProbe: "no probe on the webgpu backend yet" }).record;
  assert.equal(describePick(gpu), "no probe on the webgpu backend yet: at the tuning machine's speed (~32k chars/s for 2×192, B4, T64) 3m buys 5.7M characters → row 3m (tuned for 5.7M, up to 10.5M)");
  const long = chooseRecipe(7200, 1.2e6, undefined, rows).record;
  assert.match(describePick(long), /→ row 2h \(tuned for 212M and more\)$/);
});
