// resolveTrainConfig: new runs, recipes, resumes and fine-tunes, as pure data in and out; errors name
// config fields and each shell spells them (spelling.ts).

import { test } from "node:test";
import assert from "node:assert/strict";
import { defaultModel, defaultTrain, type TrainConfig } from "./config.js";
import { DEFAULT_MAX_TIME, VALIDATION_SPACING, resolveTrainConfig, spaceValidation } from "./resolve.js";
import { chooseRecipe, pickRecipe } from "./recipe.js";
import { flagSpelling, messageIn } from "./spelling.js";
import type { TrainState } from "./train.js";

const state = (over: Partial<TrainState> = {}): TrainState => ({
  step: 100, epoch: 0.5, window: 3, rng: [1, 2, 3, 4], optT: 100, lrScale: 1, badSteps: 0, bestVal: 1.5, history: [], seconds: 60, ...over,
});
const model = { vocabSize: 40, layers: 2, hidden: 64, dropout: 0.1 };
const run: TrainConfig = { ...defaultTrain, batch: 8, seq: 32, lr: 3e-3, decay: "cosine", lrMin: 3e-4, maxTime: 120, evalEvery: 50 };

/** The error of `f` as the CLI prints it. */
function cliError(f: () => unknown): string {
  try { f(); } catch (e) { return messageIn(e, flagSpelling); }
  assert.fail("expected an error");
}

test("a new run: defaults, a 3-minute budget when none is given, the recipe once the text size is known", () => {
  const r = resolveTrainConfig({});
  assert.equal(r.train.maxTime, DEFAULT_MAX_TIME);
  assert.deepEqual(r.model, { layers: defaultModel.layers, hidden: defaultModel.hidden, dropout: defaultModel.dropout });
  assert.equal(r.recipePending, true);
  assert.equal(r.recipe, null);
  const withText = resolveTrainConfig({ hidden: 48 }, undefined, { chars: 1.2e6 });
  const row = pickRecipe(DEFAULT_MAX_TIME, 1.2e6);
  assert.equal(withText.recipe?.row, row);
  assert.equal(withText.model.hidden, 48, "a given field wins over the recipe");
  assert.equal(withText.train.batch, row.recipe.batch);
  assert.deepEqual(withText.recipe?.given, ["hidden"]);
  // a step budget or --recipe off: the plain defaults
  assert.equal(resolveTrainConfig({ maxSteps: 10 }, undefined, { chars: 1e6 }).train.batch, defaultTrain.batch);
  assert.equal(resolveTrainConfig({}, undefined, { chars: 1e6, recipe: "off" }).train.batch, defaultTrain.batch);
});

test("the row a probe chose is passed in (resolve stays pure); a resume gives back the recorded choice and chooses nothing", () => {
  // a machine at a quarter of the tuning speed: 10 minutes buy the 3m row's work
  const pick = chooseRecipe(600, 1.2e6, () => 8_000);
  const slow = resolveTrainConfig({ maxTime: 600 }, undefined, { chars: 1.2e6, pick });
  assert.equal(slow.recipe?.row.name, "3m");
  assert.equal(slow.train.batch, 4);
  assert.equal(slow.recipe?.record, pick.record);
  assert.equal(resolveTrainConfig({ maxTime: 600 }, undefined, { chars: 1.2e6 }).recipe?.row.name, "10m", "no pick: the tuning machine's speed");
  // the run's checkpoint keeps the record; its resume returns it, with the run's own config
  const ck = { model, train: run, state: state({ recipe: pick.record }) };
  const r = resolveTrainConfig({ maxTime: 1800 }, ck);
  assert.equal(r.recorded, pick.record);
  assert.equal(r.recipe, null);
  assert.equal(r.recipePending, false);
  assert.equal(r.train.batch, run.batch);
  // a damaged record is left out (the resume itself does not depend on it)
  const damaged = { ...pick.record, rates: "fast" } as unknown as typeof pick.record;
  assert.equal(resolveTrainConfig({}, { model, train: run, state: state({ recipe: damaged }) }).recorded, undefined);
});

