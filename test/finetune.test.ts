// Fine-tuning through the real CLI: `train NEW --init-from CKPT` starts a new run from a checkpoint's
// weights; characters of the new text outside its vocabulary are an error naming them, dropped
// (--unknown skip) or added (--extend-vocab: new input columns and output rows initialised as a fresh
// model's, the old ones bit-identical); the extended checkpoint samples the new characters, resumes,
// evaluates, and loads in python/ (PyTorch) with the same held-out loss.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { cli } from "./harness.js";
import { decodeCheckpoint } from "../src/checkpoint.js";
import { jsKernels } from "../src/kernels/js/index.js";
import { CharLSTM } from "../src/model.js";
import { Rng } from "../src/rng.js";
import { Vocab } from "../src/data/vocab.js";
import { fineTuneModel } from "../src/finetune.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const PY = "/usr/bin/python3";
const dir = mkdtempSync(join(tmpdir(), "char-lstm-finetune-"));
const words = ["the", "sea", "whale", "ship", "captain", "white", "deep", "sail"];
let a = "";
for (let i = 0; a.length < 8000; i++) a += words[(i * 7 + (i >> 2)) % words.length] + (i % 9 === 8 ? ".\n" : " ");
// the new text: the same words and new ones full of characters the first text never had
const newWords = ["cané", "Ωhale", "staße", "née", "the", "sea", "Ωhip", "ßé"];
let b = "";
for (let i = 0; b.length < 8000; i++) b += newWords[(i * 5 + (i >> 3)) % newWords.length] + (i % 7 === 6 ? ".\n" : " ");
const aPath = join(dir, "a.txt"), bPath = join(dir, "b.txt");
writeFileSync(aPath, a);
writeFileSync(bPath, b);
const NEW = ["ß", "é", "Ω"];   // sorted by code point: U+00DF, U+00E9, U+03A9

const small = ["--sample-every", "0", "--backend", "js", "--seq", "16", "--batch", "4"];
// an update far below one ulp of every weight: the tensors come out of a step bit-identical
const still = ["--optimizer", "sgd", "--momentum", "0", "--lr", "1e-30", "--clip", "0", "--max-steps", "2", "--eval-every", "0"];
const load = (p: string) => decodeCheckpoint(readFileSync(p), jsKernels("f32"), p);
const tensor = (ck: ReturnType<typeof load>, name: string) => {
  const s = ck.model.specs.find((x) => x.name === name)!;
  return ck.model.params.subarray(s.offset, s.offset + s.size);
};
const base = join(dir, "base");
let baseReady: Promise<void> | null = null;
const trainBase = () => (baseReady ??= (async () => {
  const r = await cli("train", aPath, ...small, "--layers", "2", "--hidden", "16", "--max-steps", "30", "--eval-every", "15", "--seed", "4", "--out", base);
  assert.equal(r.code, 0, r.err);
})());

test("fineTuneModel: old slots copied bit for bit, new slots as a fresh model's init", () => {
  const k = jsKernels("f32"), vocab = new Vocab(["a", "b", "c"]);
  const old = new CharLSTM({ vocabSize: 3, hidden: 8, layers: 2, dropout: 0 }, k, new Rng(1));
  const ft = fineTuneModel(old, vocab, ["z", "b", "y"], new Rng(9));
  assert.deepEqual(ft.vocab.chars, ["a", "b", "c", "y", "z"]);
  assert.deepEqual(ft.added, ["y", "z"]);
  const fresh = new CharLSTM({ vocabSize: 5, hidden: 8, layers: 2, dropout: 0 }, k, new Rng(9));
  const view = (m: CharLSTM, n: string) => { const s = m.specs.find((x) => x.name === n)!; return m.params.subarray(s.offset, s.offset + s.size); };
  for (const s of old.specs) {
    const o = view(old, s.name), n = view(ft.model, s.name), f = view(fresh, s.name);
    if (s.name === "lstm.weight_ih_l0") {
      for (let r = 0; r < 32; r++) for (let c = 0; c < 5; c++) assert.equal(n[r * 5 + c], c < 3 ? o[r * 3 + c] : f[r * 5 + c], `${s.name}[${r},${c}]`);
    } else if (s.name.startsWith("head.")) {
      const cut = o.length;
      assert.deepEqual(Array.from(n.subarray(0, cut)), Array.from(o), s.name);
      assert.deepEqual(Array.from(n.subarray(cut)), Array.from(f.subarray(cut)), `${s.name}: new rows`);
    } else assert.deepEqual(Array.from(n), Array.from(o), s.name);
  }
});

