// Streaming a text file into a token file (tokens.bin + tokens.json, format in data/tokens.ts) and reading
// token windows back from disk, so that corpus size never shows up in memory.
//
// Two passes over the text in fixed-size chunks: the first validates UTF-8 (saying where it breaks) and
// collects the vocabulary, the second encodes into tokens.bin. Memory is O(chunk + vocabulary).

import { closeSync, copyFileSync, fstatSync, openSync, readFileSync, readSync, renameSync, statSync, unlinkSync, fsyncSync } from "node:fs";
import { basename, join } from "node:path";
import { checkVocabSize, CorpusError, decodeUtf8 } from "../data/corpus.js";
import { Vocab, VocabError, showChar, type UnknownPolicy } from "../data/vocab.js";
import { allocTokens, binCheck, bytesOf, CHECK_BYTES, CodePointSet, dtypeFor, Encoder, Fingerprint, TOKENS_FORMAT, type TokenDType,
         type TokenFileMeta, type TokenSource, ArrayTokenSource } from "../data/tokens.js";
import { describe, ensureWritableDir, IOError, openRegularFile, syncDir, tempPath, writeAll } from "./node.js";
import { removeDirs } from "./dirs.js";
import { Cooperator } from "./cooperate.js";

const CHUNK = 1 << 20;

/** Read a file in chunks as strings, with strict UTF-8 that reports the byte offset of a bad sequence. */
function* textChunks(path: string): Generator<string> {
  // a pipe, /dev/stdin or /dev/zero is refused here: the text is read twice, by position
  const fd = openRegularFile(path);
  const buf = Buffer.allocUnsafe(CHUNK);
  const dec = new TextDecoder("utf-8", { fatal: true });
  let offset = 0;
  try {
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buf, 0, CHUNK, offset);
      } catch (e) {
        throw new IOError(`${path}: cannot read it at byte ${offset} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); give a regular file`);
      }
      let s: string;
      try {
        s = dec.decode(buf.subarray(0, n), { stream: n > 0 });
      } catch {
        // locate the bad byte: decode this region on its own (a sequence split across chunks starts ≤ 3 back)
        const back = Math.min(offset, 3);
        const region = Buffer.alloc(n + back);
        readSync(fd, region, 0, n + back, offset - back);
        try { decodeUtf8(region, path); } catch (e) {
          const m = /byte offset (\d+) \(line \d+\)/.exec((e as Error).message);
          if (m) throw new CorpusError(`${path} is not valid UTF-8 text: bad byte at byte offset ${offset - back + Number(m[1])}; convert it to UTF-8 (e.g. iconv -t UTF-8) or pick a text file`);
        }
        throw new CorpusError(`${path} is not valid UTF-8 text (near byte offset ${offset}); convert it to UTF-8 or pick a text file`);
      }
      if (s) yield s;
      if (n === 0) return;
      offset += n;
    }
  } finally {
    closeSync(fd);
  }
}

/** One input file of a corpus and the characters it contributed (separators not counted). */
export interface DocumentInfo {
  path: string;
  chars: number;
}

/** The document separator between files by default: a blank line. */
export const DEFAULT_DOC_SEP = "\n\n";

/**
 * The text of several files as one stream of chunks: each file's chunks, with `docSep` between files.
 * `onFile(i)` runs as file i begins (−1 before a separator), so callers can count and blame per file.
 */
function* corpusChunks(paths: string[], docSep: string, onFile?: (i: number) => void): Generator<string> {
  for (let i = 0; i < paths.length; i++) {
    if (i > 0 && docSep) { onFile?.(-1); yield docSep; }
    onFile?.(i);
    yield* textChunks(paths[i]);
  }
}

/** The distinct characters of one or several files (the vocabulary pass alone), sorted; O(vocabulary) memory. */
export function scanChars(paths: string[], docSep = DEFAULT_DOC_SEP): string[] {
  const set = new CodePointSet();
  for (const s of corpusChunks(paths, paths.length > 1 ? docSep : "")) set.add(s);
  return set.chars();
}

export interface EncodeOptions {
  /** Use this vocabulary (a resume, an evaluation) instead of the text's own. */
  vocab?: Vocab;
  maxVocab?: number;
  /** With `vocab`: characters outside it are an error naming them (default) or dropped. */
  unknown?: UnknownPolicy;
  /** The fix to suggest when characters are outside `vocab` (default: resume with the run's text). */
  unknownHint?: string;
  /** Called as each pass over the text begins (a long encode can say what it is doing). */
  onPass?(pass: "vocabulary" | "encoding"): void;
  /** Aborted (Ctrl-C): stop at the next chunk with Interrupted, removing the temporary files. */
  signal?: AbortSignal;
  /** Between two files (default a blank line, "\n\n"); its characters are part of the vocabulary. */
  docSep?: string;
}

