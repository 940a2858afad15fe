// The budget's recipe through the real CLI: a time budget alone trains the recipe of the row whose work
// the budget buys here (a 1-second budget buys the first row's on any machine), the banner prints that row
// and why, the checkpoint keeps the choice and a resume recalls it without probing; explicit flags win field
// by field; a step budget or --recipe off uses none.

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cli } from "./harness.js";
import { decodeSafetensors } from "../src/safetensors.js";
import { describeRecipe, describeSize, pickRecipe } from "../src/recipe.js";

const dir = mkdtempSync(join(tmpdir(), "char-lstm-recipe-"));
const textPath = join(dir, "words.txt");
const words = ["call", "me", "ishmael", "some", "years", "ago", "never", "mind", "how", "long", "precisely"];
let text = "";
for (let i = 0; text.length < 40000; i++) text += words[(i * 5 + (i >> 2)) % words.length] + (i % 13 === 12 ? ".\n" : " ");
writeFileSync(textPath, text);

const quiet = ["--sample-every", "0", "--eval-every", "0", "--max-time", "1s"];
const saved = (run: string) => {
  const { metadata } = decodeSafetensors(readFileSync(join(run, "last.safetensors")));
  return { model: JSON.parse(metadata.model!), train: JSON.parse(metadata.train!), state: JSON.parse(metadata.state!) };
};

test("a time budget alone trains the recipe of its row, and the banner prints that row", { timeout: 120_000 }, async () => {
  const run = join(dir, "auto");
  const r = await cli("train", textPath, ...quiet, "--out", run);
  assert.equal(r.code, 0, r.err);
  const row = pickRecipe(1, text.length), want = row.recipe;
  assert.ok(r.out.includes(`recipe for 1s on ${describeSize(text.length)} (row ${row.name}): ${describeRecipe(want)} (every value from the recipe)`), r.out);
  // what the probe measured, what 1 s buys at it, and the row
  assert.match(r.out, new RegExp(`chosen by work: ~[\\d.]+[kM]? chars/s here \\(2×192, B4, T64\\) → [\\d.]+[kM]? characters in 1s → row ${row.name} \\(tuned for 5\\.7M, up to 10\\.5M\\); probe \\d+\\.\\d s`), r.out);
  const { model, train, state } = saved(run);
  assert.deepEqual([model.layers, model.hidden, model.dropout], [want.layers, want.hidden, want.dropout]);
  assert.deepEqual([train.batch, train.seq, train.lr, train.decay, train.warmup, train.lrMin],
                   [want.batch, want.seq, want.lr, want.decay, want.warmup, want.lr * want.lrMinFrac]);
  // the checkpoint keeps the choice; a resume recalls it, keeps it, and probes nothing
  assert.equal(state.recipe.row, row.name);
  assert.equal(state.recipe.rates[0].measured, true);
  assert.ok(state.recipe.probeSeconds > 0);   // its bound is src/recipe_probe.test.ts's (a clock of its own)
  const again = await cli("train", textPath, "--resume", join(run, "last.safetensors"), "--max-time", "1s", "--sample-every", "0", "--eval-every", "0");
  assert.equal(again.code, 0, again.err);
  assert.doesNotMatch(again.out, /chosen by work/);
  assert.ok(again.out.includes(`recipe row ${row.name}, chosen when the run started (not probed again): `), again.out);
  assert.deepEqual(saved(run).state.recipe, state.recipe);
});

test("explicit flags win over the recipe, and the banner says which values are whose", { timeout: 120_000 }, async () => {
  const run = join(dir, "mixed");
  const r = await cli("train", textPath, ...quiet, "--hidden", "32", "--lr", "0.01", "--out", run);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /recipe for 1s .*\(--hidden, --lr yours, --layers, --dropout, --batch, --seq, --decay, --lr-min, --warmup, --weight-drop, --weight-decay from the recipe\)/);
  const want = pickRecipe(1, text.length).recipe, { model, train } = saved(run);
  assert.equal(model.hidden, 32);
  assert.equal(train.lr, 0.01);
  assert.equal(model.layers, want.layers);
  assert.equal(train.batch, want.batch);
  assert.equal(train.lrMin, 0.01 * want.lrMinFrac);
});

test("a step budget or --recipe off trains the plain defaults, with no recipe line", { timeout: 120_000 }, async () => {
  for (const [name, args] of [["steps", ["--max-steps", "3"]], ["off", ["--max-time", "1s", "--recipe", "off"]]] as const) {
    const run = join(dir, name);
    const r = await cli("train", textPath, "--sample-every", "0", "--eval-every", "0", "--layers", "1", "--hidden", "16", ...args, "--out", run);
    assert.equal(r.code, 0, r.err);
    assert.doesNotMatch(r.out, /recipe for/);
    const { train } = saved(run);
    assert.equal(train.decay, "none");
    assert.equal(train.batch, 32);
    assert.equal(train.lr, 2e-3);
  }
});
