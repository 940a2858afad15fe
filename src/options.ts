// THE OPTION TABLE: every model and training option is one row here — its config field, default, help,
// group, choices, bounds, and whether a resume may change it. Everything else is derived from it:
//   config.ts        defaultModel / defaultTrain and validateModel / validateTrain (errors name the field)
//   cli/commands.ts  the `train` flags (--lr-min for lrMin), so parsing, --help and docs/flags.md
//   resolve.ts       resolveTrainConfig: which given options a resume keeps or ignores
//   python/          python/char_lstm_torch/options.json (optionsJson below, written by `npm run docs`),
//                    which python/'s DEFAULT_TRAIN, RESUMABLE and train_ddp.py's flags read
// Adding an option is one row here (and its field in config.ts's interfaces, which the compiler enforces).

import type { ModelConfig, TrainConfig } from "./config.js";
import { configError } from "./spelling.js";

export type OptionGroup = "model" | "batching" | "optimizer" | "schedule" | "data" | "budget" | "run";

/** Groups in the order --help and docs list them, with their headings. */
export const GROUPS: [OptionGroup, string][] = [
  ["model", "Model"], ["batching", "Batching"], ["optimizer", "Optimizer"], ["schedule", "Learning-rate schedule"],
  ["data", "Data"], ["budget", "Budget"], ["run", "Reporting and checkpoints"],
];

export interface OptionRow<V = number | string> {
  default: V;
  /** int, number, duration (seconds, written with a unit), or one of `choices`. */
  kind: "int" | "number" | "duration" | "choice";
  help: string;
  group: OptionGroup;
  /** Value placeholder in --help (H, N, TIME). */
  arg?: string;
  choices?: readonly string[];
  /** Bounds: [min, max], an end open where minOpen / maxOpen. Missing: unbounded. */
  min?: number;
  max?: number;
  minOpen?: boolean;
  maxOpen?: boolean;
  /** A resumed run may change it (budget, reporting, learning rate); otherwise the checkpoint's value wins. */
  resumable: boolean;
  /** How --help shows the default where the bare value would mislead. */
  shown?: string;
  /** python/'s train_ddp.py offers it as a flag (default true; the budget is its own --steps there). */
  python?: boolean;
}

export type ModelField = Exclude<keyof ModelConfig, "vocabSize">;
export type TrainField = keyof TrainConfig;
export type OptionField = ModelField | TrainField;

type Rows<C> = { [K in keyof C]: OptionRow<C[K]> };

export const MODEL_OPTIONS: Rows<Pick<ModelConfig, ModelField>> = {
  hidden: { default: 256, kind: "int", min: 1, max: 8192, arg: "H", group: "model", resumable: false, help: "LSTM units per layer" },
  layers: { default: 2, kind: "int", min: 1, max: 16, arg: "L", group: "model", resumable: false, help: "stacked LSTM layers" },
  dropout: { default: 0, kind: "number", min: 0, max: 1, maxOpen: true, arg: "P", group: "model", resumable: false, help: "dropout between LSTM layers (as nn.LSTM's dropout)" },
};