const binaryFile = (textPath: string, at: number, several = false) =>
  new CorpusError(`${textPath} contains NUL characters (first at character ${at}${several ? " of the corpus" : ""}): it looks like a binary file, not text${several ? " (leave it out; binary files inside a directory or pattern are skipped)" : ""}`);

/** A token file written to temporary names in its directory, not yet in place. */
export interface StagedTokens {
  meta: TokenFileMeta;
  /** The temporary tokens.bin (readable until commit or discard). */
  bin: string;
  /** Rename both files into place, tokens.bin then tokens.json (a reader checks they belong together). */
  commit(): void;
  /** Remove the temporary files (and the directories the staging created). */
  discard(): void;
}

/**
 * Stream the text of `textPath` (one file, or several read as one corpus with `opts.docSep` between them)
 * into temporary files in `dir` (a .tokens.bin and a .tokens.json, fsynced); nothing in `dir` is replaced
 * until commit(). On any error the temporary files are gone and `dir` is as before. Two passes, each
 * O(chunk + vocabulary) memory. Async only to give the event loop a turn every few milliseconds (signals,
 * a closed pipe); the work itself is the same synchronous loop.
 */
export async function stageTextFile(textPath: string | string[], dir: string, opts: EncodeOptions = {}): Promise<StagedTokens> {
  const paths = typeof textPath === "string" ? [textPath] : textPath;
  const several = paths.length > 1;
  const docSep = several ? opts.docSep ?? DEFAULT_DOC_SEP : "";
  const what = several ? `the ${paths.length} input files` : paths[0];
  const co = new Cooperator(opts.signal, 20, `stopped while reading ${what}; nothing was written`);
  let vocab = opts.vocab;
  let chars = -1;
  if (!vocab) {
    opts.onPass?.("vocabulary");
    const set = new CodePointSet();
    let file = 0;
    for (const s of corpusChunks(paths, docSep, (i) => { if (i >= 0) file = i; })) {
      set.add(s);
      // fail at the first chunk holding a NUL, not after reading a whole file of them
      if (set.firstNul >= 0) throw binaryFile(paths[file], set.firstNul, several);
      await co.turn();
    }
    if (set.size === 0) throw new CorpusError(`${what} ${several ? "are" : "is"} empty; give a file with some text in it`);
    checkVocabSize(set.size, opts.maxVocab);
    vocab = new Vocab(set.chars());
    chars = set.total;
  }
  const ownVocab = !opts.vocab;
  const changed = () => new CorpusError(`${what} changed while it was being read (the two passes over it differ); try again once nothing writes to it`);
  const dtype = dtypeFor(vocab.size);
  const enc = new Encoder(vocab.chars);
  const created = ensureWritableDir(dir);
  const binPath = join(dir, "tokens.bin"), jsonPath = join(dir, "tokens.json");
  const binTmp = tempPath(binPath), jsonTmp = tempPath(jsonPath);
  const discard = () => {
    for (const t of [binTmp, jsonTmp]) try { unlinkSync(t); } catch { /* not there */ }
    removeDirs(created);
  };
  const fp = new Fingerprint();
  let count = 0, skipped = 0, seen = 0, file = 0;
  const docs: DocumentInfo[] = paths.map((path) => ({ path, chars: 0 }));
  const nulId = vocab.id("\0");
  let fd = -1;
  let meta: TokenFileMeta;
  try {
    opts.onPass?.("encoding");
    fd = openSync(binTmp, "w+");
    let ids = new Int32Array(0);
    let out = allocTokens(dtype, 0);
    for (const s of corpusChunks(paths, docSep, (i) => { file = i; })) {
      const where = file >= 0 ? paths[file] : "the document separator (--doc-sep)";
      if (ids.length < s.length) { ids = new Int32Array(s.length); out = allocTokens(dtype, s.length); }
      const m = enc.encode(s, ids);
      let n = 0;
      // NUL is never text: refuse it even under --unknown skip (a file of zeros must not be "skipped" for hours)
      if (nulId < 0) { const z = s.indexOf("\0"); if (z >= 0) throw binaryFile(where, seen + z, several); }
      seen += s.length;
      for (let i = 0; i < m; i++) {
        if (ids[i] >= 0) out[n++] = ids[i];
        else if (ownVocab) throw changed();
        else if (opts.unknown === "skip") skipped++;
        else {
          const bad = vocab.unknown(s);
          throw new VocabError(`${bad.length} character${bad.length > 1 ? "s" : ""} of ${where} not in the model's vocabulary: ${bad.slice(0, 10).map(showChar).join(", ")} (${opts.unknownHint ?? "resume with the text the run was trained on"})`);
        }
      }
      if (file >= 0) docs[file].chars += n;
      fp.update(out, n);
      writeAll(fd, new Uint8Array(out.buffer, 0, n * bytesOf(dtype)));
      count += n;
      await co.turn();
    }
    if (ownVocab && count !== chars) throw changed();
    if (count === 0 && skipped > 0) throw new VocabError(`none of the ${skipped} characters of ${what} are in the model's vocabulary (--unknown skip dropped them all); give a text in the model's alphabet`);
    // a text that the skip leaves nearly empty is the skip's doing, not a matter of --batch/--seq
    if (count < 2 && skipped > 0) throw new VocabError(`${skipped} of the ${skipped + count} characters of ${what} are not in the model's vocabulary (--unknown skip dropped them, leaving ${count}); give a text in the model's alphabet`);
    if (count === 0) throw new CorpusError(`${what} ${several ? "are" : "is"} empty; give a file with some text in it`);
    fsyncSync(fd);
    meta = {
      format: TOKENS_FORMAT, vocab: vocab.chars, dtype, count, fingerprint: fp.digest(),
      source: several ? `${basename(paths[0])} and ${paths.length - 1} more` : basename(paths[0]),
      check: binCheckOf(fd, count * bytesOf(dtype)),
    };
    if (several) { meta.documents = docs; meta.docSep = docSep; }
    closeSync(fd);
    fd = -1;
    writeSyncedFile(jsonTmp, new TextEncoder().encode(JSON.stringify(meta) + "\n"));
  } catch (e) {
    if (fd >= 0) closeSync(fd);
    discard();
    if ((e as NodeJS.ErrnoException).code) throw describe(e, binPath, "write");
    throw e;
  }
  let done = false;
  return {
    meta,
    bin: binTmp,
    commit() {
      if (done) return;
      try {
        renameSync(binTmp, binPath);
        renameSync(jsonTmp, jsonPath);
      } catch (e) {
        discard();
        throw describe(e, binPath, "write");
      }
      done = true;
      syncDir(dir);
    },
    discard() {
      if (done) return;
      done = true;
      discard();
    },
  };
}

