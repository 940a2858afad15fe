// One typed config with its defaults in one place (nanoGPT's GPTConfig, without the exec).
//
// ModelConfig holds what defines the shape of the weights; it travels in every checkpoint and wins over
// flags on resume. TrainConfig holds everything about how a run trains. Both are plain JSON. Their
// defaults, bounds and help are rows of the option table (options.ts).

import { checkOption, MODEL_OPTIONS, modelDefaults, TRAIN_OPTIONS, trainDefaults, type ModelField } from "./options.js";
import { configError } from "./spelling.js";

export interface ModelConfig {
  /** V: number of distinct characters (Unicode code points) in the vocabulary. */
  vocabSize: number;
  /** H: LSTM units per layer. */
  hidden: number;
  /** L: stacked LSTM layers. */
  layers: number;
  /** Inverted dropout on the output of every LSTM layer but the last (PyTorch nn.LSTM's dropout). */
  dropout: number;
}

export type OptimizerName = "adam" | "rmsprop" | "adagrad" | "sgd";
export type ClipMode = "norm" | "value";
export type DecayMode = "none" | "step" | "cosine" | "linear";
/** Characters of a text outside a model's vocabulary: an error naming them, or dropped. */
export type UnknownPolicy = "error" | "skip";

export interface TrainConfig {
  // data
  /** Fraction of the text held out for validation (taken after the training part). */
  valFrac: number;
  /** Fraction of the text held out for testing (the tail of the file). */
  testFrac: number;
  /** Characters of the text outside the vocabulary of an --init-from checkpoint (a fine-tune): error or skip. */
  unknown: UnknownPolicy;
  // batching
  /** B: parallel contiguous streams per step. */
  batch: number;
  /** T: characters per truncated-BPTT window. */
  seq: number;
  // optimizer
  optimizer: OptimizerName;
  /** Learning rate. */
  lr: number;
  /** Adam β1 / SGD momentum. */
  beta1: number;
  /** Adam β2 / RMSprop α. */
  beta2: number;
  /** Denominator epsilon of Adam, RMSprop and Adagrad. */
  eps: number;
  /** SGD momentum (0 = plain SGD). */
  momentum: number;
  /** AdamW's decoupled weight decay λ: each update first scales every parameter by 1 − lr·λ (adam only). */
  weightDecay: number;
  /**
   * Weight-drop (DropConnect) on every layer's recurrent weights W_hh while training, as AWD-LSTM's
   * WeightDrop: one mask per layer and step, kept elements scaled by 1/(1−p). Training only: checkpoints
   * hold W_hh itself, so they load in PyTorch unchanged.
   */
  weightDrop: number;
  /** Clip threshold: the global L2 norm (mode "norm") or each element (mode "value"); 0 disables. */
  clip: number;
  clipMode: ClipMode;
  /**
   * Learning-rate schedule (optim/schedule.ts): none, step (× decayRate every decayEvery steps), or cosine /
   * linear decay to lrMin at the end of the budget: over maxSteps when set, else over the --max-time span.
   */
  decay: DecayMode;
  decayRate: number;
  decayEvery: number;
  lrMin: number;
  /** Linear learning-rate warm-up over the first N steps (0 = none). */
  warmup: number;
  // budget (0 = unlimited; at least one must be set)
  /** Total optimizer steps, counting those before a resume. */
  maxSteps: number;
  /** Wall-clock seconds for this invocation. */
  maxTime: number;
  /** Epochs over the training split. */
  epochs: number;
  // reporting
  /** Validation every N steps (and at the end); 0 only at the end. */
  evalEvery: number;
  /** Sample text every N steps; 0 never. */
  sampleEvery: number;
  /** Characters per progress sample. */
  sampleLength: number;
  /** Write last.safetensors every N steps; 0 only at the end. */
  checkpointEvery: number;
  /** Seed for initialization, dropout and batching. */
  seed: number;
  /** Added to the forget-gate slice of every bias_ih at init (0: PyTorch's init exactly). */
  forgetBias: number;
  /** Non-finite steps in a row that end the run with an error. */
  maxBadSteps: number;
  /** Early stopping: end the run after this many evaluations without a new best validation loss; 0 = off. */
  patience: number;
}

/** The defaults, from the option table (options.ts: one row per field with its bounds and help). */
export const defaultModel: ModelConfig = { vocabSize: 0, ...modelDefaults() };
export const defaultTrain: TrainConfig = trainDefaults();

/** Throws a one-line RangeError naming the first out-of-range field (spelled per shell: spelling.ts). */
export function validateModel(m: ModelConfig): void {
  if (!Number.isInteger(m.vocabSize) || m.vocabSize < 1) throw configError((s) => `${s("vocabSize")} must be a positive integer, got ${m.vocabSize}`);
  for (const field of Object.keys(MODEL_OPTIONS) as ModelField[]) checkOption(field, m[field]);
}

export function validateTrain(c: TrainConfig): void {
  for (const field of Object.keys(TRAIN_OPTIONS) as (keyof TrainConfig)[]) checkOption(field, c[field]);
  // the checks that relate two fields
  if (c.valFrac + c.testFrac >= 1) throw configError((s) => `${s("valFrac")} + ${s("testFrac")} must be below 1, got ${c.valFrac + c.testFrac}`);
  if (c.lrMin > c.lr) throw configError((s) => `${s("lrMin")} must be at most ${s("lr")} (${c.lr}), got ${c.lrMin}`);
  if (c.weightDecay > 0 && c.optimizer !== "adam") {
    throw configError((s) => `${s("weightDecay")} is AdamW's decoupled decay: it needs ${s("optimizer", "adam")} (got ${c.optimizer})`);
  }
  if (c.patience && !c.evalEvery) throw configError((s) => `${s("patience")} counts evaluations: it needs ${s("evalEvery", "N")} (not 0)`);
  if ((c.decay === "cosine" || c.decay === "linear") && c.maxSteps === 0 && c.maxTime === 0) {
    throw configError((s) => `${s("decay", c.decay)} needs ${s("maxSteps")} or ${s("maxTime")} (the schedule ends there)`);
  }
}
