// Cell traces: equal to running the model one character at a time; predictions are the true top-k of the
// softmax; correlation ranking finds a cell planted to count brackets.

import { test } from "node:test";
import assert from "node:assert/strict";
import { jsKernels } from "./kernels/js/index.js";
import { CharLSTM } from "./model.js";
import { Rng } from "./rng.js";
import { Vocab } from "./data/vocab.js";
import { softmaxRow } from "./nn/softmax_xent.js";
import { cellSeries, correlation, featureShows, rankCells, textFeatures, traceText } from "./visualize.js";

const text = "He said \"call me (Ishmael)\" and [left].\nSome years ago (never mind how long) \"precisely\".\n";
const vocab = Vocab.fromText(text);

test("a trace equals running the model step by step (2 layers, windows of 7)", () => {
  const model = new CharLSTM({ vocabSize: vocab.size, hidden: 6, layers: 2, dropout: 0 }, jsKernels("f32"), new Rng(11));
  const { H, L, V } = { H: 6, L: 2, V: vocab.size };
  const tr = traceText(model, vocab, text, { chunk: 7, topK: 3 });
  const ids = vocab.encode(text);
  assert.equal(tr.n, ids.length);
  assert.deepEqual(Array.from(tr.ids), Array.from(ids));
  assert.equal(tr.chars.join(""), text);

  const ws = model.workspace(1, 1);
  model.resetState(ws);
  const probs = new Float64Array(V);
  let maxDiff = 0;
  for (let t = 0; t < ids.length; t++) {
    ws.x[0] = ids[t];
    model.forward(ws, 1);
    for (let l = 0; l < L; l++) {
      for (let j = 0; j < H; j++) {
        maxDiff = Math.max(maxDiff, Math.abs(ws.caches[l].c[H + j] - tr.c[l][t * H + j]), Math.abs(ws.caches[l].h[H + j] - tr.h[l][t * H + j]));
      }
    }
    softmaxRow(probs, ws.logits.subarray(0, V), V, 1);
    const order = Array.from(probs.keys()).sort((a, b) => probs[b] - probs[a] || a - b);
    assert.deepEqual(Array.from(tr.topIds.subarray(t * 3, t * 3 + 3)), order.slice(0, 3), `top-3 at ${t}`);
    for (let k = 0; k < 3; k++) assert.ok(Math.abs(tr.topProbs[t * 3 + k] - probs[order[k]]) < 1e-6);
    if (t + 1 < ids.length) assert.ok(Math.abs(tr.bits[t + 1] + Math.log2(probs[ids[t + 1]])) < 1e-5);
    model.carryState(ws, 1);
  }
  assert.ok(Number.isNaN(tr.bits[0]));
  assert.ok(maxDiff < 1e-6, `max |trace − step-by-step| = ${maxDiff}`);
  const s = cellSeries(tr, 1, 4, "tanh-c");
  assert.ok(Math.abs(s[10] - Math.tanh(tr.c[1][10 * H + 4])) < 1e-7);
  assert.throws(() => cellSeries(tr, 2, 0), /layer must be in 0..1/);
  assert.throws(() => traceText(model, vocab, "ZZZ"), /not in the model's vocabulary/);
  assert.equal(traceText(model, vocab, "Z a", { unknown: "skip" }).chars.join(""), " a");
});

test("featureShows: a feature the text does not have (no quotes, no brackets) is not offered for ranking", () => {
  const shows = (text: string) => textFeatures([...text]).filter((f) => featureShows(f)).map((f) => f.name);
  const plain = "Call me Ishmael. Some years ago, never mind how long precisely,\nhaving little or no money in my purse.\n".repeat(5);
  assert.deepEqual(shows(plain), ["line-pos", "newline"]);
  assert.deepEqual(shows(plain + '"Ahoy," he said (twice).'), ["quotes", "brackets", "line-pos", "newline"]);
  assert.deepEqual(shows("one long line without a break"), ["line-pos"]);
  assert.equal(shows("x".repeat(500) + '"' + "x".repeat(499)).includes("quotes"), true, "an unclosed quote halfway: it shows");
  assert.equal(shows('"' + "x".repeat(999)).includes("quotes"), false, "inside quotes everywhere is as constant as nowhere");
  assert.equal(shows("x".repeat(500) + '""' + "x".repeat(498)).includes("quotes"), false, "2 of 1000 positions: too few");
  assert.equal(shows("x".repeat(4000) + '"ab"' + "x".repeat(4000)).includes("quotes"), false, "4 of 8004 positions: under 0.2%");
  assert.equal(shows(("x".repeat(79) + "\n").repeat(20)).includes("newline"), true, "one line break in 80 positions: enough");
});

test("features: quotes, brackets, position in line", () => {
  const f = Object.fromEntries(textFeatures([...'a "b" (c)\nd']).map((x) => [x.name, Array.from(x.values)]));
  assert.deepEqual(f.quotes, [0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual(f.brackets, [0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0]);
  assert.deepEqual(f["line-pos"], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0]);
  assert.equal(correlation([1, 2, 3], [2, 4, 6]), 1);
  assert.equal(correlation([1, 1, 1], [2, 4, 6]), 0);
});

test("ranking finds a cell planted to count brackets", () => {
  const H = 8, planted = 5;
  const model = new CharLSTM({ vocabSize: vocab.size, hidden: H, layers: 1, dropout: 0 }, jsKernels("f32"), new Rng(3));
  const V = vocab.size, p = model.p.layers[0];
  // cell 5: input and forget gates always open, candidate +1 on "(" and −1 on ")", 0 otherwise: c counts depth
  for (const gate of [0, 1, 2, 3]) {
    const row = gate * H + planted;
    p.Wih.fill(0, row * V, (row + 1) * V);
    p.Whh.fill(0, row * H, (row + 1) * H);
    p.bih[row] = gate === 0 || gate === 1 ? 10 : 0;
    p.bhh[row] = 0;
  }
  p.Wih[(2 * H + planted) * V + vocab.id("(")] = 10;
  p.Wih[(2 * H + planted) * V + vocab.id(")")] = -10;
  const long = text.repeat(4);
  const tr = traceText(model, vocab, long);
  const brackets = textFeatures(tr.chars).find((f) => f.name === "brackets")!;
  const ranked = rankCells(tr, brackets);
  assert.equal(ranked.length, H);
  assert.deepEqual({ layer: ranked[0].layer, cell: ranked[0].cell }, { layer: 0, cell: planted });
  assert.ok(ranked[0].r > 0.8, `r = ${ranked[0].r}`);
  assert.ok(Math.abs(ranked[1].r) < ranked[0].r);
  assert.equal(rankCells(tr, brackets, "h", 3).length, 3);
});
