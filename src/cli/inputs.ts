// The input files of `train` and `eval --text`: resolve files, directories and patterns (io/inputs.ts),
// say which were skipped (one line each), and read --doc-sep.

import { resolveInputs, type ResolvedInputs } from "../io/inputs.js";
import { DEFAULT_DOC_SEP } from "../io/tokenfile.js";
import { UsageError } from "./args.js";
import { str, type CliContext, type Flags } from "./context.js";

/** Resolve the inputs and report the skipped files on stderr. */
export function inputFiles(args: string[], ctx: CliContext): ResolvedInputs {
  const r = resolveInputs(args);
  for (const s of r.skipped) ctx.err(`char-lstm: skipping ${s.path} (${s.why})\n`);
  return r;
}

/** --doc-sep with the escapes \n, \t, \r and \\ (a shell makes typing a real newline awkward). */
export function docSep(flags: Flags): string {
  const raw = str(flags, "doc-sep");
  if (raw === undefined) return DEFAULT_DOC_SEP;
  const s = raw.replace(/\\(.)/g, (m, c: string) => (c === "n" ? "\n" : c === "t" ? "\t" : c === "r" ? "\r" : c === "\\" ? "\\" : m));
  if (s.includes("\0")) throw new UsageError("--doc-sep must not contain NUL characters");
  return s;
}

/** "3 files, 12,345 characters" for banners. */
export function describeInputs(files: number, chars: number, skipped: number): string {
  return `${files.toLocaleString("en-US")} file${files === 1 ? "" : "s"}${skipped ? ` (${skipped} skipped)` : ""}, ${chars.toLocaleString("en-US")} characters`;
}
