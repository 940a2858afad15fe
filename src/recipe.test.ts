// The recipe table: one row per budget and text band, first match wins; applying it fills only the fields
// whose flags were not given.

import { test } from "node:test";
import assert from "node:assert/strict";
import { RECIPES, RECIPE_FIELDS, applyRecipe, describeRecipe, fmt, pickRecipe } from "./recipe.js";
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
