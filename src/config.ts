// One typed config with its defaults in one place (nanoGPT's GPTConfig, without the exec).
//
// ModelConfig holds what defines the shape of the weights; it travels in every checkpoint and wins over
// flags on resume. TrainConfig holds everything about how a run trains. Both are plain JSON.

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

export interface TrainConfig {
  // data
  /** Fraction of the text held out for validation (taken after the training part). */
  valFrac: number;
  /** Fraction of the text held out for testing (the tail of the file). */
  testFrac: number;
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

export const defaultModel = {
  vocabSize: 0,
  hidden: 256,
  layers: 2,
  dropout: 0,
} satisfies ModelConfig;

export const defaultTrain = {
  valFrac: 0.05,
  testFrac: 0.05,
  batch: 32,
  seq: 64,
  optimizer: "adam",
  lr: 2e-3,
  beta1: 0.9,
  beta2: 0.999,
  eps: 1e-8,
  momentum: 0.9,
  clip: 5,
  clipMode: "norm",
  decay: "none",
  decayRate: 0.5,
  decayEvery: 1000,
  lrMin: 0,
  warmup: 0,
  maxSteps: 0,
  maxTime: 0,
  epochs: 0,
  evalEvery: 200,
  sampleEvery: 200,
  sampleLength: 200,
  checkpointEvery: 200,
  seed: 1,
  forgetBias: 0,
  maxBadSteps: 5,
  patience: 0,
} satisfies TrainConfig;

/** Throws a one-line error naming the first out-of-range field. */
export function validateModel(m: ModelConfig): void {
  if (!Number.isInteger(m.vocabSize) || m.vocabSize < 1) throw new RangeError(`vocabSize must be a positive integer, got ${m.vocabSize}`);
  if (!Number.isInteger(m.hidden) || m.hidden < 1 || m.hidden > 8192) throw new RangeError(`--hidden must be an integer in 1..8192, got ${m.hidden}`);
  if (!Number.isInteger(m.layers) || m.layers < 1 || m.layers > 16) throw new RangeError(`--layers must be an integer in 1..16, got ${m.layers}`);
  if (!(m.dropout >= 0 && m.dropout < 1)) throw new RangeError(`--dropout must be in [0, 1), got ${m.dropout}`);
}

export function validateTrain(c: TrainConfig): void {
  const int = (v: number, name: string, lo: number, hi = Infinity) => {
    if (!Number.isInteger(v) || v < lo || v > hi) throw new RangeError(`--${name} must be an integer in ${lo}..${hi === Infinity ? "∞" : hi}, got ${v}`);
  };
  const real = (v: number, name: string, lo: number, hi: number, loOpen = false, hiOpen = false) => {
    const ok = Number.isFinite(v) && (loOpen ? v > lo : v >= lo) && (hiOpen ? v < hi : v <= hi);
    if (!ok) throw new RangeError(`--${name} must be a number in ${loOpen ? "(" : "["}${lo}, ${hi}${hiOpen ? ")" : "]"}, got ${v}`);
  };
  real(c.valFrac, "val-frac", 0, 1, true, true);
  real(c.testFrac, "test-frac", 0, 1, false, true);
  if (c.valFrac + c.testFrac >= 1) throw new RangeError(`--val-frac + --test-frac must be below 1, got ${c.valFrac + c.testFrac}`);
  int(c.batch, "batch", 1, 4096);
  int(c.seq, "seq", 1, 4096);
  real(c.lr, "lr", 0, 10, true);
  real(c.beta1, "beta1", 0, 1, false, true);
  real(c.beta2, "beta2", 0, 1, false, true);
  real(c.eps, "eps", 0, 1, true);
  real(c.momentum, "momentum", 0, 1, false, true);
  real(c.clip, "clip", 0, 1e6);
  real(c.decayRate, "decay-rate", 0, 1, true);
  int(c.decayEvery, "decay-every", 1);
  real(c.lrMin, "lr-min", 0, c.lr);
  int(c.warmup, "warmup", 0);
  int(c.maxSteps, "max-steps", 0);
  real(c.maxTime, "max-time", 0, 1e9);
  int(c.epochs, "epochs", 0);
  int(c.evalEvery, "eval-every", 0);
  int(c.sampleEvery, "sample-every", 0);
  int(c.sampleLength, "sample-length", 1, 1e6);
  int(c.checkpointEvery, "checkpoint-every", 0);
  int(c.seed, "seed", 0, 2 ** 32 - 1);
  int(c.maxBadSteps, "max-bad-steps", 1);
  int(c.patience, "patience", 0);
  if (c.patience && !c.evalEvery) throw new RangeError("--patience counts evaluations: it needs --eval-every N (not 0)");
  real(c.forgetBias, "forget-bias", -100, 100);
  if (!["adam", "rmsprop", "adagrad", "sgd"].includes(c.optimizer)) throw new RangeError(`--optimizer must be adam, rmsprop, adagrad or sgd, got ${c.optimizer}`);
  if (!["norm", "value"].includes(c.clipMode)) throw new RangeError(`--clip-mode must be norm or value, got ${c.clipMode}`);
  if (!["none", "step", "cosine", "linear"].includes(c.decay)) throw new RangeError(`--decay must be none, step, cosine or linear, got ${c.decay}`);
  if ((c.decay === "cosine" || c.decay === "linear") && c.maxSteps === 0 && c.maxTime === 0) {
    throw new RangeError(`--decay ${c.decay} needs --max-steps or --max-time (the schedule ends there)`);
  }
}
