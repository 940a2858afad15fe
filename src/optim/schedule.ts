// Learning-rate schedules: a pure function of where a run stands in its budget.
//
// The rate for the update that completes step s+1 (s updates already done) is
//     lr(s) = warm(s) · base(p, s)          warm(s) = min(1, (s + 1) / warmup)   (1 without --warmup)
// where base is
//     none     lr
//     step     lr · rate^⌊s / every⌋
//     cosine   lrMin + ½(lr − lrMin)(1 + cos πp)
//     linear   lr − (lr − lrMin)·p
// and p ∈ [0, 1] is the progress through the budget:
//     p = s / maxSteps                             with a step budget (--max-steps), else
//     p = (seconds − span.start) / (span.end − span.start)   with a time budget (--max-time)
// A resume with a new budget continues from the progress p₀ the run had reached (never back to the peak):
//     p = p₀ + (1 − p₀)·(x − span.start) / (span.end − span.start)      x = seconds, or steps for a step budget
// so the rate goes on from where it was and what was left of the schedule is stretched over the new budget.
// `seconds` is the run's training wall time over all invocations (TrainState.seconds) and the span is
// stored in the checkpoint (TrainState.lrSpan), so a resumed run reads the same p from the same
// elapsed seconds: given the clock, the schedule is a pure function of (elapsed, budget), and a resume
// continues it exactly (train.test.ts replays one with a deterministic clock, bit for bit).

import type { TrainConfig } from "../config.js";

/** The fields of a run's config the schedule reads (TrainConfig documents each; maxSteps 0 = follow the time span). */
export type Schedule = Pick<TrainConfig, "lr" | "decay" | "decayRate" | "decayEvery" | "lrMin" | "warmup" | "maxSteps">;

/**
 * The stretch a schedule's progress p covers: training seconds (TrainState.seconds) by default, or steps.
 * p runs from `from` at `start` to 1 at `end`. A fresh run's span starts at p = 0; a resume with a new
 * budget starts a span at the progress the run had reached (resume.ts continueSchedule), so the rate
 * goes on from where it was and what was left of the schedule is stretched over the new budget.
 */
export interface TimeSpan {
  start: number;
  end: number;
  /** Progress at `start` (absent: 0). */
  from?: number;
  /** What start and end count (absent: seconds). */
  unit?: "seconds" | "steps";
}

/** p along a span at position x (seconds or steps). */
function along(span: TimeSpan, x: number): number {
  const q = span.end > span.start ? Math.min(Math.max((x - span.start) / (span.end - span.start), 0), 1) : 1;
  const from = span.from ?? 0;
  return from + (1 - from) * q;
}

/** Does this schedule read the progress p at all, and if so from the clock? */
export function followsTime(s: Schedule): boolean {
  return (s.decay === "cosine" || s.decay === "linear") && s.maxSteps === 0;
}

/** p ∈ [0, 1]: steps done of the step budget, or seconds elapsed of the time span (0 without either). */
export function scheduleProgress(s: Schedule, step: number, seconds: number, span?: TimeSpan | null): number {
  if (s.maxSteps > 0) return span?.unit === "steps" ? along(span, step) : Math.min(step / s.maxSteps, 1);
  if (!span || span.unit === "steps" || !(span.end > span.start)) return 0;
  return along(span, seconds);
}

/** Learning rate for the update after `step` updates, at progress p (scheduleProgress). */
export function scheduledRate(s: Schedule, p: number, step: number): number {
  const warm = s.warmup > 0 ? Math.min(1, (step + 1) / s.warmup) : 1;
  switch (s.decay) {
    case "none":
      return s.lr * warm;
    case "step":
      return s.lr * s.decayRate ** Math.floor(step / s.decayEvery) * warm;
    case "cosine":
      return (s.lrMin + 0.5 * (s.lr - s.lrMin) * (1 + Math.cos(Math.PI * p))) * warm;
    case "linear":
      return (s.lr - (s.lr - s.lrMin) * p) * warm;
  }
}

/** Step-budget form (no clock): the rate for the update after `step` updates. */
export function learningRate(s: Schedule, step: number, seconds = 0, span?: TimeSpan | null): number {
  return scheduledRate(s, scheduleProgress(s, step, seconds, span), step);
}

/** "cosine over 3m, warm-up 100 steps" — how the banner names a schedule. */
export function describeSchedule(s: Schedule, maxTime: number, fmt: (seconds: number) => string): string {
  const warm = s.warmup > 0 ? `, warm-up ${s.warmup} steps` : "";
  switch (s.decay) {
    case "none": return `constant${warm}`;
    case "step": return `×${s.decayRate} every ${s.decayEvery} steps${warm}`;
    default: return `${s.decay} to ${fmtRate(s.lrMin)} over ${s.maxSteps > 0 ? `${s.maxSteps} steps` : fmt(maxTime)}${warm}`;
  }
}

function fmtRate(x: number): string {
  return Number(x.toPrecision(3)).toString();
}
