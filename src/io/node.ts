// Node I/O adapters: the only place that reads and writes files for the CLI. The library core takes and
// returns bytes and strings; this module turns paths into them, with one-line errors.

import { closeSync, fstatSync, fsyncSync, openSync, readdirSync, readFileSync, readSync, renameSync, statSync, unlinkSync, writeSync, type Stats } from "node:fs";
import { basename, dirname, join } from "node:path";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { makeDirs, pidAlive, removeDirs } from "./dirs.js";
import { describe, IOError } from "./errors.js";

export { describe, IOError };

/** What a non-regular file is, in words; undefined for a regular file or a directory. */
function special(st: Stats): string | undefined {
  if (st.isFIFO()) return "a pipe (FIFO)";
  if (st.isCharacterDevice()) return "a character device";
  if (st.isBlockDevice()) return "a block device";
  if (st.isSocket()) return "a socket";
  return undefined;
}

/**
 * Refuse what char-lstm cannot read as a file: a directory, and anything that is not a regular file (a pipe,
 * /dev/stdin when it is a pipe or terminal, /dev/zero, a socket). Texts are read twice and checkpoints by
 * size, so an endless or one-shot stream would hang or be lost; stdin is not supported: save it to a file.
 */
export function checkRegularFile(path: string, st: Stats): void {
  if (st.isDirectory()) throw new IOError(`${path} is a directory; give a file`);
  const kind = special(st);
  if (kind) throw new IOError(`${path} is ${kind}, not a regular file: char-lstm reads its inputs from files (a text twice); save the data to a file first`);
}

/** Open a regular file for reading; one-line IOError otherwise. */
export function openRegularFile(path: string): number {
  let fd: number;
  try {
    // stat first: opening a FIFO for reading blocks until someone writes to it
    checkRegularFile(path, statSync(path));
    fd = openSync(path, "r");
  } catch (e) {
    if (e instanceof IOError) throw e;
    throw describe(e, path, "read");
  }
  try {
    checkRegularFile(path, fstatSync(fd));
  } catch (e) {
    closeSync(fd);
    throw e;
  }
  return fd;
}

const MiB = 1 << 20;
const showBytes = (n: number): string => (n >= MiB ? `${(n / MiB).toFixed(n >= 10 * MiB ? 0 : 1)} MiB` : `${n} bytes`);

/**
 * Whole file as bytes; a directory, a missing or a non-regular file is an IOError. With `maxBytes`, a file
 * larger than that (also one that grows while read) is refused after reading at most maxBytes + 1 bytes.
 */
export function readBytes(path: string, limit?: { maxBytes: number; what: string; fix: string }): Uint8Array {
  const fd = openRegularFile(path);
  try {
    const size = fstatSync(fd).size;
    const tooBig = (): never => { throw new IOError(`${path} is over ${showBytes(limit!.maxBytes)}, the limit for ${limit!.what}; ${limit!.fix}`); };
    if (!limit) return readFileSync(fd);
    if (size > limit.maxBytes) tooBig();
    // read by hand: a file in /proc reports size 0 and the limit must still hold
    const buf = Buffer.allocUnsafe(Math.min(limit.maxBytes + 1, Math.max(size, 64 << 10)));
    let got = 0;
    let chunks: Buffer[] = [];
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      got += n;
      if (got > limit.maxBytes) tooBig();
      chunks.push(Buffer.from(buf.subarray(0, n)));
    }
    const out = Buffer.concat(chunks, got);
    chunks = [];
    return out;
  } catch (e) {
    if (e instanceof IOError) throw e;
    throw describe(e, path, "read");
  } finally {
    closeSync(fd);
  }
}

/** The most bytes one write call gets (fs.writeSync refuses lengths of 2 GiB and more). */
const WRITE_CHUNK = 1 << 30;

/** Write all of `data` at the file position, in chunks below the 2 GiB limit of one write call. */
export function writeAll(fd: number, data: Uint8Array): void {
  let off = 0;
  while (off < data.length) off += writeSync(fd, data, off, Math.min(WRITE_CHUNK, data.length - off));
}

/**
 * Write atomically: a temporary file in the same directory, fsync, rename over the target, fsync the
 * directory. A crash at any moment leaves either the old file or the new one, never a torn one; on any
 * error the temporary file is removed and the old file is untouched. `data` is the bytes, or a function
 * that writes them in pieces through `put` (a checkpoint streams tensor by tensor, whatever its size).
 */
