// Learning-rate schedules: step-based, time-based (a pure function of elapsed seconds and the budget's span)
// and warm-up, against their formulas.

import { test } from "node:test";
import assert from "node:assert/strict";
import { followsTime, learningRate, scheduleProgress, scheduledRate, type Schedule } from "./schedule.js";

const base: Schedule = { lr: 1, decay: "none", decayRate: 0.5, decayEvery: 10, lrMin: 0.1, warmup: 0, maxSteps: 100 };
const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-12, `${what}: ${a} vs ${b}`);

test("step-budget schedules: none, step, cosine and linear", () => {
  assert.equal(learningRate({ ...base, decay: "none" }, 55), 1);
  assert.equal(learningRate({ ...base, decay: "step" }, 25), 0.25);
  assert.equal(learningRate({ ...base, decay: "cosine" }, 0), 1);
  close(learningRate({ ...base, decay: "cosine" }, 100), 0.1, "cosine end");
  close(learningRate({ ...base, decay: "cosine" }, 50), 0.55, "cosine middle");
  close(learningRate({ ...base, decay: "cosine" }, 250), 0.1, "cosine stays at lrMin past the end");
  close(learningRate({ ...base, decay: "linear" }, 25), 1 - 0.9 * 0.25, "linear quarter");
  close(learningRate({ ...base, decay: "linear" }, 100), 0.1, "linear end");
  // a step budget wins over the clock: seconds and span are ignored
  close(learningRate({ ...base, decay: "cosine" }, 50, 999, { start: 0, end: 10 }), 0.55, "steps win");
});

test("time-budget schedules are a pure function of (elapsed seconds, span)", () => {
  const s: Schedule = { ...base, decay: "cosine", maxSteps: 0 };
  const span = { start: 20, end: 200 };
  assert.ok(followsTime(s) && !followsTime(base) && !followsTime({ ...s, decay: "step" }));
  assert.equal(scheduleProgress(s, 7, 20, span), 0);
  close(scheduleProgress(s, 7, 110, span), 0.5, "half the span");
  assert.equal(scheduleProgress(s, 7, 500, span), 1);
  assert.equal(scheduleProgress(s, 7, 5, span), 0, "before the span");
  assert.equal(scheduleProgress(s, 7, 50, undefined), 0, "no span yet: no decay");
  close(learningRate(s, 7, 110, span), 0.55, "cosine at half time");
  close(learningRate(s, 123456, 110, span), 0.55, "the step count does not matter");
  close(learningRate(s, 3, 200, span), 0.1, "cosine at the end of the span");
  close(learningRate({ ...s, decay: "linear" }, 3, 65, span), 1 - 0.9 * 0.25, "linear at a quarter");
  // the same arguments give the same rate, bit for bit
  assert.equal(learningRate(s, 9, 77.25, span), learningRate(s, 9, 77.25, { ...span }));
});

test("warm-up: linear over the first N steps, then the schedule", () => {
  const s: Schedule = { ...base, decay: "cosine", warmup: 10 };
  close(scheduledRate(s, 0, 0), 0.1, "first update at 1/10");
  close(scheduledRate(s, 0.04, 4), 0.5 * (0.1 + 0.45 * (1 + Math.cos(Math.PI * 0.04))), "half warm");
  close(scheduledRate(s, 0.5, 50), 0.55, "past the warm-up");
  close(scheduledRate({ ...s, decay: "none" }, 0, 9), 1, "warm at step N");
});
