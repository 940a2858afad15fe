// The workflow features through the real CLI: early stopping (--patience), learning curves (history.svg
// at each evaluation, `char-lstm plot`, GET /api/history).

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { cli } from "./harness.js";
import { parseXml } from "./xml.js";
import { decodeCheckpoint } from "../src/checkpoint.js";
import { jsKernels } from "../src/kernels/js/index.js";
import { createServer } from "../src/server/server.js";
import { evalsSinceBest, type HistoryPoint } from "../src/train.js";

const dir = mkdtempSync(join(tmpdir(), "char-lstm-workflow-"));
const small = ["--layers", "1", "--hidden", "16", "--seq", "16", "--batch", "4", "--sample-every", "0", "--seed", "3", "--backend", "js"];
const events = (out: string) => out.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown> & { event: string });
const load = (path: string) => decodeCheckpoint(readFileSync(path), jsKernels("f32"), path);

// training text "ab" repeated; the validation split (the next 5%) is runs of one letter, which a model that
// learns the alternation predicts worse and worse: validation stops improving early, deterministically
const overfitText = "ab".repeat(3600) + "aaaaaaaabbbbbbbb".repeat(25) + "ab".repeat(200);
const overfitPath = join(dir, "overfit.txt");
writeFileSync(overfitPath, overfitText);

test("evalsSinceBest counts validated points after the best one", () => {
  const h = (vals: (number | undefined)[]): HistoryPoint[] => vals.map((val, i) => ({ step: i + 1, train: 1, ...(val === undefined ? {} : { val }) }));
  assert.equal(evalsSinceBest([], null), 0);
  assert.equal(evalsSinceBest(h([3, 2, 1]), 1), 0);
  assert.equal(evalsSinceBest(h([3, 1, 2, 2.5]), 1), 2);
  assert.equal(evalsSinceBest(h([3, 1, undefined, 2]), 1), 1, "points without a validation loss do not count");
});

test("--patience stops at the evaluation that makes N without a new best; best.safetensors is the best; curves", { timeout: 120_000 }, async () => {
  const run = join(dir, "patience");
  const r = await cli("train", overfitPath, ...small, "--lr", "0.01", "--eval-every", "5", "--max-steps", "400", "--patience", "3", "--out", run, "--json");
  assert.equal(r.code, 0, r.err);
  const ev = events(r.out);
  const evals = ev.filter((e) => e.event === "eval") as unknown as { step: number; val_loss: number }[];
  // the expected stopping point, computed from the reported validation losses alone
  let best = Infinity, bestStep = -1, since = 0, expectStop = -1;
  for (const e of evals) {
    if (e.val_loss < best) { best = e.val_loss; bestStep = e.step; since = 0; } else since++;
    if (since >= 3) { expectStop = e.step; break; }
  }
  assert.ok(expectStop > 0 && expectStop < 400, `validation should stop improving on this text (evals ${JSON.stringify(evals.map((e) => e.val_loss))})`);
  const done = ev.at(-1)!;
  assert.equal(done.event, "done");
  assert.equal(done.reason, "patience");
  assert.equal(done.step, expectStop);
  assert.equal(evals.at(-1)!.step, expectStop, "no evaluation after the stop");
  assert.ok(ev.filter((e) => e.event === "step").length === expectStop);
  const bestCk = load(join(run, "best.safetensors")), lastCk = load(join(run, "last.safetensors"));
  assert.equal(bestCk.state!.step, bestStep);
  assert.equal(lastCk.state!.step, expectStop);
  assert.equal(lastCk.state!.bestVal, best);

  // the run directory's curves: well-formed XML, one vertex per evaluation in each series and panel
  const history = lastCk.state!.history;
  assert.equal(history.length, evals.length);
  assert.ok(history.every((p) => typeof p.seconds === "number" && p.seconds >= 0), "history points carry training seconds");
  for (const svgPath of [join(run, "history.svg")]) {
    const els = parseXml(readFileSync(svgPath, "utf8"));
    assert.equal(els[0].name, "svg");
    const lines = els.filter((e) => e.name === "polyline");
    assert.deepEqual(lines.map((l) => l.attrs.class), ["train", "val", "train", "val"], "two panels (steps, time), two series each");
    for (const l of lines) {
      assert.equal(l.attrs.points.trim().split(/\s+/).length, evals.length);
      assert.equal(l.attrs["data-points"], String(evals.length));
      for (const xy of l.attrs.points.trim().split(/\s+/)) assert.match(xy, /^\d+(\.\d+)?,\d+(\.\d+)?$/);
    }
    assert.equal(els.filter((e) => e.name === "circle").length, 2 * evals.length);
    const title = els.find((e) => e.name === "title")!.text;
    assert.match(title, /1×16 LSTM/);
    assert.match(title, /batch 4 × seq 16/);
    assert.ok(title.includes(`best validation ${(best / Math.LN2).toFixed(4)} bits/char at step ${bestStep}`), title);
  }

  // char-lstm plot: the same curves from the checkpoint, to a file or stdout
  const outSvg = join(dir, "loss.svg");
  const p = await cli("plot", join(run, "last.safetensors"), "--out", outSvg, "--json");
  assert.equal(p.code, 0, p.err);
  const summary = JSON.parse(p.out);
  assert.deepEqual(summary, { path: outSvg, points: evals.length, best_val_bpc: best / Math.LN2, best_step: bestStep });
  assert.equal(readFileSync(outSvg, "utf8"), readFileSync(join(run, "history.svg"), "utf8"), "plot draws what training wrote");
  const toStdout = await cli("plot", join(run, "best.safetensors"), "--out", "-");
  assert.equal(toStdout.code, 0, toStdout.err);
  const bestLines = parseXml(toStdout.out).filter((e) => e.name === "polyline" && e.attrs.class === "val");
  assert.equal(bestLines[0].attrs["data-points"], String(evals.findIndex((e) => e.step === bestStep) + 1), "best.safetensors holds the history up to the best");
  const dflt = await cli("plot", join(run, "best.safetensors"));
  assert.equal(dflt.code, 0, dflt.err);
  assert.match(dflt.out, /best\.svg: \d+ history points, best [\d.]+ bits\/char at step \d+/);
  parseXml(readFileSync(join(run, "best.svg"), "utf8"));

  // GET /api/history serves the same history in bits/char
  const ck = load(join(run, "last.safetensors"));
  const server = createServer({ checkpoint: { bytes: readFileSync(join(run, "last.safetensors")), loaded: ck } });
  await new Promise<void>((res) => server.listen(0, "127.0.0.1", res));
  try {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const res = await fetch(`${base}/api/history`, { signal: AbortSignal.timeout(10_000) });
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /application\/json/);
    const body = await res.json() as { step: number; best_val_bpc: number; best_step: number; history: { step: number; seconds: number; train_bpc: number; val_bpc: number }[] };
    assert.equal(body.step, expectStop);
    assert.equal(body.best_step, bestStep);
    assert.equal(body.best_val_bpc, best / Math.LN2);
    assert.deepEqual(body.history, history.map((h) => ({ step: h.step, seconds: h.seconds, train_bpc: h.train / Math.LN2, val_bpc: h.val! / Math.LN2 })));
    assert.equal((await fetch(`${base}/api/history`, { method: "POST", signal: AbortSignal.timeout(10_000) })).status, 405);
  } finally {
    server.closeAllConnections();
    await new Promise((res) => server.close(res));
  }
});

