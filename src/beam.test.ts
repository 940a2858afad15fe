// Beam search: K = 1 is greedy decoding, K > 1 finds text at least as likely (rescored by evaluation), the
// result does not depend on the backend's thread count, and on a tiny model an exhaustive search agrees.

import { flagSpelling, messageIn } from "./spelling.js";
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { beamSearch, beamSteps } from "./beam.js";
import { decodeCheckpoint } from "./checkpoint.js";
import { Vocab } from "./data/vocab.js";
import { jsKernels } from "./kernels/js/index.js";
import { CharLSTM } from "./model.js";
import { Rng } from "./rng.js";
import { PRIME_CHUNK, sampleText } from "./sample.js";
import { evaluateTokens } from "./train.js";
import { disposeBackends, testBackends } from "../test/backends.js";

const FIXTURE = readFileSync(fileURLToPath(new URL("../../test/fixtures/tiny.safetensors", import.meta.url)));
after(disposeBackends);

/** log p(text | prime) as `eval` computes it: total nats of prime+text minus those of the prime alone. */
function rescore(model: CharLSTM, vocab: Vocab, prime: string, text: string): number {
  const nats = (s: string) => { const r = evaluateTokens(model, vocab.encode(s)); return r.loss * r.chars; };
  return -(nats(prime + text) - nats(prime));
}

test("K = 1 equals greedy (argmax) decoding character for character, with and without a stop string", async () => {
  for (const { name, kernels } of await testBackends()) {
    const { model, vocab } = decodeCheckpoint(FIXTURE, kernels);
    for (const prime of ["The ", "", "Call me Ishmael. Some years ago, never mind how long precisely, having little or no money in my purse"]) {
      const greedy = sampleText(model, vocab, { length: 300, seed: 1, argmax: true, prime });
      const [best] = beamSearch(model, vocab, { length: 300, beams: 1, prime });
      assert.equal(best.text, greedy, `${name} prime ${JSON.stringify(prime)}`);
      const stopped = sampleText(model, vocab, { length: 300, seed: 1, argmax: true, prime, stop: ["seat"] });
      const [b] = beamSearch(model, vocab, { length: 300, beams: 1, prime, stop: ["seat"] });
      assert.equal(b.text, stopped, name);
      assert.equal(b.stopped, stopped.endsWith("seat"));
    }
  }
});

test("K > 1: the best beam is at least as likely as greedy (rescored by evaluation); beams come best first", () => {
  const { model, vocab } = decodeCheckpoint(FIXTURE, jsKernels("f32"));
  const prime = "The ";
  const greedy = sampleText(model, vocab, { length: 120, seed: 1, argmax: true, prime });
  const g = rescore(model, vocab, prime, greedy);
  for (const K of [2, 4, 8]) {
    const beams = beamSearch(model, vocab, { length: 120, beams: K, prime });
    assert.equal(beams.length, K);
    for (let i = 1; i < K; i++) assert.ok(beams[i - 1].score >= beams[i].score, "sorted by score");
    for (const b of beams) assert.equal([...b.text].length, 120);
    const r = rescore(model, vocab, prime, beams[0].text);
    assert.ok(r >= g, `K=${K}: beam ${r} < greedy ${g}`);
    assert.ok(Math.abs(r - beams[0].logProb) < 1e-3 * Math.abs(r), `reported log-prob ${beams[0].logProb} vs rescored ${r}`);
  }
  // the length penalty changes the ranking score only: score = logProb / length^A
  const [p] = beamSearch(model, vocab, { length: 50, beams: 4, prime, lengthPenalty: 1 });
  assert.ok(Math.abs(p.score - p.logProb / 50) < 1e-12);
  // a stop string ends beams; with a length penalty shorter finished beams compete fairly
  const stopped = beamSearch(model, vocab, { length: 200, beams: 4, prime, stop: [" "] });
  for (const b of stopped) assert.ok(b.stopped && b.text.endsWith(" ") && b.text.indexOf(" ") === b.text.length - 1, JSON.stringify(b.text));
});

test("beam results are identical at every thread count of a backend", async () => {
  const wasm = (await testBackends()).filter((b) => b.name.startsWith("wasm") || b.name.startsWith("native"));
  const groups = new Map<string, string[]>();
  for (const { name, kernels } of wasm) {
    const { model, vocab } = decodeCheckpoint(FIXTURE, kernels);
    const beams = beamSearch(model, vocab, { length: 200, beams: 5, prime: "The " });
    const key = name.replace(/×\d+$/, "");
    const got = JSON.stringify(beams.map((b) => [b.text, b.logProb]));
    const prev = groups.get(key);
    if (prev) assert.equal(got, prev[0], `${name} differs from ${prev[1]}`);
    else groups.set(key, [got, name]);
  }
});