/**
 * Stream `textPath` into `dir`/tokens.bin + tokens.json; returns the metadata. `accept` may refuse the
 * result (a resume checking the fingerprint) before anything in `dir` is replaced.
 */
export async function encodeTextFile(textPath: string | string[], dir: string, opts: EncodeOptions & { accept?(meta: TokenFileMeta): void } = {}): Promise<TokenFileMeta> {
  const staged = await stageTextFile(textPath, dir, opts);
  try {
    opts.accept?.(staged.meta);
    staged.commit();
  } catch (e) {
    staged.discard();
    throw e;
  }
  return staged.meta;
}

/** Stage a copy of the token file in `from` (a run's own, already checked) into `dir`. */
export function stageCopy(from: string, dir: string, meta: TokenFileMeta): StagedTokens {
  const pairs = ["tokens.bin", "tokens.json"].map((f) => [join(from, f), join(dir, f), tempPath(join(dir, f))] as const);
  const discard = () => { for (const [, , tmp] of pairs) try { unlinkSync(tmp); } catch { /* not there */ } };
  try {
    for (const [src, , tmp] of pairs) copyFileSync(src, tmp);
  } catch (e) {
    discard();
    throw describe(e, join(dir, "tokens.bin"), "write");
  }
  let done = false;
  return {
    meta,
    bin: pairs[0][2],
    commit() {
      if (done) return;
      try { for (const [, dest, tmp] of pairs) renameSync(tmp, dest); } catch (e) { discard(); throw describe(e, dir, "write to"); }
      done = true;
      syncDir(dir);
    },
    discard() {
      if (!done) { done = true; discard(); }
    },
  };
}