test("a resumed run keeps counting patience from its history", { timeout: 120_000 }, async () => {
  const run = join(dir, "patience-resume");
  const a = await cli("train", overfitPath, ...small, "--lr", "0.01", "--eval-every", "5", "--max-steps", "400", "--patience", "3", "--out", run, "--json");
  assert.equal(a.code, 0, a.err);
  const full = events(a.out).at(-1)!;
  const b = join(dir, "patience-resume-b");
  const first = await cli("train", overfitPath, ...small, "--lr", "0.01", "--eval-every", "5", "--max-steps", String(Number(full.step) - 5), "--patience", "3", "--out", b, "--json");
  assert.equal(first.code, 0, first.err);
  assert.equal(events(first.out).at(-1)!.reason, "max-steps");
  const second = await cli("train", overfitPath, "--resume", join(b, "last.safetensors"), "--max-steps", "400", "--backend", "js", "--json");
  assert.equal(second.code, 0, second.err);
  const done = events(second.out).at(-1)!;
  assert.equal(done.reason, "patience");
  assert.equal(done.step, full.step, "one evaluation after the resume completes the count");
});

test("--patience refusals: negative, or without evaluations", { timeout: 60_000 }, async () => {
  const neg = await cli("train", overfitPath, ...small, "--max-steps", "5", "--patience", "-1", "--out", join(dir, "neg"));
  assert.equal(neg.code, 2);
  assert.match(neg.err, /--patience must be an integer in 0\.\.∞, got -1/);
  const noEval = await cli("train", overfitPath, ...small, "--max-steps", "5", "--patience", "2", "--eval-every", "0", "--out", join(dir, "noeval"));
  assert.equal(noEval.code, 2);
  assert.match(noEval.err, /--patience counts evaluations: it needs --eval-every N/);
  const notCk = await cli("plot", overfitPath);
  assert.equal(notCk.code, 1);
  assert.equal(notCk.err.trim().split("\n").length, 1);
  assert.match(notCk.err, /not a readable checkpoint/);
});
