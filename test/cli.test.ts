// End to end through the real CLI on a small text: train → checkpoint → sample → eval → inspect → resume,
// errors and exit codes, and Ctrl-C. Commands run in-process through main(); the signal test spawns the
// real bin script.

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn } from "node:child_process";
import { BIN, cli } from "./harness.js";
import { decodeSafetensors } from "../src/safetensors.js";
import { pickRecipe } from "../src/recipe.js";

const dir = mkdtempSync(join(tmpdir(), "char-lstm-cli-"));
const textPath = join(dir, "tiny.txt");
const words = ["the", "sea", "whale", "ship", "captain", "white", "deep", "sail", "harpoon", "storm"];
let text = "";
for (let i = 0; text.length < 12000; i++) text += words[(i * 7 + (i >> 3)) % words.length] + (i % 11 === 10 ? ".\n" : " ");
writeFileSync(textPath, text);

const small = ["--layers", "2", "--hidden", "24", "--seq", "16", "--batch", "4", "--sample-every", "0", "--seed", "7"];
const paramsOf = (path: string) => {
  const { tensors } = decodeSafetensors(readFileSync(path));
  return [...tensors].filter(([n]) => !n.startsWith("optim.") && !n.startsWith("state.")).map(([n, t]) => [n, Array.from(t.data)]);
};

for (const backend of ["js", "auto"]) {
  test(`train → sample → eval → inspect → resume, bit-identical [${backend}]`, async () => {
    const runA = join(dir, `a-${backend}`), runB = join(dir, `b-${backend}`);
    const a = await cli("train", textPath, ...small, "--max-steps", "40", "--eval-every", "20", "--out", runA, "--json", "--backend", backend);
    assert.equal(a.code, 0, a.err);
    const events = a.out.trim().split("\n").map((l) => JSON.parse(l));
    // the first event names the kernel backend, and only the first
    assert.match(events[0].backend, backend === "js" ? /^js$/ : /^(native \((avx512|avx2)\)|wasm)$/);
    assert.ok(events.slice(1).every((e) => e.backend === undefined));
    const steps = events.filter((e) => e.event === "step");
    assert.equal(steps.length, 40);
    for (const key of ["step", "epoch", "loss", "bpc", "chars_per_s", "lr"]) assert.equal(typeof steps[0][key], "number", key);
    assert.ok(Math.abs(steps[0].bpc - steps[0].loss / Math.LN2) < 1e-9);
    const evals = events.filter((e) => e.event === "eval");
    assert.deepEqual(evals.map((e) => e.step), [20, 40]);
    assert.ok(evals.every((e) => typeof e.val_loss === "number" && typeof e.val_bpc === "number"));
    assert.ok(events.some((e) => e.event === "checkpoint" && e.path === join(runA, "best.safetensors")));
    const done = events.at(-1);
    assert.equal(done.event, "done");
    assert.equal(done.step, 40);
    for (const key of ["train_loss", "val_bpc", "seconds"]) assert.equal(typeof done[key], "number", key);
    assert.ok(steps[39].loss < steps[0].loss, "loss went down");

    // sample: prime echoed, same seed same text
    const s1 = await cli("sample", join(runA, "best.safetensors"), "--prime", "the ", "--length", "120", "--seed", "3", "--backend", backend);
    const s2 = await cli("sample", join(runA, "best.safetensors"), "--prime", "the ", "--length", "120", "--seed", "3", "--backend", backend);
    assert.equal(s1.code, 0, s1.err);
    assert.ok(s1.out.startsWith("the "));
    assert.equal([...s1.out].length, 4 + 120 + 1);
    assert.equal(s1.out, s2.out);

    // eval: every character but the first, bits = nats / ln 2
    const ev = await cli("eval", join(runA, "last.safetensors"), "--text", textPath, "--json", "--backend", backend);
    assert.equal(ev.code, 0, ev.err);
    const r = JSON.parse(ev.out);
    assert.equal(r.chars, text.length - 1);
    assert.ok(Math.abs(r.bpc - r.nats / Math.LN2) < 1e-12 && r.bpc > 0 && r.bpc < 6);
    // --unknown skip drops characters outside the vocabulary: the same result as the clean text
    const noisy = join(dir, `noisy-${backend}.txt`);
    writeFileSync(noisy, text.replace(/whale/g, "wh\u03a9ale"));
    const ev2 = await cli("eval", join(runA, "last.safetensors"), "--text", noisy, "--json", "--unknown", "skip", "--backend", backend);
    assert.equal(ev2.code, 0, ev2.err);
    assert.deepEqual(JSON.parse(ev2.out), r);

    const ins = JSON.parse((await cli("inspect", join(runA, "last.safetensors"), "--json")).out);
    assert.equal(ins.step, 40);
    assert.equal(ins.layers, 2);
    assert.equal(ins.hidden, 24);

    // 20 steps, then resume to 40: the same weights, bit for bit
    assert.equal((await cli("train", textPath, ...small, "--max-steps", "20", "--eval-every", "20", "--out", runB, "--json", "--backend", backend)).code, 0);
    const res = await cli("train", textPath, "--resume", join(runB, "last.safetensors"), "--max-steps", "40", "--eval-every", "20", "--json", "--backend", backend);
    assert.equal(res.code, 0, res.err);
    assert.deepEqual(paramsOf(join(runB, "last.safetensors")), paramsOf(join(runA, "last.safetensors")));
  });
}

