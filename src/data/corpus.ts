// A text, encoded once into token ids and cut into contiguous train / val / test splits.
//
// Token ids are stored in the narrowest unsigned array the vocabulary allows (torch-rnn picks its dtype
// the same way): Uint8Array up to 256 characters, Uint16Array up to 65,536, else Uint32Array. The ids
// may live in memory or in a token file on disk (tokens.ts); the corpus only reads them in ranges.

import { Vocab, VocabError } from "./vocab.js";
import { allocTokens, ArrayTokenSource, dtypeFor, Encoder, Fingerprint, type TokenSource } from "./tokens.js";

export interface Split {
  start: number;
  end: number;
}

export class CorpusError extends Error {
  override name = "CorpusError";
}

/** Largest vocabulary accepted by default: beyond this the text is unlikely to be language (or is binary). */
export const MAX_VOCAB = 10_000;

/** Decode UTF-8 strictly; on invalid input say where (byte offset and line). */
export function decodeUtf8(bytes: Uint8Array, what = "input"): string {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    let ok = 0;
    // binary search the longest valid prefix: decoding a prefix that ends mid-character also fails, so
    // step back up to 3 bytes to find the first bad byte exactly
    let lo = 0, hi = bytes.length;
    const valid = (n: number) => { try { new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(0, n)); return true; } catch { return false; } };
    while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (valid(mid)) lo = mid; else hi = mid - 1; }
    ok = lo;
    let line = 1;
    for (let i = 0; i < ok; i++) if (bytes[i] === 10) line++;
    throw new CorpusError(`${what} is not valid UTF-8 text: bad byte 0x${bytes[ok].toString(16).padStart(2, "0")} at byte offset ${ok} (line ${line}); convert it to UTF-8 (e.g. iconv -t UTF-8) or pick a text file`);
  }
}

export class Corpus {
  readonly vocab: Vocab;
  readonly source: TokenSource;
  readonly train: Split;
  readonly val: Split;
  readonly test: Split;
  /** The input files the text was read from, in order, with their character counts (a checkpoint keeps them). */
  documents?: { path: string; chars: number }[];
  private readonly print: string;

  /** A corpus over any token source (in memory, or a token file on disk); splits by fraction. */
  constructor(vocab: Vocab, source: TokenSource, fingerprint: string, valFrac: number, testFrac: number) {
    this.vocab = vocab;
    this.source = source;
    this.print = fingerprint;
    const n = source.length;
    const nTest = Math.floor(n * testFrac), nVal = Math.floor(n * valFrac);
    const nTrain = n - nVal - nTest;
    this.train = { start: 0, end: nTrain };
    this.val = { start: nTrain, end: nTrain + nVal };
    this.test = { start: nTrain + nVal, end: n };
  }

  /**
   * Build from a whole text in memory. The vocabulary covers every split (so val/test never meet an
   * unknown character) unless `vocab` is given (resuming: the checkpoint's vocabulary must cover the text).
   */
  static fromText(text: string, opts: { valFrac: number; testFrac: number; vocab?: Vocab; maxVocab?: number }): Corpus {
    if (text.length === 0) throw new CorpusError("the text is empty; give a file with some text in it");
    const vocab = opts.vocab ?? Vocab.fromText(text);
    if (!opts.vocab) checkVocabSize(vocab.size, opts.maxVocab);
    if (opts.vocab) {
      const missing = vocab.unknown(text);
      if (missing.length) throw new VocabError(`the text has ${missing.length} character(s) the checkpoint's vocabulary lacks, e.g. ${JSON.stringify(missing.slice(0, 5).join(""))}: resume with the text the run was trained on`);
    }
    const all = allocTokens(dtypeFor(vocab.size), text.length);
    const tokens = all.subarray(0, new Encoder(vocab.chars).encode(text, all));
    const fp = new Fingerprint();
    fp.update(tokens);
    return new Corpus(vocab, new ArrayTokenSource(tokens), fp.digest(), opts.valFrac, opts.testFrac);
  }

  /** Fingerprint of the token ids (FNV-1a): a resume checks it to refuse a different text. */
  fingerprint(): string {
    return this.print;
  }
}

export function checkVocabSize(size: number, maxVocab = MAX_VOCAB): void {
  if (size > maxVocab) {
    throw new CorpusError(`the text has ${size} distinct characters, more than ${maxVocab}: this looks like binary data or not a text for a character model (raise --max-vocab to allow it)`);
  }
}
