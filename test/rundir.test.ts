// Never lose a run: run directories through the real CLI (issue 13, findings 1-8 and the smaller items
// about train and run directories; docs/reliability.md names each test). Two processes where a finding
// needs two; every child runs under a kill timer, so a hang fails its test instead of stalling the suite.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync, execFileSync, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, ftruncateSync, lstatSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BIN, cli, printedCommands } from "./harness.js";
import { decodeCheckpoint } from "../src/checkpoint.js";
import { jsKernels } from "../src/kernels/js/index.js";
import { encodeSafetensors, safetensorsHeader, type Tensor } from "../src/safetensors.js";
import { loadCheckpointFile, openSafetensorsFile, writeSafetensorsFile } from "../src/io/checkpoint_file.js";
import { encodeTextFile, openTokens, readTokenMeta } from "../src/io/tokenfile.js";

const dir = mkdtempSync(join(tmpdir(), "char-lstm-rundir-"));
const words = (list: string[], n: number) => { let s = ""; for (let i = 0; s.length < n; i++) s += list[(i * 7 + (i >> 3)) % list.length] + (i % 11 === 10 ? ".\n" : " "); return s; };
const textA = join(dir, "a.txt"), textB = join(dir, "b.txt");
writeFileSync(textA, words(["the", "sea", "whale", "ship", "deep", "white", "sail"], 20000));
writeFileSync(textB, words(["cats", "and", "dogs", "play", "on", "grass", "quietly"], 20000));
const small = ["--layers", "1", "--hidden", "16", "--seq", "16", "--batch", "4", "--sample-every", "0", "--seed", "1", "--backend", "js"];
const small8 = small.map((a, i) => (small[i - 1] === "--hidden" ? "8" : a));

interface Run { code: number | null; signal: string | null; out: string; err: string; timedOut: boolean }

/** The real bin as a child process, killed after `timeoutMs` (then timedOut is true). */
function bin(args: string[], opts: { cwd?: string; timeoutMs?: number; onOut?(all: string, child: ChildProcess): void } = {}): Promise<Run> & { child: ChildProcess } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? dir, stdio: ["ignore", "pipe", "pipe"] });
  let out = "", err = "", timedOut = false;
  const timer = setTimeout(() => { timedOut = true; child.kill("SIGKILL"); }, opts.timeoutMs ?? 60_000);
  child.stdout!.on("data", (d) => { out += d; opts.onOut?.(out, child); });
  child.stdout!.on("error", () => { /* we closed it on purpose */ });
  child.stderr!.on("data", (d) => (err += d));
  const p = new Promise<Run>((resolve) => child.on("exit", (code, signal) => { clearTimeout(timer); resolve({ code, signal, out, err, timedOut }); }));
  return Object.assign(p, { child });
}

const oneLine = (r: { err: string }) => assert.equal(r.err.trim().split("\n").length, 1, `one line, got: ${r.err}`);
const snapshot = (d: string) => Object.fromEntries(readdirSync(d).sort().map((f) => [f, readFileSync(join(d, f)).toString("base64")]));
const stepOf = (p: string) => decodeCheckpoint(readFileSync(p), jsKernels("f32"), p).state!.step;
const exited = (child: ChildProcess) => new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.on("exit", () => r())));