test("errors: one line, no stack, exit code 1 for bad input and 2 for bad usage", async () => {
  const missing = await cli("train", join(dir, "nope.txt"));
  assert.equal(missing.code, 1);
  assert.match(missing.err, /^char-lstm: error: .*nope\.txt: no such file; check the path\n$/);
  const typo = await cli("train", textPath, "--hiden", "8");
  assert.equal(typo.code, 2);
  assert.match(typo.err, /unknown flag --hiden .*did you mean --hidden\?/);
  const nan = await cli("train", textPath, "--lr", "fast");
  assert.equal(nan.code, 2);
  assert.match(nan.err, /--lr expects a number, got "fast"/);
  const range = await cli("train", textPath, "--dropout", "1.5");
  assert.equal(range.code, 2);
  assert.match(range.err, /--dropout must be a number in \[0, 1\), got 1\.5/);
  const wdrop = await cli("train", textPath, "--weight-drop", "1");
  assert.equal(wdrop.code, 2);
  assert.match(wdrop.err, /--weight-drop must be a number in \[0, 1\), got 1/);
  const adamw = await cli("train", textPath, "--weight-decay", "0.1", "--optimizer", "sgd", "--max-steps", "1");
  assert.notEqual(adamw.code, 0);
  assert.match(adamw.err, /--weight-decay is AdamW's decoupled decay: it needs --optimizer adam \(got sgd\)/);
  const tiny = join(dir, "tiny2.txt");
  writeFileSync(tiny, "abc abc abc");
  const small = await cli("train", tiny, "--out", join(dir, "never"));
  assert.equal(small.code, 1);
  // a bare `train` runs npm start's 3-minute recipe, so the message names the recipe's batch and window
  const r = pickRecipe(180, 11).recipe;
  assert.match(small.err, new RegExp(`training split has \\d+ characters, but batch ${r.batch} × seq ${r.seq} needs at least ${r.batch * r.seq + 1}`));
  assert.ok(!existsSync(join(dir, "never")), "a failed start leaves no run directory behind");
  const notCkpt = await cli("sample", textPath);
  assert.equal(notCkpt.code, 1);
  assert.match(notCkpt.err, /not a readable checkpoint/);
  for (const r of [missing, typo, nan, range, small, notCkpt]) assert.equal(r.err.trim().split("\n").length, 1, r.err);
});

test("Ctrl-C (SIGINT) during training saves a loadable checkpoint and exits with 130", async () => {
  const run = join(dir, "sigint");
  const child = spawn(process.execPath, [BIN, "train", textPath, ...small, "--max-time", "5m", "--eval-every", "0",
                                         "--checkpoint-every", "0", "--out", run, "--json", "--backend", "js"], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  await new Promise<void>((resolve) => child.stdout.on("data", (d) => {
    out += d;
    if ((out.match(/"event":"step"/g) ?? []).length >= 5) resolve();
  }));
  child.kill("SIGINT");
  const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
  assert.equal(code, 130);
  const done = out.trim().split("\n").map((l) => JSON.parse(l)).at(-1);
  assert.equal(done.event, "done");
  assert.equal(done.reason, "stopped");
  const ins = await cli("inspect", join(run, "last.safetensors"), "--json");
  assert.equal(ins.code, 0);
  assert.equal(JSON.parse(ins.out).step, done.step);
  assert.deepEqual(readdirSync(run).filter((f) => f.includes(".tmp")), []);
});

test("a text whose validation split is large validates less often, says so, and a given --eval-every wins", async () => {
  // ~12,000 characters at --val-frac 0.5: a ~6,000-character split, read every 200 steps of B4 × T16 = 12,800
  // training characters, would cost about a sixth of the run; spaced to 4× the split, ~375 steps apart
  const split = Math.floor(text.length * 0.5), steps = Math.ceil((4 * split) / 64), n = (x: number) => x.toLocaleString("en-US");
  assert.ok(steps > 200);
  const run = join(dir, "spaced");
  const r = await cli("train", textPath, ...small, "--val-frac", "0.5", "--max-steps", "20", "--out", run);
  assert.equal(r.code, 0, r.err);
  assert.ok(r.out.includes(`validation every ${steps} steps (${n(steps * 64)} training characters, 4× the ${n(split)}-character validation split`), r.out);
  const meta = (p: string) => decodeSafetensors(readFileSync(join(p, "last.safetensors"))).metadata;
  assert.equal(JSON.parse(meta(run).train!).evalEvery, steps, "the spaced cadence is the run's: a resume keeps it");
  const given = join(dir, "given-cadence");
  const g = await cli("train", textPath, ...small, "--val-frac", "0.5", "--max-steps", "20", "--eval-every", "5", "--out", given);
  assert.equal(g.code, 0, g.err);
  assert.doesNotMatch(g.out, /validation every/);
  const st = JSON.parse(meta(given).state!) as { history: { val?: number }[] };
  assert.equal(st.history.filter((p) => p.val !== undefined).length, 4, "validated at steps 5, 10, 15 and 20");
});
