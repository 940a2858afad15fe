// Vocabulary, corpus and stream batching.

import { flagSpelling, messageIn } from "../spelling.js";
import { test } from "node:test";
import assert from "node:assert/strict";
import { Vocab, VocabError } from "./vocab.js";
import { Corpus, CorpusError, decodeUtf8 } from "./corpus.js";
import { StreamBatcher } from "./loader.js";
import { ArrayTokenSource } from "./tokens.js";

test("vocabulary: sorted code points, an emoji is one character, encode/decode round trip", () => {
  const text = "b😀a\nb😀";
  const v = Vocab.fromText(text);
  assert.deepEqual(v.chars, ["\n", "a", "b", "😀"]);
  const ids = v.encode(text);
  assert.equal(ids.length, 6);
  assert.equal(v.decode(ids), text);
});

test("vocabulary: unknown characters are named, or skipped on request", () => {
  const v = Vocab.fromText("abc");
  assert.throws(() => v.encode("abxz"), (e: Error) => e instanceof VocabError && /2 characters.*"x", "z".*unknown=skip/.test(e.message) && /--unknown skip/.test(messageIn(e, flagSpelling)));
  assert.deepEqual(Array.from(v.encode("abxz", "skip")), [0, 1]);
  assert.throws(() => new Vocab(["a", "b", "a"]), /lists "a" twice/);
  // an extended vocabulary keeps the old ids and appends the new characters, sorted among themselves
  const x = v.extend(["z", "b", "é", "y"]);
  assert.deepEqual(x.chars, ["a", "b", "c", "y", "z", "é"]);
  assert.deepEqual(Array.from(x.encode("cazé")), [2, 0, 4, 5]);
  assert.equal(new Vocab(["b", "a"]).id("a"), 1, "ids follow the list, not code-point order");
});

test("corpus: contiguous splits by fraction, narrow token arrays, clear errors", () => {
  const c = Corpus.fromText("abcdefghij".repeat(10), { valFrac: 0.1, testFrac: 0.2 });
  assert.deepEqual([c.train, c.val, c.test], [{ start: 0, end: 70 }, { start: 70, end: 80 }, { start: 80, end: 100 }]);
  assert.ok((c.source as ArrayTokenSource).tokens instanceof Uint8Array);
  assert.throws(() => Corpus.fromText("", { valFrac: 0.1, testFrac: 0 }), CorpusError);
  const wide = Array.from({ length: 300 }, (_, i) => String.fromCodePoint(0x4e00 + i)).join("");
  assert.ok((Corpus.fromText(wide, { valFrac: 0.1, testFrac: 0 }).source as ArrayTokenSource).tokens instanceof Uint16Array);
  assert.throws(() => Corpus.fromText(wide, { valFrac: 0.1, testFrac: 0, maxVocab: 100 }), /300 distinct characters/);
  assert.notEqual(c.fingerprint(), Corpus.fromText("abcdefghij".repeat(9) + "abcdefghji", { valFrac: 0.1, testFrac: 0.2 }).fingerprint());
});

test("UTF-8: invalid bytes are reported with their offset and line", () => {
  const bytes = new Uint8Array([0x61, 0x0a, 0x62, 0xff, 0x63]);
  assert.throws(() => decodeUtf8(bytes, "f.txt"), /f\.txt is not valid UTF-8 text: bad byte 0xff at byte offset 3 \(line 2\)/);
  assert.equal(decodeUtf8(new TextEncoder().encode("héllo")), "héllo");
});

test("stream batcher: B contiguous streams, targets shifted by one, windows continue each other", () => {
  const tokens = new ArrayTokenSource(Uint8Array.from({ length: 41 }, (_, i) => i));
  const b = new StreamBatcher(tokens, { start: 0, end: 41 }, 4, 3);
  assert.equal(b.S, 10);
  assert.equal(b.windows, 3);
  const x = new Int32Array(12), y = new Int32Array(12);
  b.fill(x, y, 0);
  // time-major: x[t·B + b] = stream b's t-th character = b·S + t
  assert.deepEqual(Array.from(x), [0, 10, 20, 30, 1, 11, 21, 31, 2, 12, 22, 32]);
  assert.deepEqual(Array.from(y), Array.from(x, (v) => v + 1));
  b.fill(x, y, 1);
  assert.equal(x[0], 3);
  assert.equal(b.windowLength(3), 1);   // the tail window used by evaluation
  assert.throws(() => new StreamBatcher(tokens, { start: 0, end: 12 }, 4, 3), /has 12 characters, but batch 4 × seq 3 needs at least 13/);
});
