// The probe behind a recipe's choice (recipe.ts): how many characters per second THIS machine trains each
// candidate shape at, measured in the first seconds of a budget run, before the schedule is fixed.
//
// A shape's probe is a throw-away trainer of that shape on the run's own text, on kernels of the run's
// backend and thread count: one warm-up step (allocation, first touch of the buffers, the thread pool
// waking), then timed steps until its slice of the probe's time is used (at least one). chars/s = timed
// steps × B × T / their seconds, the figure the progress line shows. The probe's whole time is at most
// PROBE_FRACTION of the budget and PROBE_MAX_SECONDS, split evenly over the shapes it may have to look at
// (recipe.ts probes lazily and usually stops at the first); a shape whose single step is longer than its
// slice overruns it by that step. The fast backends keep every tensor in an arena that is never freed
// (kernels/arena.ts), so the probe opens kernels of its own and disposes them after.
// Library code: no process, no clock of its own (the caller passes `now`).

import type { TrainConfig } from "./config.js";
import type { Corpus } from "./data/corpus.js";
import type { Kernels } from "./kernels/types.js";
import { describeShape, type RateHook, type RecipeShape } from "./recipe.js";
import { Trainer } from "./train.js";

/** The probe's share of the budget, and its cap in seconds. */
export const PROBE_FRACTION = 0.03;
export const PROBE_MAX_SECONDS = 10;
/** Timed steps after which a shape's probe stops even with time left (enough for a steady figure). */
export const PROBE_MAX_STEPS = 50;

/** Seconds each of `shapes` candidate shapes may take of a `budget`-second run. */
export function probeSlice(budget: number, shapes: number): number {
  return Math.min(PROBE_FRACTION * budget, PROBE_MAX_SECONDS) / Math.max(1, shapes);
}

export interface RateMeasure {
  charsPerSec: number;
  /** Timed steps (after the warm-up). */
  steps: number;
  /** Seconds spent, warm-up included. */
  seconds: number;
}

/**
 * Time `step` (one training step of `charsPerStep` characters): one warm-up, then steps until `slice`
 * seconds have passed since the start or `maxSteps` were timed, at least one; `now()` in milliseconds. When
 * the warm-up alone used the slice its own time is the figure. `stop()` true ends it early.
 */
export function measureRate(step: () => void, charsPerStep: number, slice: number, now: () => number,
                            stop: () => boolean = () => false, maxSteps = PROBE_MAX_STEPS): RateMeasure {
  const t0 = now();
  step();
  const t1 = now();
  if ((t1 - t0) / 1000 >= slice || stop()) return { charsPerSec: charsPerStep / Math.max((t1 - t0) / 1000, 1e-9), steps: 1, seconds: (t1 - t0) / 1000 };
  let steps = 0, t = t1;
  do {
    step();
    steps++;
    t = now();
  } while ((t - t0) / 1000 < slice && steps < maxSteps && !stop());
  return { charsPerSec: (steps * charsPerStep) / Math.max((t - t1) / 1000, 1e-9), steps, seconds: (t - t0) / 1000 };
}

export interface TrainerProbeOptions {
  /** The run's text (the probe's trainers read its training split). */
  corpus: Corpus;
  /** The run's config (optimizer, clip, seed…); each shape replaces layers, hidden, dropout, batch, seq. */
  config: TrainConfig;
  /** Kernels of the run's backend and threads, for the probe alone (disposed by the caller). */
  kernels: Kernels;
  /** Seconds per shape (probeSlice). */
  slice: number;
  now: () => number;
  /** True once the run was asked to stop (a signal): the probe ends at once. */
  stop?: () => boolean;
  /** Each shape's measurement, as it is made (for a --json event or a log). */
  onShape?: (shape: RecipeShape, m: RateMeasure | Error) => void;
}

/**
 * The rate hook of the CPU engines: a throw-away trainer per shape on the run's text and kernels. A shape
 * that cannot be trained here (a text shorter than its B × T, memory) gives undefined: its tuning rate
 * stands in, and the run itself says what is wrong if that row is chosen.
 */
export function trainerProbe(o: TrainerProbeOptions): RateHook {
  return async (shape) => {
    if (o.stop?.()) return undefined;
    let m: RateMeasure;
    try {
      const cfg: TrainConfig = { ...o.config, batch: shape.batch, seq: shape.seq, weightDrop: shape.weightDrop ?? 0, maxSteps: 0, evalEvery: 0, sampleEvery: 0, checkpointEvery: 0 };
      const trainer = Trainer.create(o.corpus, { layers: shape.layers, hidden: shape.hidden, dropout: shape.dropout }, cfg, o.kernels);
      m = measureRate(() => trainer.step(), shape.batch * shape.seq, o.slice, o.now, o.stop);
    } catch (e) {
      o.onShape?.(shape, e as Error);
      return undefined;
    }
    o.onShape?.(shape, m);
    // let the host deliver a signal between shapes
    await new Promise((res) => setTimeout(res, 0));
    return m.charsPerSec;
  };
}

/** "2×192, B4, T64: 31,900 chars/s over 42 steps in 1.3 s" — one shape's probe, for a log line. */
export function describeMeasure(shape: RecipeShape, m: RateMeasure | Error): string {
  if (m instanceof Error) return `${describeShape(shape)}: not measured (${m.message})`;
  return `${describeShape(shape)}: ${Math.round(m.charsPerSec).toLocaleString("en-US")} chars/s over ${m.steps} steps in ${m.seconds.toFixed(1)} s`;
}
