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

test("misuse gets the fix: a shortened or misspelt flag names the flag meant; a duration without a unit names the units", () => {
  const sample = commands.find((c) => c.name === "sample")!;
  assert.throws(() => parseArgs(["ck", "--temp", "0.8"], sample), /unknown flag --temp .*\(did you mean --temperature\?\)/);
  assert.throws(() => parseArgs(["--max-tim", "3m"], trainCmd), /did you mean --max-time\?/);
  assert.throws(() => parseArgs(["--max-time", "2"], trainCmd), /--max-time 2 needs a unit: 2s, 2m or 2h \(s seconds, m minutes, h hours/);
  assert.throws(() => parseArgs(["--max-time", "1.5"], trainCmd), /needs a unit/);
  assert.equal(parseArgs(["--max-time", "0"], trainCmd).flags.get("max-time"), 0, "0 (no limit) needs no unit");
  assert.equal(parseArgs(["--max-time", "2m"], trainCmd).flags.get("max-time"), 120);
  // caps the server has too
  assert.throws(() => parseArgs(["ck", "--beam", "2", "--length-penalty", "1e308"], sample), /--length-penalty must be at most 10, got 1e\+308/);
  assert.throws(() => parseArgs(["ck", "--threads", "0"], sample), /--threads must be at least 1/);
});

test("--help: wrapped to the terminal, fixed choices listed, a budget run shows the recipe's values as the ones used", async () => {
  const { main } = await import("./main.js");
  const help = async (argv: string[], columns: number) => {
    let out = "";
    await main(argv, { out: (s) => (out += s), err: () => {}, tty: true, columns: () => columns, signal: new AbortController().signal });
    return out;
  };
  for (const width of [40, 80, 120]) {
    const text = await help(["train", "--help"], width);
    const long = text.split("\n").filter((l) => l.length > width && /\s/.test(l.trim()));
    assert.deepEqual(long, [], `lines over ${width} columns`);
    assert.match(text, /--optimizer \{adam\|rmsprop\|adagrad\|sgd\}/);
  }
  const bare = await help(["train", "--help"], 200);
  assert.match(bare, /--hidden H +LSTM units per layer \(used: 192 from the 3m recipe; plain default 256\)/);
  const tenMin = await help(["train", "--max-time", "10m", "--help"], 200);
  assert.match(tenMin, /takes the 10m recipe/);
  assert.match(tenMin, /--dropout P .*\(used: 0\.2 from the 10m recipe; plain default 0\)/);
  const steps = await help(["train", "--max-steps", "100", "--help"], 200);
  assert.match(steps, /--hidden H +LSTM units per layer \(default 256\)/);
  assert.match(steps, /--lr X .*\(default 0\.002; a resume may change it\)/);
});

test("--threads above the available cores is capped at them, with one line saying what more would cost", async () => {
  const { availableParallelism } = await import("node:os");
  const { openKernels } = await import("./context.js");
  const cores = availableParallelism();
  if (cores >= 64) return;   // nothing above the cores is allowed to ask for here
  const { notice } = await openKernels(new Map<string, string | number | boolean>([["backend", "js"], ["threads", cores + 1]]));
  assert.equal(notice, `--threads ${cores + 1} is more than the ${cores} available cores; using ${cores} (more threads than cores only adds memory and start-up time)`);
  assert.equal((await openKernels(new Map<string, string | number | boolean>([["backend", "js"], ["threads", 1]]))).notice, undefined);
});
