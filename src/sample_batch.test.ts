// Many samples at once: stream i of a batch is exactly the single run with its derived seed, on every backend;
// the same seed and N give the same samples; on the js backend the batch also equals the batch-1 Sampler.

import { flagSpelling, messageIn } from "./spelling.js";
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { decodeCheckpoint } from "./checkpoint.js";
import { sampleText } from "./sample.js";
import { SampleBatch, sampleBatch, streamSeed } from "./sample_batch.js";
import { disposeBackends, testBackends } from "../test/backends.js";

const FIXTURE = readFileSync(fileURLToPath(new URL("../../test/fixtures/tiny.safetensors", import.meta.url)));
after(disposeBackends);

test("seeds are derived as (seed + i) mod 2^32", () => {
  assert.equal(streamSeed(5, 0), 5);
  assert.equal(streamSeed(5, 3), 8);
  assert.equal(streamSeed(0xffffffff, 2), 1);
});

test("sample i of a batch equals the single run with its derived seed, on every backend", async () => {
  for (const { name, kernels } of await testBackends()) {
    const { model, vocab } = decodeCheckpoint(FIXTURE, kernels);
    for (const opts of [{ length: 300, seed: 42, temperature: 0.9, prime: "The " }, { length: 400, seed: 0xfffffffe, topK: 5, stop: ["."], prime: "" }]) {
      const batch8 = sampleBatch(model, vocab, opts, 8);
      assert.deepEqual(sampleBatch(model, vocab, opts, 8), batch8, `${name}: the same seed and N give the same samples`);
      assert.equal(new Set(batch8.map((s) => s.text)).size, 8, `${name}: the streams are independent`);
      const batch3 = sampleBatch(model, vocab, opts, 3);
      for (const s of batch8) {
        assert.equal(s.seed, streamSeed(opts.seed, s.index));
        const [single] = sampleBatch(model, vocab, { ...opts, seed: s.seed }, 1);
        assert.equal(single.text, s.text, `${name}: sample ${s.index} vs its single run`);
        if (s.index < 3) assert.equal(batch3[s.index].text, s.text, `${name}: N = 3 vs N = 8`);
        if (opts.stop) assert.ok(s.text.length === 400 || (s.text.endsWith(".") && s.text.indexOf(".") === s.text.length - 1));
        // the js backend runs batch 1 and the batch through the same loops: the plain Sampler agrees bit for bit
        if (name.startsWith("js")) assert.equal(sampleText(model, vocab, { ...opts, seed: s.seed }), s.text, name);
      }
    }
    const b32 = sampleBatch(model, vocab, { length: 60, seed: 7 }, 32);
    const [s31] = sampleBatch(model, vocab, { length: 60, seed: 7 + 31 }, 1);
    assert.equal(b32[31].text, s31.text, `${name}: N = 32`);
  }
});

test("a batch steps all streams together and reports each finished stream as null", async () => {
  const [{ kernels }] = await testBackends();
  const { model, vocab } = decodeCheckpoint(FIXTURE, kernels);
  const b = new SampleBatch(model, vocab, { length: 50, seed: 3, stop: [" "] }, 4);
  let steps = 0;
  for (let out = b.step(); out; out = b.step()) {
    steps++;
    out.forEach((ch, i) => { if (ch === null) assert.ok(b.texts[i].endsWith(" ") || b.texts[i].length === 50); });
  }
  assert.ok(steps <= 50 && b.finished);
  assert.throws(() => new SampleBatch(model, vocab, { length: 5, seed: 1 }, 0), asFlags(/--num-samples/));
});

test("readPrime reads a long prime in chunks; the samples equal those of a prime read at the first step", async () => {
  const [{ kernels }] = await testBackends();
  const { model, vocab } = decodeCheckpoint(FIXTURE, kernels);
  const prime = "Call me Ishmael. ".repeat(100);
  const opts = { length: 40, seed: 9, prime };
  const b = new SampleBatch(model, vocab, opts, 3);
  let calls = 1;
  while (!b.readPrime(64)) calls++;
  assert.equal(calls, Math.ceil(prime.length / 64));
  assert.ok(b.primed);
  while (b.step()) { /* generate */ }
  assert.deepEqual(b.results(), sampleBatch(model, vocab, opts, 3));
  // an unknown prime character is refused when the batch is made, before any work
  assert.throws(() => new SampleBatch(model, vocab, { length: 5, seed: 1, prime: "\u{1F40B}" }, 2), /not in the model.s vocabulary/);
});

/** A library error names config fields; the CLI renders it with flags (spelling.ts): match that rendering. */
function asFlags(re: RegExp): (e: unknown) => boolean {
  return (e) => re.test(messageIn(e, flagSpelling));
}
