// Token sources and the on-disk token file, the data format shared with the PyTorch side (python/).
//
// A TokenSource is any sequence of token ids that can be read in ranges: an in-memory array for texts that
// fit, a file for corpora that do not (io/tokenfile.ts). The batcher reads B short ranges per step, so
// training memory depends on the model and batch, never on the corpus.
//
// Token file (a directory):
//   tokens.bin   raw little-endian unsigned ints, one per character (code point) in text order;
//                1 byte each when V ≤ 256 (u8), 2 when V ≤ 65,536 (u16), else 4 (u32)
//   tokens.json  {"format": "char-lstm-tokens/1", "vocab": [chars in id order], "dtype": "u8"|"u16"|"u32",
//                 "count": N, "fingerprint": "N:xxxxxxxx", "source": "<file name>", "check": "xxxxxxxx",
//                 and for a corpus of several files "documents": [{"path", "chars"}, …] in reading order and
//                 "docSep": the separator written between them}
//                "check" (optional in older files) ties the json to its tokens.bin: binCheck() of the bin's
//                first and last 4096 bytes and its size, so a reader refuses a bin and a json that were
//                not replaced together (both are written to temporary names and renamed bin first)
// Splits are not stored: nTest = ⌊N·testFrac⌋, nVal = ⌊N·valFrac⌋, train = [0, N − nVal − nTest), then
// val, then test (see corpus.ts), so both sides derive the same ones from the fractions.

export const TOKENS_FORMAT = "char-lstm-tokens/1";

export type TokenDType = "u8" | "u16" | "u32";
export type TokenArray = Uint8Array | Uint16Array | Uint32Array;

export interface TokenFileMeta {
  format: typeof TOKENS_FORMAT;
  vocab: string[];
  dtype: TokenDType;
  count: number;
  fingerprint: string;
  source: string;
  /** The input files in reading order, each with its character count (only for several files). */
  documents?: { path: string; chars: number }[];
  /** The separator written between documents. */
  docSep?: string;
  /** binCheck() of tokens.bin; absent in files written before it existed. */
  check?: string;
}

/** Bytes at each end of tokens.bin that binCheck() covers. */
export const CHECK_BYTES = 4096;

/** FNV-1a (32-bit) over the first and last CHECK_BYTES of tokens.bin, then its size in bytes: "xxxxxxxx". */
export function binCheck(head: Uint8Array, tail: Uint8Array, size: number): string {
  let h = 0x811c9dc5;
  for (const part of [head, tail]) for (let i = 0; i < part.length; i++) { h ^= part[i]; h = Math.imul(h, 0x01000193); }
  for (let s = size, i = 0; i < 8; i++, s = Math.floor(s / 256)) { h ^= s % 256; h = Math.imul(h, 0x01000193); }
  return (h >>> 0).toString(16).padStart(8, "0");
}

export interface TokenSource {
  /** Number of tokens. */
  readonly length: number;
  /** out[0..n) = tokens[pos..pos+n). */
  read(pos: number, n: number, out: Int32Array): void;
}

export const dtypeFor = (V: number): TokenDType => (V <= 256 ? "u8" : V <= 65536 ? "u16" : "u32");
export const bytesOf = (d: TokenDType): number => (d === "u8" ? 1 : d === "u16" ? 2 : 4);

export function allocTokens(dtype: TokenDType, n: number): TokenArray {
  return dtype === "u8" ? new Uint8Array(n) : dtype === "u16" ? new Uint16Array(n) : new Uint32Array(n);
}

/** Tokens held in memory. */
export class ArrayTokenSource implements TokenSource {
  constructor(readonly tokens: TokenArray) {}
  get length(): number {
    return this.tokens.length;
  }
  read(pos: number, n: number, out: Int32Array): void {
    out.set(this.tokens.subarray(pos, pos + n));
  }
}

/**
 * Incremental FNV-1a over token ids (two bytes of each: ids above 65,535 share a hash bucket, which is
 * fine for telling texts apart). A resume compares it to refuse a different text.
 */
export class Fingerprint {
  private h = 0x811c9dc5;
  private n = 0;
  update(tokens: ArrayLike<number>, count = tokens.length): void {
    let h = this.h;
    for (let i = 0; i < count; i++) {
      const t = tokens[i];
      h ^= t & 0xff; h = Math.imul(h, 0x01000193);
      h ^= (t >>> 8) & 0xff; h = Math.imul(h, 0x01000193);
    }
    this.h = h;
    this.n += count;
  }
  digest(): string {
    return `${this.n}:${(this.h >>> 0).toString(16).padStart(8, "0")}`;
  }
}

/** Collect the code points of a text given in chunks (the vocabulary pass of a streaming encode). */
export class CodePointSet {
  private readonly bmp = new Uint8Array(65536);
  private readonly astral = new Set<number>();
  private count = 0;
  /** Index of the first NUL character seen, or −1 (a NUL in a "text" almost always means binary data). */
  firstNul = -1;
  private seen = 0;

  add(s: string): void {
    const bmp = this.bmp;
    for (let i = 0; i < s.length; i++) {
      let cp = s.charCodeAt(i);
      if (cp >= 0xd800 && cp < 0xdc00 && i + 1 < s.length) {
        const lo = s.charCodeAt(i + 1);
        if (lo >= 0xdc00 && lo < 0xe000) { cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00); i++; }
      }
      if (cp < 65536) {
        if (!bmp[cp]) { bmp[cp] = 1; this.count++; if (cp === 0 && this.firstNul < 0) this.firstNul = this.seen; }
      } else if (!this.astral.has(cp)) { this.astral.add(cp); this.count++; }
      this.seen++;
    }
  }

  get size(): number {
    return this.count;
  }

  /** Code points added so far (a second pass over the same text must encode exactly this many). */
  get total(): number {
    return this.seen;
  }

  /** The sorted characters. */
  chars(): string[] {
    const out: string[] = [];
    for (let cp = 0; cp < 65536; cp++) if (this.bmp[cp] && (cp < 0xd800 || cp >= 0xe000)) out.push(String.fromCharCode(cp));
    // lone surrogates (only from malformed UTF-16, never from decoded UTF-8) are kept as they are
    for (let cp = 0xd800; cp < 0xe000; cp++) if (this.bmp[cp]) out.push(String.fromCharCode(cp));
    out.sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
    for (const cp of [...this.astral].sort((a, b) => a - b)) out.push(String.fromCodePoint(cp));
    return out;
  }
}

/** Maps code points to ids quickly (a table for the BMP, a Map above it). */
export class Encoder {
  private readonly bmp = new Int32Array(65536).fill(-1);
  private readonly astral = new Map<number, number>();

  constructor(chars: string[]) {
    chars.forEach((ch, i) => {
      const cp = ch.codePointAt(0)!;
      if (cp < 65536) this.bmp[cp] = i;
      else this.astral.set(cp, i);
    });
  }

  /** Encode s into out (which must have room for s.length ids); returns the count. Unknown → −1. */
  encode(s: string, out: TokenArray | Int32Array): number {
    let n = 0;
    for (let i = 0; i < s.length; i++) {
      let cp = s.charCodeAt(i);
      if (cp >= 0xd800 && cp < 0xdc00 && i + 1 < s.length) {
        const lo = s.charCodeAt(i + 1);
        if (lo >= 0xdc00 && lo < 0xe000) { cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00); i++; }
      }
      out[n++] = cp < 65536 ? this.bmp[cp] : (this.astral.get(cp) ?? -1);
    }
    return n;
  }
}
