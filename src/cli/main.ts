// The CLI entry: dispatch a command, map errors to one-line messages and exit codes. The only module that
// touches process (argv, signals, exit code) is bin/char-lstm.mjs → run(); main(argv, ctx) is testable.
//
// Exit codes: 0 done; 1 a runtime error (bad file, bad checkpoint, training failure); 2 a usage error (a bad flag);
// 130 training stopped by SIGINT/SIGTERM after saving its checkpoint.

import { helpText, parseArgs, UsageError, nearest } from "./args.js";
import { commands } from "./commands.js";
import type { CliContext } from "./context.js";
import { trainCommand } from "./train.js";
import { evalCommand, inspectCommand, sampleCommand } from "./sample.js";
import { exportTokensCommand } from "./tokens.js";
import { serveCommand } from "./serve.js";
import { plotCommand } from "./plot.js";

const HANDLERS = { train: trainCommand, sample: sampleCommand, eval: evalCommand, inspect: inspectCommand, "export-tokens": exportTokensCommand, serve: serveCommand, plot: plotCommand };

const USAGE = `char-lstm: character-level LSTM language models

Usage:
  char-lstm train [TEXT_FILE] [options]     train (default text: Moby Dick)
  char-lstm sample CKPT [options]           generate text
  char-lstm eval CKPT --text FILE           held-out bits per character
  char-lstm inspect CKPT                    show a checkpoint
  char-lstm plot CKPT [--out FILE.svg]      learning curves as SVG
  char-lstm export-tokens TEXT --out DIR    encode a text into a token file (for python/)
  char-lstm serve CKPT [--port 8080]        web page + streaming HTTP API

Run "char-lstm COMMAND --help" for the options of a command.
`;

/** Known error types whose message is the whole story; anything else is a bug and says so. */
const EXPECTED = new Set(["UsageError", "RangeError", "IOError", "CorpusError", "VocabError", "CheckpointError", "SafetensorsError", "TrainingError", "SampleError"]);

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
    if (flags.get("help")) { ctx.out(helpText(cmd)); return 0; }
    return await HANDLERS[cmd.name as keyof typeof HANDLERS](flags, positionals, ctx);
  } catch (e) {
    const err = e as Error;
    const expected = EXPECTED.has(err?.name);
    ctx.err(`char-lstm: error: ${err?.message ?? String(e)}${expected || debug ? "" : " (unexpected; rerun with --debug for details)"}\n`);
    if (debug && err?.stack) ctx.err(err.stack + "\n");
    // bad flags (parsing, range checks, sampling options) are usage errors; everything else is a runtime error
    return ["UsageError", "RangeError", "SampleError"].includes(err?.name) ? 2 : 1;
  }
}

/** The process shell: real streams, signals, exit code. */
export async function run(): Promise<void> {
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (sig: string) => {
    signals++;
    if (signals > 1) process.exit(130);   // a second Ctrl-C: leave now
    process.stderr.write(`\nchar-lstm: ${sig}: finishing the step and saving a checkpoint (again to quit at once)\n`);
    controller.abort();
  };
  // a closed pipe (char-lstm sample … | head) ends the output quietly, not with a stack trace
  process.stdout.on("error", (e: NodeJS.ErrnoException) => { if (e.code === "EPIPE") process.exit(0); throw e; });
  process.on("SIGINT", () => onSignal("SIGINT"));
  process.on("SIGTERM", () => onSignal("SIGTERM"));
  const code = await main(process.argv.slice(2), {
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
    tty: Boolean(process.stdout.isTTY),
    signal: controller.signal,
  });
  process.exitCode = code;
}
