// Model-level proofs: finite-difference gradient checks in float64 of every parameter tensor and of the
// carried-in state (h0, c0), for L = 2; chunked BPTT equal to one long pass; batch rows independent.

import { test } from "node:test";
import assert from "node:assert/strict";
import { jsKernels } from "./kernels/js/index.js";
import { CharLSTM, type Workspace } from "./model.js";
import { Rng } from "./rng.js";
import type { FloatArray } from "./kernels/types.js";

const V = 6, H = 5, L = 2, B = 2, T = 3;

function tinyModel(seed = 7): { model: CharLSTM; ws: Workspace } {
  const model = new CharLSTM({ vocabSize: V, hidden: H, layers: L, dropout: 0 }, jsKernels("f64"), new Rng(seed));
  const ws = model.workspace(B, T);
  const rng = new Rng(seed + 1);
  for (let i = 0; i < T * B; i++) { ws.x[i] = rng.nextU32() % V; ws.y[i] = rng.nextU32() % V; }
  // non-zero carried state, so the gradient w.r.t. h0 and c0 is exercised
  for (const c of ws.caches) for (let i = 0; i < B * H; i++) { c.h[i] = rng.uniform(-0.8, 0.8); c.c[i] = rng.uniform(-1.5, 1.5); }
  return { model, ws };
}

function lossAt(model: CharLSTM, ws: Workspace): number {
  model.forward(ws, T);
  return model.loss(ws, T);
}


/**
 * Central differences on every element of `x`, against the analytic gradient `g`. Returns the tensor's
 * relative error ‖num − g‖₂ / max(‖num‖₂ + ‖g‖₂, 1e-12). A per-element ratio would be meaningless for
 * entries whose true gradient is ~1e-7, where the difference quotient is all rounding noise.
 */
function check(model: CharLSTM, ws: Workspace, x: FloatArray, g: ArrayLike<number>, f = () => lossAt(model, ws)): number {
  const eps = 1e-5;
  let diff = 0, nNum = 0, nAna = 0;
  for (let i = 0; i < x.length; i++) {
    const orig = x[i];
    x[i] = orig + eps; const lp = f();
    x[i] = orig - eps; const lm = f();
    x[i] = orig;
    const num = (lp - lm) / (2 * eps);
    diff += (num - g[i]) ** 2; nNum += num * num; nAna += g[i] * g[i];
  }
  return Math.sqrt(diff) / Math.max(Math.sqrt(nNum) + Math.sqrt(nAna), 1e-12);
}

test("gradient check (float64): every parameter tensor and h0/c0 of a 2-layer model, rel. error < 1e-6", () => {
  const { model, ws } = tinyModel();
  model.zeroGrad();
  lossAt(model, ws);
  model.backward(ws, T);
  const grads = Float64Array.from(model.grads);
  const dh0 = ws.dh0.map((d) => Float64Array.from(d)), dc0 = ws.dc0.map((d) => Float64Array.from(d));
  for (const s of model.specs) {
    const x = model.params.subarray(s.offset, s.offset + s.size);
    const err = check(model, ws, x, grads.subarray(s.offset, s.offset + s.size));
    assert.ok(err < 1e-6, `${s.name}: relative error ${err.toExponential(2)}`);
  }
  for (let l = 0; l < L; l++) {
    const S = B * H;
    const eh = check(model, ws, ws.caches[l].h.subarray(0, S), dh0[l]);
    const ec = check(model, ws, ws.caches[l].c.subarray(0, S), dc0[l]);
    assert.ok(eh < 1e-6, `h0 layer ${l}: relative error ${eh.toExponential(2)}`);
    assert.ok(ec < 1e-6, `c0 layer ${l}: relative error ${ec.toExponential(2)}`);
  }
});

test("gradient check catches a wrong gradient (the check itself can fail)", () => {
  const { model, ws } = tinyModel();
  model.zeroGrad();
  lossAt(model, ws);
  model.backward(ws, T);
  const s = model.specs[1];
  const g = Float64Array.from(model.grads.subarray(s.offset, s.offset + s.size));
  const ok = check(model, ws, model.params.subarray(s.offset, s.offset + s.size), g);
  g[3] += 1e-3 * Math.max(...g.map(Math.abs));
  const bad = check(model, ws, model.params.subarray(s.offset, s.offset + s.size), g);
  assert.ok(ok < 1e-6 && bad > 1e-5, `intact ${ok}, perturbed ${bad}`);
});

test("running a text in k windows with carried state equals one long pass", () => {
  for (const kernels of [jsKernels("f64"), jsKernels("f32")]) {
    const model = new CharLSTM({ vocabSize: V, hidden: H, layers: L, dropout: 0 }, kernels, new Rng(3));
    const total = 12, rng = new Rng(9);
    const xs = Array.from({ length: total * B }, () => rng.nextU32() % V);
    const long = model.workspace(B, total);
    xs.forEach((v, i) => (long.x[i] = v));
    model.forward(long, total);
    const logitsLong = Float64Array.from(long.logits);
    for (const k of [2, 3, 4]) {
      const Tk = total / k, ws = model.workspace(B, Tk);
      for (let w = 0; w < k; w++) {
        for (let i = 0; i < Tk * B; i++) ws.x[i] = xs[w * Tk * B + i];
        model.forward(ws, Tk);
        for (let i = 0; i < Tk * B * V; i++) {
          assert.equal(ws.logits[i], logitsLong[w * Tk * B * V + i], `${kernels.name} k=${k} window ${w} logit ${i}`);
        }
        model.carryState(ws, Tk);
      }
    }
  }
});

