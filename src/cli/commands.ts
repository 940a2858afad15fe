// The flag tables of every command: the single source for parsing, --help and docs/flags.md.

import { defaultModel, defaultTrain } from "../config.js";
import type { CommandSpec, FlagSpec } from "./args.js";

const d = (v: unknown) => String(v);
const common: FlagSpec[] = [
  { name: "backend", type: "string", choices: ["auto", "native", "wasm", "js", "webgpu"], default: "auto", help: "kernel backend: native (AVX-512/AVX2 C kernels) where the addon is built and the CPU has AVX2+FMA, else wasm (SIMD), else js; webgpu trains on the GPU (npm install webgpu), evaluating and sampling on the CPU; auto trains on a hardware GPU when the model is big enough" },
  { name: "threads", type: "int", arg: "N", help: "threads for the native and wasm backends", default: "available cores" },
  { name: "debug", type: "boolean", help: "print stack traces with errors" },
  { name: "help", type: "boolean", help: "show this help" },
];

export const trainCmd: CommandSpec = {
  name: "train",
  summary: "Train a character-level LSTM on UTF-8 text: files, directories (recursively; binary files skipped) and quoted glob patterns (*, ?, **) read as one corpus (default: the bundled Moby Dick).",
  usage: "char-lstm train [TEXT_FILE|DIR|'PATTERN' ...] [options]",
  positionals: [0, Infinity],
  flags: [
    { name: "layers", type: "int", arg: "L", default: d(defaultModel.layers), help: "stacked LSTM layers" },
    { name: "hidden", type: "int", arg: "H", default: d(defaultModel.hidden), help: "LSTM units per layer" },
    { name: "dropout", type: "number", arg: "P", default: d(defaultModel.dropout), help: "dropout between LSTM layers (as nn.LSTM's dropout)" },
    { name: "seq", type: "int", arg: "T", default: d(defaultTrain.seq), help: "characters per truncated-BPTT window" },
    { name: "batch", type: "int", arg: "B", default: d(defaultTrain.batch), help: "parallel streams per step" },
    { name: "optimizer", type: "string", choices: ["adam", "rmsprop", "adagrad", "sgd"], default: defaultTrain.optimizer, help: "optimizer" },
    { name: "lr", type: "number", default: d(defaultTrain.lr), help: "learning rate" },
    { name: "beta1", type: "number", default: d(defaultTrain.beta1), help: "Adam β1" },
    { name: "beta2", type: "number", default: d(defaultTrain.beta2), help: "Adam β2, RMSprop α" },
    { name: "eps", type: "number", default: d(defaultTrain.eps), help: "Adam/RMSprop/Adagrad ε" },
    { name: "momentum", type: "number", default: d(defaultTrain.momentum), help: "SGD momentum" },
    { name: "clip", type: "number", default: d(defaultTrain.clip), help: "gradient clip threshold (0 = off)" },
    { name: "clip-mode", type: "string", choices: ["norm", "value"], default: defaultTrain.clipMode, help: "clip the global L2 norm, or each value" },
    { name: "decay", type: "string", choices: ["none", "step", "cosine", "linear"], default: defaultTrain.decay, help: "learning-rate schedule; cosine and linear decay to --lr-min at the end of --max-steps, else of --max-time" },
    { name: "decay-rate", type: "number", default: d(defaultTrain.decayRate), help: "step decay factor" },
    { name: "decay-every", type: "int", arg: "N", default: d(defaultTrain.decayEvery), help: "steps between step decays" },
    { name: "lr-min", type: "number", default: d(defaultTrain.lrMin), help: "final learning rate of the cosine and linear schedules" },
    { name: "warmup", type: "int", arg: "N", default: d(defaultTrain.warmup), help: "linear learning-rate warm-up over the first N steps" },
    { name: "val-frac", type: "number", default: d(defaultTrain.valFrac), help: "fraction of the text for validation" },
    { name: "test-frac", type: "number", default: d(defaultTrain.testFrac), help: "fraction of the text held out for testing" },
    { name: "max-steps", type: "int", arg: "N", help: "stop after N total steps (counting steps before a resume)" },
    { name: "max-time", type: "duration", arg: "TIME", help: "stop after this long, e.g. 90s, 10m, 1h30m", default: "3m when no budget is given" },
    { name: "epochs", type: "int", arg: "N", help: "stop after N epochs" },
    { name: "eval-every", type: "int", arg: "N", default: d(defaultTrain.evalEvery), help: "validate (and checkpoint) every N steps; 0 = only at the end; a recipe rescales the default to its batch × window (same characters apart)" },
    { name: "sample-every", type: "int", arg: "N", default: d(defaultTrain.sampleEvery), help: "print a sample every N steps; 0 = never; a recipe rescales the default like --eval-every" },
    { name: "sample-length", type: "int", arg: "N", default: d(defaultTrain.sampleLength), help: "characters per progress sample" },
    { name: "checkpoint-every", type: "int", arg: "N", default: d(defaultTrain.checkpointEvery), help: "write last.safetensors every N steps; 0 = at evaluations and the end; a recipe rescales the default like --eval-every" },
    { name: "max-bad-steps", type: "int", arg: "N", default: d(defaultTrain.maxBadSteps), help: "stop after N non-finite steps in a row" },
    { name: "patience", type: "int", arg: "N", default: "0 (off)", help: "early stopping: stop after N evaluations without a new best validation loss" },
    { name: "max-vocab", type: "int", arg: "N", min: 1, default: "10000", help: "refuse texts with more distinct characters" },
    { name: "doc-sep", type: "string", arg: "STR", default: "a blank line (\\n\\n)", help: "written between input files; escapes \\n \\t \\\\" },
    { name: "seed", type: "int", arg: "N", default: d(defaultTrain.seed), help: "seed for init, dropout and samples" },
    { name: "forget-bias", type: "number", arg: "X", default: d(defaultTrain.forgetBias), help: "add X to the forget-gate bias at init (0 = PyTorch's init)" },
    { name: "recipe", type: "string", choices: ["auto", "off"], default: "auto", help: "with a time budget only, take the shape and optimizer flags you did not give from the budget's recipe (src/recipe.ts); off = the plain defaults" },
    { name: "out", type: "string", arg: "DIR", default: "runs/<text name>, or runs/<text name>-2, … when that holds a run", help: "run directory for best/last.safetensors and the token files; one that already holds a run is refused (see --resume, --overwrite)" },
    { name: "overwrite", type: "boolean", help: "replace the run already in --out (its checkpoints and token files are removed when training starts)" },
    { name: "resume", type: "string", arg: "CKPT", help: "continue a run exactly from its last.safetensors" },
    { name: "init-from", type: "string", arg: "CKPT", help: "fine-tune: a new run from this checkpoint's weights, shape and vocabulary (fresh optimizer, steps, history)" },
    { name: "unknown", type: "string", choices: ["error", "skip"], default: "error", help: "with --init-from: characters of the text outside the checkpoint's vocabulary" },
    { name: "extend-vocab", type: "boolean", help: "with --init-from: add the text's new characters to the model (new input columns and output rows)" },
    { name: "json", type: "boolean", help: "one JSON object per line on stdout instead of the progress display" },
    ...common,
  ],
};

