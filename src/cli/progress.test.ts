// The progress line fits the terminal (never its last column, so it never wraps), most important fields
// first; banner lines wrap at spaces; a non-terminal gets plain lines now and then, no carriage returns.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Progress, progressLine, wrapText, type ProgressInfo } from "./progress.js";

const info: ProgressInfo = { step: 12_345, maxSteps: 0, epoch: 3.21, loss: 1.4567, bpc: 2.1016, charsPerSec: 31_234, eta: 83, frac: 0.46 };

test("the progress line at 40, 80, 120 and 200 columns: shorter than the width, fields by importance", () => {
  const at = (w: number) => {
    const line = progressLine(info, w);
    assert.ok(line.length <= w - 1, `${w} columns: ${line.length} characters: ${line}`);
    assert.doesNotMatch(line, /[\r\n]/);
    return line;
  };
  // 40: step and bits/char
  assert.equal(at(40), "step 12,345 · 2.102 bits/char");
  // 80: + chars/s and the ETA, the percent done and the epoch
  assert.equal(at(80), "46% · step 12,345 · 2.102 bits/char · epoch 3.21 · 31,234 chars/s · ETA 1m23s");
  // 120: everything, with a bar in the room left
  const l120 = at(120);
  assert.match(l120, /^\[#{9}-{11}\] 46% · step 12,345 · 2\.102 bits\/char · loss 1\.457 nats · epoch 3\.21 · 31,234 chars\/s · ETA 1m23s$/);
  // 200: the same with the bar at its full 20 cells
  assert.equal(at(200), l120);
  // the four essentials appear at every width that has room for them, in the same order
  for (const w of [80, 120, 200]) assert.match(at(w), /step .* bits\/char .* chars\/s · ETA 1m23s$/);
});

test("the progress line: a step budget shows the total, unknown values are marked, tiny widths are cut", () => {
  const p = { ...info, maxSteps: 20_000, frac: NaN, eta: NaN, loss: NaN, bpc: NaN };
  const line = progressLine(p, 80);
  assert.ok(line.startsWith("step 12,345/20,000 · … bits/char"), line);
  assert.ok(!line.includes("["), "no bar without a known fraction");
  assert.ok(line.length <= 79);
  assert.equal(progressLine(info, 10), "step 12,3");
  assert.equal(progressLine(info, 1), "");
});

test("wrapText breaks at spaces within the width, indents continuations, cuts only over-long words", () => {
  const banner = "  batch 4 × seq 64, adam lr 0.003, clip 5 (global), schedule cosine to 3e-4 over 3m00s; budget 3m00s; seed 1";
  const w = wrapText(banner, 40).split("\n");
  assert.ok(w.length > 1);
  for (const l of w) assert.ok(l.length <= 39, l);
  assert.ok(w[0].startsWith("  batch"));
  for (const l of w.slice(1)) assert.ok(l.startsWith("    ") && !l.startsWith("     "), `continuation indented by 4: ${JSON.stringify(l)}`);
  assert.equal(w.map((l) => l.trim()).join(" "), banner.trim(), "no word lost or split");
  assert.equal(wrapText(banner, 200), banner, "fits: unchanged");
  assert.equal(wrapText(banner, Infinity), banner);
  const long = wrapText("x".repeat(50), 20).split("\n");
  assert.ok(long.every((l) => l.length <= 19), long.join("|"));
  assert.equal(long.map((l) => l.trim()).join(""), "x".repeat(50));
  // a command wraps with shell continuations, so it pastes as one command
  const cmd = wrapText("resume with:  npx char-lstm train --resume runs/moby-dick/last.safetensors --max-time 10m", 40, { shell: true }).split("\n");
  assert.ok(cmd.length > 1);
  for (const l of cmd.slice(0, -1)) assert.ok(l.endsWith(" \\") && l.length <= 39, l);
  assert.equal(cmd.map((l) => l.replace(/ \\$/, "").trim()).join(" "), "resume with: npx char-lstm train --resume runs/moby-dick/last.safetensors --max-time 10m");
});

test("Progress: a terminal gets one redrawn line of the current width; a log gets a plain line every few seconds", () => {
  let out = "", cols = 120;
  const tty = new Progress((s) => { out += s; }, true, () => cols);
  tty.update(info, 0);
  assert.ok(out.startsWith("\r\x1b[2K["), JSON.stringify(out.slice(0, 10)));
  cols = 40;   // resized: the next redraw fits the new width
  out = "";
  tty.update(info, 1000);
  assert.equal(out, "\r\x1b[2Kstep 12,345 · 2.102 bits/char");

  out = "";
  const log = new Progress((s) => { out += s; }, false, () => 40, 5_000);
  for (let t = 0; t <= 12_000; t += 100) log.update({ ...info, step: 2 + t }, t);
  const lines = out.split("\n").filter(Boolean);
  assert.equal(lines.length, 3, "at 0, 5 and 10 seconds");
  assert.ok(!out.includes("\r") && !out.includes("\x1b"));
  assert.match(lines[0], /ETA 1m23s$/, "a log line carries every field");
});
