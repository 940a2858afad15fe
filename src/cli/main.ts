// The CLI entry: dispatch a command, map errors to one-line messages and exit codes. The only module that
// touches process (argv, signals, exit code) is bin/char-lstm.mjs → run(); main(argv, ctx) is testable.
//
// Exit codes: 0 done; 1 a runtime error (bad file, bad checkpoint, training failure); 2 a usage error (a bad flag);
// 130 stopped by SIGINT/SIGTERM (training after saving its checkpoint; any other command at its next turn).
//
// Standard output: for sample, eval, inspect, export and export-tokens it is the product, so a closed pipe
// (sample … | head) ends the command quietly (exit 0) and any other write error (a full disk) ends it with
// one line (exit 1). For train and serve it is only a log: a closed or failing stdout turns the output off
// with one line on stderr and the run or the server goes on.

import { helpText, parseArgs, UsageError, nearest } from "./args.js";
import { commands } from "./commands.js";
import type { CliContext } from "./context.js";
import { trainCommand } from "./train.js";
import { evalCommand, inspectCommand, sampleCommand } from "./sample.js";
import { exportTokensCommand } from "./tokens.js";
import { serveCommand } from "./serve.js";
import { plotCommand } from "./plot.js";
import { runExitActions } from "./cleanup.js";
import { noveltyCommand } from "./novelty.js";
import { isOutOfMemory } from "./train.js";
import { exportCommand } from "./export.js";
import { trainHelp } from "./train_config.js";
import { flagSpelling, messageIn } from "../spelling.js";

const HANDLERS = { train: trainCommand, sample: sampleCommand, eval: evalCommand, inspect: inspectCommand, "export-tokens": exportTokensCommand, serve: serveCommand, plot: plotCommand, novelty: noveltyCommand, export: exportCommand };

const USAGE = `char-lstm: character-level LSTM language models

Usage:
  char-lstm train [TEXT_FILE] [options]     train (default text: Moby Dick)
  char-lstm sample CKPT [options]           generate text
  char-lstm eval CKPT --text FILE           held-out bits per character
  char-lstm inspect CKPT                    show a checkpoint
  char-lstm plot CKPT [--out FILE.svg]      learning curves as SVG
  char-lstm export-tokens TEXT --out DIR    encode a text into a token file (for python/)
  char-lstm serve CKPT [--port 8080]        web page + streaming HTTP API
  char-lstm novelty SAMPLE --text TRAIN     how much of a sample is copied from the training text
  char-lstm export CKPT --onnx FILE         the model as ONNX, for ONNX Runtime (docs/onnx.md)

Run "char-lstm COMMAND --help" for the options of a command.
`;

/** Known error types whose message is the whole story; anything else is a bug and says so. */
const EXPECTED = new Set(["UsageError", "RangeError", "IOError", "CorpusError", "VocabError", "CheckpointError", "SafetensorsError", "TrainingError", "SampleError", "Interrupted"]);

/** What a first Ctrl-C does, by command (the default: stop at the next turn, removing temporary files). */
const ON_SIGNAL: Record<string, string> = {
  train: "finishing the step and saving a checkpoint",
  serve: "stopping the server",
};

/** Commands whose stdout is a log rather than the product: they go on when it closes or fails. */
const STDOUT_IS_LOG = new Set(["train", "serve"]);

export async function main(argv: string[], ctx: CliContext): Promise<number> {
  const debug = argv.includes("--debug");
  try {
    const [name, ...rest] = argv;
    if (!name || name === "--help" || name === "-h" || name === "help") { ctx.out(USAGE); return name ? 0 : 2; }
    if (name === "--version") { ctx.out("char-lstm 0.1.0\n"); return 0; }
    const cmd = commands.find((c) => c.name === name);
    if (!cmd) {
      const near = nearest(name, commands.map((c) => c.name));
      throw new UsageError(`unknown command "${name}"${near ? ` (did you mean ${near}?)` : ""}; commands: ${commands.map((c) => c.name).join(", ")}`);
    }
    const { flags, positionals } = parseArgs(rest, cmd);
    if (flags.get("help")) {
      const width = ctx.columns?.() ?? 80;
      ctx.out(helpText(cmd, cmd.name === "train" ? trainHelp(flags, positionals, cmd, width) : { width }));
      return 0;
    }
    return await HANDLERS[cmd.name as keyof typeof HANDLERS](flags, positionals, ctx);
  } catch (e) {
    if (isOutOfMemory(e)) {
      // not a usage error: say what ran out (train says how much it needed and which flag lowers it)
      // sample has no batch: what it allocates grows with --num-samples and --beam
      const fix = argv[0] === "sample" ? "use a smaller --num-samples or --beam (or a smaller model)" : "use a smaller model, batch or input";
      ctx.err(`char-lstm: error: out of memory (${(e as Error).message}); ${fix}\n`);
      return 1;
    }
    const err = e as Error;
    const expected = EXPECTED.has(err?.name);
    if (err?.name === "Interrupted") { ctx.err(`char-lstm: ${err.message}\n`); return 130; }
    // the library names options by config field; the CLI spells them as its flags (--lr-min)
    ctx.err(`char-lstm: error: ${messageIn(e, flagSpelling)}${expected || debug ? "" : " (unexpected; rerun with --debug for details)"}\n`);
    if (debug && err?.stack) ctx.err(err.stack + "\n");
    // bad flags (parsing, range checks, sampling options) are usage errors; everything else is a runtime error
    return ["UsageError", "RangeError", "SampleError"].includes(err?.name) ? 2 : 1;
  }
}

/** The process shell: real streams, signals, exit code. */
export async function run(): Promise<void> {
  const argv = process.argv.slice(2);
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (sig: string) => {
    signals++;
    if (signals > 1) process.exit(130);   // a second Ctrl-C: leave now (the "exit" handler still removes temp files)
    process.stderr.write(`\nchar-lstm: ${sig}: ${ON_SIGNAL[argv[0]] ?? "stopping"} (again to quit at once)\n`);
    controller.abort();
  };
  // temp files and run-directory locks go on every exit, also process.exit (a second Ctrl-C, a closed pipe)
  process.on("exit", runExitActions);
  let stdoutOpen = true;
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (!stdoutOpen) return;
    stdoutOpen = false;
    const what = e.code === "EPIPE" ? "was closed" : `cannot be written (${e.code ?? e.message})`;
    if (STDOUT_IS_LOG.has(argv[0])) {
      process.stderr.write(`char-lstm: standard output ${what}; going on without it\n`);
    } else if (e.code === "EPIPE") {
      process.exit(0);   // the reader has what it wanted (char-lstm sample … | head)
    } else {
      process.stderr.write(`char-lstm: error: standard output ${what}; check where the output goes (a full disk?)\n`);
      process.exit(1);
    }
  });
  // stderr is where errors go; if it fails too there is nobody left to tell, so never crash on it
  process.stderr.on("error", () => {});
  process.on("SIGINT", () => onSignal("SIGINT"));
  process.on("SIGTERM", () => onSignal("SIGTERM"));
  const code = await main(argv, {
    out: (s) => { if (stdoutOpen) process.stdout.write(s); },
    err: (s) => { if (!process.stderr.destroyed) process.stderr.write(s); },
    tty: Boolean(process.stdout.isTTY),
    columns: () => process.stdout.columns || 80,
    signal: controller.signal,
  });
  // Stopped by a signal: exit now. Left to drain, Node closes its signal handles while it tears down, and a
  // second Ctrl-C landing in that window would kill the process before the exit actions ran.
  if (signals > 0) process.exit(code);
  process.exitCode = code;
}
