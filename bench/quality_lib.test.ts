// The pure parts of the quality bench: the word score, the BENCHMARKS.md sections it owns, its options.

import { test } from "node:test";
import assert from "node:assert/strict";
import { benchOptions, CANDIDATES, cellFlags, cellSeeds, describeChange, fmtSpread, keepQualitySections, knownWordFraction, parseBudgets, qualitySections, recipeArgs, replaceSection, runArgs, secondsHere, sectionKey, separated, spread, words } from "./quality_lib.js";
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

test("options: --threads N, --text FILE for a second corpus, --speed F for a machine F times as fast; each gets its own section", () => {
  const o = benchOptions(["sweep", "--budgets", "1m,3m", "--candidates", "q,j", "--threads", "1", "--text", "corpora/code.txt"]);
  assert.deepEqual([o.mode, o.budgets, o.candidates, o.threads, o.text, o.write], ["sweep", [60, 180], ["q", "j"], 1, "corpora/code.txt", true]);
  assert.equal(sectionKey(o), "sweep-1m-3m-t1-code");
  // every char-lstm process trains the text on the threads (so its recipe probe measures that machine)
  assert.deepEqual(runArgs(o, ["--max-time", "60s"]), ["corpora/code.txt", "--max-time", "60s", "--threads", "1"]);
  // the defaults: the bundled corpus on all cores, keys as before
  const d = benchOptions([]);
  assert.deepEqual([d.mode, d.budgets, d.threads, d.text], ["sweep", [180, 600], undefined, undefined]);
  assert.equal(sectionKey(d), "sweep-3m-10m");
  assert.deepEqual(runArgs(d, ["--max-time", "180s"]), ["--max-time", "180s"]);
  assert.equal(sectionKey(benchOptions(["compare", "--threads", "1"])), "compare-2m-5m-10m-t1");
  assert.equal(sectionKey(benchOptions(["steps", "--steps", "1500"])), "steps-1500");
  const q = benchOptions(["compare", "--quick"]);
  assert.deepEqual([q.budgets, q.write], [[20, 40], false]);
  // misuse names the option
  assert.throws(() => benchOptions(["--threads", "0"]), /--threads: "0" is not a whole number ≥ 1/);
  assert.throws(() => benchOptions(["--text", "--quick"]), /--text needs a file/);
  assert.throws(() => benchOptions(["tune"]), /unknown mode "tune"/);
  // --speed F: the ladder of a machine F times as fast, each budget run for B × F here, in its own section
  const h = benchOptions(["ladder", "--budgets", "1m,3m,10m,30m", "--speed", "0.5"]);
  assert.equal(h.speed, 0.5);
  assert.deepEqual(h.budgets.map((b) => secondsHere(b, h)), [30, 90, 300, 900]);
  assert.equal(sectionKey(h), "ladder-1m-3m-10m-30m-x0.5");
  assert.deepEqual(d.budgets.map((b) => secondsHere(b, d)), [180, 600]);
  assert.equal(benchOptions(["ladder", "--speed", "1"]).speed, undefined);
  assert.throws(() => benchOptions(["ladder", "--speed", "0"]), /--speed: "0" is not a speed factor/);
  assert.throws(() => benchOptions(["ladder", "--speed", "fast"]), /--speed: "fast" is not a speed factor/);
  assert.throws(() => benchOptions(["sweep", "--speed", "0.5"]), /--speed applies to the ladder/);
  assert.throws(() => benchOptions(["--candidates", "q,zz"]), /unknown candidate "zz"/);
});

test("options: --kept trains a cell with the default validation cadence (what keeps best.safetensors) in its own section", () => {
  // without it, a cell validates only at the end: every second trains, the last weights are scored
  const d = benchOptions(["ladder", "--budgets", "30m"]);
  assert.equal(d.kept, undefined);
  assert.deepEqual(cellFlags(d, 1800), ["--max-time", "1800s", "--eval-every", "0", "--sample-every", "0", "--checkpoint-every", "0"]);
  const k = benchOptions(["ladder", "--budgets", "30m,2h", "--kept", "--text", "moby.txt"]);
  assert.equal(k.kept, true);
  assert.deepEqual(cellFlags(k, 7200), ["--max-time", "7200s", "--sample-every", "0", "--checkpoint-every", "0"]);
  assert.equal(sectionKey(k), "ladder-30m-2h-kept-moby");
  assert.equal(sectionKey(benchOptions(["sweep", "--budgets", "2h", "--kept", "--threads", "1"])), "sweep-2h-t1-kept");
  // compare and steps score their own way
  assert.throws(() => benchOptions(["compare", "--kept"]), /--kept scores a sweep's or a ladder's cells/);
  assert.throws(() => benchOptions(["steps", "--kept"]), /--kept scores a sweep's or a ladder's cells/);
});

test("options: --seeds N trains each cell with --seed 1 … N in its own section; a cell's range over its seeds decides what a change means", () => {
  // without it a cell is one run at char-lstm's default seed, and sections keep their keys
  const d = benchOptions(["ladder"]);
  assert.equal(d.seeds, undefined);
  assert.deepEqual(cellSeeds(d), [undefined]);
  assert.equal(sectionKey(benchOptions(["ladder", "--seeds", "1"])), "ladder-1m-3m-10m-30m");
  const o = benchOptions(["sweep", "--budgets", "3m", "--candidates", "q,x", "--seeds", "3", "--kept", "--text", "corpora/moby.txt"]);
  assert.equal(o.seeds, 3);
  assert.deepEqual(cellSeeds(o), [1, 2, 3]);
  assert.equal(sectionKey(o), "sweep-3m-s3-kept-moby");
  assert.equal(sectionKey(benchOptions(["ladder", "--budgets", "1m,3m", "--threads", "1", "--seeds", "2"])), "ladder-1m-3m-t1-s2");
  assert.throws(() => benchOptions(["compare", "--seeds", "2"]), /--seeds repeats a sweep's or a ladder's cells/);
  assert.throws(() => benchOptions(["ladder", "--seeds", "0"]), /--seeds: "0" is not a whole number ≥ 1/);
  assert.throws(() => benchOptions(["ladder", "--seeds", "two"]), /--seeds: "two" is not a whole number ≥ 1/);

  const a = spread([2.05, 2.03, 2.04]);
  assert.deepEqual([a.min, a.max, a.n], [2.03, 2.05, 3]);
  assert.ok(Math.abs(a.mean - 2.04) < 1e-12);
  assert.equal(fmtSpread(a), "2.040 (2.030–2.050)");
  assert.equal(fmtSpread(spread([1.5])), "1.500");
  assert.throws(() => spread([]), /no figures/);
  // told apart only when the ranges do not overlap, and never by single runs
  const lower = spread([2.0, 2.02]), overlapping = spread([2.0, 2.036]);
  assert.equal(separated(a, lower), true);
  assert.equal(separated(lower, a), true);
  assert.equal(separated(a, overlapping), false);
  assert.equal(separated(spread([1]), spread([2])), false);
  // the change column: a gain, a gain the seeds do not tell apart, no gain
  assert.equal(describeChange(2.01, 2.04, lower, a), "-0.030");
  assert.equal(describeChange(overlapping.mean, a.mean, overlapping, a), "-0.022 (ranges overlap)");
  assert.equal(describeChange(2.01, 2.04), "-0.030");
  assert.equal(describeChange(2.05, 2.04, undefined, undefined), "**0.010: not better**");
  assert.equal(describeChange(2.04, 2.04), "**0.000: not better**");
  assert.equal(describeChange(2.0399, 2.04), "0.000");
});
