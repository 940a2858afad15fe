// The code corpus for `bench:quality --text`: which files go in, in what order, up to what size.

import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { codeCorpus, isHandWritten, MAX_LINE, MIN_CHARS, sourceFiles } from "./code_corpus.js";

const src = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `def f_${tag}_${i}(x):\n    return x + ${i}\n`).join("");

test("isHandWritten: long enough, no line over MAX_LINE characters, almost all ASCII", () => {
  assert.equal(isHandWritten(src(20, "a")), true);
  assert.equal(isHandWritten("x = 1\n"), false, "shorter than MIN_CHARS");
  assert.equal(isHandWritten(src(20, "a") + "x".repeat(MAX_LINE + 1) + "\n"), false, "a minified or generated line");
  assert.equal(isHandWritten(src(20, "a") + "y".repeat(MAX_LINE) + "\n"), true, "a line of exactly MAX_LINE");
  const body = src(40, "u");
  assert.equal(isHandWritten(body + "# \u00e9\n"), true, "one accented letter in a comment");
  assert.equal(isHandWritten(body + "\u00e9".repeat(Math.ceil(body.length / 500))), false, "a data table of non-ASCII text");
  assert.ok(MIN_CHARS > 0);
});

test("codeCorpus: each distinct hand-written file once, in SHA-1 order, joined by blank lines, cut after the file that crosses the size", () => {
  const a = src(10, "a"), b = src(12, "b"), c = src(14, "c");
  const files = [{ path: "p/a.py", text: a }, { path: "q/a.py", text: a }, { path: "b.py", text: b }, { path: "tiny.py", text: "x = 1\n" }, { path: "c.py", text: c }];
  const all = codeCorpus(files, Infinity);
  assert.equal(all.files, 3, "the copy of a and the tiny file are left out");
  const bySha = [a, b, c].sort((x, y) => (createHash("sha1").update(x).digest("hex") < createHash("sha1").update(y).digest("hex") ? -1 : 1));
  assert.equal(all.text, bySha.join("\n"));
  // the order does not depend on the order the files were found in
  assert.equal(codeCorpus([...files].reverse(), Infinity).text, all.text);
  // a size inside the first file keeps just that file; one past it takes the next whole file too
  assert.deepEqual(codeCorpus(files, 10), { text: bySha[0], files: 1 });
  assert.equal(codeCorpus(files, bySha[0]!.length + 2).text, bySha.slice(0, 2).join("\n"));
});

test("sourceFiles: every file with the extension under the directory, depth first in name order", () => {
  const dir = mkdtempSync(join(tmpdir(), "char-lstm-corpus-"));
  try {
    mkdirSync(join(dir, "pkg", "sub"), { recursive: true });
    writeFileSync(join(dir, "z.py"), "z");
    writeFileSync(join(dir, "pkg", "sub", "m.py"), "m");
    writeFileSync(join(dir, "pkg", "a.py"), "a");
    writeFileSync(join(dir, "pkg", "notes.txt"), "n");
    writeFileSync(join(dir, "pkg", "b.pyc"), "c");
    assert.deepEqual([...sourceFiles(dir, "py")].map((f) => f.text), ["a", "m", "z"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the script writes FILE and FILE.about (how it was made); a missing --out is one usage line and exit 2", () => {
  const script = fileURLToPath(new URL("./code_corpus.js", import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), "char-lstm-corpus-"));
  try {
    mkdirSync(join(dir, "src"));
    writeFileSync(join(dir, "src", "a.py"), src(10, "a"));
    writeFileSync(join(dir, "src", "b.py"), src(10, "b"));
    const out = join(dir, "code.txt");
    execFileSync(process.execPath, [script, "--out", out, "--chars", "100", join(dir, "src")]);
    assert.equal(readFileSync(out, "utf8"), codeCorpus([{ path: "a", text: src(10, "a") }, { path: "b", text: src(10, "b") }], 100).text);
    assert.equal(readFileSync(`${out}.about`, "utf8"), `made by \`npm run bench:corpus -- --out ${out} --chars 100 ${join(dir, "src")}\`: 1 distinct hand-written .py file\n`);
    assert.equal(existsSync(`${out}.partial`), false);
    const bad = spawnSync(process.execPath, [script, join(dir, "src")], { encoding: "utf8" });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^bench:corpus: usage: npm run bench:corpus -- --out FILE/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
