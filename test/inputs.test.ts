// Inputs that must not hang, grow memory or give a confusing message (docs/reliability.md, issue "never lose
// a run, round two", findings 10 and 11 and the smaller items): non-regular files (a FIFO, /dev/stdin,
// /dev/zero), NUL-only text, oversized primes, hand-edited training state, a crafted tensor shape, and the
// flag and environment mistakes of the bad-input matrix. Children run under a kill timer (a hang fails here).

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cli } from "./harness.js";
import { oneLine, runBounded } from "./bounded.js";
import { decodeSafetensors, encodeSafetensors, type Tensor } from "../src/safetensors.js";

const dir = mkdtempSync(join(tmpdir(), "char-lstm-inputs-"));
const textPath = join(dir, "text.txt");
let text = "";
for (let i = 0; text.length < 20000; i++) text += ["call me ishmael", "the whale", "a ship at sea", "white and deep"][(i * 5 + (i >> 2)) % 4] + (i % 7 === 6 ? ".\n" : ", ");
writeFileSync(textPath, text);
const run = join(dir, "run");
const model = ["--layers", "1", "--hidden", "16", "--seq", "16", "--batch", "4", "--sample-every", "0", "--backend", "js"];
const ready = cli("train", textPath, ...model, "--max-steps", "3", "--eval-every", "0", "--out", run).then((r) => assert.equal(r.code, 0, r.err));
const last = join(run, "last.safetensors");
const f = (name: string, data: string | Uint8Array) => { const p = join(dir, name); writeFileSync(p, data); return p; };

test("finding 10: a FIFO, /dev/stdin, /dev/zero are refused at once by train, inspect, sample --prime-file and eval", async () => {
  await ready;
  const fifo = join(dir, "fifo");
  execFileSync("mkfifo", [fifo]);
  const inputs: [string, string][] = [["a FIFO", fifo], ["/dev/zero", "/dev/zero"], ["/dev/stdin (a pipe)", "/dev/stdin"]];
  const commands = (p: string): string[][] => [
    ["train", p, ...model, "--max-steps", "2", "--out", join(dir, "never")],
    ["inspect", p],
    ["sample", last, "--prime-file", p, "--backend", "js"],
    ["eval", last, "--text", p, "--backend", "js"],
    ["eval", last, "--text", p, "--unknown", "skip", "--backend", "js"],
  ];
  const runs = inputs.flatMap(([what, p]) => commands(p).map(async (args) => {
    // stdin stays open and silent (node makes it a socket pair; a shell's | a FIFO, the first case): reading
    // it would block for ever
    const r = await runBounded(args, { timeoutMs: 30_000, stdio: ["pipe", "pipe", "pipe"] });
    const label = `${args[0]} ${args.includes("skip") ? "(--unknown skip) " : ""}on ${what}`;
    assert.equal(r.timedOut, false, `${label}: hung`);
    assert.equal(r.code, 1, `${label}: ${r.err}`);
    assert.match(r.err, /is a (pipe \(FIFO\)|character device|socket), not a regular file: .*save the data to a file first/, label);
    assert.ok(oneLine(r.err), `${label}: one line: ${r.err}`);
  }));
  await Promise.all(runs);
  assert.equal(existsSync(join(dir, "never")), false, "a refused train leaves no run directory");
});