test("finding 1: an --out that holds a run is refused unless --resume continues it or --overwrite replaces it; the default --out takes a suffix", { timeout: 120_000 }, async () => {
  const runB = join(dir, "f1-runB");
  const a = await bin(["train", textA, ...small, "--max-steps", "6", "--eval-every", "3", "--out", runB]);
  assert.equal(a.code, 0, a.err);
  const before = snapshot(runB);
  const b = await bin(["train", textB, ...small8, "--max-steps", "2", "--out", runB]);
  assert.equal(b.code, 1, b.err);
  assert.match(b.err, /f1-runB already holds a run \(last\.safetensors, best\.safetensors, tokens\.bin, tokens\.json, history\.svg\); continue it with --resume .*last\.safetensors, choose another --out, or replace it with --overwrite/);
  oneLine(b);
  assert.deepEqual(snapshot(runB), before, "the refused run changed nothing");
  // even the same text does not replace the better best.safetensors without being asked
  const same = await bin(["train", textA, ...small, "--max-steps", "2", "--out", runB]);
  assert.equal(same.code, 1);
  assert.deepEqual(snapshot(runB), before);
  // --overwrite says so: the directory now holds the new run, nothing of the old one
  const c = await bin(["train", textB, ...small8, "--max-steps", "2", "--out", runB, "--overwrite"]);
  assert.equal(c.code, 0, c.err);
  const ck = loadCheckpointFile(join(runB, "best.safetensors"), jsKernels("f32"));
  assert.equal(ck.model.config.hidden, 8);
  assert.equal(ck.state!.step, 2);
  assert.equal(readTokenMeta(runB).source, "b.txt");
  assert.equal(ck.corpus, readTokenMeta(runB).fingerprint);

  // the default runs/<basename>: a/notes.txt and b/notes.txt do not collide
  const cwd = join(dir, "f1-cwd");
  mkdirSync(join(cwd, "a"), { recursive: true });
  mkdirSync(join(cwd, "b"), { recursive: true });
  writeFileSync(join(cwd, "a", "notes.txt"), readFileSync(textA));
  writeFileSync(join(cwd, "b", "notes.txt"), readFileSync(textB));
  const first = await bin(["train", join("a", "notes.txt"), ...small, "--max-steps", "2"], { cwd });
  assert.equal(first.code, 0, first.err);
  const notes = snapshot(join(cwd, "runs", "notes"));
  const second = await bin(["train", join("b", "notes.txt"), ...small, "--max-steps", "2"], { cwd });
  assert.equal(second.code, 0, second.err);
  assert.match(second.err, /runs\/notes already holds a run; this one goes to runs\/notes-2/);
  assert.match(second.out, /checkpoints in runs\/notes-2\//);
  assert.deepEqual(snapshot(join(cwd, "runs", "notes")), notes, "the first run is untouched");
  assert.equal(readTokenMeta(join(cwd, "runs", "notes-2")).fingerprint, loadCheckpointFile(join(cwd, "runs", "notes-2", "last.safetensors"), jsKernels("f32")).corpus);
});

test("fine-tunes and several inputs get the same run-directory protections (refusal, --overwrite, default suffix, resume without TEXT)", { timeout: 180_000 }, async () => {
  const base = join(dir, "ft-base");
  assert.equal((await bin(["train", textA, ...small, "--max-steps", "3", "--out", base])).code, 0);
  const before = snapshot(base);
  // a fine-tune into a directory holding a run is refused like any new run, before anything is written
  const into = await bin(["train", textA, ...small, "--max-steps", "2", "--init-from", join(base, "last.safetensors"), "--out", base]);
  assert.equal(into.code, 1, into.err);
  assert.match(into.err, /ft-base already holds a run .*replace it with --overwrite/);
  oneLine(into);
  assert.deepEqual(snapshot(base), before, "the refused fine-tune changed nothing");
  // a fine-tune refused for its text (characters outside the checkpoint's vocabulary) leaves no directory behind
  const fresh = join(dir, "ft-refused");
  const bad = await bin(["train", textB, ...small, "--max-steps", "2", "--init-from", join(base, "last.safetensors"), "--out", fresh]);
  assert.equal(bad.code, 1, bad.err);
  assert.match(bad.err, /not in .*vocabulary/);
  assert.equal(existsSync(fresh), false, "the refused fine-tune left its --out behind");
  // --overwrite replaces the run with the fine-tune (fresh step counter, the base's weights)
  const over = await bin(["train", textA, ...small, "--max-steps", "2", "--init-from", join(base, "best.safetensors"), "--out", base, "--overwrite"]);
  assert.equal(over.code, 0, over.err);
  assert.match(over.out, /fine-tuning /);
  assert.equal(stepOf(join(base, "last.safetensors")), 2);
  assert.equal(readdirSync(base).filter((f) => f.includes(".tmp-") || f === ".char-lstm.lock").length, 0, "no temp files or lock left");

  // several inputs: the default runs/<name> comes from the first input's name and takes a suffix too
  const cwd = join(dir, "ft-cwd");
  mkdirSync(join(cwd, "docs"), { recursive: true });
  writeFileSync(join(cwd, "docs", "one.txt"), readFileSync(textA));
  writeFileSync(join(cwd, "docs", "two.txt"), readFileSync(textA, "utf8").slice(0, 5000));
  const first = await bin(["train", "docs", ...small, "--max-steps", "2"], { cwd });
  assert.equal(first.code, 0, first.err);
  assert.equal(readTokenMeta(join(cwd, "runs", "docs")).documents?.length, 2);
  const runDocs = snapshot(join(cwd, "runs", "docs"));
  const second = await bin(["train", "docs", ...small, "--max-steps", "2"], { cwd });
  assert.equal(second.code, 0, second.err);
  assert.match(second.err, /runs\/docs already holds a run; this one goes to runs\/docs-2/);
  assert.deepEqual(snapshot(join(cwd, "runs", "docs")), runDocs, "the first run is untouched");
  // a resume without TEXT continues a several-file run from its own token file (no files to name again)
  const res = await bin(["train", "--resume", join("runs", "docs", "last.safetensors"), "--max-steps", "4"], { cwd });
  assert.equal(res.code, 0, res.err);
  assert.match(res.out, /on the run's token file runs\/docs\/tokens\.bin \(from one\.txt and 1 more\)/);
  assert.match(res.out, /2 files, [\d,]+ characters, separated by "\\n\\n"/);
  assert.equal(stepOf(join(cwd, "runs", "docs", "last.safetensors")), 4);
  // resuming it with other files is refused before the token files are touched
  const tokens = readFileSync(join(cwd, "runs", "docs", "tokens.json"), "utf8");
  const other = await bin(["train", join("docs", "one.txt"), "--resume", join("runs", "docs", "last.safetensors"), "--max-steps", "6"], { cwd });
  assert.equal(other.code, 1, other.err);
  assert.match(other.err, /was trained on 2 files, this run reads 1/);
  assert.equal(readFileSync(join(cwd, "runs", "docs", "tokens.json"), "utf8"), tokens);
});

test("finding 2: a failed start removes only what this process created (two processes into one --out; the user's symlinks)", { timeout: 120_000 }, async () => {
  // B: a resume that encodes a large text into `shared` and then refuses it (a different text); A: a
  // short run into `shared` that starts meanwhile. Whatever the timing, A's saved run survives B's failure.
  const src = join(dir, "f2-src");
  assert.equal((await bin(["train", textA, ...small, "--max-steps", "2", "--out", src])).code, 0);
  const big = join(dir, "f2-big.txt");
  writeFileSync(big, readFileSync(textA, "utf8").replace(/whale/g, "whales").repeat(2500));   // 50 MB, the same characters
  const shared = join(dir, "f2-shared");
  const pB = bin(["train", big, "--resume", join(src, "last.safetensors"), "--out", shared, "--max-steps", "4", "--backend", "js"]);
  await new Promise((r) => setTimeout(r, 300));
  const pA = bin(["train", textA, ...small, "--max-steps", "3", "--out", shared]);
  const [rB, rA] = await Promise.all([pB, pA]);
  assert.equal(rB.code, 1, rB.err);
  assert.ok(!rB.timedOut && !rA.timedOut);
  if (rA.code === 0) {
    assert.equal(stepOf(join(shared, "last.safetensors")), 3, "A's checkpoints survive B's failed start");
    assert.equal(readTokenMeta(shared).source, "a.txt");
  } else {
    assert.match(rA.err, /in use by another char-lstm training \(pid \d+|already holds a run/, rA.err);
  }
  assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith("f2-shared")).flatMap((d) => readdirSync(join(dir, d)).filter((f) => f.includes(".tmp-") || f.endsWith(".lock"))), []);

  // the user's own symlink given as --out is never deleted, dangling or a loop
  const tiny = join(dir, "f2-tiny.txt");
  writeFileSync(tiny, "abc abc abc");
  const dangling = join(dir, "f2-dangling"), loopA = join(dir, "f2-loopA"), loopB = join(dir, "f2-loopB");
  symlinkSync(join(dir, "f2-nowhere", "x"), dangling);
  symlinkSync(loopB, loopA);
  symlinkSync(loopA, loopB);
  for (const [link, re] of [[dangling, /symbolic link to a missing directory/], [loopA, /symbolic link loop/]] as const) {
    const r = await bin(["train", tiny, "--out", link, "--max-steps", "1"]);
    assert.equal(r.code, 1, r.err);
    assert.match(r.err, re);
    oneLine(r);
    assert.ok(lstatSync(link).isSymbolicLink(), `${link} is still there`);
  }
  // a directory that existed keeps the user's files; a failed deep --out leaves none of the directories it made
  const mine = join(dir, "f2-mine");
  mkdirSync(mine);
  writeFileSync(join(mine, "notes.md"), "mine");
  const r1 = await bin(["train", tiny, "--out", mine, "--max-steps", "1"]);
  assert.equal(r1.code, 1);
  assert.deepEqual(readdirSync(mine), ["notes.md"]);
  const r2 = await bin(["train", tiny, "--out", join(dir, "f2-deep", "a", "b", "c"), "--max-steps", "1"]);
  assert.equal(r2.code, 1);
  assert.match(r2.err, /training split has 11 characters/);
  assert.ok(!existsSync(join(dir, "f2-deep")), "no f2-deep/a/b left behind");
});

test("finding 3: a second training into a locked --out is refused naming the first's pid; a dead process's lock is taken over", { timeout: 120_000 }, async () => {
  const run = join(dir, "f3-run");
  let started!: () => void;
  const ready = new Promise<void>((r) => (started = r));
  const a = bin(["train", textA, ...small, "--max-time", "5m", "--eval-every", "0", "--checkpoint-every", "5", "--out", run, "--json"],
                { onOut: (all) => { if ((all.match(/"event":"checkpoint"/g) ?? []).length >= 1) started(); } });
  await ready;
  const lock = JSON.parse(readFileSync(join(run, ".char-lstm.lock"), "utf8"));
  assert.equal(lock.pid, a.child.pid);
  for (const extra of [[], ["--overwrite"]]) {
    const b = await bin(["train", textB, ...small, "--max-steps", "2", "--out", run, ...extra]);
    assert.equal(b.code, 1, b.err);
    assert.match(b.err, new RegExp(`f3-run is in use by another char-lstm training \\(pid ${a.child.pid}, since .*\\); wait for it, stop it, or choose another --out`));
    oneLine(b);
  }
  // a resume of the running run is refused too (it would write the same files)
  const c = await bin(["train", "--resume", join(run, "last.safetensors"), "--max-steps", "100000", "--backend", "js"]);
  assert.equal(c.code, 1);
  assert.match(c.err, new RegExp(`pid ${a.child.pid}`));
  a.child.kill("SIGINT");
  const ra = await a;
  assert.equal(ra.code, 130, ra.err);
  assert.ok(!existsSync(join(run, ".char-lstm.lock")), "the lock goes with the process");
  assert.equal(readTokenMeta(run).source, "a.txt", "A's tokens beside A's checkpoints");
  assert.equal(loadCheckpointFile(join(run, "last.safetensors"), jsKernels("f32")).corpus, readTokenMeta(run).fingerprint);

  // a lock left by a killed process (SIGKILL leaves it) is stale: taken over with a line saying so
  const dead = spawn(process.execPath, ["-e", ""]);
  await exited(dead);
  writeFileSync(join(run, ".char-lstm.lock"), JSON.stringify({ pid: dead.pid, started: "earlier" }));
  const d = await bin(["train", "--resume", join(run, "last.safetensors"), "--max-steps", String(stepOf(join(run, "last.safetensors")) + 2), "--backend", "js"]);
  assert.equal(d.code, 0, d.err);
  assert.match(d.err, new RegExp(`taking over the lock of .*f3-run left by pid ${dead.pid}, which is no longer running`));
  assert.ok(!existsSync(join(run, ".char-lstm.lock")));
});

test("Ctrl-C twice while train encodes its corpus: the staged token files, the lock and the directory it made are gone (one exit registry)", { timeout: 120_000 }, async () => {
  const big = join(dir, "ctrlc-big.txt");
  writeFileSync(big, readFileSync(textA, "utf8").repeat(2500));   // 50 MB: encoding takes a while
  const out = join(dir, "ctrlc-parent", "run");
  const p = bin(["train", big, ...small, "--max-steps", "2", "--out", out]);
  // wait until the staging has begun (its temporary tokens.bin exists beside the lock)
  const t0 = Date.now();
  while (!(existsSync(out) && readdirSync(out).some((f) => f.startsWith(".tokens.bin.tmp-"))) && Date.now() - t0 < 30_000 && p.child.exitCode === null) {
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.ok(existsSync(out), "train started staging its token file");
  p.child.kill("SIGINT");
  await new Promise((r) => setTimeout(r, 2));
  p.child.kill("SIGINT");
  const r = await p;
  assert.equal(r.timedOut, false, "train ignored two SIGINTs");
  // the second signal either quits at once (process.exit: the exit registry undoes the claim) or comes
  // after the first already stopped the encoding (the error path undoes it); either way nothing is left
  assert.ok(r.code === 130 || r.signal === "SIGINT", `exit ${r.code} ${r.signal}: ${r.err}`);
  assert.equal(existsSync(join(dir, "ctrlc-parent")), false, `left behind: ${existsSync(out) ? readdirSync(out).join(", ") : "the parent directory"}`);
});

test("finding 4: a refused resume never rewrites the run's token files; a resume without TEXT uses the run's own token file", { timeout: 120_000 }, async () => {
  const run = join(dir, "f4-run");
  assert.equal((await bin(["train", textA, ...small, "--max-steps", "4", "--eval-every", "2", "--out", run])).code, 0);
  const before = snapshot(run);
  const wrong = await bin(["train", textB, "--resume", join(run, "last.safetensors"), "--max-steps", "8", "--backend", "js"]);
  assert.equal(wrong.code, 1);
  assert.match(wrong.err, /not in the model's vocabulary|trained on a different text/);
  assert.deepEqual(snapshot(run), before, "tokens.bin/json untouched by the refused resume");
  // same characters, different text: refused on the fingerprint, still nothing written
  const sameChars = join(dir, "f4-same-chars.txt");
  writeFileSync(sameChars, readFileSync(textA, "utf8").split("").reverse().join(""));
  const wrong2 = await bin(["train", sameChars, "--resume", join(run, "last.safetensors"), "--max-steps", "8", "--backend", "js"]);
  assert.equal(wrong2.code, 1);
  assert.match(wrong2.err, /was trained on a different text \(fingerprint/);
  assert.deepEqual(snapshot(run), before);

  // no TEXT: the run's own token file, not the bundled corpus
  const ok = await bin(["train", "--resume", join(run, "last.safetensors"), "--max-steps", "8", "--backend", "js"]);
  assert.equal(ok.code, 0, ok.err);
  assert.match(ok.out, /resuming .* at step 4 on the run's token file .*tokens\.bin \(from a\.txt\)/);
  assert.equal(stepOf(join(run, "last.safetensors")), 8);
  assert.equal(readFileSync(join(run, "tokens.bin")).toString("base64"), before["tokens.bin"]);
  // without a usable token file it says what it tried, and encodes nothing
  rmSync(join(run, "tokens.json"));
  const none = await bin(["train", "--resume", join(run, "last.safetensors"), "--max-steps", "12", "--backend", "js"]);
  assert.equal(none.code, 1);
  assert.match(none.err, /no TEXT given, so the resume reads the run's own token file, but .*tokens\.json is missing.*; give the text the run was trained on: char-lstm train TEXT --resume /);
  oneLine(none);
  assert.equal(readFileSync(join(run, "tokens.bin")).toString("base64"), before["tokens.bin"]);
  assert.ok(!existsSync(join(run, "tokens.json")));
});

test("finding 5: train | head — a closed stdout never stops training: it goes on with output off, says so, and saves", { timeout: 120_000 }, async () => {
  const run = join(dir, "f5-run");
  let closed = false;
  const r = await bin(["train", textA, ...small, "--max-steps", "300", "--eval-every", "100", "--checkpoint-every", "0", "--out", run, "--json"], {
    onOut: (all, child) => { if (!closed && all.split("\n").length > 3) { closed = true; child.stdout!.destroy(); } },
  });
  assert.ok(closed && !r.timedOut);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /standard output was closed; going on without it/);
  assert.equal(stepOf(join(run, "last.safetensors")), 300, "the run finished and saved");
  assert.ok(existsSync(join(run, "best.safetensors")));
  assert.ok(!existsSync(join(run, ".char-lstm.lock")));
});

test("finding 6: export-tokens replaces tokens.bin and tokens.json together or not at all; a reader refuses a pair that does not belong together", { timeout: 120_000 }, async () => {
  const out = join(dir, "f6-tokens");
  const first = await cli("export-tokens", textA, "--out", out);
  assert.equal(first.code, 0, first.err);
  const before = snapshot(out);
  // a failure mid-way (characters outside --vocab-from's vocabulary, found at the end of the text) replaces nothing
  const src = join(dir, "f6-src");
  assert.equal((await cli("train", textA, ...small, "--max-steps", "1", "--out", src)).code, 0);
  const late = join(dir, "f6-late.txt");
  writeFileSync(late, readFileSync(textA, "utf8").repeat(3) + "Ω");
  const r = await cli("export-tokens", late, "--out", out, "--vocab-from", join(src, "last.safetensors"));
  assert.equal(r.code, 1);
  assert.deepEqual(snapshot(out), before);
  // a full disk (a small tmpfs) while the new pair is written: the old pair stays, no temp files
  const mnt = join(dir, "f6-disk");
  mkdirSync(mnt);
  let mounted = false;
  try { execFileSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", mnt], { stdio: "ignore" }); mounted = true; } catch {
    if (process.env.CI || process.getuid?.() === 0) throw new Error("cannot mount a small tmpfs to simulate a full disk");
  }
  if (mounted) {
    try {
      assert.equal((await cli("export-tokens", textA, "--out", mnt)).code, 0);
      const old = snapshot(mnt);
      const bigger = join(dir, "f6-bigger.txt");
      writeFileSync(bigger, readFileSync(textB, "utf8").repeat(5));
      const full = await cli("export-tokens", bigger, "--out", mnt);
      assert.equal(full.code, 1);
      assert.match(full.err, /disk is full/);
      oneLine(full);
      assert.deepEqual(snapshot(mnt), old, "neither file replaced");
    } finally {
      execFileSync("umount", [mnt]);
    }
  }
  // a tokens.bin of the same size but another text beside the old tokens.json is refused by the reader
  const other = join(dir, "f6-other");
  assert.equal((await cli("export-tokens", textA, "--out", other)).code, 0);
  const swapped = Buffer.from(readFileSync(join(other, "tokens.bin")));
  swapped.reverse();
  writeFileSync(join(other, "tokens.bin"), swapped);
  assert.throws(() => openTokens(other, readTokenMeta(other)), /tokens\.bin does not match .*tokens\.json .*do not belong together; re-export them/);
});

test("finding 7: checkpoints over 2 GiB are written and read (streamed tensor by tensor)", { timeout: 300_000 }, async () => {
  // writing: four 520 MiB tensors (views of one buffer) = 2.03 GiB, more than one fs call can move
  const big = join(dir, "f7-big.safetensors");
  const n = 130 << 20, data = new Float32Array(n);
  for (let i = 0; i < n; i += 4099) data[i] = i;
  data[n - 1] = 42.5;
  const tensors: [string, Tensor][] = [0, 1, 2, 3].map((k) => [`t${k}`, { dtype: "F32", shape: [n], data }]);
  try {
    writeSafetensorsFile(big, tensors, { note: "big" });
    const f = openSafetensorsFile(big);
    try {
      assert.deepEqual([...f.infos.keys()], ["t0", "t1", "t2", "t3"]);
      assert.equal(f.infos.get("t3")!.end, 4 * n * 4);
      const t3 = f.read("t3").data;
      assert.equal(t3.length, n);
      assert.equal(t3[n - 1], 42.5);
      assert.equal(t3[4099 * 1000], 4099 * 1000);
    } finally {
      f.close();
    }
  } finally {
    rmSync(big, { force: true });
  }
  // reading through the CLI: a real checkpoint followed by a 2.1 GB tensor (a sparse hole on disk)
  const run = join(dir, "f7-run");
  assert.equal((await cli("train", textA, ...small, "--max-steps", "1", "--out", run)).code, 0);
  const ck = loadCheckpointFile(join(run, "best.safetensors"), jsKernels("f32"));
  const f = openSafetensorsFile(join(run, "best.safetensors"));
  const kept: [string, Tensor][] = [...f.infos.keys()].map((k) => [k, f.read(k)]);
  f.close();
  const pad = 540 << 20;   // floats: 2.1 GB
  const fake = { dtype: "F32" as const, shape: [pad], data: { length: pad, buffer: new ArrayBuffer(0), byteOffset: 0, byteLength: pad * 4 } as unknown as Float32Array };
  const all: [string, Tensor][] = [...kept, ["padding.zeros", fake]];
  const { header, size } = safetensorsHeader(all, f.metadata);
  const huge = join(dir, "f7-huge.safetensors");
  const small2 = encodeSafetensors(kept, f.metadata);
  const fd = openSync(huge, "w");
  try {
    writeSync(fd, header);
    writeSync(fd, small2, 8 + Number(new DataView(small2.buffer, small2.byteOffset).getBigUint64(0, true)));
    ftruncateSync(fd, size);
  } finally {
    closeSync(fd);
  }
  try {
    assert.ok(size > 2 ** 31);
    const ins = await bin(["inspect", huge, "--json"]);
    assert.equal(ins.code, 0, ins.err);
    assert.equal(JSON.parse(ins.out).params, ck.model.numParams);
    const s = await bin(["sample", huge, "--length", "20", "--seed", "1", "--backend", "js"]);
    assert.equal(s.code, 0, s.err);
    const s0 = await bin(["sample", join(run, "best.safetensors"), "--length", "20", "--seed", "1", "--backend", "js"]);
    assert.equal(s.out, s0.out, "the same model");
  } finally {
    rmSync(huge, { force: true });
  }
});

test("finding 8: --out /proc/none fails at once with one line (no endless mkdir loop)", { timeout: 60_000 }, async () => {
  const r = await bin(["train", textA, ...small, "--max-steps", "1", "--out", "/proc/none"], { timeoutMs: 30_000 });
  assert.ok(!r.timedOut, "did not hang");
  assert.equal(r.code, 1, r.err);
  assert.match(r.err, /\/proc\/none: the file system does not allow creating a directory here; choose another path/);
  oneLine(r);
});

test("smaller items: best.safetensors resume, --out \"\", budget below the step, tiny splits, quoted commands, divergence, changed file, export hints, out of memory", { timeout: 180_000 }, async () => {
  const run = join(dir, "s-run");
  assert.equal((await cli("train", textA, ...small, "--max-steps", "4", "--eval-every", "2", "--out", run)).code, 0);
  assert.equal((await cli("train", textA, "--resume", join(run, "last.safetensors"), "--max-steps", "6", "--eval-every", "2", "--backend", "js")).code, 0);
  const before = snapshot(run);
  const cases: [string, string[], RegExp, number][] = [
    ["resume from best", ["train", textA, "--resume", join(run, "best.safetensors"), "--max-steps", "9"], /is not the run's last checkpoint: resuming it in .* would replace last\.safetensors .*resume from .*last\.safetensors \(best\.safetensors is for sampling\), or branch into a new directory with --out NEW_DIR/, 1],
    ["empty --out", ["train", textA, "--out", ""], /--out is empty; give a directory for the run/, 2],
    ["empty export --out", ["export-tokens", textA, "--out", ""], /--out is empty/, 2],
    ["--max-steps below the step", ["train", textA, "--resume", join(run, "last.safetensors"), "--max-steps", "3"], /--max-steps 3 is not above the run's step 6: nothing to train/, 2],
    ["budget already reached", ["train", textA, "--resume", join(run, "last.safetensors")], /the run already reached its budget of 6 steps/, 2],
  ];
  for (const [what, argv, re, code] of cases) {
    const r = await cli(...argv);
    assert.equal(r.code, code, `${what}: ${r.err}`);
    assert.match(r.err, re, what);
    oneLine(r);
  }
  assert.deepEqual(snapshot(run), before, "none of the refusals touched the run");
  // the branch that the refusal suggests works
  assert.equal((await cli("train", textA, "--resume", join(run, "best.safetensors"), "--max-steps", "9", "--out", join(dir, "s-branch"), "--backend", "js")).code, 0);
  assert.equal(stepOf(join(dir, "s-branch", "last.safetensors")), 9);

  // a validation split too small at batch 1 × seq 1: the fix is a larger --val-frac, not a smaller batch
  const hundred = join(dir, "s-hundred.txt");
  writeFileSync(hundred, "abcdefghij".repeat(10));
  const split = await cli("train", hundred, "--batch", "1", "--seq", "1", "--val-frac", "0.01", "--test-frac", "0", "--out", join(dir, "s-split"), "--backend", "js");
  assert.equal(split.code, 1);
  assert.match(split.err, /validation split has 1 characters, but batch 1 × seq 1 needs at least 2; use a longer text or a larger --val-frac/);
  assert.doesNotMatch(split.err, /smaller --batch/);

  // printed sample/resume commands are shell-quoted: a space, a leading dash
  const cwd = join(dir, "s-quote dir");
  mkdirSync(cwd);
  writeFileSync(join(cwd, "-my notes.txt"), readFileSync(textA));
  const q = await bin(["train", ...small, "--max-steps", "2", "--out", "-run here", "--", "-my notes.txt"], { cwd });
  assert.equal(q.code, 0, q.err);
  const { sample: sampleCmd, resume: resumeCmd } = printedCommands(q.out);
  assert.match(sampleCmd, /^sample '\.\/-run here\/best\.safetensors' /);
  assert.match(resumeCmd, /^train '\.\/-my notes\.txt' --resume '\.\/-run here\/last\.safetensors' --max-steps 4$/);
  for (const cmd of [sampleCmd.replace("--length 500", "--length 5"), resumeCmd.replace("--max-steps 4", "--max-steps 3 --backend js")]) {
    const r = execFileSync("sh", ["-c", `"${process.execPath}" "${BIN}" ${cmd}`], { cwd, encoding: "utf8", timeout: 60_000 });
    assert.ok(r.length > 0);
  }
  assert.equal(stepOf(join(cwd, "-run here", "last.safetensors")), 3);

  // a divergence before the first checkpoint leaves no run directory holding only token files
  const dv = loadCheckpointFile(join(run, "last.safetensors"), jsKernels("f32"));
  const fh = openSafetensorsFile(join(run, "last.safetensors"));
  const blown: [string, Tensor][] = [...fh.infos.keys()].map((k) => {
    const t = fh.read(k);
    if (k.startsWith("lstm.") || k.startsWith("head.")) for (let i = 0; i < t.data.length; i++) t.data[i] = (i % 2 ? -1 : 1) * 3e38;
    return [k, t];
  });
  fh.close();
  const blownPath = join(dir, "s-blown.safetensors");
  writeFileSync(blownPath, encodeSafetensors(blown, dv.metadata));
  const div = await cli("train", textA, "--resume", blownPath, "--max-steps", "20", "--max-bad-steps", "2", "--out", join(dir, "s-diverged"), "--backend", "js");
  assert.equal(div.code, 1, div.err);
  assert.match(div.err, /non-finite for 2 steps in a row/);
  assert.ok(!existsSync(join(dir, "s-diverged")), "the failed run's directory is gone");

  // a file that changes between the two passes says so (not "resume with the text the run was trained on")
  const moving = join(dir, "s-moving.txt");
  writeFileSync(moving, readFileSync(textA));
  await assert.rejects(encodeTextFile(moving, join(dir, "s-moving"), { onPass: (p) => { if (p === "encoding") writeFileSync(moving, readFileSync(textA, "utf8") + "Ω"); } }),
                /s-moving\.txt changed while it was being read \(the two passes over it differ\); try again once nothing writes to it/);
  assert.ok(!existsSync(join(dir, "s-moving")), "and leaves no directory");

  // export-tokens --vocab-from with unknown characters: a hint about --vocab-from, no empty --out left
  const ex = await cli("export-tokens", textB, "--out", join(dir, "s-export", "deep"), "--vocab-from", join(run, "best.safetensors"));
  assert.equal(ex.code, 1);
  assert.match(ex.err, /not in the model's vocabulary: .*cannot encode them; export a text without them, or drop --vocab-from/);
  assert.doesNotMatch(ex.err, /resume/);
  assert.ok(!existsSync(join(dir, "s-export")));

  // out of memory: how much, which flag, exit 1 (not the usage code)
  const oom = await cli("train", textA, "--layers", "4", "--hidden", "8192", "--backend", "wasm", "--max-steps", "1", "--out", join(dir, "s-oom"));
  assert.equal(oom.code, 1, oom.err);
  assert.match(oom.err, /not enough memory to train a 4×8192 model at batch 32 × seq 64: it needs about \d+\.\d GB .*; lower --hidden or --layers/);
  oneLine(oom);
  assert.ok(!existsSync(join(dir, "s-oom")));
});

test("the same class in python/: train_ddp.py refuses an --out that holds a run (unless --init continues it or --overwrite)", { timeout: 180_000 }, async () => {
  const run = join(dir, "py-run"), tok = join(dir, "py-tok");
  assert.equal((await cli("train", textA, ...small, "--max-steps", "2", "--out", run)).code, 0);
  assert.equal((await cli("export-tokens", textA, "--out", tok)).code, 0);
  const before = snapshot(run);
  const script = join(BIN, "..", "..", "python", "train_ddp.py");
  const r = spawnSync("/usr/bin/python3", [script, "--tokens", tok, "--steps", "2", "--hidden", "8", "--batch", "4", "--seq", "16", "--out", run],
                      { encoding: "utf8", timeout: 150_000 });
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /py-run already holds a run \(last\.safetensors, best\.safetensors\); continue it with --init .*last\.safetensors, choose another --out, or replace it with --overwrite/);
  assert.deepEqual(snapshot(run), before);
});
