// Misuse gets the fix, and continuing and fine-tuning work as users expect, through the real CLI: a run
// directory where a checkpoint is expected, a text file given as a checkpoint, a `--unknown skip` fine-tune
// whose printed commands work when pasted (the skip is part of the run), the fine-tune's banner and its
// warning when validation keeps rising while training falls, and the budget a "resume with" line suggests.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BIN, cli, printedCommands } from "./harness.js";
import { loadCheckpointFile } from "../src/io/checkpoint_file.js";
import { jsKernels } from "../src/kernels/js/index.js";
import { defaultTrain } from "../src/config.js";
import { durationArg, resumeBudget } from "../src/cli/train_config.js";

const dir = mkdtempSync(join(tmpdir(), "char-lstm-flags-"));
const words = ["the", "sea", "whale", "ship", "captain", "white", "deep", "sail"];
let text = "";
for (let i = 0; text.length < 6000; i++) text += words[(i * 7 + (i >> 2)) % words.length] + (i % 9 === 8 ? ".\n" : " ");
const aPath = join(dir, "a.txt");
writeFileSync(aPath, text);
const small = ["--layers", "1", "--hidden", "16", "--batch", "4", "--seq", "16", "--backend", "js", "--sample-every", "0"];
const base = join(dir, "base");
const step = (p: string) => loadCheckpointFile(p, jsKernels("f32")).state?.step;

