// The recipe probe: its time is bounded (a fraction of the budget, split over the shapes it may measure),
// its figure is timed steps × B × T over their seconds, and a shape it cannot train is "not measured".

import { test } from "node:test";
import assert from "node:assert/strict";
import { defaultTrain } from "./config.js";
import { Corpus } from "./data/corpus.js";
import { jsKernels } from "./kernels/js/index.js";
import { candidateShapes, probeRecipe, RECIPES, tunedRate, describeShape, shapeOf } from "./recipe.js";
import { describeMeasure, measureRate, PROBE_FRACTION, PROBE_MAX_SECONDS, probeSlice, trainerProbe, type RateMeasure } from "./recipe_probe.js";

/** A clock that each step moves by `ms`. */
function fakeStep(ms: number) {
  let t = 0, steps = 0;
  return { now: () => t, step: () => { t += ms; steps++; }, steps: () => steps };
}

test("measureRate: one warm-up, then timed steps until the slice is used; the warm-up is not in the figure", () => {
  const f = fakeStep(100);
  const m = measureRate(f.step, 256, 0.5, f.now);
  assert.equal(f.steps(), 5, "warm-up + 4 timed steps fill 0.5 s");
  assert.equal(m.steps, 4);
  assert.equal(m.charsPerSec, 2560);
  assert.ok(m.seconds <= 0.5 + 0.1 + 1e-9, "at most one step past the slice");
  // a warm-up longer than the slice is the measurement (one step, never more)
  const slow = fakeStep(2000);
  const s = measureRate(slow.step, 6400, 0.5, slow.now);
  assert.deepEqual([slow.steps(), s.steps, s.charsPerSec], [1, 1, 3200]);
  // a cap on timed steps, and a stop request, end it early
  const many = fakeStep(1);
  assert.equal(measureRate(many.step, 1, 10, many.now, () => false, 20).steps, 20);
  const stopped = fakeStep(1);
  measureRate(stopped.step, 1, 10, stopped.now, () => stopped.steps() >= 3);
  assert.equal(stopped.steps(), 3);
});

test("the probe's time is at most 3% of the budget and 10 s, over every shape it may look at", async () => {
  for (const budget of [1, 60, 180, 600, 7200]) {
    const shapes = candidateShapes(1.2e6).length;
    assert.equal(shapes, 3, "a small text's 10m and 30m rows share one shape, measured once");
    const slice = probeSlice(budget, shapes);
    assert.ok(slice * shapes <= Math.min(PROBE_FRACTION * budget, PROBE_MAX_SECONDS) + 1e-12, `${budget} s`);
    // a whole choice on a machine where every shape is 8× the tuning speed (so every shape is probed),
    // each shape's probe using its slice plus one 0.2 s step past it: bounded by the total plus one step each
    let clock = 0;
    const pick = await probeRecipe(budget, 1.2e6, async (s) => {
      const f = fakeStep(200), t0 = clock;
      const m = measureRate(f.step, s.batch * s.seq, slice, f.now);
      clock = t0 + m.seconds;
      return 8 * tunedRate(RECIPES.find((r) => describeShape(shapeOf(r.recipe)) === describeShape(s))!);
    }, RECIPES, () => clock);
    assert.ok(pick.record.probeSeconds <= Math.min(PROBE_FRACTION * budget, PROBE_MAX_SECONDS) + shapes * 0.2 + 1e-9, `${budget} s: ${pick.record.probeSeconds}`);
  }
});

test("trainerProbe trains a throw-away model of the shape on the run's text; a shape the text cannot hold is not measured", async () => {
  const text = "the quick brown fox jumps over the lazy dog. ".repeat(40);
  const corpus = Corpus.fromText(text, { valFrac: 0.1, testFrac: 0 });
  const seen: (RateMeasure | Error)[] = [];
  const hook = trainerProbe({ corpus, config: { ...defaultTrain, maxTime: 60 }, kernels: jsKernels("f32"), slice: 0.05,
                              now: () => performance.now(), onShape: (_s, m) => seen.push(m) });
  const small = { layers: 1, hidden: 8, dropout: 0, batch: 2, seq: 8 };
  const r = await hook(small);
  assert.ok(r !== undefined && r > 0, `rate ${r}`);
  assert.ok(!(seen[0] instanceof Error) && seen[0].steps >= 1);
  assert.match(describeMeasure(small, seen[0]), /^1×8, B2, T8: [\d,]+ chars\/s over \d+ steps in \d+\.\d s$/);
  // B64 × T100 does not fit a 1,800-character text: undefined (its tuning rate stands in), said why
  assert.equal(await hook({ layers: 1, hidden: 8, dropout: 0, batch: 64, seq: 100 }), undefined);
  assert.ok(seen[1] instanceof Error);
  assert.match(describeMeasure({ layers: 1, hidden: 8, dropout: 0, batch: 64, seq: 100 }, seen[1]), /not measured/);
  // a stop request (a signal) ends the probe before it starts a shape
  const stopped = trainerProbe({ corpus, config: defaultTrain, kernels: jsKernels("f32"), slice: 1, now: () => performance.now(), stop: () => true });
  assert.equal(await stopped(small), undefined);
});