export const TRAIN_OPTIONS: Rows<TrainConfig> = {
  valFrac: { default: 0.05, kind: "number", min: 0, max: 1, minOpen: true, maxOpen: true, group: "data", resumable: false, help: "fraction of the text for validation (after the training part)" },
  testFrac: { default: 0.05, kind: "number", min: 0, max: 1, maxOpen: true, group: "data", resumable: false, help: "fraction of the text held out for testing (its tail)" },
  unknown: { default: "error", kind: "choice", choices: ["error", "skip"], group: "data", resumable: false, python: false,
             help: "with --init-from: characters of the text outside the checkpoint's vocabulary: error names them, skip drops them (kept in the run: a resume skips them too)" },
  batch: { default: 32, kind: "int", min: 1, max: 4096, arg: "B", group: "batching", resumable: false, help: "parallel streams per step" },
  seq: { default: 64, kind: "int", min: 1, max: 4096, arg: "T", group: "batching", resumable: false, help: "characters per truncated-BPTT window" },
  optimizer: { default: "adam", kind: "choice", choices: ["adam", "rmsprop", "adagrad", "sgd"], group: "optimizer", resumable: false, help: "optimizer" },
  lr: { default: 2e-3, kind: "number", min: 0, max: 10, minOpen: true, group: "optimizer", resumable: true, help: "learning rate (the schedule's peak)" },
  beta1: { default: 0.9, kind: "number", min: 0, max: 1, maxOpen: true, group: "optimizer", resumable: false, help: "Adam β1" },
  beta2: { default: 0.999, kind: "number", min: 0, max: 1, maxOpen: true, group: "optimizer", resumable: false, help: "Adam β2, RMSprop α" },
  eps: { default: 1e-8, kind: "number", min: 0, max: 1, minOpen: true, group: "optimizer", resumable: false, help: "Adam/RMSprop/Adagrad ε" },
  momentum: { default: 0.9, kind: "number", min: 0, max: 1, maxOpen: true, group: "optimizer", resumable: false, help: "SGD momentum (0 = plain SGD)" },
  weightDecay: { default: 0, kind: "number", min: 0, max: 10, arg: "W", group: "optimizer", resumable: false,
                 help: "AdamW's decoupled weight decay: every update first shrinks each weight by lr·W (torch.optim.AdamW's weight_decay); adam only" },
  clip: { default: 5, kind: "number", min: 0, max: 1e6, group: "optimizer", resumable: false, help: "gradient clip threshold (0 = off)" },
  clipMode: { default: "norm", kind: "choice", choices: ["norm", "value"], group: "optimizer", resumable: false, help: "clip the global L2 norm, or each value" },
  decay: { default: "none", kind: "choice", choices: ["none", "step", "cosine", "linear"], group: "schedule", resumable: false,
           help: "learning-rate schedule; cosine and linear decay to --lr-min at the end of --max-steps, else of --max-time (a resume continues from where the rate was)" },
  decayRate: { default: 0.5, kind: "number", min: 0, max: 1, minOpen: true, group: "schedule", resumable: false, help: "step decay factor" },
  decayEvery: { default: 1000, kind: "int", min: 1, arg: "N", group: "schedule", resumable: false, help: "steps between step decays" },
  lrMin: { default: 0, kind: "number", min: 0, group: "schedule", resumable: true, help: "final learning rate of the cosine and linear schedules (at most --lr)" },
  warmup: { default: 0, kind: "int", min: 0, arg: "N", group: "schedule", resumable: false, help: "linear learning-rate warm-up over the first N steps" },
  maxSteps: { default: 0, kind: "int", min: 0, arg: "N", group: "budget", resumable: true, python: false, shown: "",
              help: "stop after N total steps (counting steps before a resume)" },
  maxTime: { default: 0, kind: "duration", min: 0, max: 1e9, arg: "TIME", group: "budget", resumable: true, python: false, shown: "3m when no budget is given",
             help: "stop after this long, e.g. 90s, 10m, 1h30m (a unit is required); on a resume: this much more, the schedule stretched from where it is" },
  epochs: { default: 0, kind: "int", min: 0, arg: "N", group: "budget", resumable: true, python: false, shown: "", help: "stop after N epochs" },
  evalEvery: { default: 200, kind: "int", min: 0, arg: "N", group: "run", resumable: true,
               help: "validate (and checkpoint) every N steps; 0 = only at the end; a recipe rescales the default to its batch × window (same characters apart); on a text over ~2M characters a new run spaces it to 4× the validation split's characters" },
  sampleEvery: { default: 200, kind: "int", min: 0, arg: "N", group: "run", resumable: true, python: false,
                 help: "print a sample every N steps; 0 = never; a recipe rescales the default like --eval-every" },
  sampleLength: { default: 200, kind: "int", min: 1, max: 1e6, arg: "N", group: "run", resumable: true, python: false, help: "characters per progress sample" },
  checkpointEvery: { default: 200, kind: "int", min: 0, arg: "N", group: "run", resumable: true,
                     help: "write last.safetensors every N steps; 0 = at evaluations and the end; a recipe rescales the default like --eval-every" },
  seed: { default: 1, kind: "int", min: 0, max: 2 ** 32 - 1, arg: "N", group: "run", resumable: false, help: "seed for init, dropout and samples" },
  forgetBias: { default: 0, kind: "number", min: -100, max: 100, arg: "X", group: "model", resumable: false, help: "add X to the forget-gate bias at init (0 = PyTorch's init)" },
  weightDrop: { default: 0, kind: "number", min: 0, max: 1, maxOpen: true, arg: "P", group: "model", resumable: false, python: false,
                help: "weight-drop while training: each layer's recurrent weights W_hh dropped with probability P, one mask per step (AWD-LSTM's WeightDrop); checkpoints are unchanged" },
  maxBadSteps: { default: 5, kind: "int", min: 1, arg: "N", group: "run", resumable: true, help: "stop after N non-finite steps in a row" },
  patience: { default: 0, kind: "int", min: 0, arg: "N", group: "budget", resumable: true, python: false, shown: "0 (off)",
              help: "early stopping: stop after N evaluations without a new best validation loss" },
};

