// Flag parsing: conversions, suggestions, durations; docs/flags.md in sync with the flag tables.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parseArgs, parseDuration, UsageError, helpText } from "./args.js";
import { commands, trainCmd } from "./commands.js";
import { flagsMarkdown } from "./docs.js";

test("flags: --x v and --x=v, types checked, unknown flags get the nearest suggestion", () => {
  const p = parseArgs(["f.txt", "--hidden", "64", "--lr=0.01", "--json", "--max-time", "1h30m"], trainCmd);
  assert.deepEqual(p.positionals, ["f.txt"]);
  assert.equal(p.flags.get("hidden"), 64);
  assert.equal(p.flags.get("lr"), 0.01);
  assert.equal(p.flags.get("json"), true);
  assert.equal(p.flags.get("max-time"), 5400);
  assert.throws(() => parseArgs(["--hidden", "6.5"], trainCmd), /--hidden expects a whole number, got "6.5"/);
  assert.throws(() => parseArgs(["--layer", "2"], trainCmd), /unknown flag --layer .*did you mean --layers\?/);
  assert.throws(() => parseArgs(["--optimizer", "adamw"], trainCmd), /must be one of adam, rmsprop, adagrad, sgd, got "adamw" \(did you mean adam\?\)/);
  assert.throws(() => parseArgs(["--seq"], trainCmd), /--seq needs a value/);
  assert.deepEqual(parseArgs(["a", "b", "c/"], trainCmd).positionals, ["a", "b", "c/"], "train reads several inputs");
  assert.throws(() => parseArgs(["a", "b"], commands.find((c) => c.name === "sample")!), UsageError);
});

test("durations", () => {
  assert.equal(parseDuration("90"), 90);
  assert.equal(parseDuration("10m"), 600);
  assert.equal(parseDuration("1h30m"), 5400);
  assert.ok(Number.isNaN(parseDuration("soon")));
  assert.ok(Number.isNaN(parseDuration("10x")));
});

test("random flag soup never crashes the parser: it parses or throws a UsageError", () => {
  let seed = 12345;
  const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
  const names = trainCmd.flags.map((f) => `--${f.name}`).concat(["--", "-x", "--nope", "=", "--lr=", "--seq=-1"]);
  const values = ["1", "-3", "abc", "", "1e9", "0.5", "NaN", "10m", "true"];
  for (let i = 0; i < 2000; i++) {
    const argv = Array.from({ length: rnd(6) }, () => (rnd(2) ? names[rnd(names.length)] : values[rnd(values.length)]));
    try { parseArgs(argv, trainCmd); } catch (e) { assert.ok(e instanceof UsageError, `${argv.join(" ")}: ${e}`); }
  }
});

test("docs/flags.md is generated from the flag tables and lists every flag", () => {
  const doc = readFileSync(new URL("../../../docs/flags.md", import.meta.url), "utf8");
  assert.equal(doc, flagsMarkdown(), "docs/flags.md is stale: run npm run docs");
  for (const c of commands) for (const f of c.flags) assert.ok(helpText(c).includes(`--${f.name}`));
});