test("a run directory where a checkpoint is expected: best.safetensors to sample, last.safetensors to resume; a text file is named as text", { timeout: 60_000 }, async () => {
  const t = await cli("train", aPath, ...small, "--max-steps", "6", "--eval-every", "3", "--out", base);
  assert.equal(t.code, 0, t.err);
  const s = await cli("sample", base, "--length", "20", "--seed", "1");
  assert.equal(s.code, 0, s.err);
  const viaFile = await cli("sample", join(base, "best.safetensors"), "--length", "20", "--seed", "1");
  assert.equal(s.out, viaFile.out, "the directory samples its best.safetensors");
  const ins = await cli("inspect", base, "--json");
  assert.equal(ins.code, 0, ins.err);
  const r = await cli("train", aPath, ...small, "--resume", base, "--max-steps", "8", "--eval-every", "0");
  assert.equal(r.code, 0, r.err);
  assert.equal(step(join(base, "last.safetensors")), 8, "the directory resumed from its last.safetensors");
  const empty = join(dir, "empty-run");
  mkdirSync(empty);
  const none = await cli("sample", empty);
  assert.equal(none.code, 1);
  assert.match(none.err, /empty-run is a directory, not a checkpoint, and holds no best\.safetensors; give a \.safetensors file/);
  // a text file given as a checkpoint says it is text, in one line (not "header length 7584941881947220294")
  const txt = await cli("sample", aPath);
  assert.equal(txt.code, 1);
  assert.match(txt.err, /a\.txt is not a readable checkpoint: not a safetensors file: it is text, beginning "/);
  assert.doesNotMatch(txt.err, /header length/);
  assert.equal(txt.err.trim().split("\n").length, 1, txt.err);
});

test("a --unknown skip fine-tune: the skip is part of the run, so its printed sample and resume commands work when pasted", { timeout: 120_000 }, async () => {
  const t = await cli("train", aPath, ...small, "--max-steps", "6", "--eval-every", "0", "--out", join(dir, "skip-base"));
  assert.equal(t.code, 0, t.err);
  const bPath = join(dir, "new.txt");
  writeFileSync(bPath, text.replace(/a/g, "ä").replace(/e/g, "é"));   // characters the model never saw
  const cwd = dir;
  const ft = await cli("train", bPath, "--init-from", join(dir, "skip-base", "last.safetensors"), "--unknown", "skip", ...small,
                       "--max-steps", "4", "--eval-every", "0", "--out", join(dir, "o2"));
  assert.equal(ft.code, 0, ft.err);
  assert.match(ft.out, /settings from your flags|settings from the checkpoint's own run/);
  const { sample, resume } = printedCommands(ft.out);
  assert.match(resume, /--resume .*o2\/last\.safetensors --max-steps 8$/);
  for (const cmd of [sample.replace("--length 500", "--length 5"), `${resume} --backend js`]) {
    const out = execFileSync("sh", ["-c", `"${process.execPath}" "${BIN}" ${cmd}`], { cwd, encoding: "utf8", timeout: 60_000 });
    assert.ok(out.length > 0, cmd);
  }
  assert.equal(step(join(dir, "o2", "last.safetensors")), 8, "the pasted resume trained on");
  // giving --unknown skip again on the resume is accepted too (it is what the run does)
  const again = await cli("train", bPath, "--resume", join(dir, "o2", "last.safetensors"), "--unknown", "skip", ...small, "--max-steps", "9", "--eval-every", "0");
  assert.equal(again.code, 0, again.err);
  assert.doesNotMatch(again.err, /ignored/);
});

test("--init-from says where its settings come from, and warns once when validation keeps rising while training falls", { timeout: 60_000 }, async () => {
  const pat = join(dir, "pattern.txt");
  // the training part is one pattern, the validation part its reverse: memorising the one hurts the other
  writeFileSync(pat, "aced".repeat(450) + "deca".repeat(50));
  const ft = await cli("train", pat, "--init-from", base, "--max-steps", "60", "--lr", "0.03", "--eval-every", "10", "--val-frac", "0.1", "--test-frac", "0",
                       "--backend", "js", "--sample-every", "0", "--out", join(dir, "overfit"));
  assert.equal(ft.code, 0, ft.err);
  assert.match(ft.out, /settings from the checkpoint's own run \(what trained this model; flags you give win\)/);
  assert.match(ft.out, /batch 4 × seq 16, adam lr 0\.03/, "batch and window from the checkpoint's run, --lr given");
  const warnings = ft.out.split("\n").filter((l) => l.startsWith("warning: validation has risen"));
  assert.equal(warnings.length, 1, ft.out);
  assert.match(warnings[0], /--patience 3 stops a run when this happens/);
  // with --patience there is nothing to warn about: the run stops itself
  const p = await cli("train", pat, "--init-from", base, "--max-steps", "60", "--lr", "0.03", "--eval-every", "10", "--val-frac", "0.1", "--test-frac", "0",
                      "--backend", "js", "--sample-every", "0", "--patience", "3", "--out", join(dir, "overfit-p"));
  assert.equal(p.code, 0, p.err);
  assert.doesNotMatch(p.out, /warning: validation has risen/);
  assert.match(p.out, /patience: 3 evaluations without a new best/);
});

test("the budget a \"resume with\" line suggests: what is left after Ctrl-C, as much again after a finished run", () => {
  const cosine = { ...defaultTrain, decay: "cosine" as const, maxTime: 180, lrMin: 1e-4 };
  // Ctrl-C with a time schedule running: nothing to add, the resume continues the span
  assert.deepEqual(resumeBudget(cosine, { step: 50, seconds: 60, lrSpan: { start: 0, end: 180 } }, { reason: "stopped", seconds: 60 }),
                   { args: [], why: "continues the 2m left of its schedule; the learning rate goes on from where it is" });
  // Ctrl-C without a schedule: the time left of this invocation's budget
  assert.deepEqual(resumeBudget({ ...defaultTrain, maxTime: 600 }, { step: 5, seconds: 90 }, { reason: "stopped", seconds: 90 }).args, ["--max-time", "8m30s"]);
  assert.deepEqual(resumeBudget({ ...defaultTrain, maxSteps: 1000 }, { step: 5, seconds: 9 }, { reason: "stopped", seconds: 9 }).args, []);
  // a finished run: as much again
  assert.deepEqual(resumeBudget(cosine, { step: 500, seconds: 180 }, { reason: "max-time", seconds: 180 }).args, ["--max-time", "3m"]);
  assert.deepEqual(resumeBudget({ ...defaultTrain, maxSteps: 400 }, { step: 400, seconds: 9 }, { reason: "max-steps", seconds: 9 }).args, ["--max-steps", "800"]);
  assert.deepEqual(resumeBudget({ ...defaultTrain, epochs: 2 }, { step: 400, seconds: 9 }, { reason: "epochs", seconds: 9 }).args, ["--epochs", "4"]);
  assert.deepEqual([durationArg(5400), durationArg(61), durationArg(0.2)], ["1h30m", "1m1s", "1s"]);
});

test("train --resume continues the learning rate where it was: a new --max-time or --max-steps never goes back to the peak", { timeout: 120_000 }, async () => {
  const lrs = (out: string) => out.trim().split("\n").map((l) => JSON.parse(l)).filter((e) => e.event === "step").map((e) => e.lr as number);
  const sched = ["--decay", "cosine", "--lr", "0.01", "--lr-min", "0.001", "--eval-every", "0", "--json"];
  // a time schedule run to its end, then 2 seconds more: it goes on at the end of the schedule
  const t1 = await cli("train", aPath, ...small, ...sched, "--max-time", "2s", "--out", join(dir, "lr-time"));
  assert.equal(t1.code, 0, t1.err);
  const t2 = await cli("train", aPath, "--resume", join(dir, "lr-time", "last.safetensors"), "--max-time", "2s", "--backend", "js", "--json");
  assert.equal(t2.code, 0, t2.err);
  const [before, after] = [lrs(t1.out), lrs(t2.out)];
  assert.ok(before.length > 2 && after.length > 0);
  assert.ok(after[0] <= before.at(-1)! + 1e-12, `the first rate after the resume (${after[0]}) is not above the last before it (${before.at(-1)})`);
  assert.ok(after[0] < 0.005, `no restart at the peak 0.01: ${after[0]}`);
  // a step schedule of 100,000 steps cut short by a 1-second budget at step k, resumed with --max-steps k + 20:
  // the rate goes on from where it was (near the peak) and reaches --lr-min in those 20 steps
  const s1 = await cli("train", aPath, ...small, ...sched, "--max-steps", "100000", "--max-time", "1s", "--out", join(dir, "lr-steps"));
  assert.equal(s1.code, 0, s1.err);
  const k = step(join(dir, "lr-steps", "last.safetensors"))!;
  const s2 = await cli("train", aPath, "--resume", join(dir, "lr-steps", "last.safetensors"), "--max-steps", String(k + 20), "--backend", "js", "--json");
  assert.equal(s2.code, 0, s2.err);
  const [b, a] = [lrs(s1.out), lrs(s2.out)];
  assert.equal(a.length, 20);
  assert.ok(Math.abs(a[0] - b.at(-1)!) < 1e-6 && a[0] <= b.at(-1)!, `continues at ${b.at(-1)}, got ${a[0]}`);
  for (let i = 1; i < a.length; i++) assert.ok(a[i] <= a[i - 1] + 1e-15);
  assert.ok(Math.abs(a.at(-1)! - 0.001) < 1e-4, `ends near --lr-min: ${a.at(-1)}`);
});