/** Write a small file and fsync it (the caller renames it into place). */
function writeSyncedFile(path: string, data: Uint8Array): void {
  const fd = openSync(path, "w");
  try {
    writeAll(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** binCheck() of an open tokens.bin of `size` bytes: its first and last CHECK_BYTES. */
function binCheckOf(fd: number, size: number): string {
  const n = Math.min(CHECK_BYTES, size);
  const head = Buffer.alloc(n), tail = Buffer.alloc(n);
  readFully(fd, head, 0);
  readFully(fd, tail, size - n);
  return binCheck(head, tail, size);
}

function readFully(fd: number, buf: Uint8Array, pos: number): void {
  let got = 0;
  while (got < buf.length) {
    const r = readSync(fd, buf, got, buf.length - got, pos + got);
    if (r === 0) throw new IOError(`token file ended early at byte ${pos + got}`);
    got += r;
  }
}

/** Tokens read from tokens.bin on demand (positioned reads; nothing of the corpus is kept in memory). */
export class FileTokenSource implements TokenSource {
  readonly length: number;
  private readonly fd: number;
  private readonly width: number;
  private buf = Buffer.alloc(0);

  constructor(path: string, readonly dtype: TokenDType) {
    this.fd = openSync(path, "r");
    this.width = bytesOf(dtype);
    this.length = Math.floor(fstatSync(this.fd).size / this.width);
  }

  read(pos: number, n: number, out: Int32Array): void {
    const bytes = n * this.width;
    if (this.buf.length < bytes) this.buf = Buffer.alloc(bytes);
    let got = 0;
    while (got < bytes) {
      const r = readSync(this.fd, this.buf, got, bytes - got, pos * this.width + got);
      if (r === 0) throw new IOError(`token file ended early at token ${pos + got / this.width}`);
      got += r;
    }
    const b = this.buf;
    if (this.width === 1) for (let i = 0; i < n; i++) out[i] = b[i];
    else if (this.width === 2) for (let i = 0; i < n; i++) out[i] = b.readUInt16LE(2 * i);
    else for (let i = 0; i < n; i++) out[i] = b.readUInt32LE(4 * i);
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** Read tokens.json of a token directory, checking it. */
export function readTokenMeta(dir: string): TokenFileMeta {
  const path = join(dir, "tokens.json");
  let meta: TokenFileMeta;
  try {
    meta = JSON.parse(readFileSync(path, "utf8")) as TokenFileMeta;
  } catch {
    throw new CorpusError(`${path} is missing or not JSON: not a char-lstm token directory (make one with char-lstm export-tokens)`);
  }
  if (typeof meta !== "object" || meta === null || meta.format !== TOKENS_FORMAT) throw new CorpusError(`${path}: format ${String(meta?.format)}, expected ${TOKENS_FORMAT}`);
  if (!Array.isArray(meta.vocab) || meta.vocab.some((c) => typeof c !== "string")) throw new CorpusError(`${path}: "vocab" is not a list of characters; re-export it`);
  if (!["u8", "u16", "u32"].includes(meta.dtype) || !Number.isSafeInteger(meta.count) || meta.count < 0) throw new CorpusError(`${path}: "dtype" or "count" is not valid; re-export it`);
  return meta;
}

/**
 * Open a token directory: in memory when it is small (≤ `inMemoryBytes`), else read from disk on demand.
 * tokens.bin must match tokens.json (size, and the check of its first and last bytes where the json has
 * one): a pair that was not replaced together is refused. `bin` overrides the path of tokens.bin (a staged
 * file not yet renamed into place).
 */
export function openTokens(dir: string, meta: TokenFileMeta, inMemoryBytes = 256 << 20, bin = join(dir, "tokens.bin")): TokenSource {
  const fd = openSync(bin, "r");
  try {
    const size = fstatSync(fd).size;
    if (size !== meta.count * bytesOf(meta.dtype)) throw new CorpusError(`${join(dir, "tokens.bin")} has ${size} bytes but tokens.json promises ${meta.count} ${meta.dtype} tokens: the two files do not belong together; re-export them`);
    if (meta.check !== undefined && binCheckOf(fd, size) !== meta.check) {
      throw new CorpusError(`${join(dir, "tokens.bin")} does not match ${join(dir, "tokens.json")} (check ${binCheckOf(fd, size)}, the json says ${meta.check}): the two files do not belong together; re-export them`);
    }
    if (size > inMemoryBytes) return new FileTokenSource(bin, meta.dtype);
    const tokens = allocTokens(meta.dtype, meta.count);
    readFully(fd, new Uint8Array(tokens.buffer), 0);
    return new ArrayTokenSource(tokens);
  } finally {
    closeSync(fd);
  }
}
