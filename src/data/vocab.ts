// The vocabulary: the sorted set of Unicode code points of a text (never UTF-16 units, never bytes; an
// emoji is one character). Index i is the i-th smallest code point, so the mapping never depends on the
// order characters were met (nanoGPT's sorted(set(text)), not min-char-rnn's list(set(...))).
//
// A fine-tuned model whose vocabulary was extended (finetune.ts) keeps every old id and appends the new
// characters, sorted among themselves: so a vocabulary is any list of distinct characters, and only a fresh
// one is sorted. Everything maps characters through the list (index = id), never by sortedness.

import type { UnknownPolicy } from "../config.js";
import { spelled } from "../spelling.js";

export type { UnknownPolicy };

export class VocabError extends Error {
  override name = "VocabError";
}

/** Human-readable form of a character for error messages: "x", "\n", U+0007. */
export function showChar(ch: string): string {
  const cp = ch.codePointAt(0)!;
  if (ch === "\n") return "\\n";
  if (ch === "\t") return "\\t";
  if (ch === "\r") return "\\r";
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return `U+${cp.toString(16).toUpperCase().padStart(4, "0")}`;
  return JSON.stringify(ch);
}

export class Vocab {
  /** chars[i] is the character of token i (one code point each). */
  readonly chars: string[];
  private readonly index = new Map<number, number>();

  constructor(chars: string[]) {
    for (const [i, ch] of chars.entries()) {
      const cp = ch.codePointAt(0);
      if (cp === undefined || String.fromCodePoint(cp) !== ch) throw new VocabError(`vocabulary entry ${i} is not a single character`);
      // half of a UTF-16 surrogate pair alone is no character: no UTF-8 text holds it, and it prints as U+FFFD
      if (cp >= 0xd800 && cp <= 0xdfff) throw new VocabError(`vocabulary entry ${i} is a lone surrogate (U+${cp.toString(16).toUpperCase()}), not a character`);
      if (this.index.has(cp)) throw new VocabError(`vocabulary lists ${showChar(ch)} twice`);
      this.index.set(cp, i);
    }
    this.chars = chars;
  }

  /** The vocabulary of a text: its distinct code points, sorted. */
  static fromText(text: string): Vocab {
    const seen = new Set<number>();
    for (const ch of text) seen.add(ch.codePointAt(0)!);
    return new Vocab([...seen].sort((a, b) => a - b).map((cp) => String.fromCodePoint(cp)));
  }

  get size(): number {
    return this.chars.length;
  }

  /** This vocabulary with `added` appended (old ids unchanged; the new ones sorted by code point). */
  extend(added: string[]): Vocab {
    const fresh = [...new Set(added)].filter((ch) => this.id(ch) < 0).sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
    return new Vocab([...this.chars, ...fresh]);
  }

  /** Token id of one character, or −1. */
  id(ch: string): number {
    return this.index.get(ch.codePointAt(0)!) ?? -1;
  }

  /** Characters of `text` that are not in the vocabulary, each once, in order of appearance. */
  unknown(text: string): string[] {
    const out = new Set<string>();
    for (const ch of text) if (!this.index.has(ch.codePointAt(0)!)) out.add(ch);
    return [...out];
  }

  /**
   * Token ids of `text`. Characters outside the vocabulary are an error naming them (policy "error") or
   * dropped (policy "skip").
   */
  encode(text: string, policy: UnknownPolicy = "error"): Int32Array {
    const ids: number[] = [];
    const missing = new Set<string>();
    for (const ch of text) {
      const i = this.index.get(ch.codePointAt(0)!);
      if (i !== undefined) ids.push(i);
      else if (policy === "error") missing.add(ch);
    }
    if (missing.size) {
      const list = [...missing].slice(0, 10).map(showChar).join(", ");
      const n = missing.size;
      throw spelled((m) => new VocabError(m), (s) => `${n} character${n > 1 ? "s" : ""} not in the model's vocabulary: ${list}${n > 10 ? ", …" : ""} (use ${s("unknown", "skip")} to drop them)`);
    }
    return Int32Array.from(ids);
  }

  decode(ids: ArrayLike<number>): string {
    let s = "";
    for (let i = 0; i < ids.length; i++) s += this.chars[ids[i]];
    return s;
  }
}