test("finding 10: NUL-only text fails at its first chunk; a prime file is capped; /proc/self/mem is a real message", async () => {
  await ready;
  const zeros = f("zeros.txt", new Uint8Array(8 << 20));
  for (const args of [["train", zeros, ...model, "--max-steps", "2", "--out", join(dir, "zeros-run")], ["eval", last, "--text", zeros, "--unknown", "skip", "--backend", "js"]]) {
    const r = await runBounded(args, { timeoutMs: 30_000 });
    assert.equal(r.timedOut, false);
    assert.equal(r.code, 1, r.err);
    assert.match(r.err, /contains NUL characters \(first at character 0\): it looks like a binary file/);
    assert.ok(oneLine(r.err), r.err);
  }
  const hugePrime = f("prime.txt", "the whale ".repeat(120_000));
  const p = await cli("sample", last, "--prime-file", hugePrime, "--backend", "js");
  assert.equal(p.code, 1);
  assert.match(p.err, /prime\.txt is over 1\.0 MiB, the limit for a --prime-file; keep its last part/);
  if (existsSync("/proc/self/mem")) {
    const m = await runBounded(["inspect", "/proc/self/mem"], { timeoutMs: 30_000 });
    assert.equal(m.code, 1, m.err);
    assert.match(m.err, /\/proc\/self\/mem: input\/output error .*give a regular file/);
    assert.doesNotMatch(m.err, /unexpected/);
  }
});

/** `last` with its metadata edited: `edit` gets the parsed train and state and may change or delete them. */
function edited(name: string, edit: (meta: Record<string, string>, state: Record<string, unknown>, train: Record<string, unknown>) => void,
                tensorEdit?: (name: string, t: Tensor) => void): string {
  const { tensors, metadata } = decodeSafetensors(readFileSync(last));
  const meta = { ...metadata };
  const state = JSON.parse(meta.state) as Record<string, unknown>, train = JSON.parse(meta.train) as Record<string, unknown>;
  meta.state = "";
  edit(meta, state, train);
  if (meta.state === "") meta.state = JSON.stringify(state);
  if (meta.train !== undefined && meta.train === metadata.train) meta.train = JSON.stringify(train);
  const out = [...tensors].map(([n, t]): [string, Tensor] => {
    const copy = { dtype: "F32" as const, shape: t.shape, data: Float32Array.from(t.data) };
    tensorEdit?.(n, copy);
    return [n, copy];
  });
  // each in a directory of its own: a resume writes its token files beside the checkpoint
  const own = join(dir, name.replace(/\.safetensors$/, ""));
  mkdirSync(own, { recursive: true });
  const path = join(own, "last.safetensors");
  writeFileSync(path, encodeSafetensors(out, meta));
  return path;
}

