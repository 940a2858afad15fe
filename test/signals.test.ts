// Signals and closed pipes act at once in every command (docs/reliability.md, issue "never lose a run, round
// two", findings 9 and the stdout items): every long loop gives the event loop a turn every few milliseconds,
// so SIGINT/SIGTERM and EPIPE are seen within ~100 ms; temporary files go on any exit; a closed or failing
// stdout is one line (sample, eval, inspect, export-tokens) or turns the log off (train, serve).
// Every child runs under a kill timer: a hang fails its test instead of timing out the suite.

import { test } from "node:test";
import assert from "node:assert/strict";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, writeFileSync, writeSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cli } from "./harness.js";
import { entries, oneLine, spawnBin, waitFor } from "./bounded.js";

const dir = mkdtempSync(join(tmpdir(), "char-lstm-sig-"));
const textPath = join(dir, "text.txt");
let text = "";
for (let i = 0; text.length < 20000; i++) text += ["call me ishmael", "the whale", "a ship at sea", "white and deep"][(i * 5 + (i >> 2)) % 4] + (i % 7 === 6 ? ".\n" : ", ");
writeFileSync(textPath, text);
const run = join(dir, "run");
const ckpt = join(run, "best.safetensors");
const ready = cli("train", textPath, "--layers", "1", "--hidden", "16", "--seq", "16", "--batch", "4", "--max-steps", "3", "--eval-every", "0",
                  "--sample-every", "0", "--out", run, "--backend", "js").then((r) => assert.equal(r.code, 0, r.err));

/** A text of about `mb` MB (long enough that encoding or evaluating it takes a while). */
function bigText(name: string, mb: number): string {
  const p = join(dir, name);
  if (existsSync(p)) return p;
  const block = Buffer.from(text.repeat(Math.ceil((1 << 20) / text.length)).slice(0, 1 << 20));
  const fd = openSync(p, "w");
  for (let i = 0; i < mb; i++) writeSync(fd, block);
  closeSync(fd);
  return p;
}

test("finding 9: sample --length 100000000 | head -c 50 stops as soon as the reader is gone", async () => {
  await ready;
  const s = spawnBin(["sample", ckpt, "--length", "100000000", "--seed", "1", "--backend", "js"], { timeoutMs: 30_000 });
  let got = 0;
  s.child.stdout!.on("data", (d: Buffer) => { got += d.length; if (got >= 50) s.child.stdout!.destroy(); });
  const r = await s.exit;
  assert.equal(r.timedOut, false, "sample ran on after its reader closed the pipe");
  assert.equal(r.code, 0, r.err);
  assert.equal(r.err, "", "a closed pipe ends sample quietly");
});

test("finding 9: SIGINT and SIGTERM stop sample, eval, export-tokens and train's encoding; temporary files go", async () => {
  await ready;
  const big = bigText("big.txt", 48);
  // sample: stops at the next turn with 130
  {
    const s = spawnBin(["sample", ckpt, "--length", "100000000", "--seed", "1", "--backend", "js"], { timeoutMs: 30_000 });
    assert.ok(await waitFor(() => s.out().length > 0), "sample started");
    s.child.kill("SIGINT");
    const r = await s.exit;
    assert.equal(r.timedOut, false, "sample ignored SIGINT");
    assert.equal(r.code, 130, r.err);
    assert.doesNotMatch(r.err, /saving a checkpoint/);
  }
  // eval: one signal (130, the temporary token directory removed), and two in a row (quit at once, still removed)
  for (const signals of [1, 2]) {
    const tmp = join(dir, `tmp-eval-${signals}`);
    mkdirSync(tmp);
    const s = spawnBin(["eval", ckpt, "--text", big, "--backend", "js"], { timeoutMs: 60_000, env: { ...process.env, TMPDIR: tmp } });
    assert.ok(await waitFor(() => entries(tmp).length > 0), "eval made its temporary directory");
    await new Promise((r) => setTimeout(r, 100));
    for (let i = 0; i < signals; i++) { s.child.kill("SIGINT"); await new Promise((r) => setTimeout(r, 20)); }
    const r = await s.exit;
    assert.equal(r.timedOut, false, `eval ignored ${signals} SIGINT`);
    assert.equal(r.code, 130, r.err);
    assert.deepEqual(entries(tmp), [], `eval's temporary token file is removed after ${signals} SIGINT`);
  }
  // export-tokens: stopped mid-encode, it leaves neither a token file nor a temporary one
  {
    const out = join(dir, "exported");
    const s = spawnBin(["export-tokens", big, "--out", out], { timeoutMs: 60_000 });
    assert.ok(await waitFor(() => existsSync(out) || s.child.exitCode !== null), "export-tokens reached its second pass");
    s.child.kill("SIGTERM");
    const r = await s.exit;
    assert.equal(r.timedOut, false, "export-tokens ignored SIGTERM");
    assert.equal(r.code, 130, r.err);
    assert.match(r.err, /stopped while reading .*nothing was written/);
    assert.deepEqual(entries(out).filter((f) => f.startsWith("tokens.") || f.includes(".tmp-")), []);
  }
  // train: a signal while the corpus is encoded stops before training, without a token file
  {
    const out = join(dir, "train-enc");
    const s = spawnBin(["train", big, "--layers", "1", "--hidden", "8", "--out", out, "--backend", "js"], { timeoutMs: 60_000 });
    assert.ok(await waitFor(() => existsSync(out) || s.child.exitCode !== null), "train started encoding");
    s.child.kill("SIGTERM");
    const r = await s.exit;
    assert.equal(r.timedOut, false, "train's corpus encoding ignored SIGTERM");
    assert.equal(r.code, 130, r.err);
    assert.match(r.err, /stopped while reading/);
    assert.deepEqual(entries(out).filter((f) => f.startsWith("tokens.") || f.includes(".tmp-")), []);
  }
});

