// The train command's probe: which engine is measured, and how a run without one still gets a row.

import { test } from "node:test";
import assert from "node:assert/strict";
import { defaultTrain } from "../config.js";
import { Corpus } from "../data/corpus.js";
import { jsKernels } from "../kernels/js/index.js";
import type { Kernels } from "../kernels/types.js";
import { describePick, RECIPE_FIELDS } from "../recipe.js";
import { pickForRun } from "./probe.js";

const corpus = Corpus.fromText("call me ishmael. ".repeat(200), { valFrac: 0.1, testFrac: 0 });
const base = { corpus, config: { ...defaultTrain, maxTime: 360 }, given: () => false, signal: new AbortController().signal };

test("an engine's own rate hook decides the row; on webgpu, with no hook yet, the probe is skipped and the banner says so", async () => {
  const asked: string[] = [];
  const slow = await pickForRun({ ...base, flags: new Map(), kernels: jsKernels("f32"), rate: async (s) => { asked.push(`${s.batch}`); return 10_000; } });
  assert.equal(slow.row.name, "3m", "6 minutes at ~10k chars/s buy 3.6M characters: the 3m row");
  assert.deepEqual(asked, ["4"]);
  assert.ok(slow.record.rates[0].measured);
  const gpu = { ...jsKernels("f32"), name: "webgpu" } as Kernels;
  const skipped = await pickForRun({ ...base, flags: new Map([["backend", "webgpu"]]), kernels: gpu });
  assert.equal(skipped.row.name, "10m", "at the tuning machine's speed 6 minutes are in the 10m band");
  assert.equal(skipped.record.rates[0].measured, false);
  assert.match(describePick(skipped.record), /^no probe on the webgpu backend yet: at the tuning machine's speed \(~34k chars\/s for 2×192, B4, T64, dropout 0\.2\) 6m buys 12\.2M characters → row 10m/);
  // every recipe value given: nothing to choose for, nothing probed
  const all = new Set<string>(Object.values(RECIPE_FIELDS));
  const given = await pickForRun({ ...base, given: (f) => all.has(f), flags: new Map(), kernels: jsKernels("f32"), rate: async () => assert.fail("probed") });
  assert.match(describePick(given.record), /^not probed \(every recipe value given\)/);
});

test("the CPU probe measures the first row's shape on the run's text, within its share of the budget", async () => {
  // js kernels, a 2-second budget: 3% of it for the probe (one warm-up step of 2×192 B4 T64 at least)
  const t0 = performance.now();
  const pick = await pickForRun({ ...base, config: { ...defaultTrain, maxTime: 2 }, flags: new Map([["backend", "js"]]), kernels: jsKernels("f32") });
  assert.equal(pick.row.name, "3m");
  assert.equal(pick.record.rates.length, 1);
  assert.ok(pick.record.rates[0].measured && pick.record.rates[0].charsPerSec > 0);
  assert.ok(pick.record.probeSeconds > 0 && pick.record.probeSeconds <= (performance.now() - t0) / 1000 + 1e-3);
});
