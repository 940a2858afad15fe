// `char-lstm sample`, `char-lstm eval` and `char-lstm inspect`: thin shells over the library.

import { checkpointSummary } from "../checkpoint.js";
import { decodeUtf8 } from "../data/corpus.js";
import type { UnknownPolicy } from "../data/vocab.js";
import { readBytes } from "../io/node.js";
import { loadCheckpointFile } from "../io/checkpoint_file.js";
import { encodeTextFile, FileTokenSource, openTokens } from "../io/tokenfile.js";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { evaluateWindows } from "../train.js";
import { IOError } from "../io/node.js";
import { Cooperator } from "../io/cooperate.js";
import { removeOnExit } from "./cleanup.js";
import { UsageError } from "./args.js";
import { bool, num, openKernels, str, type CliContext, type Flags } from "./context.js";
import { jsKernels } from "../kernels/js/index.js";
import { docSep, inputFiles } from "./inputs.js";
import { checkGenerationFlags, isGenerationMode, runGeneration } from "./generate.js";

/** The longest prime file: a prime only conditions the start, and reading it is as slow as generating. */
export const MAX_PRIME_BYTES = 1 << 20;

export async function sampleCommand(flags: Flags, [ckptPath]: string[], ctx: CliContext): Promise<number> {
  if (flags.has("prime") && flags.has("prime-file")) throw new UsageError("give --prime or --prime-file, not both");
  const primeFile = str(flags, "prime-file");
  const prime = primeFile
    ? decodeUtf8(readBytes(primeFile, { maxBytes: MAX_PRIME_BYTES, what: "a --prime-file", fix: "keep its last part (e.g. tail -c 100000 FILE > prime.txt)" }), primeFile)
    : str(flags, "prime") ?? "";
  const seed = num(flags, "seed") ?? crypto.getRandomValues(new Uint32Array(1))[0];
  if (seed < 0 || seed > 0xffffffff) throw new UsageError(`--seed must be in 0..4294967295, got ${seed}`);
  checkGenerationFlags(flags);
  const { kernels, notice } = await openKernels(flags);
  try {
    if (notice) ctx.err(`char-lstm: ${notice}\n`);
    const { model, vocab } = loadCheckpointFile(ckptPath, kernels);
    const stop = str(flags, "stop");
    if (stop === "") throw new UsageError("--stop is empty; give the text that ends a sample");
    if (!flags.has("seed") && ctx.tty && !isGenerationMode(flags)) ctx.err(`(seed ${seed})\n`);
    // one sample, beam search, many samples, JSON or a novelty report: the one generation stream (cli/generate.ts)
    return await runGeneration(flags, {
      model, vocab, prime, seed, length: num(flags, "length") ?? 2000, stop: stop ? [stop] : [],
      unknown: (str(flags, "unknown") ?? "error") as UnknownPolicy, temperature: num(flags, "temperature") ?? 1,
      topK: num(flags, "top-k") ?? 0, topP: num(flags, "top-p") ?? 1, argmax: bool(flags, "argmax"),
    }, ctx);
  } finally {
    kernels.dispose?.();
  }
}

/** A temporary directory; TMPDIR problems get a real message. */
function tempDir(prefix: string): string {
  const base = tmpdir();
  try {
    return mkdtempSync(join(base, prefix));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" || code === "ENOTDIR" ? "it does not exist" : code === "EACCES" || code === "EPERM" ? "permission denied" : code === "ENOSPC" ? "the disk is full" : code;
    throw new IOError(`cannot create a temporary directory in ${base}${existsSync(base) ? "" : " (TMPDIR)"}: ${why}; set TMPDIR to a writable directory`);
  }
}

export async function evalCommand(flags: Flags, [ckptPath, ...more]: string[], ctx: CliContext): Promise<number> {
  const first = str(flags, "text");
  if (!first) throw new UsageError("eval needs --text FILE, the text to evaluate");
  // --text a.txt b.txt notes/ 'eval/**/*.txt': one stream, as train reads its corpus
  const inputs = inputFiles([first, ...more], ctx);
  const { kernels, notice } = await openKernels(flags);
  try {
    if (notice) ctx.err(`char-lstm: ${notice}\n`);
    const { model, vocab } = loadCheckpointFile(ckptPath, kernels);
    // the text streams into a temporary token file, so a held-out text of any size evaluates in bounded memory;
    // the file goes however the command ends (an error, Ctrl-C, a second Ctrl-C, a closed pipe)
    const tmp = tempDir("char-lstm-eval-");
    const release = removeOnExit(tmp);
    let r, files = 1;
    try {
      const meta = await encodeTextFile(inputs.files.length === 1 ? inputs.files[0] : inputs.files, tmp, {
        vocab, unknown: (str(flags, "unknown") ?? "error") as UnknownPolicy, unknownHint: "use --unknown skip to drop them", docSep: docSep(flags), signal: ctx.signal,
      });
      files = meta.documents?.length ?? 1;
      const source = openTokens(tmp, meta);
      try {
        const co = new Cooperator(ctx.signal, 20, `stopped while evaluating ${inputs.files.length > 1 ? `${inputs.files.length} files` : inputs.files[0]}`);
        const windows = evaluateWindows(model, source);
        for (let w = windows.next(); ; w = windows.next()) {
          if (w.done) { r = w.value; break; }
          await co.turn();
        }
      } finally {
        if (source instanceof FileTokenSource) source.close();
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
      release();
    }
    const what = files > 1 ? `${files} files` : inputs.files[0];
    if (bool(flags, "json")) ctx.out(JSON.stringify({ nats: r.loss, bpc: r.bpc, chars: r.chars, ...(files > 1 ? { files } : {}) }) + "\n");
    else ctx.out(`${what}: ${r.loss.toFixed(4)} nats/char = ${r.bpc.toFixed(4)} bits/char over ${r.chars.toLocaleString("en-US")} characters\n`);
    return 0;
  } finally {
    kernels.dispose?.();
  }
}

export async function inspectCommand(flags: Flags, [ckptPath]: string[], ctx: CliContext): Promise<number> {
  const ck = loadCheckpointFile(ckptPath, jsKernels("f32"));
  const m = ck.model.config;
  const info = { path: ckptPath, ...checkpointSummary(ck), vocab: ck.vocab.chars.join("") };
  if (bool(flags, "json")) {
    ctx.out(JSON.stringify(info) + "\n");
  } else {
    ctx.out(`${ckptPath} (${info.format})\n`);
    ctx.out(`  model      ${m.layers}×${m.hidden} LSTM, vocabulary ${m.vocabSize}, dropout ${m.dropout}, ${info.params.toLocaleString("en-US")} parameters\n`);
    if (ck.state) ctx.out(`  training   step ${info.step}, epoch ${info.epoch}, ${info.optimizer}, batch ${info.batch} × seq ${info.seq}\n`);
    ctx.out(`  best val   ${info.best_val_bpc === null ? "n/a" : `${info.best_val_bpc.toFixed(4)} bits/char`}\n`);
    ctx.out(`  vocabulary ${JSON.stringify(info.vocab)}\n`);
  }
  return 0;
}