/** A TCP port that was free a moment ago. */
async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

const getStatus = (url: string): Promise<number> => new Promise((resolve) => {
  const req = http.get(url, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
  req.on("error", () => resolve(0));
  req.setTimeout(2000, () => { req.destroy(); resolve(0); });
});

test("serve | head -1: a closed stdout never stops the server; Ctrl-C says it stops the server", async () => {
  await ready;
  const port = await freePort();
  const s = spawnBin(["serve", ckpt, "--port", String(port), "--backend", "js"], { timeoutMs: 60_000 });
  s.child.stdout!.destroy();   // the reader is gone before the server prints its first line
  let status = 0;
  for (let i = 0; i < 200 && status !== 200 && s.child.exitCode === null; i++) {
    status = await getStatus(`http://127.0.0.1:${port}/api/model`);
    if (status !== 200) await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(status, 200, `the server answers after its stdout closed (exit ${s.child.exitCode}, stderr ${s.err()})`);
  s.child.kill("SIGINT");
  const r = await s.exit;
  assert.equal(r.timedOut, false);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /standard output was closed; going on without it/);
  assert.match(r.err, /SIGINT: stopping the server/);
  assert.doesNotMatch(r.err, /saving a checkpoint/);
});

test("a stdout write error other than EPIPE (> /dev/full) is one line and exit 1, in any command", async (t) => {
  if (!existsSync("/dev/full")) { t.skip("no /dev/full on this system"); return; }
  await ready;
  for (const args of [["inspect", ckpt], ["sample", ckpt, "--length", "5000", "--seed", "1", "--backend", "js"], ["export-tokens", textPath, "--out", join(dir, "full-out")]]) {
    const fd = openSync("/dev/full", "w");
    const s = spawnBin(args, { timeoutMs: 30_000, stdio: ["ignore", fd, "pipe"] });
    closeSync(fd);
    const r = await s.exit;
    assert.equal(r.timedOut, false, args[0]);
    assert.equal(r.code, 1, `${args[0]}: ${r.err}`);
    assert.match(r.err, /standard output cannot be written \(ENOSPC\)/, args[0]);
    assert.ok(oneLine(r.err), `${args[0]}: one line, no stack: ${r.err}`);
  }
});

test("a second Ctrl-C during training's long validation pass quits at once (the pass yields too)", async () => {
  await ready;
  const big = bigText("big.txt", 48);
  const out = join(dir, "train-eval");
  // half the text is validation: its pass is many thousands of windows after the single step
  const s = spawnBin(["train", big, "--layers", "1", "--hidden", "8", "--seq", "16", "--batch", "4", "--val-frac", "0.5", "--test-frac", "0.01",
                      "--max-steps", "1", "--eval-every", "0", "--sample-every", "0", "--json", "--out", out, "--backend", "js"], { timeoutMs: 120_000 });
  assert.ok(await waitFor(() => s.out().includes('"event":"step"') || s.child.exitCode !== null, 100_000), "the step ran");
  s.child.kill("SIGINT");
  await new Promise((r) => setTimeout(r, 50));
  s.child.kill("SIGINT");
  const r = await s.exit;
  assert.equal(r.timedOut, false);
  assert.equal(r.code, 130, r.err);
  assert.doesNotMatch(r.out, /"event":"eval"/, "the second Ctrl-C was only seen after the whole validation pass");
});