test("batch rows do not influence each other, and resetState zeroes the state", () => {
  const model = new CharLSTM({ vocabSize: V, hidden: H, layers: L, dropout: 0 }, jsKernels("f64"), new Rng(5));
  const ws = model.workspace(B, T);
  for (let i = 0; i < T * B; i++) ws.x[i] = i % V;
  model.forward(ws, T);
  const before = Float64Array.from(ws.logits);
  for (let t = 0; t < T; t++) ws.x[t * B + 1] = (ws.x[t * B + 1] + 1) % V;   // change stream 1 only
  model.forward(ws, T);
  for (let t = 0; t < T; t++) for (let v = 0; v < V; v++) {
    assert.equal(ws.logits[(t * B + 0) * V + v], before[(t * B + 0) * V + v]);
  }
  model.carryState(ws, T);
  assert.ok(ws.caches[0].h.subarray(0, B * H).some((v) => v !== 0));
  model.resetState(ws);
  for (const c of ws.caches) assert.ok(c.h.subarray(0, B * H).every((v) => v === 0) && c.c.subarray(0, B * H).every((v) => v === 0));
});

test("dropout: masks scale kept units by 1/(1−p), backward uses the same masks (gradient check in float64)", () => {
  const model = new CharLSTM({ vocabSize: V, hidden: H, layers: 3, dropout: 0.4 }, jsKernels("f64"), new Rng(11));
  const ws = model.workspace(B, T);
  for (let i = 0; i < T * B; i++) { ws.x[i] = i % V; ws.y[i] = (i * 5 + 1) % V; }
  const seeded = () => new Rng(99);
  const f = () => { model.forward(ws, T, { rng: seeded() }); return model.loss(ws, T); };
  model.zeroGrad(); f(); model.backward(ws, T);
  const values = new Set(Array.from(ws.masks[0]));
  assert.deepEqual([...values].sort(), [0, 1 / 0.6].sort());
  const g = Float64Array.from(model.grads);
  for (const s of model.specs) {
    const err = check(model, ws, model.params.subarray(s.offset, s.offset + s.size), g.subarray(s.offset, s.offset + s.size), f);
    assert.ok(err < 1e-6, `${s.name}: relative error ${err.toExponential(2)}`);
  }
});

test("weight-drop: W_hh masked by 0 or 1/(1−p) in training, backward through the same mask (gradient check in float64); evaluation uses W_hh", () => {
  const model = new CharLSTM({ vocabSize: V, hidden: H, layers: 2, dropout: 0.2 }, jsKernels("f64"), new Rng(13));
  const ws = model.workspace(B, T);
  for (let i = 0; i < T * B; i++) { ws.x[i] = i % V; ws.y[i] = (i * 3 + 2) % V; }
  const seeded = () => new Rng(77);
  const f = () => { model.forward(ws, T, { rng: seeded(), weightDrop: 0.5 }); return model.loss(ws, T); };
  model.zeroGrad(); const lossDropped = f(); model.backward(ws, T);
  assert.ok(ws.weightDropped);
  const values = new Set(Array.from(ws.whhMasks[1]));
  assert.deepEqual([...values].sort(), [0, 2].sort());
  // the masked copy is W_hh ⊙ mask, and the mask differs between layers
  const W = model.p.layers[0].Whh;
  assert.ok(Array.from(ws.whhDrop[0]).every((v, i) => v === W[i] * ws.whhMasks[0][i]));
  assert.notDeepEqual(Array.from(ws.whhMasks[0]), Array.from(ws.whhMasks[1]));
  const g = Float64Array.from(model.grads);
  for (const s of model.specs) {
    const err = check(model, ws, model.params.subarray(s.offset, s.offset + s.size), g.subarray(s.offset, s.offset + s.size), f);
    assert.ok(err < 1e-6, `${s.name}: relative error ${err.toExponential(2)}`);
  }
  // a dropped W_hh element gets no gradient
  const gW = g.subarray(model.specs.find((s) => s.name === "lstm.weight_hh_l0")!.offset);
  for (let i = 0; i < 4 * H * H; i++) if (ws.whhMasks[0][i] === 0) assert.equal(gW[i], 0);
  // evaluation (no rng): W_hh as it is, the same logits as a model trained without weight-drop
  model.forward(ws, T, { weightDrop: 0.5 });
  assert.equal(ws.weightDropped, false);
  const evalLoss = model.loss(ws, T);
  model.forward(ws, T);
  assert.equal(model.loss(ws, T), evalLoss);
  assert.notEqual(evalLoss, lossDropped);
});
