// Several inputs of a corpus: files, directories (recursive, sorted, binary and empty files skipped with a line each),
// glob patterns expanded by char-lstm itself, read as one corpus with a document separator; a resume checks
// the set of files; eval --text takes several the same way. Through the real CLI, plus the glob matcher.

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { cli } from "./harness.js";
import { expandGlob, resolveInputs, segmentRegex } from "../src/io/inputs.js";

const root = mkdtempSync(join(tmpdir(), "char-lstm-inputs-"));
const words = ["the", "sea", "whale", "ship", "captain", "white", "deep", "sail"];
const prose = (seed: number, n: number) => { let s = ""; for (let i = 0; s.length < n; i++) s += words[(i * 7 + seed + (i >> 2)) % words.length] + (i % 9 === 8 ? ".\n" : " "); return s; };
const put = (rel: string, data: string | Uint8Array) => { const p = join(root, rel); mkdirSync(join(p, ".."), { recursive: true }); writeFileSync(p, data); return p; };
const texts: Record<string, string> = {
  "corpus/a.txt": prose(1, 3000),
  "corpus/sub/b.txt": prose(2, 2500),
  "corpus/sub/c.md": "# notes\n" + prose(3, 2000),
  "extra/x.txt": prose(4, 2000),
};
for (const [k, v] of Object.entries(texts)) put(k, v);
put("corpus/bin.dat", new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 13, 1, 2, 3]));
put("corpus/latin1.txt", new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x20, 0x6e]));
put("corpus/empty.txt", "");
put("corpus/.hidden.txt", "hidden");
put("extra/y.log", prose(5, 500));
symlinkSync(join(root, "corpus"), join(root, "corpus/sub/loop"));   // a link back up: never followed

const small = ["--layers", "1", "--hidden", "16", "--seq", "16", "--batch", "4", "--sample-every", "0", "--backend", "js", "--eval-every", "0"];

test("glob segments: *, ?, [..], no leading dot", () => {
  assert.ok(segmentRegex("*.txt").test("a.txt"));
  assert.ok(!segmentRegex("*.txt").test(".a.txt"));
  assert.ok(segmentRegex(".*").test(".a"));
  assert.ok(!segmentRegex("*.txt").test("a.txt.bak"));
  assert.ok(segmentRegex("?.md").test("c.md") && !segmentRegex("?.md").test("cc.md"));
  assert.ok(segmentRegex("[ab].txt").test("b.txt") && !segmentRegex("[ab].txt").test("c.txt"));
  assert.ok(segmentRegex("[!ab].txt").test("c.txt") && !segmentRegex("[!ab].txt").test("a.txt"));
  assert.ok(segmentRegex("[a-c]*").test("both") && !segmentRegex("[a-c]*").test("dog"));
  assert.ok(segmentRegex("a+b(1).txt").test("a+b(1).txt"), "regex characters are literal");
});

test("expandGlob: ** spans zero or more directories, sorted, hidden entries and directory links skipped", () => {
  const rel = (l: string[]) => l.map((p) => relative(root, p));
  assert.deepEqual(rel(expandGlob(join(root, "corpus/**/*.txt"))), ["corpus/a.txt", "corpus/empty.txt", "corpus/latin1.txt", "corpus/sub/b.txt"]);
  assert.deepEqual(rel(expandGlob(join(root, "*/*.txt"))), ["corpus/a.txt", "corpus/empty.txt", "corpus/latin1.txt", "extra/x.txt"]);
  assert.deepEqual(rel(expandGlob(join(root, "corpus/sub/?.*"))), ["corpus/sub/b.txt", "corpus/sub/c.md"]);
  assert.deepEqual(rel(expandGlob(join(root, "corpus/**"))), ["corpus/a.txt", "corpus/bin.dat", "corpus/empty.txt", "corpus/latin1.txt", "corpus/sub/b.txt", "corpus/sub/c.md"]);
  assert.deepEqual(expandGlob(join(root, "nothere/*.txt")), []);
  const r = resolveInputs([join(root, "corpus"), join(root, "corpus/a.txt")]);
  assert.deepEqual(rel(r.files), ["corpus/a.txt", "corpus/sub/b.txt", "corpus/sub/c.md"], "a file met twice is read once");
  assert.deepEqual(r.skipped.map((s) => [relative(root, s.path), s.why]), [["corpus/bin.dat", "binary"], ["corpus/empty.txt", "empty"], ["corpus/latin1.txt", "binary"]]);
});

