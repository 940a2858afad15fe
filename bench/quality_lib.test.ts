// The pure parts of the quality bench: the word score, the BENCHMARKS.md sections it owns, its options.

import { test } from "node:test";
import assert from "node:assert/strict";
import { CANDIDATES, keepQualitySections, knownWordFraction, parseBudgets, qualitySections, recipeArgs, replaceSection, words } from "./quality_lib.js";
import { parseArgs } from "../src/cli/args.js";
import { trainCmd } from "../src/cli/commands.js";

test("words: whitespace-split, punctuation stripped, lower-cased; the fraction found in the training text", () => {
  assert.deepEqual(words("The whale, \u201cthe\u201d  WHALE!\n-- ahoy."), ["the", "whale", "the", "whale", "ahoy"]);
  const r = knownWordFraction("the whale sang zzqx; ahoy", new Set(["the", "whale", "ahoy"]));
  assert.deepEqual(r, { words: 5, known: 3, fraction: 0.6 });
});

test("replaceSection replaces only its own block, or appends it; another bench's rewrite keeps it", () => {
  const md = "# Benchmarks\n\ntext before\n";
  const once = replaceSection(md, "sweep", "| a | 1 |");
  assert.equal(once, "# Benchmarks\n\ntext before\n\n<!-- quality:sweep:begin -->\n| a | 1 |\n<!-- quality:sweep:end -->\n");
  const twice = replaceSection(once + "\ntext after\n", "sweep", "| a | 2 |");
  assert.ok(twice.includes("| a | 2 |") && !twice.includes("| a | 1 |") && twice.includes("text before") && twice.includes("text after"));
  const both = replaceSection(twice, "compare", "cmp");
  assert.equal(qualitySections(both).length, 2);
  const regenerated = keepQualitySections("# Benchmarks\n\nnew figures\n\nRaw results (every round):\n{}", both);
  assert.ok(regenerated.indexOf("<!-- quality:sweep:begin -->") < regenerated.indexOf("Raw results"));
  assert.ok(regenerated.includes("cmp") && regenerated.includes("new figures"));
  // a new section lands after the last quality section, not after the raw data
  const third = replaceSection(regenerated, "sweep-10m", "ten");
  assert.ok(third.indexOf("<!-- quality:compare:end -->") < third.indexOf("<!-- quality:sweep-10m:begin -->"));
  assert.ok(third.indexOf("<!-- quality:sweep-10m:end -->") < third.indexOf("Raw results"));
  const fresh = replaceSection("# B\n\nfigures\n\nRaw results:\n{}", "steps", "s");
  assert.ok(fresh.indexOf("figures") < fresh.indexOf("<!-- quality:steps:begin -->") && fresh.indexOf("<!-- quality:steps:end -->") < fresh.indexOf("Raw results"));
});

test("every candidate is a valid set of train flags; budgets parse", () => {
  assert.ok(Object.keys(CANDIDATES).length >= 6);
  for (const [name, r] of Object.entries(CANDIDATES)) {
    const p = parseArgs(recipeArgs(r), trainCmd);
    assert.equal(p.flags.get("hidden"), r.hidden, name);
    assert.equal(p.flags.get("lr-min"), r.lr * r.lrMinFrac, name);
  }
  assert.deepEqual(parseBudgets("3m,10m,90s"), [180, 600, 90]);
  assert.throws(() => parseBudgets("3m,soon"), /"soon" is not a duration/);
});
