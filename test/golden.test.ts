// Golden test against PyTorch (fixture written by tools/make_fixtures.py; see test/golden/README.md):
// window-0 logits, loss, final state, every parameter gradient and ∂L/∂(h0, c0), then the losses of 5 Adam
// steps with clipping and truncated BPTT and the parameters after them. Prints llm.c-style per-tensor max
// differences and fails on any mismatch. Runs on every backend: f64 tight, f32 at 1e-5 / 1e-4.

import { after, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { decodeSafetensors, type Tensor } from "../src/safetensors.js";
import { CharLSTM } from "../src/model.js";
import { Optimizer } from "../src/optim/optimizer.js";
import { clipGradients } from "../src/optim/clip.js";
import { disposeBackends, testBackends } from "./backends.js";

after(disposeBackends);

const fixture = decodeSafetensors(readFileSync(new URL("../../test/golden/tiny.safetensors", import.meta.url)));
const meta = fixture.metadata;
const V = +meta.V, H = +meta.H, L = +meta.L, B = +meta.B, T = +meta.T;
const get = (name: string): Tensor => {
  const t = fixture.tensors.get(name);
  if (!t) throw new Error(`fixture lacks ${name}`);
  return t;
};

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function expectClose(label: string, got: ArrayLike<number>, want: ArrayLike<number>, tol: number): void {
  const d = maxDiff(got, want);
  console.log(`  ${d <= tol ? "OK " : "BAD"} ${label.padEnd(34)} max diff ${d.toExponential(2)} (tol ${tol})`);
  assert.ok(d <= tol, `${label}: max diff ${d} > ${tol}`);
}

/** Window k of the fixture's streams, time-major: x[t·B + b] = tokens[b, kT + t]. */
function fillWindow(x: Int32Array, y: Int32Array, k: number): void {
  const tok = get("tokens"), W = tok.shape[1];
  for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) {
    x[t * B + b] = tok.data[b * W + k * T + t];
    y[t * B + b] = tok.data[b * W + k * T + t + 1];
  }
}

function loadInitial(model: CharLSTM): void {
  for (const s of model.specs) model.params.set(get(s.name).data, s.offset);
}

for (const backend of await testBackends()) {
  const f64 = backend.kernels.dtype === "f64";
  const tolF = f64 ? 1e-12 : 1e-5, tolG = f64 ? 1e-10 : 1e-4;
  // Parameters after 5 Adam steps: Adam divides by sqrt(v) + 1e-8, so an entry whose gradient is ~1e-8
  // (pure rounding in float32) moves by up to lr·g/(|g| + eps) either way; in f32 we allow lr/20.
  const tolP = f64 ? 1e-10 : 0.01 / 20;

  test(`golden vs PyTorch [${backend.name}]: logits, loss, state and every gradient of one window`, () => {
    const model = new CharLSTM({ vocabSize: V, hidden: H, layers: L, dropout: 0 }, backend.kernels);
    loadInitial(model);
    const ws = model.workspace(B, T);
    fillWindow(ws.x, ws.y, 0);
    const h0 = get("h0").data, c0 = get("c0").data, S = B * H;
    for (let l = 0; l < L; l++) {
      ws.caches[l].h.set(h0.subarray(l * S, (l + 1) * S));
      ws.caches[l].c.set(c0.subarray(l * S, (l + 1) * S));
    }
    model.forward(ws, T);
    expectClose("logits", ws.logits, get("logits").data, tolF);
    const hT = get("hT").data, cT = get("cT").data;
    for (let l = 0; l < L; l++) {
      expectClose(`hT[${l}]`, ws.caches[l].h.subarray(T * S, (T + 1) * S), hT.subarray(l * S, (l + 1) * S), tolF);
      expectClose(`cT[${l}]`, ws.caches[l].c.subarray(T * S, (T + 1) * S), cT.subarray(l * S, (l + 1) * S), tolF);
    }
    model.zeroGrad();
    expectClose("loss", [model.loss(ws, T)], get("loss").data, tolF);
    model.backward(ws, T);
    for (const s of model.specs) {
      expectClose(`grad.${s.name}`, model.grads.subarray(s.offset, s.offset + s.size), get(`grad.${s.name}`).data, tolG);
    }
    const gh0 = get("grad.h0").data, gc0 = get("grad.c0").data;
    for (let l = 0; l < L; l++) {
      expectClose(`grad.h0[${l}]`, ws.dh0[l], gh0.subarray(l * S, (l + 1) * S), tolG);
      expectClose(`grad.c0[${l}]`, ws.dc0[l], gc0.subarray(l * S, (l + 1) * S), tolG);
    }
  });

  test(`golden vs PyTorch [${backend.name}]: 5 Adam steps with clipping and carried state`, () => {
    const model = new CharLSTM({ vocabSize: V, hidden: H, layers: L, dropout: 0 }, backend.kernels);
    loadInitial(model);
    const ws = model.workspace(B, T);
    const opt = new Optimizer("adam", backend.kernels, model.params.length, { beta1: 0.9, beta2: 0.999, eps: 1e-8, momentum: 0 });
    const losses: number[] = [];
    for (let k = 0; k < 5; k++) {
      fillWindow(ws.x, ws.y, k);
      model.zeroGrad();
      model.forward(ws, T);
      losses.push(model.loss(ws, T));
      model.backward(ws, T);
      clipGradients(backend.kernels, model.grads, "norm", +meta.clip);
      opt.step(model.params, model.grads, +meta.lr);
      model.carryState(ws, T);
    }
    expectClose("step_losses", losses, get("step_losses").data, tolG);
    for (const s of model.specs) {
      expectClose(`final.${s.name}`, model.params.subarray(s.offset, s.offset + s.size), get(`final.${s.name}`).data, tolP);
    }
  });
}
