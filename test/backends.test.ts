// The wasm backend trains like the js reference: 50 steps from the same seed give losses within 1e-3 of
// each other, and 1 and 2 threads (wasm, native) give bit-identical weights (the property exact resume relies on).

import { after, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Corpus } from "../src/data/corpus.js";
import { Trainer } from "../src/train.js";
import { defaultTrain, type TrainConfig } from "../src/config.js";
import { defaultCorpusPath } from "../src/io/node.js";
import { disposeBackends, testBackends } from "./backends.js";

after(disposeBackends);

const corpus = Corpus.fromText(readFileSync(defaultCorpusPath(), "utf8").slice(0, 200_000), { valFrac: 0.05, testFrac: 0.05 });

/**
 * `steps` training steps of one shape and config on every float32 backend; asserts every backend's losses
 * within 1e-3 of js and, for wasm and native, 1 and 2 threads bit-identical.
 */
async function agreeAcrossBackends(model: { layers: number; hidden: number; dropout: number }, config: Partial<TrainConfig>, steps: number): Promise<void> {
  const runs = new Map<string, { losses: number[]; params: Float32Array | Float64Array }>();
  for (const b of await testBackends()) {
    if (b.name === "js-f64") continue;
    const tr = Trainer.create(corpus, model, { ...defaultTrain, ...config }, b.kernels);
    const losses: number[] = [];
    for (let i = 0; i < steps; i++) losses.push(tr.step().loss);
    runs.set(b.name, { losses, params: tr.model.params });
  }
  const ref = runs.get("js-f32")!;
  for (const [name, r] of runs) {
    const d = Math.max(...r.losses.map((l, i) => Math.abs(l - ref.losses[i])));
    console.log(`  ${name}: max |loss − js| over ${steps} steps = ${d.toExponential(2)}`);
    assert.ok(d < 1e-3, `${name}: losses differ from js by ${d}`);
  }
  for (const name of ["wasm", "native"]) {
    const w1 = runs.get(`${name}×1`), w2 = runs.get(`${name}×2`);
    if (w1 && w2) assert.deepEqual(Array.from(w2.params), Array.from(w1.params), `${name} 1 vs 2 threads`);
  }
}

test("50 training steps: every backend within 1e-3 of the js reference; wasm 1 and 2 threads bit-identical (wasm, native)", async () => {
  await agreeAcrossBackends({ layers: 2, hidden: 64, dropout: 0.1 }, { batch: 16, seq: 32 }, 50);
});

test("weight-drop and AdamW weight decay: every backend within 1e-3 of js over 20 steps; 1 and 2 threads bit-identical", async () => {
  await agreeAcrossBackends({ layers: 2, hidden: 48, dropout: 0.1 }, { batch: 8, seq: 32, weightDrop: 0.3, weightDecay: 0.1 }, 20);
});

test("every backend: a text in k windows with carried state equals one long pass, bit for bit", async () => {
  const { CharLSTM } = await import("../src/model.js");
  const { Rng } = await import("../src/rng.js");
  for (const b of await testBackends()) {
    const V = 11, B = 3, total = 24;
    const model = new CharLSTM({ vocabSize: V, hidden: 20, layers: 2, dropout: 0 }, b.kernels, new Rng(3));
    const rng = new Rng(4);
    const xs = Array.from({ length: total * B }, () => rng.nextU32() % V);
    const long = model.workspace(B, total);
    long.x.set(xs);
    model.forward(long, total);
    const want = Array.from(long.logits.subarray(0, total * B * V));
    for (const k of [2, 3, 8]) {
      const Tk = total / k, ws = model.workspace(B, Tk), got: number[] = [];
      for (let w = 0; w < k; w++) {
        ws.x.set(xs.slice(w * Tk * B, (w + 1) * Tk * B));
        model.forward(ws, Tk);
        got.push(...ws.logits.subarray(0, Tk * B * V));
        model.carryState(ws, Tk);
      }
      assert.deepEqual(got, want, `${b.name}, ${k} windows`);
    }
  }
});
