// `char-lstm export-tokens`: a text → tokens.bin + tokens.json (format in data/tokens.ts), streamed.

import { decodeCheckpoint } from "../checkpoint.js";
import { jsKernels } from "../kernels/js/index.js";
import { readBytes } from "../io/node.js";
import { encodeTextFile } from "../io/tokenfile.js";
import { UsageError } from "./args.js";
import { bool, num, str, type CliContext, type Flags } from "./context.js";

export async function exportTokensCommand(flags: Flags, [textPath]: string[], ctx: CliContext): Promise<number> {
  const out = str(flags, "out");
  if (!out) throw new UsageError("export-tokens needs --out DIR");
  const from = str(flags, "vocab-from");
  const vocab = from ? decodeCheckpoint(readBytes(from), jsKernels("f32"), from).vocab : undefined;
  const meta = await encodeTextFile(textPath, out, { vocab, maxVocab: num(flags, "max-vocab"), signal: ctx.signal });
  if (bool(flags, "json")) ctx.out(JSON.stringify({ ...meta, vocab: undefined, vocab_size: meta.vocab.length, dir: out }) + "\n");
  else ctx.out(`${out}/tokens.bin: ${meta.count.toLocaleString("en-US")} tokens (${meta.dtype}), vocabulary ${meta.vocab.length}, fingerprint ${meta.fingerprint}\n`);
  return 0;
}