test("finding 11: the training state is validated on load, each problem one line naming the field", async () => {
  await ready;
  const cases: [string, string, RegExp][] = [
    ["step a string", edited("step.safetensors", (_m, s) => { s.step = "five"; }), /state\.step must be a whole number ≥ 0, got "five"/],
    ["state empty", edited("state0.safetensors", (m) => { m.state = "{}"; }), /state\.step must be a whole number ≥ 0, got nothing/],
    ["state not an object", edited("state1.safetensors", (m) => { m.state = "[1]"; }), /"state" must be a JSON object/],
    ["state not JSON", edited("state2.safetensors", (m) => { m.state = "{step"; }), /metadata "state" is not valid JSON/],
    ["history missing", edited("hist.safetensors", (_m, s) => { delete s.history; }), /state\.history must be a list, got nothing/],
    ["history point ill-typed", edited("hist2.safetensors", (_m, s) => { s.history = [{ step: "1", train: 2 }]; }), /state\.history\[0\] must be/],
    ["rng too short", edited("rng.safetensors", (_m, s) => { s.rng = [1, 2]; }), /state\.rng must be four 32-bit unsigned integers/],
    ["window negative", edited("win.safetensors", (_m, s) => { s.window = -1; }), /state\.window must be a whole number ≥ 0, got -1/],
    ["lrScale zero", edited("lrs.safetensors", (_m, s) => { s.lrScale = 0; }), /state\.lrScale must be a number > 0/],
    ["train missing", edited("train0.safetensors", (m) => { delete m.train; }), /has no "train" metadata: the file is damaged/],
    ["train not an object", edited("train1.safetensors", (m) => { m.train = "5"; }), /"train" must be a JSON object/],
    ["train field ill-typed", edited("train2.safetensors", (_m, _s, t) => { t.batch = "4"; }), /train\.batch must be a number, got "4"/],
    ["train field out of range", edited("train3.safetensors", (_m, _s, t) => { t.seq = 0; }), /"train" is out of range \(seq must be an integer in 1\.\./],
    ["non-finite optimizer moment", edited("moment.safetensors", () => {}, (n, t) => { if (n === "optim.m.lstm.weight_hh_l0") t.data[3] = NaN; }),
      /tensor optim\.m\.lstm\.weight_hh_l0 holds non-finite values \(an optimizer moment\)/],
    ["non-finite carried state", edited("carried.safetensors", () => {}, (n, t) => { if (n === "state.c") t.data[0] = Infinity; }), /tensor state\.c holds non-finite values/],
  ];
  await Promise.all(cases.map(async ([what, path, re]) => {
    // resuming is where a bad state did harm ("step NaN/8" for ever): bounded, so a hang fails here
    const r = await runBounded(["train", textPath, "--resume", path, "--max-steps", "8", "--backend", "js"], { timeoutMs: 30_000 });
    assert.equal(r.timedOut, false, `${what}: resume ran on`);
    assert.equal(r.code, 1, `${what}: ${r.err}`);
    assert.match(r.err, re, what);
    assert.doesNotMatch(r.err, /unexpected|Cannot read properties|diverged/, what);
    assert.ok(oneLine(r.err), `${what}: one line: ${r.err}`);
  }));
  // a window beyond the epoch is only known against the text: refused by the resume, naming the field
  const far = edited("far.safetensors", (_m, s) => { s.window = 1e9; });
  const r = await runBounded(["train", textPath, "--resume", far, "--max-steps", "8", "--backend", "js"], { timeoutMs: 30_000 });
  assert.equal(r.code, 1, r.err);
  assert.match(r.err, /state\.window 1000000000 is beyond the \d+ windows of an epoch/);
  // the unedited checkpoint still resumes
  const ok = await runBounded(["train", textPath, "--resume", last, "--max-steps", "4", "--backend", "js"], { timeoutMs: 60_000 });
  assert.equal(ok.code, 0, ok.err);
});

test("a crafted checkpoint claiming a huge model is refused from its shapes before anything is allocated", async () => {
  await ready;
  const { tensors, metadata } = decodeSafetensors(readFileSync(last));
  const V = tensors.get("head.weight")!.shape[0];
  const crafted = f("crafted.safetensors", encodeSafetensors([...tensors].map(([n, t]): [string, Tensor] => (n === "head.weight"
    ? [n, { dtype: "F32", shape: [V, 20000], data: new Float32Array(V * 20000) }]
    : [n, { dtype: "F32", shape: t.shape, data: Float32Array.from(t.data) }])), metadata));
  assert.ok(readFileSync(crafted).length < 4 << 20, "the file is a few MB");
  // bounded and in a child: the old code allocated 6.4 GB here
  const r = await runBounded(["inspect", crafted], { timeoutMs: 30_000 });
  assert.equal(r.timedOut, false);
  assert.equal(r.code, 1, r.err);
  assert.match(r.err, /a 1×20000 model is beyond what char-lstm builds/);
  // within the limits, the first tensor whose shape disagrees is named (still before allocating)
  const wide = f("wide.safetensors", encodeSafetensors([...tensors].map(([n, t]): [string, Tensor] => (n === "head.weight"
    ? [n, { dtype: "F32", shape: [V, 4000], data: new Float32Array(V * 4000) }]
    : [n, { dtype: "F32", shape: t.shape, data: Float32Array.from(t.data) }])), metadata));
  const w = await runBounded(["inspect", wide], { timeoutMs: 30_000 });
  assert.equal(w.code, 1, w.err);
  assert.match(w.err, /tensor lstm\.weight_ih_l0 has shape \[64,\d+\] but a 1×4000 model with \d+ characters needs \[16000,\d+\]/);
});

test("bad-input matrix, round two: each a line naming the problem and the fix, the usage code where it is a flag", async () => {
  await ready;
  const unknownOnly = f("unknown-only.txt", "ÅÅÅ ΩΩΩ".repeat(10).replace(/ /g, "Ж"));
  const noTrain = edited("no-train.safetensors", (m) => { delete m.train; });
  const cases: [string, string[], RegExp, number][] = [
    ["--max-time 0 alone", ["train", textPath, "--max-time", "0"], /--max-time 0 leaves the run without a budget \(0 = no limit\): give a positive --max-steps/, 2],
    ["every budget 0", ["train", textPath, "--max-steps", "0", "--epochs", "0"], /--max-steps 0 with --epochs 0 leaves the run without a budget/, 2],
    ["--max-vocab 0", ["train", textPath, "--max-vocab", "0"], /--max-vocab must be at least 1, got 0/, 2],
    ["--max-vocab 0 (export-tokens)", ["export-tokens", textPath, "--out", join(dir, "x"), "--max-vocab", "0"], /--max-vocab must be at least 1, got 0/, 2],
    ["a repeated flag", ["train", textPath, "--lr", "0.1", "--lr", "0.2"], /--lr is given twice; give it once/, 2],
    ["a repeated flag, = form", ["sample", last, "--seed=1", "--seed", "2"], /--seed is given twice/, 2],
    ["hex integer", ["train", textPath, "--max-steps", "0x5"], /--max-steps expects a whole number, got "0x5" \(write it in decimal digits\)/, 2],
    ["exponent integer", ["sample", last, "--length", "1e3"], /--length expects a whole number, got "1e3" \(write it in decimal digits\)/, 2],
    ["hex number", ["train", textPath, "--lr", "0x1"], /--lr expects a number, got "0x1" \(write it in decimal digits\)/, 2],
    ["padded number", ["train", textPath, "--lr", " 0.1"], /--lr expects a number, got " 0\.1" \(write it in decimal digits\)/, 2],
    ["serve --host empty", ["serve", last, "--host", ""], /--host needs an address/, 2],
    ["eval of only unknown characters, skipped", ["eval", last, "--text", unknownOnly, "--unknown", "skip", "--backend", "js"],
      /none of the \d+ characters of .*unknown-only\.txt are in the model's vocabulary \(--unknown skip dropped them all\)/, 1],
    ["a checkpoint without its train metadata", ["sample", noTrain, "--backend", "js"], /has no "train" metadata: the file is damaged/, 1],
  ];
  for (const [what, argv, re, code] of cases) {
    const r = await cli(...argv);
    assert.equal(r.code, code, `${what}: exit ${r.code}, stderr ${r.err}`);
    assert.match(r.err, re, what);
    assert.doesNotMatch(r.err, /is empty|not valid JSON|unexpected/, what);
    assert.ok(oneLine(r.err), `${what}: one line, got ${r.err}`);
  }
  // TMPDIR missing: eval's temporary token file has nowhere to go (a real message, not "ENOENT mkdtemp")
  const t = await runBounded(["eval", last, "--text", textPath, "--backend", "js"], { timeoutMs: 30_000, env: { ...process.env, TMPDIR: join(dir, "no-such-dir") } });
  assert.equal(t.code, 1, t.err);
  assert.match(t.err, /cannot create a temporary directory in .*no-such-dir \(TMPDIR\): it does not exist; set TMPDIR to a writable directory/);
  assert.ok(oneLine(t.err), t.err);
  // decimal numbers still parse, and 0 still means "no limit" beside another budget
  mkdirSync(join(dir, "ok-run"));
  const ok = await cli("train", textPath, ...model, "--max-steps", "2", "--max-time", "0", "--lr", "+0.002", "--eval-every", "0", "--out", join(dir, "ok-run", "r"));
  assert.equal(ok.code, 0, ok.err);
});