test("a large text spaces validation out: at least 4× its validation split trained between validations, unless given", () => {
  // the bundled corpus's size keeps the recipe's cadence (200 steps of B32 × T64 in characters)
  const moby = resolveTrainConfig({}, undefined, { chars: 1.2e6 });
  const row = pickRecipe(DEFAULT_MAX_TIME, 1.2e6).recipe;
  assert.equal(moby.validation, undefined);
  assert.equal(moby.train.evalEvery, Math.round((200 * 32 * 64) / (row.batch * row.seq)));
  // 25M characters: its 1,250,000-character split every 5M training characters, whatever the row's B × T
  const big = resolveTrainConfig({ maxTime: 600 }, undefined, { chars: 25e6 });
  const perStep = big.train.batch * big.train.seq;
  assert.equal(big.train.evalEvery, Math.ceil((VALIDATION_SPACING * 1_250_000) / perStep));
  assert.equal(VALIDATION_SPACING, 4);
  assert.match(big.validation!, /^validation every [\d,]+ steps \([\d,]+ training characters, 4× the 1,250,000-character validation split, so validating stays under a twelfth of the run; --eval-every N to choose\)$/);
  // a step budget (no recipe) too, and --val-frac counts; checkpoints keep their cadence
  const steps = resolveTrainConfig({ maxSteps: 100, valFrac: 0.1 }, undefined, { chars: 25e6 });
  assert.equal(steps.train.evalEvery, Math.ceil((4 * 2_500_000) / (32 * 64)));
  assert.equal(steps.train.checkpointEvery, defaultTrain.checkpointEvery);
  // a given cadence wins, 0 stays never, and without the text's size nothing is spaced
  assert.equal(resolveTrainConfig({ maxSteps: 100, evalEvery: 300 }, undefined, { chars: 25e6 }).train.evalEvery, 300);
  assert.equal(resolveTrainConfig({ maxSteps: 100, evalEvery: 0 }, undefined, { chars: 25e6 }).train.evalEvery, 0);
  assert.equal(resolveTrainConfig({ maxSteps: 100 }).train.evalEvery, defaultTrain.evalEvery);
  const never = { ...defaultTrain, evalEvery: 0 };
  assert.equal(spaceValidation(never, 25e6), undefined);
  assert.equal(never.evalEvery, 0);
});

test("refusals name config fields; the CLI spells them as flags", () => {
  const e = cliError(() => resolveTrainConfig({ hidden: 0 }));
  assert.equal(e, "--hidden must be an integer in 1..8192, got 0");
  assert.throws(() => resolveTrainConfig({ hidden: 0 }), { name: "RangeError", message: "hidden must be an integer in 1..8192, got 0" });
  assert.equal(cliError(() => resolveTrainConfig({ lr: 1e-3, lrMin: 1e-2 })), "--lr-min must be at most --lr (0.001), got 0.01");
  assert.match(cliError(() => resolveTrainConfig({ maxTime: 0 })), /^--max-time 0 leaves the run without a budget \(0 = no limit\): give a positive --max-steps, --max-time or --epochs$/);
  assert.match(cliError(() => resolveTrainConfig({ optimizer: "adamw" as "adam" })), /^--optimizer must be one of adam, rmsprop, adagrad or sgd, got "adamw"$/);
  assert.match(cliError(() => resolveTrainConfig({ patience: 3, evalEvery: 0 })), /--patience counts evaluations: it needs --eval-every N/);
});

