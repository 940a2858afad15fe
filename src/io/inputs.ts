// The input files of a training corpus (or an evaluation): files, directories and glob patterns, resolved
// into one list in a stable order.
//
//   a file        taken as it is (a binary or empty file named on purpose is an error later, as before)
//   a directory   every file below it, depth first, names sorted by code unit; hidden entries (".name") and
//                 symbolic links to directories are not entered (no loops); binary and empty files are
//                 skipped, each with one line saying so
//   a pattern     an argument with *, ? or [ that is not an existing path: `*` any characters but "/",
//                 `?` one such character, `[abc]` / `[a-z]` / `[!abc]` one of (not) these, `**` as a whole
//                 segment any number of directories (zero included); "*" and "?" do not match a leading
//                 "." (as in the shell); matches are sorted and filtered like a directory's files. Quote a
//                 pattern so that char-lstm, not the shell, expands it (the shell's expansion works too).
//
// A file met twice (named, and inside a named directory) is read once, at its first place; the same argument
// given twice is read once with a line saying so.
//
// What char-lstm writes is never read back as text: a walk does not enter a directory that holds a run (its
// lock, checkpoints, token file or history.svg: io/rundir.ts) and leaves out the files char-lstm writes
// (RUN_FILES, *.safetensors), each with a "skipping" line, so `train .` twice does not train on its own run;
// a symbolic link that leads nowhere gets its line too.

import { closeSync, lstatSync, openSync, readdirSync, readSync, realpathSync, statSync, type Dirent } from "node:fs";
import { join, resolve, sep } from "node:path";
import { IOError, readBytes } from "./node.js";
import { LOCK_FILE, RUN_FILES } from "./rundir.js";

export interface ResolvedInputs {
  /** The files to read, in order. */
  files: string[];
  /** Files left out of directories and patterns, with the reason ("binary", "empty"). */
  skipped: { path: string; why: string }[];
}

const GLOB_CHARS = /[*?[]/;

/** Whether a segment of a pattern needs matching (else it is a literal name). */
const isPattern = (seg: string): boolean => GLOB_CHARS.test(seg);

/** A regular expression for one segment of a glob pattern (no "/" inside). */
export function segmentRegex(seg: string): RegExp {
  let re = "";
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i];
    if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "[") {
      const end = seg.indexOf("]", i + 2);
      if (end < 0) { re += "\\["; continue; }
      let body = seg.slice(i + 1, end);
      const negate = body[0] === "!" || body[0] === "^";
      if (negate) body = body.slice(1);
      re += `[${negate ? "^" : ""}${body.replace(/[\\\]^]/g, "\\$&")}]`;
      i = end;
    } else re += c.replace(/[.+^${}()|\\]/g, "\\$&");
  }
  // like the shell, a wildcard never matches a leading dot: the segment must start with "." to match one
  return new RegExp(`^${seg.startsWith(".") ? "" : "(?!\\.)"}${re}$`);
}