export const sampleCmd: CommandSpec = {
  name: "sample",
  summary: "Generate text from a checkpoint, streaming it to stdout (the prime is echoed first).",
  usage: "char-lstm sample CKPT [options]",
  positionals: [1, 1],
  flags: [
    { name: "length", type: "int", arg: "N", default: "2000", help: "characters to generate" },
    { name: "temperature", type: "number", default: "1", help: "softmax temperature (> 0)" },
    { name: "top-k", type: "int", arg: "K", default: "0 (off)", help: "sample only among the K most likely characters" },
    { name: "top-p", type: "number", arg: "P", default: "1 (off)", help: "nucleus sampling: the smallest set reaching probability P" },
    { name: "argmax", type: "boolean", help: "always take the most likely character" },
    { name: "prime", type: "string", arg: "TEXT", help: "text to read before generating" },
    { name: "prime-file", type: "string", arg: "FILE", help: "read the prime text from a file" },
    { name: "stop", type: "string", arg: "STR", help: "stop once this string has been generated" },
    { name: "seed", type: "int", arg: "N", default: "random", help: "seed; the same seed gives the same text" },
    { name: "unknown", type: "string", choices: ["error", "skip"], default: "error", help: "prime characters outside the vocabulary" },
    { name: "beam", type: "int", arg: "K", help: "beam search: the most likely continuation among K kept beams (deterministic; 1 = --argmax); the text all beams agree on streams as it becomes final" },
    { name: "length-penalty", type: "number", arg: "A", default: "0", help: "with --beam: rank beams by log-probability / length^A" },
    { name: "beams-out", type: "boolean", help: "with --beam: print all K beams, best first, with their log-probabilities and scores" },
    { name: "num-samples", type: "int", arg: "N", help: "N samples as one batch of N streams; sample i uses seed (--seed + i) mod 2^32" },
    { name: "json", type: "boolean", help: "one JSON object per line: {\"index\",\"seed\",\"text\"} per sample, {\"index\",\"text\",\"log_prob\",\"score\",\"stopped\"} per beam" },
    { name: "novelty", type: "string", arg: "TRAIN_FILE", help: "after generating, report how much of the sample is copied from this text (on stderr; in the objects with --json)" },
    { name: "min-run", type: "int", arg: "N", default: "20", help: "with --novelty: shortest copied run counted in the copied fraction" },
    ...common,
  ],
};

