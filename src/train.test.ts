// Training health and determinism at the library level.

import { test } from "node:test";
import assert from "node:assert/strict";
import { jsKernels } from "./kernels/js/index.js";
import { Corpus } from "./data/corpus.js";
import { Trainer, TrainingError, runTraining } from "./train.js";
import { defaultTrain } from "./config.js";
import { encodeCheckpoint, CheckpointError } from "./checkpoint.js";

const text = "the cat sat on the mat. ".repeat(200);
const corpus = Corpus.fromText(text, { valFrac: 0.1, testFrac: 0 });
const cfg = { ...defaultTrain, batch: 4, seq: 8, maxBadSteps: 4 };
const shape = { layers: 1, hidden: 8, dropout: 0 };

test("non-finite steps are skipped, the learning rate halves when they repeat, and the run stops after the limit", () => {
  const tr = Trainer.create(corpus, shape, cfg, jsKernels("f32"));
  const before = Float32Array.from(tr.model.params);
  tr.model.p.Wy[0] = NaN;   // poison one weight: every loss is NaN from now on
  const r1 = tr.step();
  assert.ok(r1.skipped && Number.isNaN(r1.loss));
  assert.equal(tr.state.lrScale, 1);
  const r2 = tr.step();
  assert.ok(r2.skipped);
  assert.equal(tr.state.lrScale, 0.5);
  tr.step();
  assert.throws(() => tr.step(), (e: Error) => e instanceof TrainingError && /non-finite for 4 steps in a row.*lower --lr/.test(e.message));
  // no update happened: every other weight is untouched, and nothing non-finite can be saved
  before[tr.model.specs.find((s) => s.name === "head.weight")!.offset] = NaN;
  assert.deepEqual(Array.from(tr.model.params), Array.from(before));
  assert.throws(() => encodeCheckpoint(tr.model, corpus.vocab, tr), CheckpointError);
});

test("a good step after bad ones resets the count", () => {
  const tr = Trainer.create(corpus, shape, cfg, jsKernels("f32"));
  const w = tr.model.p.Wy, saved = w[0];
  w[0] = Infinity;
  assert.ok(tr.step().skipped);
  w[0] = saved;
  assert.ok(!tr.step().skipped);
  assert.equal(tr.state.badSteps, 0);
});

test("runTraining respects budgets and reports, and the same seed trains the same weights", async () => {
  const run = async () => {
    const tr = Trainer.create(corpus, { ...shape, dropout: 0 }, { ...cfg, maxSteps: 25, evalEvery: 10, checkpointEvery: 0, sampleEvery: 0 }, jsKernels("f32"));
    const evals: number[] = [];
    const done = await runTraining(tr, { onEval: (e) => { evals.push(e.step); } });
    return { tr, done, evals };
  };
  const a = await run(), b = await run();
  assert.equal(a.done.step, 25);
  assert.equal(a.done.reason, "max-steps");
  assert.deepEqual(a.evals, [10, 20, 25]);
  assert.deepEqual(Array.from(a.tr.model.params), Array.from(b.tr.model.params));
  assert.ok(a.tr.state.history.length === 3 && a.tr.state.history.every((h) => Number.isFinite(h.val)));
});
