// Rebuild a Trainer from a checkpoint so that the run continues exactly as if never stopped: parameters,
// optimizer moments and update count, carried (h, c), data cursor, RNG, learning-rate scale and history.

import { CheckpointError, type LoadedCheckpoint } from "./checkpoint.js";
import type { TrainConfig } from "./config.js";
import type { Corpus } from "./data/corpus.js";
import { followsTime, scheduleProgress, type TimeSpan } from "./optim/schedule.js";
import { Trainer, type TrainState } from "./train.js";

/**
 * The --max-time of a resume that gives no new budget: what is left of an interrupted run's time-based
 * schedule span, so the run continues the same schedule to the same end (runTraining keeps the span when
 * the budget equals exactly this); the run's own per-invocation budget otherwise.
 */
export function continuedTime(config: TrainConfig, state: TrainState): number {
  const span = state.lrSpan;
  if (followsTime(config) && config.maxTime > 0 && span && span.end - state.seconds > 0) return span.end - state.seconds;
  return config.maxTime;
}

/**
 * The schedule span of a resumed run (optim/schedule.ts): the run's own span when the budget continues it
 * (no new budget: what was left of it; the same step budget), else a new span from here to the end of the
 * new budget that starts at the progress p₀ the run had reached. So a resume never sends the learning rate
 * back to its peak: with a new --max-time T the rest of the schedule (p₀ → 1) is stretched over T; a run
 * whose schedule had ended (p₀ = 1) goes on at --lr-min.
 */
export function continueSchedule(was: TrainConfig, now: TrainConfig, state: Pick<TrainState, "step" | "seconds" | "lrSpan">): TimeSpan | undefined {
  const span = state.lrSpan;
  if (now.decay !== "cosine" && now.decay !== "linear") return span;
  const p0 = scheduleProgress(was, state.step, state.seconds, span);
  if (now.maxSteps > 0) {
    if (was.maxSteps === now.maxSteps && (!span || span.unit === "steps")) return span;
    return { start: state.step, end: now.maxSteps, from: p0, unit: "steps" };
  }
  if (now.maxTime > 0) {
    if (span && span.unit !== "steps" && Math.abs(span.end - state.seconds - now.maxTime) <= 1e-9 * Math.max(1, now.maxTime) && was.maxSteps === 0) return span;
    return { start: state.seconds, end: state.seconds + now.maxTime, from: p0 };
  }
  return span;
}

export function restoreTrainer(ck: LoadedCheckpoint, corpus: Corpus, config: TrainConfig, what = "checkpoint"): Trainer {
  if (!ck.state || !ck.train) throw new CheckpointError(`${what} holds no training state; resume from a run's last.safetensors`);
  if (ck.corpus && ck.corpus !== corpus.fingerprint()) {
    throw new CheckpointError(`${what} was trained on a different text (fingerprint ${ck.corpus}, this text ${corpus.fingerprint()}); resume with the same file`);
  }
  for (const key of ["batch", "seq", "optimizer", "valFrac", "testFrac"] as const) {
    if (config[key] !== ck.train[key]) throw new CheckpointError(`cannot resume with ${key} ${config[key]}: the run used ${ck.train[key]}`);
  }
  const state = structuredClone(ck.state);
  const span = continueSchedule(ck.train, config, state);
  if (span) state.lrSpan = span; else delete state.lrSpan;
  const trainer = new Trainer(ck.model, corpus, config, state);
  if (ck.state.window >= trainer.batcher.windows) {
    throw new CheckpointError(`${what}: training metadata state.window ${ck.state.window} is beyond the ${trainer.batcher.windows} windows of an epoch of this text: the checkpoint is damaged (or hand-edited)`);
  }
  for (const [key, buf] of trainer.optimizer.moments()) {
    const saved = ck.moments.get(key);
    if (!saved) throw new CheckpointError(`${what} lacks the optimizer's ${key} moments`);
    buf.set(saved);
  }
  const carried = ck.carried;
  if (!carried || carried.B !== config.batch) throw new CheckpointError(`${what} lacks the carried LSTM state for batch ${config.batch}`);
  trainer.setCarried(carried.h, carried.c);
  return trainer;
}
