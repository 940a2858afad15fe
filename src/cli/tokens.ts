// `char-lstm export-tokens`: a text → tokens.bin + tokens.json (format in data/tokens.ts), streamed. Both
// files are written to temporary names and renamed into place together, so a failure (a full disk, a
// character outside --vocab-from's vocabulary) leaves an existing pair untouched and no directory behind.

import { jsKernels } from "../kernels/js/index.js";
import { loadCheckpointFile } from "../io/checkpoint_file.js";
import { encodeTextFile } from "../io/tokenfile.js";
import { UsageError } from "./args.js";
import { bool, num, str, type CliContext, type Flags } from "./context.js";

export async function exportTokensCommand(flags: Flags, [textPath]: string[], ctx: CliContext): Promise<number> {
  const out = str(flags, "out");
  if (out === undefined) throw new UsageError("export-tokens needs --out DIR");
  if (out === "") throw new UsageError("--out is empty; give a directory for tokens.bin and tokens.json");
  const from = str(flags, "vocab-from");
  const vocab = from ? loadCheckpointFile(from, jsKernels("f32")).vocab : undefined;
  const meta = await encodeTextFile(textPath, out, {
    vocab, maxVocab: num(flags, "max-vocab"), signal: ctx.signal,
    unknownHint: `${from} cannot encode them; export a text without them, or drop --vocab-from to use the text's own vocabulary`,
  });
  if (bool(flags, "json")) ctx.out(JSON.stringify({ ...meta, vocab: undefined, vocab_size: meta.vocab.length, dir: out }) + "\n");
  else ctx.out(`${out}/tokens.bin: ${meta.count.toLocaleString("en-US")} tokens (${meta.dtype}), vocabulary ${meta.vocab.length}, fingerprint ${meta.fingerprint}\n`);
  return 0;
}