test("--init-from: new characters are an error naming them; --unknown skip drops them; a fresh run from the weights", { timeout: 120_000 }, async () => {
  await trainBase();
  const baseCk = load(join(base, "last.safetensors"));
  const refused = await cli("train", bPath, "--init-from", join(base, "last.safetensors"), ...small, ...still, "--out", join(dir, "refused"));
  assert.equal(refused.code, 1);
  assert.equal(refused.err.trim().split("\n").length, 1, refused.err);
  assert.match(refused.err, /3 characters of the text are not in .*last\.safetensors's vocabulary: "ß", "é", "Ω"; use --unknown skip to drop them or --extend-vocab to add them/);

  const run = join(dir, "skip");
  const r = await cli("train", bPath, "--init-from", join(base, "last.safetensors"), "--unknown", "skip", ...small, ...still, "--out", run);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /fine-tuning .*last\.safetensors \(2×16, step 30, best [\d.]+ bits\/char\): its weights; a fresh optimizer, step counter, data cursor and history/);
  assert.match(r.out, /vocabulary: kept its \d+ characters; dropping 3 the text has beyond it \(--unknown skip\): "ß", "é", "Ω"/);
  const ck = load(join(run, "last.safetensors"));
  assert.deepEqual(ck.vocab.chars, baseCk.vocab.chars);
  assert.equal(ck.state!.step, 2, "a fresh step counter");
  assert.equal(ck.state!.history.length, 1, "a fresh history");
  assert.equal(ck.train!.optimizer, "sgd", "the run's own training config, not the checkpoint's");
  for (const s of baseCk.model.specs) assert.deepEqual(Array.from(tensor(ck, s.name)), Array.from(tensor(baseCk, s.name)), `${s.name} starts from the checkpoint`);
  const meta = JSON.parse(readFileSync(join(run, "tokens.json"), "utf8"));
  assert.equal([...readFileSync(join(run, "tokens.bin"))].map((i) => meta.vocab[i]).join(""), [...b].filter((c) => !NEW.includes(c)).join(""));
});

