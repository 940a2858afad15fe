// The init is PyTorch's: nn.LSTM's reset_parameters draws every tensor from U(−1/√H, 1/√H); nn.Linear(H, V)
// draws its weight by kaiming_uniform_(a=√5), bound √3·gain/√fan_in with gain = √(2/(1+a²)) = √(1/3), i.e.
// exactly 1/√H, and its bias from U(−1/√fan_in, 1/√fan_in), fan_in = H. No forget-gate offset unless asked.

import { test } from "node:test";
import assert from "node:assert/strict";
import { jsKernels } from "./kernels/js/index.js";
import { CharLSTM } from "./model.js";
import { Rng } from "./rng.js";
import { initBound, initTensor } from "./params.js";
import { Corpus } from "./data/corpus.js";
import { Trainer } from "./train.js";
import { defaultTrain } from "./config.js";
import { decodeCheckpoint, encodeCheckpoint } from "./checkpoint.js";

const V = 40, H = 64, L = 2;
const k = jsKernels("f32");

/** PyTorch's bounds, written from its formulas rather than from ours. */
function torchBound(name: string): number {
  if (name.startsWith("lstm.")) return 1 / Math.sqrt(H);              // RNNBase: stdv = 1/sqrt(hidden_size)
  const fanIn = H, a = Math.sqrt(5);                                  // Linear(H, V): weight (V, H)
  if (name === "head.weight") return Math.sqrt(3) * Math.sqrt(2 / (1 + a * a)) / Math.sqrt(fanIn);
  return 1 / Math.sqrt(fanIn);
}

function stats(x: ArrayLike<number>): { min: number; max: number; mean: number; meanSq: number } {
  let min = Infinity, max = -Infinity, s = 0, s2 = 0;
  for (let i = 0; i < x.length; i++) { min = Math.min(min, x[i]); max = Math.max(max, x[i]); s += x[i]; s2 += x[i] * x[i]; }
  return { min, max, mean: s / x.length, meanSq: s2 / x.length };
}

test("init: every tensor is U(−b, b) with PyTorch's bound b (1/√H for nn.LSTM and nn.Linear(H, V)), padding zero", () => {
  const model = new CharLSTM({ vocabSize: V, hidden: H, layers: L, dropout: 0 }, k, new Rng(1));
  for (const s of model.specs) {
    const b = torchBound(s.name);
    assert.ok(Math.abs(b - initBound(H)) < 1e-15, `${s.name}: bound ${initBound(H)} vs PyTorch's ${b}`);
    const x = model.params.subarray(s.offset, s.offset + s.size), st = stats(x);
    assert.ok(st.min >= -b && st.max <= b, `${s.name}: values in [${st.min}, ${st.max}] outside ±${b}`);
    // filled to the edges: the gap between ±b and the extreme of n uniform draws is ~2b/n (P(gap > 20·2b/n) ≈ e⁻²⁰)
    const slack = (20 * 2 * b) / s.size;
    assert.ok(st.min < -b + slack && st.max > b - slack, `${s.name}: range [${st.min}, ${st.max}] does not span ±${b}`);
    // mean 0 and variance b²/3 within 6 standard errors
    assert.ok(Math.abs(st.mean) < (6 * b) / Math.sqrt(3 * s.size), `${s.name}: mean ${st.mean}`);
    const seVar = Math.sqrt((4 / 45) * b ** 4 / s.size);   // Var(u²) = b⁴/5 − b⁴/9 for u ~ U(−b, b)
    assert.ok(Math.abs(st.meanSq - b * b / 3) < 6 * seVar, `${s.name}: mean square ${st.meanSq}, want ${b * b / 3}`);
  }
  const used = new Set<number>();
  for (const s of model.specs) for (let i = 0; i < s.size; i++) used.add(s.offset + i);
  for (let i = 0; i < model.params.length; i++) if (!used.has(i)) assert.equal(model.params[i], 0, `padding at ${i}`);
});

test("init: no forget-gate offset by default; --forget-bias X adds X to the forget slice of bias_ih only", () => {
  const cfg = { vocabSize: V, hidden: H, layers: L, dropout: 0 };
  const plain = new CharLSTM(cfg, k, new Rng(3));
  const offset = new CharLSTM(cfg, k, new Rng(3), { forgetBias: 1 });
  const b = initBound(H);
  for (let l = 0; l < L; l++) {
    // the forget slice [H, 2H) is drawn like every other slice: inside ±b, mean near 0
    const f = plain.p.layers[l].bih.subarray(H, 2 * H), st = stats(f);
    assert.ok(st.min >= -b && st.max <= b && Math.abs(st.mean) < (6 * b) / Math.sqrt(3 * H), `layer ${l} forget slice ${st.min}..${st.max}, mean ${st.mean}`);
  }
  for (const s of plain.specs) {
    for (let i = 0; i < s.size; i++) {
      const a = plain.params[s.offset + i], c = offset.params[s.offset + i];
      const inForget = s.name.startsWith("lstm.bias_ih_") && i >= H && i < 2 * H;
      // same draws from the same seed; the offset is an exact float32 add on the forget slice
      assert.equal(c, inForget ? Math.fround(a + 1) : a, `${s.name}[${i}]`);
    }
  }
});

test("initTensor fills any part of a tensor from the stream (reusable for new vocabulary rows)", () => {
  const b = initBound(H), rows = new Float32Array(3 * H);
  const rng = new Rng(9), ref = new Rng(9);
  initTensor(rows, "head.weight", H, rng);
  for (let i = 0; i < rows.length; i++) assert.equal(rows[i], Math.fround(ref.uniform(-b, b)));
  assert.deepEqual(rng.state(), ref.state());
  // a part of bias_ih (not the whole 4H tensor) gets no offset
  const part = new Float32Array(H);
  initTensor(part, "lstm.bias_ih_l0", H, new Rng(9), { forgetBias: 5 });
  assert.ok(stats(part).max <= b);
});

test("--forget-bias travels in the train config of a checkpoint, and a fresh run applies it", () => {
  const corpus = Corpus.fromText("the cat sat on the mat. ".repeat(100), { valFrac: 0.1, testFrac: 0 });
  const cfg = { ...defaultTrain, batch: 2, seq: 8, forgetBias: 0.5 };
  const tr = Trainer.create(corpus, { layers: 1, hidden: 8, dropout: 0 }, cfg, k);
  const ref = new CharLSTM({ ...tr.model.config }, k, new Rng(cfg.seed));
  const fb = tr.model.p.layers[0].bih, rb = ref.p.layers[0].bih;
  for (let i = 0; i < 32; i++) assert.equal(fb[i], i >= 8 && i < 16 ? Math.fround(rb[i] + 0.5) : rb[i]);
  const ck = decodeCheckpoint(encodeCheckpoint(tr.model, corpus.vocab, tr), k);
  assert.equal(ck.train?.forgetBias, 0.5);
  assert.equal(defaultTrain.forgetBias, 0);
});