test("train on a directory and a quoted pattern: one corpus, separators, binary files skipped; resume checks the files; eval", { timeout: 120_000 }, async () => {
  const run = join(root, "run");
  const corpus = join(root, "corpus"), pattern = join(root, "extra", "*.txt");
  const r = await cli("train", corpus, pattern, ...small, "--max-steps", "6", "--out", run, "--seed", "2");
  assert.equal(r.code, 0, r.err);
  const order = ["corpus/a.txt", "corpus/sub/b.txt", "corpus/sub/c.md", "extra/x.txt"];
  const expected = order.map((k) => texts[k]).join("\n\n");
  const skipLines = r.err.trim().split("\n").filter((l) => l.includes("skipping"));
  assert.deepEqual(skipLines, [`char-lstm: skipping ${join(corpus, "bin.dat")} (binary)`, `char-lstm: skipping ${join(corpus, "empty.txt")} (empty)`, `char-lstm: skipping ${join(corpus, "latin1.txt")} (binary)`]);
  const total = order.reduce((a, k) => a + texts[k].length, 0);
  assert.ok(r.out.includes(`4 files (3 skipped), ${total.toLocaleString("en-US")} characters, separated by "\\n\\n"`), r.out);
  assert.ok(r.out.includes(`text ${expected.length.toLocaleString("en-US")} chars`), r.out);
  // the token file is exactly the files in order with a blank line between them
  const meta = JSON.parse(readFileSync(join(run, "tokens.json"), "utf8"));
  assert.deepEqual(meta.documents.map((d: { path: string }) => relative(root, d.path)), order);
  assert.deepEqual(meta.documents.map((d: { chars: number }) => d.chars), order.map((k) => texts[k].length));
  const ids = readFileSync(join(run, "tokens.bin"));
  assert.equal(meta.dtype, "u8");
  assert.equal([...ids].map((i) => meta.vocab[i]).join(""), expected);

  // a resume reads the same files; dropping one is refused naming it, before anything is written
  const ok = await cli("train", corpus, pattern, "--resume", join(run, "last.safetensors"), "--max-steps", "8", "--backend", "js");
  assert.equal(ok.code, 0, ok.err);
  const bad = await cli("train", corpus, "--resume", join(run, "last.safetensors"), "--max-steps", "10", "--backend", "js");
  assert.equal(bad.code, 1);
  assert.match(bad.err, /was trained on 4 files, this run reads 3 \(x\.txt is missing\); resume with the same files/);
  assert.equal(readFileSync(join(run, "tokens.bin")).length, ids.length);

  // eval --text takes the same kind of list (the shell's expansion leaves the extra files as arguments)
  const ev = await cli("eval", join(run, "last.safetensors"), "--text", join(corpus, "a.txt"), join(corpus, "sub"), "--json", "--backend", "js");
  assert.equal(ev.code, 0, ev.err);
  const res = JSON.parse(ev.out);
  assert.equal(res.files, 3);
  assert.equal(res.chars, texts["corpus/a.txt"].length + 2 + texts["corpus/sub/b.txt"].length + 2 + texts["corpus/sub/c.md"].length - 1);

  // --doc-sep with escapes
  const sepRun = join(root, "run-sep");
  const s = await cli("train", join(root, "corpus/a.txt"), join(root, "extra/x.txt"), ...small, "--max-steps", "2", "--out", sepRun, "--doc-sep", "\\n=====\\n");
  assert.equal(s.code, 0, s.err);
  const m2 = JSON.parse(readFileSync(join(sepRun, "tokens.json"), "utf8"));
  assert.equal([...readFileSync(join(sepRun, "tokens.bin"))].map((i) => m2.vocab[i]).join(""), texts["corpus/a.txt"] + "\n=====\n" + texts["extra/x.txt"]);
});

test("several inputs: refusals name the input", { timeout: 60_000 }, async () => {
  const none = await cli("train", join(root, "corpus", "*.none"), ...small, "--max-steps", "2", "--out", join(root, "r1"));
  assert.equal(none.code, 1);
  assert.match(none.err, /\*\.none matches no files; check the pattern \(quote it/);
  const named = await cli("train", join(root, "corpus/a.txt"), join(root, "corpus/bin.dat"), ...small, "--max-steps", "2", "--out", join(root, "r2"));
  assert.equal(named.code, 1);
  assert.match(named.err, /bin\.dat (contains NUL characters|is not valid UTF-8)/);
  mkdirSync(join(root, "only-binary"));
  writeFileSync(join(root, "only-binary", "x.bin"), new Uint8Array([0, 1, 2]));
  const onlyBin = await cli("train", join(root, "only-binary"), ...small, "--max-steps", "2", "--out", join(root, "r3"));
  assert.equal(onlyBin.code, 1);
  assert.match(onlyBin.err, /no text files to read: 1 file skipped \(.*x\.bin: binary\)/);
  const missing = await cli("eval", join(root, "run", "last.safetensors"), "--text", join(root, "corpus/a.txt"), join(root, "nope.txt"));
  assert.equal(missing.code, 1);
  assert.match(missing.err, /nope\.txt: no such file/);
  for (const r of [none, named, onlyBin, missing]) assert.equal(r.err.trim().split("\n").filter((l) => !l.includes("skipping")).length, 1, r.err);
});
