// Sampling: reproducible by seed, the controls do what they say, primes are checked.

import { flagSpelling, messageIn } from "./spelling.js";
import { test } from "node:test";
import assert from "node:assert/strict";
import { jsKernels } from "./kernels/js/index.js";
import { CharLSTM } from "./model.js";
import { Rng } from "./rng.js";
import { Vocab } from "./data/vocab.js";
import { Sampler, sampleText } from "./sample.js";

const vocab = Vocab.fromText("abcdefgh \n");
const model = new CharLSTM({ vocabSize: vocab.size, hidden: 8, layers: 2, dropout: 0 }, jsKernels("f32"), new Rng(4));

test("the same seed gives the same text; another seed another text", () => {
  const a = sampleText(model, vocab, { length: 200, seed: 1, prime: "abc" });
  assert.equal(a.length, 200);
  assert.equal(sampleText(model, vocab, { length: 200, seed: 1, prime: "abc" }), a);
  assert.notEqual(sampleText(model, vocab, { length: 200, seed: 2, prime: "abc" }), a);
});

test("argmax is deterministic whatever the seed; top-k 1 equals argmax", () => {
  const a = sampleText(model, vocab, { length: 50, seed: 1, argmax: true });
  assert.equal(sampleText(model, vocab, { length: 50, seed: 9, argmax: true }), a);
  assert.equal(sampleText(model, vocab, { length: 50, seed: 9, topK: 1 }), a);
  assert.equal(sampleText(model, vocab, { length: 50, seed: 9, topP: 1e-9 }), a);
});

test("top-k keeps only the k most likely characters", () => {
  const s = new Sampler(model, vocab, { length: 300, seed: 3, topK: 2, temperature: 2 });
  for (let i = 0; i < 300; i++) {
    const before = Float64Array.from((s as unknown as { ws: { logits: Float32Array } }).ws.logits.subarray(0, vocab.size));
    const ch = s.next()!;
    const rank = Array.from(before).filter((v) => v > before[vocab.id(ch)]).length;
    assert.ok(rank < 2, `picked a character of rank ${rank}`);
  }
});

test("stop strings end generation; a prime with unknown characters is refused or skipped", () => {
  const s = sampleText(model, vocab, { length: 5000, seed: 5, stop: ["a"] });
  assert.ok(s.endsWith("a") && s.indexOf("a") === s.length - 1);
  assert.throws(() => sampleText(model, vocab, { length: 5, seed: 1, prime: "abz" }), asFlags(/"z".*--unknown skip/));
  assert.equal(sampleText(model, vocab, { length: 5, seed: 1, prime: "abz", unknown: "skip" }), sampleText(model, vocab, { length: 5, seed: 1, prime: "ab" }));
  assert.throws(() => sampleText(model, vocab, { length: 5, seed: 1, temperature: 0 }), /temperature/);
});

test("a reused workspace gives the same text as a fresh one (state is reset)", () => {
  const ws = model.workspace(1, 16);
  const fresh = sampleText(model, vocab, { length: 100, seed: 8, prime: "abc abc abc abc abc abc" });
  assert.equal(sampleText(model, vocab, { length: 100, seed: 8, prime: "abc abc abc abc abc abc" }, ws), fresh);
  assert.equal(sampleText(model, vocab, { length: 100, seed: 8, prime: "abc abc abc abc abc abc" }, ws), fresh);
});

test("top-p keeps the smallest most-likely set reaching p", () => {
  const s = new Sampler(model, vocab, { length: 200, seed: 6, topP: 0.5, temperature: 1.5 });
  for (let i = 0; i < 200; i++) {
    const logits = Float64Array.from((s as unknown as { ws: { logits: Float32Array } }).ws.logits.subarray(0, vocab.size));
    const p = logits.map((l) => Math.exp((l - Math.max(...logits)) / 1.5));
    const total = p.reduce((a, b) => a + b, 0);
    const ch = s.next()!;
    // the picked character must be inside the nucleus: the mass strictly above it is below p
    const above = p.filter((q) => q > p[vocab.id(ch)]).reduce((a, b) => a + b, 0) / total;
    assert.ok(above < 0.5, `picked a character with ${above} of the mass above it`);
  }
});

/** A library error names config fields; the CLI renders it with flags (spelling.ts): match that rendering. */
function asFlags(re: RegExp): (e: unknown) => boolean {
  return (e) => re.test(messageIn(e, flagSpelling));
}