test("the committed prefix streams exactly the best text", () => {
  const { model, vocab } = decodeCheckpoint(FIXTURE, jsKernels("f32"));
  for (const stop of [[], [" the"]]) {
    let streamed = "";
    const calls: string[] = [];
    const [best] = beamSearch(model, vocab, { length: 400, beams: 6, prime: "The ", stop }, (t) => { streamed += t; calls.push(t); });
    assert.equal(streamed, best.text);
    if (!stop.length) assert.ok(calls.length > 1, "streams in pieces, not only at the end");
  }
});

test("the committed prefix is the best text at every K, also when beams finish on stop strings at different depths", () => {
  const { model, vocab } = decodeCheckpoint(FIXTURE, jsKernels("f32"));
  for (const beams of [2, 4, 16]) {
    for (const stop of [[], ["e"], [" the", "."], ["wh"]]) {
      let streamed = "";
      const [best] = beamSearch(model, vocab, { length: 200, beams, prime: "Th", stop }, (t) => { streamed += t; });
      assert.equal(streamed, best.text, `K = ${beams}, stop ${JSON.stringify(stop)}`);
    }
  }
});

/** Count the characters each call of `fn` feeds through model.forward (the work between two event-loop turns). */
function forwardChars(model: CharLSTM): { take(): number } {
  let n = 0;
  const forward = model.forward.bind(model);
  model.forward = ((ws, T, o) => { n += T * ws.B; return forward(ws, T, o); }) as CharLSTM["forward"];
  return { take: () => { const t = n; n = 0; return t; } };
}

test("a long prime is read one chunk per step, and the sliced prime gives the same beams", () => {
  const { model, vocab } = decodeCheckpoint(FIXTURE, jsKernels("f32"));
  const prime = "The whale and the sea. ".repeat(200);            // 4,600 characters: 72 chunks
  const whole = beamSearch(model, vocab, { length: 30, beams: 3, prime });
  const fed = forwardChars(model);
  const steps = beamSteps(model, vocab, { length: 30, beams: 3, prime });
  let most = 0, empty = 0, calls = 0, r;
  for (r = steps.next(); !r.done; r = steps.next()) {
    calls++;
    most = Math.max(most, fed.take());
    if (calls <= Math.ceil(prime.length / PRIME_CHUNK) - 1) { assert.equal(r.value, "", `step ${calls} is still reading the prime`); empty++; }
  }
  // never more than one prime chunk (or one batch-3 step) of work between two yields
  assert.ok(most <= PRIME_CHUNK, `${most} characters fed in one step`);
  assert.equal(empty, Math.ceil(prime.length / PRIME_CHUNK) - 1);
  assert.deepEqual(r.value, whole);
});

test("exhaustive search on a tiny model: a large enough beam finds the most likely string", () => {
  const vocab = Vocab.fromText("abc");
  const V = vocab.size, len = 5;
  for (const seed of [1, 2, 3]) {
    const model = new CharLSTM({ vocabSize: V, hidden: 4, layers: 2, dropout: 0 }, jsKernels("f64"), new Rng(seed));
    // scale the head so the distributions are peaked enough to make greedy and the optimum differ sometimes
    for (let i = 0; i < model.p.Wy.length; i++) model.p.Wy[i] *= 6;
    let best = "", bestLp = -Infinity;
    const all: string[] = [""];
    for (let d = 0; d < len; d++) { const next: string[] = []; for (const s of all) for (const ch of vocab.chars) next.push(s + ch); all.splice(0, all.length, ...next); }
    for (const s of all) {
      const lp = rescore(model, vocab, "ab", s);
      if (lp > bestLp) { bestLp = lp; best = s; }
    }
    // K = V^(len−1) keeps every prefix until the last step: exact
    const [exact] = beamSearch(model, vocab, { length: len, beams: V ** (len - 1), prime: "ab" });
    assert.equal(exact.text, best, `seed ${seed}`);
    assert.ok(Math.abs(exact.logProb - bestLp) < 1e-9);
  }
});

test("bad options are refused with the flag's name", () => {
  const { model, vocab } = decodeCheckpoint(FIXTURE, jsKernels("f32"));
  assert.throws(() => beamSearch(model, vocab, { length: 10, beams: 0 }), asFlags(/--beam/));
  assert.throws(() => beamSearch(model, vocab, { length: 10, beams: 2, lengthPenalty: -1 }), asFlags(/--length-penalty/));
  assert.throws(() => beamSearch(model, vocab, { length: -1, beams: 2 }), asFlags(/--length/));
  assert.throws(() => beamSearch(model, vocab, { length: 5, beams: 2, prime: "ab\u0007" }), asFlags(/--unknown skip/));
});

/** A library error names config fields; the CLI renders it with flags (spelling.ts): match that rendering. */
function asFlags(re: RegExp): (e: unknown) => boolean {
  return (e) => re.test(messageIn(e, flagSpelling));
}
