// The flag tables of every command: the single source for parsing, --help and docs/flags.md. The train
// flags that set a config field are derived from the option table (options.ts: one row per option); the
// rest are the CLI's own (inputs, the run directory, output).

import { GROUPS, MODEL_OPTIONS, TRAIN_OPTIONS, type OptionRow } from "../options.js";
import { kebab } from "../spelling.js";
import type { CommandSpec, FlagSpec } from "./args.js";
import { exportCmd } from "./export.js";

const common: FlagSpec[] = [
  { name: "backend", type: "string", choices: ["auto", "native", "wasm", "js", "webgpu"], default: "auto", help: "kernel backend: native (AVX-512/AVX2 C kernels) where the addon is built and the CPU has AVX2+FMA, else wasm (SIMD), else js; webgpu trains on the GPU (npm install webgpu), evaluating and sampling on the CPU; auto trains on a hardware GPU when the model is big enough" },
  { name: "threads", type: "int", arg: "N", min: 1, help: "threads for the native and wasm backends (at most the available cores)", default: "available cores" },
  { name: "debug", type: "boolean", help: "print stack traces with errors" },
  { name: "help", type: "boolean", help: "show this help" },
];

/** A flag of the option table: --lr-min sets lrMin; bounds are checked by validateTrain once merged. */
function optionFlag(field: string, r: OptionRow, group: string): FlagSpec {
  const type = r.kind === "choice" ? "string" : r.kind;
  return {
    name: kebab(field), field, type, group, help: r.help, ...(r.resumable ? { resumable: true } : {}),
    ...(r.choices ? { choices: r.choices } : {}), ...(r.arg ? { arg: r.arg } : {}),
    ...(r.shown !== "" ? { default: r.shown ?? String(r.default) } : {}),
  };
}

/** Every option-table flag, by group in GROUPS order. */
export function optionFlags(): FlagSpec[] {
  const rows = [...Object.entries(MODEL_OPTIONS), ...Object.entries(TRAIN_OPTIONS)] as [string, OptionRow][];
  return GROUPS.flatMap(([g, heading]) => rows.filter(([, r]) => r.group === g).map(([f, r]) => optionFlag(f, r, heading)));
}

export const trainCmd: CommandSpec = {
  name: "train",
  summary: "Train a character-level LSTM on UTF-8 text: files, directories (recursively; binary files skipped) and quoted glob patterns (*, ?, **) read as one corpus (default: the bundled Moby Dick).",
  usage: "char-lstm train [TEXT_FILE|DIR|'PATTERN' ...] [options]",
  positionals: [0, Infinity],
  flags: [
    ...optionFlags(),
    { name: "recipe", type: "string", choices: ["auto", "off"], default: "auto", group: "Budget", help: "with a time budget only, take the shape and optimizer flags you did not give from the recipe row whose work (training characters) the budget buys on this machine, measured by a short probe at the start (src/recipe.ts); with --init-from, from the checkpoint's own run; off = the plain defaults" },
    { name: "max-vocab", type: "int", arg: "N", min: 1, default: "10000", group: "Input", help: "refuse texts with more distinct characters" },
    { name: "doc-sep", type: "string", arg: "STR", default: "a blank line (\\n\\n)", group: "Input", help: "written between input files; escapes \\n \\t \\\\" },
    { name: "out", type: "string", arg: "DIR", default: "runs/<text name>, or runs/<text name>-2, … when that holds a run", group: "Run directory", help: "run directory for best/last.safetensors and the token files; one that already holds a run is refused (see --resume, --overwrite)" },
    { name: "overwrite", type: "boolean", group: "Run directory", help: "replace the run already in --out (its checkpoints and token files are removed when training starts)" },
    { name: "resume", type: "string", arg: "CKPT", group: "Run directory", help: "continue a run from its last.safetensors (or its run directory), learning rate and all" },
    { name: "init-from", type: "string", arg: "CKPT", group: "Run directory", help: "fine-tune: a new run from this checkpoint's weights, shape and vocabulary (fresh optimizer, steps, history)" },
    { name: "extend-vocab", type: "boolean", group: "Run directory", help: "with --init-from: add the text's new characters to the model (new input columns and output rows)" },
    { name: "json", type: "boolean", group: "Output", help: "one JSON object per line on stdout instead of the progress display" },
    ...common.map((f) => ({ ...f, group: "Output" })),
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
    { name: "length-penalty", type: "number", arg: "A", min: 0, max: 10, default: "0", help: "with --beam: rank beams by log-probability / length^A (at most 10, as the server)" },
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
    { name: "quiet", type: "boolean", help: "log no line per request (method, path, status, ms) to stderr" },
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

export const commands: CommandSpec[] = [trainCmd, sampleCmd, evalCmd, inspectCmd, plotCmd, exportTokensCmd, serveCmd, noveltyCmd, exportCmd];