const defaultsOf = <C>(rows: Rows<C>): C => Object.fromEntries(Object.entries(rows).map(([k, r]) => [k, (r as OptionRow).default])) as C;
export const modelDefaults = (): Pick<ModelConfig, ModelField> => defaultsOf(MODEL_OPTIONS);
export const trainDefaults = (): TrainConfig => defaultsOf(TRAIN_OPTIONS);

/** Every option row, model first, in table order. */
export function optionRows(): [OptionField, OptionRow][] {
  return [...Object.entries(MODEL_OPTIONS), ...Object.entries(TRAIN_OPTIONS)] as [OptionField, OptionRow][];
}

/** The row of a field, or undefined. */
export function optionRow(field: string): OptionRow | undefined {
  return (MODEL_OPTIONS as Record<string, OptionRow>)[field] ?? (TRAIN_OPTIONS as Record<string, OptionRow>)[field];
}

/** The fields a resume may change. */
export const RESUMABLE: ReadonlySet<TrainField> = new Set((Object.keys(TRAIN_OPTIONS) as TrainField[]).filter((k) => TRAIN_OPTIONS[k].resumable));

/** "an integer in 1..8192", "a number in [0, 1)", "one of adam, rmsprop, adagrad or sgd": what a row accepts. */
export function describeBounds(row: OptionRow): string {
  if (row.kind === "choice") return `one of ${row.choices!.slice(0, -1).join(", ")} or ${row.choices!.at(-1)}`;
  const lo = row.min ?? -Infinity, hi = row.max ?? Infinity;
  if (row.kind === "int") return lo === -Infinity ? "an integer" : `an integer in ${lo}..${hi === Infinity ? "∞" : hi}`;
  const what = row.kind === "duration" ? "a duration (seconds)" : "a number";
  if (hi === Infinity) return lo === -Infinity ? what : `${what} ${row.minOpen ? ">" : "≥"} ${lo}`;
  return `${what} in ${row.minOpen ? "(" : "["}${lo}, ${hi}${row.maxOpen ? ")" : "]"}`;
}

/** Does `v` satisfy the row (type, integer-ness, bounds, choices)? */
export function withinRow(row: OptionRow, v: unknown): boolean {
  if (row.kind === "choice") return typeof v === "string" && row.choices!.includes(v);
  if (typeof v !== "number" || !Number.isFinite(v)) return false;
  if (row.kind === "int" && !Number.isInteger(v)) return false;
  const lo = row.min ?? -Infinity, hi = row.max ?? Infinity;
  return (row.minOpen ? v > lo : v >= lo) && (row.maxOpen ? v < hi : v <= hi);
}

/** Throw a RangeError naming `field` (spelled per shell) when `v` is outside its row. */
export function checkOption(field: OptionField, v: unknown): void {
  const row = optionRow(field)!;
  if (!withinRow(row, v)) throw configError((s) => `${s(field)} must be ${describeBounds(row)}, got ${row.kind === "choice" ? JSON.stringify(v) : String(v)}`);
}

/**
 * The table as JSON for python/ (python/char_lstm_torch/options.json): field → default, kind, choices,
 * bounds, resumable, help, and whether train_ddp.py offers it. Written by `npm run docs`; a test checks
 * the committed file against this and python/ reads nothing else.
 */
export function optionsJson(): string {
  const out: Record<string, Record<string, Record<string, unknown>>> = { model: {}, train: {} };
  for (const [section, rows] of [["model", MODEL_OPTIONS], ["train", TRAIN_OPTIONS]] as const) {
    for (const [field, r] of Object.entries(rows) as [string, OptionRow][]) {
      out[section][field] = {
        default: r.default, kind: r.kind, ...(r.choices ? { choices: r.choices } : {}),
        ...(r.min !== undefined ? { min: r.min } : {}), ...(r.max !== undefined ? { max: r.max } : {}),
        ...(r.minOpen ? { minOpen: true } : {}), ...(r.maxOpen ? { maxOpen: true } : {}),
        resumable: r.resumable, python: r.python ?? true, help: r.help,
      };
    }
  }
  return JSON.stringify(out, null, 1) + "\n";
}