export function writeAtomic(path: string, data: Uint8Array | ((put: (bytes: Uint8Array) => void) => void)): void {
  const dir = dirname(path);
  const tmp = tempPath(path);
  makeDirs(dir);
  let fd = -1;
  try {
    fd = openSync(tmp, "w");
    if (data instanceof Uint8Array) writeAll(fd, data);
    else { const f = fd; data((bytes) => writeAll(f, bytes)); }
    fsyncSync(fd);
    closeSync(fd);
    fd = -1;
    renameSync(tmp, path);
  } catch (e) {
    if (fd >= 0) try { closeSync(fd); } catch { /* already failing */ }
    try { unlinkSync(tmp); } catch { /* never created */ }
    if (!(e as NodeJS.ErrnoException).code) throw e;
    throw describe(e, path, "write");
  }
  syncDir(dir);
}

/** This process's temporary name for `path` (".NAME.tmp-PID" beside it; removeStaleTemps knows the pattern). */
export function tempPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}`);
}

/** fsync a directory so that renames in it survive a crash (best effort: not supported everywhere). */
export function syncDir(dir: string): void {
  try {
    const dfd = openSync(dir, "r");
    try { fsyncSync(dfd); } finally { closeSync(dfd); }
  } catch { /* best effort */ }
}

/**
 * Remove temporary files that a killed process left mid-write (".NAME.tmp-PID" of a PID no longer
 * running); the real files are intact. A live process's temporary files are its own business.
 */
export function removeStaleTemps(dir: string): void {
  for (const f of readdirSync(dir)) {
    const m = /^\..+\.tmp-(\d+)$/.exec(f);
    if (m && !pidAlive(Number(m[1]))) try { unlinkSync(join(dir, f)); } catch { /* raced with another cleaner */ }
  }
}

/**
 * Make sure a directory exists and is writable, before hours of training depend on it. Returns the
 * directories it had to create (outermost first), which a failed start may remove again.
 */
export function ensureWritableDir(dir: string): string[] {
  const created = makeDirs(dir);
  const probe = join(dir, `.write-test-${process.pid}`);
  try {
    const fd = openSync(probe, "w");
    closeSync(fd);
    unlinkSync(probe);
  } catch (e) {
    removeDirs(created);
    throw describe(e, dir, "write to");
  }
  return created;
}

// The bundled default corpus: Moby Dick (public domain), shipped gzipped in the package as
// data/moby-dick.txt.gz (486 KB for 1,204,997 bytes of UTF-8; data/README.md says where it comes from).
// The text must stay byte for byte what training has always read (recipes, tests and fixtures were measured
// on it), so both readers check its SHA-256.
const MOBY_DICK_GZ = new URL("../../../data/moby-dick.txt.gz", import.meta.url);   // from dist/src/io/
export const MOBY_DICK_SHA256 = "fe282a57094ed62e7144fb7c804a9748fc1c909bf3b49d06e7276015f9f67240";

const sha256 = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");

/** The bundled corpus's bytes (UTF-8), unpacked from the package and checked. */
function defaultCorpusBytes(): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = gunzipSync(readFileSync(MOBY_DICK_GZ));
  } catch (e) {
    throw new IOError(`the bundled corpus ${fileURLToPath(MOBY_DICK_GZ)} cannot be read (${(e as Error).message}); reinstall char-lstm`);
  }
  if (sha256(bytes) !== MOBY_DICK_SHA256) throw new IOError(`the bundled corpus ${fileURLToPath(MOBY_DICK_GZ)} is damaged (its SHA-256 differs); reinstall char-lstm`);
  return bytes;
}

/** The bundled default corpus, Moby Dick, as a string. */
export function defaultCorpusText(): string {
  return new TextDecoder().decode(defaultCorpusBytes());
}

/**
 * A plain-text file holding the bundled corpus, for everything that reads its input from a path (`char-lstm
 * train` without TEXT). Unpacked once into the temporary directory under a name that carries the text's hash
 * and the user id; a copy whose bytes do not hash right (cut short, or someone else's) is rewritten.
 */
export function defaultCorpusPath(): string {
  const uid = typeof process.getuid === "function" ? `-${process.getuid()}` : "";
  const path = join(tmpdir(), `char-lstm${uid}`, `moby-dick-${MOBY_DICK_SHA256.slice(0, 12)}.txt`);
  try {
    if (sha256(readFileSync(path)) === MOBY_DICK_SHA256) return path;
  } catch { /* not there yet */ }
  writeAtomic(path, defaultCorpusBytes());
  return path;
}
