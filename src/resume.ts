// Rebuild a Trainer from a checkpoint so that the run continues exactly as if never stopped: parameters,
// optimizer moments and update count, carried (h, c), data cursor, RNG, learning-rate scale and history.

import { CheckpointError, type LoadedCheckpoint } from "./checkpoint.js";
import type { TrainConfig } from "./config.js";
import type { Corpus } from "./data/corpus.js";
import { followsTime } from "./optim/schedule.js";
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

export function restoreTrainer(ck: LoadedCheckpoint, corpus: Corpus, config: TrainConfig, what = "checkpoint"): Trainer {
  if (!ck.state || !ck.train) throw new CheckpointError(`${what} holds no training state; resume from a run's last.safetensors`);
  if (ck.corpus && ck.corpus !== corpus.fingerprint()) {
    throw new CheckpointError(`${what} was trained on a different text (fingerprint ${ck.corpus}, this text ${corpus.fingerprint()}); resume with the same file`);
  }
  for (const key of ["batch", "seq", "optimizer", "valFrac", "testFrac"] as const) {
    if (config[key] !== ck.train[key]) throw new CheckpointError(`cannot resume with ${key} ${config[key]}: the run used ${ck.train[key]}`);
  }
  const trainer = new Trainer(ck.model, corpus, config, structuredClone(ck.state));
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