test("--extend-vocab: old rows bit-identical, new ones a fresh init; the model learns and samples the new characters; python/ loads it", { timeout: 180_000 }, async (t) => {
  await trainBase();
  const baseCk = load(join(base, "last.safetensors"));
  const V = baseCk.vocab.size, H = 16;
  const run = join(dir, "ext0");
  const r = await cli("train", bPath, "--init-from", join(base, "last.safetensors"), "--extend-vocab", ...small, ...still, "--seed", "11", "--out", run);
  assert.equal(r.code, 0, r.err);
  assert.ok(r.out.includes(`vocabulary: kept its ${V} characters, added 3 (ids ${V}..${V + 2}): "ß", "é", "Ω"`), r.out);
  const ck = load(join(run, "last.safetensors"));
  assert.deepEqual(ck.vocab.chars, [...baseCk.vocab.chars, ...NEW], "old ids kept, new characters appended");
  const fresh = new CharLSTM({ vocabSize: V + 3, hidden: H, layers: 2, dropout: 0 }, jsKernels("f32"), new Rng(11));
  const freshT = (n: string) => { const s = fresh.specs.find((x) => x.name === n)!; return fresh.params.subarray(s.offset, s.offset + s.size); };
  const wOld = tensor(baseCk, "lstm.weight_ih_l0"), wNew = tensor(ck, "lstm.weight_ih_l0"), wFresh = freshT("lstm.weight_ih_l0");
  for (let row = 0; row < 4 * H; row++) {
    for (let c = 0; c < V + 3; c++) {
      const want = c < V ? wOld[row * V + c] : wFresh[row * (V + 3) + c];
      assert.ok(Object.is(wNew[row * (V + 3) + c], want), `weight_ih_l0[${row},${c}]`);
    }
  }
  for (const name of ["head.weight", "head.bias"]) {
    const o = tensor(baseCk, name), n = tensor(ck, name), f = freshT(name);
    assert.deepEqual(Array.from(n.subarray(0, o.length)), Array.from(o), `${name}: old rows bit-identical`);
    assert.deepEqual(Array.from(n.subarray(o.length)), Array.from(f.subarray(o.length)), `${name}: new rows as a fresh model's`);
    assert.ok(Array.from(n.subarray(o.length)).some((v) => v !== 0) && Array.from(n.subarray(o.length)).every((v) => Math.abs(v) <= 1 / Math.sqrt(H)));
  }
  for (const s of baseCk.model.specs.filter((x) => !["lstm.weight_ih_l0", "head.weight", "head.bias"].includes(x.name))) {
    assert.deepEqual(Array.from(tensor(ck, s.name)), Array.from(tensor(baseCk, s.name)), s.name);
  }

  // real fine-tuning: the new characters are learnt and sampled; every other command takes the checkpoint
  const learn = join(dir, "ext");
  const l = await cli("train", bPath, "--init-from", join(base, "last.safetensors"), "--extend-vocab", ...small, "--lr", "0.01", "--max-steps", "150", "--eval-every", "50", "--out", learn);
  assert.equal(l.code, 0, l.err);
  const ckPath = join(learn, "last.safetensors");
  const s = await cli("sample", ckPath, "--length", "1000", "--seed", "5", "--temperature", "0.9", "--backend", "js");
  assert.equal(s.code, 0, s.err);
  for (const ch of NEW) assert.ok(s.out.includes(ch), `the sample has ${ch}: ${s.out.slice(0, 200)}`);
  const ins = JSON.parse((await cli("inspect", ckPath, "--json")).out);
  assert.equal(ins.vocab_size, V + 3);
  assert.equal(ins.vocab, [...baseCk.vocab.chars, ...NEW].join(""));
  const res = await cli("train", bPath, "--resume", ckPath, "--max-steps", "160", "--backend", "js");
  assert.equal(res.code, 0, res.err);
  const ev = await cli("eval", ckPath, "--text", bPath, "--json", "--backend", "js");
  assert.equal(ev.code, 0, ev.err);
  const ours = JSON.parse(ev.out);

  const probe = spawnSync(PY, ["-c", "import torch"], { encoding: "utf8" });
  if (probe.status !== 0) {
    if (process.env.CI) assert.fail(`PyTorch is required under CI (${PY} cannot import torch)`);
    t.skip(`${PY} cannot import torch; skipping the python/ leg`);
    return;
  }
  const py = (args: string[]) => new Promise<string>((resolve, reject) => {
    execFile(PY, args, { cwd: ROOT, env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1" }, timeout: 120_000 }, (err, out, errOut) => (err ? reject(new Error(`${err.message}\n${errOut}`)) : resolve(out)));
  });
  const theirs = JSON.parse(await py([join(ROOT, "python", "evaluate.py"), "--ckpt", ckPath, "--text", bPath, "--json"]));
  assert.equal(theirs.chars, ours.chars);
  assert.ok(Math.abs(theirs.nats - ours.nats) < 1e-4, `char-lstm ${ours.nats} vs python ${theirs.nats}`);
  // the run's token file (extended vocabulary, not sorted) reads in python/ too
  const split = JSON.parse(await py([join(ROOT, "python", "evaluate.py"), "--ckpt", ckPath, "--tokens", learn, "--split", "val", "--json"]));
  assert.ok(split.chars > 0 && Number.isFinite(split.nats));
});

test("--init-from refusals: with --resume, a conflicting shape, flags without it, skip with extend", { timeout: 60_000 }, async () => {
  await trainBase();
  const ck = join(base, "last.safetensors");
  const cases: [string[], RegExp][] = [
    [["--init-from", ck, "--resume", ck], /give --resume .* or --init-from .*, not both/],
    [["--init-from", ck, "--hidden", "32"], /--hidden 32 conflicts with --init-from: .* is a 2×16 model/],
    [["--extend-vocab"], /--extend-vocab applies to fine-tuning: add --init-from CKPT/],
    [["--unknown", "skip"], /--unknown applies to fine-tuning/],
    [["--init-from", ck, "--extend-vocab", "--unknown", "skip"], /--extend-vocab adds the new characters, --unknown skip drops them: give one/],
  ];
  for (const [args, re] of cases) {
    const r = await cli("train", bPath, ...small, "--max-steps", "2", "--out", join(dir, "refusal"), ...args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.err}`);
    assert.match(r.err, re);
    assert.equal(r.err.trim().split("\n").length, 1);
  }
});
