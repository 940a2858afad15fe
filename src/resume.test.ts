// A time-budgeted run with a time-based schedule, interrupted and resumed, continues exactly: same learning
// rates, same weights, bit for bit. Wall time differs between real runs, so the test injects a clock that
// advances 1/8 s per step (exact in binary): the schedule reads only the elapsed training seconds and the
// span stored in the checkpoint, so with the same clock readings a resume must replay the run.

import { test } from "node:test";
import assert from "node:assert/strict";
import { jsKernels } from "./kernels/js/index.js";
import { Corpus } from "./data/corpus.js";
import { Trainer, runTraining } from "./train.js";
import { defaultTrain, type TrainConfig } from "./config.js";
import { decodeCheckpoint, encodeCheckpoint } from "./checkpoint.js";
import { continuedTime, restoreTrainer } from "./resume.js";

const k = jsKernels("f32");
const corpus = Corpus.fromText("it was the best of times, it was the worst of times. ".repeat(60), { valFrac: 0.1, testFrac: 0 });
const shape = { layers: 2, hidden: 8, dropout: 0.25 };
const DT = 0.125, STEPS = 40;
const cfg: TrainConfig = { ...defaultTrain, batch: 3, seq: 8, lr: 1e-2, lrMin: 1e-4, decay: "cosine", warmup: 3, maxSteps: 0,
                           maxTime: STEPS * DT, evalEvery: 0, checkpointEvery: 0, sampleEvery: 0 };

/** Runs `tr` on the step clock; returns the learning rate of every step. */
async function run(tr: Trainer, stopAt = Infinity): Promise<number[]> {
  const lrs: number[] = [];
  await runTraining(tr, { now: () => tr.state.step * DT * 1000, shouldStop: () => tr.state.step >= stopAt, onStep: (r) => { lrs.push(r.lr); } });
  return lrs;
}

test("time-based schedule: an interrupted and resumed run continues it exactly (rates and weights bit for bit)", { timeout: 60_000 }, async () => {
  const full = Trainer.create(corpus, shape, cfg, k);
  const fullLrs = await run(full);
  assert.equal(full.state.step, STEPS, "the time budget ends the run");
  assert.deepEqual(full.state.lrSpan, { start: 0, end: STEPS * DT });
  // the rates follow the clock: warm-up, then a cosine that reaches lrMin at the end of the budget
  assert.ok(fullLrs[0] < fullLrs[2] && fullLrs[3] > fullLrs[20] && fullLrs[20] > fullLrs[STEPS - 1], `rates ${fullLrs.join(", ")}`);
  assert.ok(Math.abs(fullLrs[STEPS - 1] - (cfg.lrMin + 0.5 * (cfg.lr - cfg.lrMin) * (1 + Math.cos(Math.PI * (STEPS - 1) / STEPS)))) < 1e-15);

  const first = Trainer.create(corpus, shape, cfg, k);
  const firstLrs = await run(first, 17);
  assert.equal(first.state.step, 17);
  const ck = decodeCheckpoint(encodeCheckpoint(first.model, corpus.vocab, first), k);
  const remaining = continuedTime(ck.train!, ck.state!);
  assert.equal(remaining, STEPS * DT - 17 * DT, "a resume without a new budget gets what is left of the span");
  const second = restoreTrainer(ck, corpus, { ...ck.train!, maxTime: remaining });
  const secondLrs = await run(second);
  assert.equal(second.state.step, STEPS);
  assert.deepEqual([...firstLrs, ...secondLrs], fullLrs);
  assert.deepEqual(Array.from(second.model.params), Array.from(full.model.params));
});

test("a resume with a new --max-time continues the rate where it was and stretches the rest of the schedule over the new budget", { timeout: 60_000 }, async () => {
  const first = Trainer.create(corpus, shape, cfg, k);
  const before = await run(first, 10);
  const ck = decodeCheckpoint(encodeCheckpoint(first.model, corpus.vocab, first), k);
  const again = restoreTrainer(ck, corpus, { ...ck.train!, maxTime: 2 });
  const lrs = await run(again);
  const p0 = 10 / STEPS;   // 10 of the 40 steps' seconds of the first span
  assert.deepEqual(again.state.lrSpan, { start: 10 * DT, end: 10 * DT + 2, from: p0 });
  assert.equal(again.state.step, 10 + 2 / DT);
  const at = (p: number) => cfg.lrMin + 0.5 * (cfg.lr - cfg.lrMin) * (1 + Math.cos(Math.PI * p));
  // the first rate after the resume is the rate at p0, just below the last one before it (not the peak)
  assert.ok(Math.abs(lrs[0] - at(p0)) < 1e-15, `first rate after the resume ${lrs[0]}, want ${at(p0)} (before: ${before.at(-1)})`);
  assert.ok(lrs[0] <= before.at(-1)! && lrs[0] < cfg.lr * 0.9, "no jump back to the peak");
  // then p goes from p0 to 1 over the new 2 seconds: the last step is near lrMin, and the rates only fall
  const n = 2 / DT;
  assert.ok(Math.abs(lrs[n - 1] - at(p0 + (1 - p0) * (n - 1) / n)) < 1e-15);
  for (let i = 1; i < lrs.length; i++) assert.ok(lrs[i] <= lrs[i - 1]);
  // a finished span is not continued: its own budget again
  assert.equal(continuedTime(cfg, { ...first.state, seconds: 99, lrSpan: { start: 0, end: 5 } }), cfg.maxTime);
});

test("a run whose schedule had ended goes on at lrMin; a new --max-steps stretches a step schedule from where it was", { timeout: 60_000 }, async () => {
  const full = Trainer.create(corpus, shape, cfg, k);
  await run(full);
  const ck = decodeCheckpoint(encodeCheckpoint(full.model, corpus.vocab, full), k);
  const more = restoreTrainer(ck, corpus, { ...ck.train!, maxTime: 1 });
  const lrs = await run(more);
  assert.ok(lrs.every((r) => Math.abs(r - cfg.lrMin) < 1e-15), `a finished cosine stays at lrMin, got ${lrs.slice(0, 3).join(", ")}`);

  // step budget: 40 steps of 60, then --max-steps 100: the rate goes on from p0 = 40/60
  const stepCfg: TrainConfig = { ...cfg, maxTime: 0, maxSteps: 60 };
  const s1 = Trainer.create(corpus, shape, stepCfg, k);
  const b1 = await run(s1, 40);
  const ck2 = decodeCheckpoint(encodeCheckpoint(s1.model, corpus.vocab, s1), k);
  const same = restoreTrainer(ck2, corpus, { ...ck2.train! });
  assert.equal(same.state.lrSpan, undefined, "the same step budget: the same schedule, p = step / maxSteps");
  const s2 = restoreTrainer(ck2, corpus, { ...ck2.train!, maxSteps: 100 });
  assert.deepEqual(s2.state.lrSpan, { start: 40, end: 100, from: 40 / 60, unit: "steps" });
  const l2 = await run(s2);
  const at = (p: number) => cfg.lrMin + 0.5 * (cfg.lr - cfg.lrMin) * (1 + Math.cos(Math.PI * p));
  assert.ok(Math.abs(l2[0] - at(40 / 60)) < 1e-15 && l2[0] <= b1.at(-1)!, `continues at ${at(40 / 60)}, got ${l2[0]}`);
  assert.ok(Math.abs(l2.at(-1)! - at(40 / 60 + (1 / 3) * 59 / 60)) < 1e-15);
});