export const noveltyCmd: CommandSpec = {
  name: "novelty",
  summary: "How much of a sample is copied from the training text: the longest verbatim substring and the fraction in long copied runs.",
  usage: "char-lstm novelty SAMPLE_FILE --text TRAIN_FILE [options]",
  positionals: [1, 1],
  flags: [
    { name: "text", type: "string", arg: "FILE", help: "the training text (required)" },
    { name: "min-run", type: "int", arg: "N", default: "20", help: "shortest copied run (characters) counted in the copied fraction" },
    { name: "json", type: "boolean", help: "print {\"longest_copy\",\"longest_copy_at\",\"copied_fraction\",\"min_run\"}" },
    { name: "debug", type: "boolean", help: "print stack traces with errors" },
    { name: "help", type: "boolean", help: "show this help" },
  ],
};

export const evalCmd: CommandSpec = {
  name: "eval",
  summary: "Held-out loss of a text: mean −log p(char | everything before it), read as one stream.",
  usage: "char-lstm eval CKPT --text FILE|DIR|'PATTERN' [MORE ...] [options]",
  positionals: [1, Infinity],
  flags: [
    { name: "text", type: "string", arg: "FILE", help: "the text to evaluate (required); more files, directories or patterns may follow, read as one stream like train's" },
    { name: "doc-sep", type: "string", arg: "STR", default: "a blank line (\\n\\n)", help: "written between input files, as in train" },
    { name: "unknown", type: "string", choices: ["error", "skip"], default: "error", help: "characters outside the vocabulary" },
    { name: "json", type: "boolean", help: "print {\"nats\",\"bpc\",\"chars\"}" },
    ...common,
  ],
};

export const inspectCmd: CommandSpec = {
  name: "inspect",
  summary: "Show a checkpoint: shape, vocabulary, parameter count, step, best validation bits/char.",
  usage: "char-lstm inspect CKPT [options]",
  positionals: [1, 1],
  flags: [
    { name: "json", type: "boolean", help: "print JSON" },
    { name: "debug", type: "boolean", help: "print stack traces with errors" },
    { name: "help", type: "boolean", help: "show this help" },
  ],
};

export const exportTokensCmd: CommandSpec = {
  name: "export-tokens",
  summary: "Encode a text into char-lstm's token file (tokens.bin + tokens.json), the data format shared with python/.",
  usage: "char-lstm export-tokens TEXT_FILE --out DIR [options]",
  positionals: [1, 1],
  flags: [
    { name: "out", type: "string", arg: "DIR", help: "directory for tokens.bin and tokens.json (required)" },
    { name: "vocab-from", type: "string", arg: "CKPT", help: "use a checkpoint's vocabulary (to continue its run on this text)" },
    { name: "max-vocab", type: "int", arg: "N", min: 1, default: "10000", help: "refuse texts with more distinct characters" },
    { name: "json", type: "boolean", help: "print the token file's metadata as JSON" },
    { name: "debug", type: "boolean", help: "print stack traces with errors" },
    { name: "help", type: "boolean", help: "show this help" },
  ],
};

export const serveCmd: CommandSpec = {
  name: "serve",
  summary: "Serve the web page and an HTTP API (JSON + streaming samples) for a checkpoint, on loopback by default.",
  usage: "char-lstm serve CKPT [options]",
  positionals: [1, 1],
  flags: [
    { name: "port", type: "int", arg: "N", default: "8080", help: "TCP port (0 = any free port)" },
    { name: "host", type: "string", arg: "ADDR", default: "127.0.0.1", help: "address to listen on; 0.0.0.0 exposes the server to the network" },
    { name: "max-length", type: "int", arg: "N", default: "10000", help: "longest generation one request may ask for" },
    { name: "max-concurrent", type: "int", arg: "N", default: "4", help: "generations running at once; more get HTTP 429" },
    { name: "max-beam", type: "int", arg: "K", default: "16", help: "most beams one request may ask for (beam=K)" },
    { name: "novelty-text", type: "string", arg: "FILE", help: "the training text, indexed at startup, so requests can ask for novelty=1" },
    ...common,
  ],
};

export const plotCmd: CommandSpec = {
  name: "plot",
  summary: "Draw a run's learning curves (training and validation bits/char against steps and against time) as an SVG file.",
  usage: "char-lstm plot CKPT [--out FILE.svg]",
  positionals: [1, 1],
  flags: [
    { name: "out", type: "string", arg: "FILE", default: "CKPT with .svg", help: "where to write the SVG; - writes it to stdout" },
    { name: "json", type: "boolean", help: "print {\"path\",\"points\",\"best_val_bpc\",\"best_step\"}" },
    { name: "debug", type: "boolean", help: "print stack traces with errors" },
    { name: "help", type: "boolean", help: "show this help" },
  ],
};

export const commands: CommandSpec[] = [trainCmd, sampleCmd, evalCmd, inspectCmd, plotCmd, exportTokensCmd, serveCmd, noveltyCmd];