test("a resume: the checkpoint's config; resumable fields change, the others are ignored and listed; a new budget replaces the old", () => {
  const ck = { model, train: run, state: state({ lrSpan: { start: 0, end: 120 } }) };
  const r = resolveTrainConfig({ batch: 16, lr: 1e-3, hidden: 64, layers: 3, evalEvery: 10 }, ck);
  assert.equal(r.train.batch, 8, "batch comes from the checkpoint");
  assert.equal(r.train.lr, 1e-3, "lr may change on resume");
  assert.equal(r.train.evalEvery, 10);
  assert.deepEqual(r.ignored.sort(), ["batch", "layers"], "hidden 64 is the checkpoint's own: not ignored, just the same");
  assert.deepEqual(r.model, { layers: 2, hidden: 64, dropout: 0.1 });
  // no budget: what is left of the interrupted span; a budget: the whole budget replaced
  assert.equal(resolveTrainConfig({}, ck).train.maxTime, 60);
  const steps = resolveTrainConfig({ maxSteps: 500 }, ck).train;
  assert.equal(steps.maxSteps, 500);
  assert.equal(steps.maxTime, 0, "the old 2-minute budget does not linger");
  assert.match(cliError(() => resolveTrainConfig({ maxSteps: 50 }, ck)), /^--max-steps 50 is not above the run's step 100: nothing to train .* e\.g\. --max-steps 1100$/);
  assert.match(cliError(() => resolveTrainConfig({}, { model, train: { ...run, maxTime: 0, maxSteps: 100 }, state: state() })), /already reached its budget of 100 steps/);
  // the run's --unknown policy is the run's: a resume keeps it
  assert.equal(resolveTrainConfig({}, { model, train: { ...run, unknown: "skip" }, state: state() }).train.unknown, "skip");
});

test("a fine-tune: the checkpoint's shape and its run's settings unless given, and it says where they came from", () => {
  const ck = { model, train: run, state: state() };
  const r = resolveTrainConfig({ maxTime: 60, unknown: "skip" }, ck, { fineTune: true });
  assert.deepEqual(r.model, { layers: 2, hidden: 64, dropout: 0.1 });
  assert.equal(r.train.batch, 8);
  assert.equal(r.train.seq, 32);
  assert.equal(r.train.lr, 3e-3);
  assert.equal(r.train.decay, "cosine");
  assert.equal(r.train.maxTime, 60);
  assert.equal(r.train.unknown, "skip", "recorded in the run's config, so a resume applies it");
  assert.match(r.source!, /the checkpoint's own run/);
  assert.equal(resolveTrainConfig({ batch: 4, dropout: 0 }, ck, { fineTune: true }).train.batch, 4, "given flags win");
  assert.equal(resolveTrainConfig({ dropout: 0 }, ck, { fineTune: true }).model.dropout, 0);
  const plain = resolveTrainConfig({}, ck, { fineTune: true, recipe: "off" });
  assert.equal(plain.train.batch, defaultTrain.batch);
  assert.match(plain.source!, /plain defaults \(--recipe off\)/);
  assert.match(resolveTrainConfig({}, { model }, { fineTune: true }).source!, /holds no training config/);
  // a decaying schedule without a step or time budget to end at: constant
  assert.equal(resolveTrainConfig({ epochs: 2 }, ck, { fineTune: true }).train.decay, "none");
  // a small text: validation (and checkpoints) at least once an epoch, unless given
  const small = resolveTrainConfig({}, ck, { fineTune: true, chars: 5_000 });
  assert.equal(small.train.evalEvery, Math.floor(5_000 * 0.9 / (8 * 32)));
  assert.equal(small.train.checkpointEvery, small.train.evalEvery);
  assert.match(small.source!, /validation every 17 steps, about once an epoch of this text/);
  assert.equal(resolveTrainConfig({ evalEvery: 500 }, ck, { fineTune: true, chars: 5_000 }).train.evalEvery, 500);
  assert.equal(resolveTrainConfig({}, ck, { fineTune: true, chars: 50_000 }).train.evalEvery, 50, "a text whose split the cadence affords keeps the run's");
  // a large text: validation no more often than 4× its split's characters (spaceValidation)
  const big = resolveTrainConfig({}, ck, { fineTune: true, chars: 1e7 });
  assert.equal(big.train.evalEvery, Math.ceil(4 * 500_000 / (8 * 32)));
  assert.match(big.source!, /; validation every 7,813 steps \(2,000,128 training characters, 4× the 500,000-character validation split/);
  assert.equal(cliError(() => resolveTrainConfig({ hidden: 32 }, ck, { fineTune: true })), "--hidden 32 conflicts with --init-from: the checkpoint is a 2×64 model (leave --hidden out)");
});