function entries(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch (e) {
    throw new IOError(`${dir}: cannot list the directory (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/** A directory entry that is a file, following a symbolic link to a file (never one to a directory). */
function isFileEntry(dir: string, d: Dirent): boolean {
  if (d.isFile()) return true;
  if (!d.isSymbolicLink()) return false;
  try { return statSync(join(dir, d.name)).isFile(); } catch { return false; }
}

/** Why a walk leaves out this entry of `dir` (a run directory, a file char-lstm writes, a broken link), or null. */
function ownOrBroken(dir: string, d: Dirent): string | null {
  const p = join(dir, d.name);
  if (d.isDirectory()) {
    let names: string[];
    try { names = readdirSync(p); } catch { return null; }   // an unreadable directory fails when it is walked
    return names.some((n) => n === LOCK_FILE || RUN_FILES.includes(n)) ? "a char-lstm run directory" : null;
  }
  if (RUN_FILES.includes(d.name) || d.name.endsWith(".safetensors")) return "written by char-lstm";
  if (d.isSymbolicLink()) { try { statSync(p); } catch { return "a broken symbolic link"; } }
  return null;
}

/** Every file under `dir`, depth first in sorted order; hidden entries, links to directories, runs and char-lstm's files left out. */
function walk(dir: string, out: string[], skipped?: ResolvedInputs["skipped"]): void {
  for (const d of entries(dir)) {
    if (d.name.startsWith(".")) continue;
    const p = join(dir, d.name);
    const why = ownOrBroken(dir, d);
    if (why) { skipped?.push({ path: p, why }); continue; }
    if (d.isDirectory()) walk(p, out, skipped);
    else if (isFileEntry(dir, d)) out.push(p);
  }
}

/** Files matching a glob pattern, sorted (the order of a depth-first walk of sorted directories). */
export function expandGlob(pattern: string, skipped?: ResolvedInputs["skipped"]): string[] {
  const absolute = pattern.startsWith("/");
  const segs = pattern.split("/").filter((s) => s !== "" && s !== ".");
  let i = 0;
  while (i < segs.length && !isPattern(segs[i])) i++;
  const base = (absolute ? "/" : "") + segs.slice(0, i).join("/");
  const out: string[] = [];
  const match = (dir: string, k: number): void => {
    const seg = segs[k];
    if (k === segs.length) return;
    const last = k === segs.length - 1;
    if (seg === "**") {
      // zero directories, then one more level and ** again
      if (last) { walk(dir || ".", out, skipped); return; }
      match(dir, k + 1);
      for (const d of entries(dir || ".")) if (d.isDirectory() && !d.name.startsWith(".") && !ownOrBroken(dir || ".", d)) match(join(dir, d.name), k);
      return;
    }
    if (!isPattern(seg)) {
      const p = join(dir, seg);
      if (last) { try { if (statSync(p).isFile()) out.push(p); } catch { /* no such file: no match */ } }
      else { try { if (lstatSync(p).isDirectory()) match(p, k + 1); } catch { /* no match */ } }
      return;
    }
    const re = segmentRegex(seg);
    let list: Dirent[];
    try { list = entries(dir || "."); } catch { return; }
    for (const d of list) {
      if (!re.test(d.name)) continue;
      const p = join(dir, d.name);
      const why = ownOrBroken(dir || ".", d);
      if (why) { if (last || d.isDirectory()) skipped?.push({ path: p, why }); continue; }
      if (last) { if (isFileEntry(dir || ".", d)) out.push(p); }
      else if (d.isDirectory()) match(p, k + 1);
    }
  };
  if (i === segs.length) return [];   // no pattern at all: the caller treats it as a path
  try { if (base && !statSync(base).isDirectory()) return []; } catch { return []; }
  match(base, i);
  return out;
}

/** "binary" (a NUL, or not UTF-8, in its first 8 KiB), "empty", or null for a text file. */
export function sniff(path: string): "binary" | "empty" | null {
  const buf = Buffer.alloc(8192);
  let n = 0;
  const fd = openSync(path, "r");
  try { n = readSync(fd, buf, 0, buf.length, 0); } finally { closeSync(fd); }
  if (n === 0) return "empty";
  const head = buf.subarray(0, n);
  if (head.includes(0)) return "binary";
  try {
    // stream mode: a multi-byte character cut at the end of the sample is not an error
    new TextDecoder("utf-8", { fatal: true }).decode(head, { stream: true });
  } catch {
    return "binary";
  }
  return null;
}

/** Resolve files, directories and patterns into one ordered list of files (see the header). */
export function resolveInputs(args: string[]): ResolvedInputs {
  const files: string[] = [], skipped: ResolvedInputs["skipped"] = [];
  const seen = new Set<string>(), given = new Set<string>();
  const add = (p: string, filtered: boolean) => {
    let key: string;
    try { key = realpathSync(p); } catch { key = resolve(p); }
    if (seen.has(key)) return;
    seen.add(key);
    if (filtered) {
      let why: string | null;
      try { why = sniff(p); } catch (e) { why = `unreadable: ${(e as NodeJS.ErrnoException).code ?? "error"}`; }
      if (why) { skipped.push({ path: p, why }); return; }
    }
    files.push(p);
  };
  for (const arg of args) {
    let st;
    try { st = statSync(arg); } catch { st = null; }
    if (st) {
      let key: string;
      try { key = realpathSync(arg); } catch { key = resolve(arg); }
      if (given.has(key)) { skipped.push({ path: arg, why: "given twice; read once" }); continue; }
      given.add(key);
    }
    if (st?.isDirectory()) {
      const found: string[] = [];
      walk(arg.endsWith(sep) && arg.length > 1 ? arg.slice(0, -1) : arg, found, skipped);
      const before = files.length + skipped.length;
      for (const f of found) add(f, true);
      if (files.length + skipped.length === before && found.length === 0) throw new IOError(`${arg} is a directory without files (hidden ones are not read); give a directory that holds text files`);
    } else if (!st && GLOB_CHARS.test(arg)) {
      const found = expandGlob(arg, skipped);
      if (!found.length) throw new IOError(`${arg} matches no files; check the pattern (quote it so the shell leaves it to char-lstm)`);
      for (const f of found) add(f, true);
    } else if (st) {
      add(arg, false);
    } else {
      readBytes(arg);   // throws the one-line "no such file" (or permission) error
    }
  }
  if (!files.length) {
    throw new IOError(`no text files to read: ${skipped.length} file${skipped.length === 1 ? "" : "s"} skipped (${skipped.slice(0, 3).map((s) => `${s.path}: ${s.why}`).join(", ")}${skipped.length > 3 ? ", …" : ""})`);
  }
  return { files, skipped };
}
