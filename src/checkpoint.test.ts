// Checkpoints: round trip, PyTorch names and shapes, and a clear error for every kind of bad file.

import { test } from "node:test";
import assert from "node:assert/strict";
import { jsKernels } from "./kernels/js/index.js";
import { CharLSTM } from "./model.js";
import { Rng } from "./rng.js";
import { Vocab } from "./data/vocab.js";
import { decodeCheckpoint, encodeCheckpoint, CheckpointError } from "./checkpoint.js";
import { decodeSafetensors, encodeSafetensors } from "./safetensors.js";

const k = jsKernels("f32");
const vocab = Vocab.fromText("abcde\n");
const model = new CharLSTM({ vocabSize: vocab.size, hidden: 4, layers: 2, dropout: 0.25 }, k, new Rng(1));
const bytes = encodeCheckpoint(model, vocab);

test("round trip: same weights, vocabulary and shape; PyTorch state_dict names and shapes", () => {
  const ck = decodeCheckpoint(bytes, k);
  assert.deepEqual(Array.from(ck.model.params), Array.from(model.params));
  assert.deepEqual(ck.vocab.chars, vocab.chars);
  assert.deepEqual(ck.model.config, model.config);
  const { tensors, metadata } = decodeSafetensors(bytes);
  assert.equal(metadata.format, "char-lstm/1");
  assert.deepEqual(JSON.parse(metadata.vocab), vocab.chars);
  assert.deepEqual(Object.fromEntries([...tensors].map(([n, t]) => [n, t.shape])), {
    "lstm.weight_ih_l0": [16, 6], "lstm.weight_hh_l0": [16, 4], "lstm.bias_ih_l0": [16], "lstm.bias_hh_l0": [16],
    "lstm.weight_ih_l1": [16, 4], "lstm.weight_hh_l1": [16, 4], "lstm.bias_ih_l1": [16], "lstm.bias_hh_l1": [16],
    "head.weight": [6, 4], "head.bias": [6],
  });
  // the header is padded so the data section starts 8-byte aligned
  assert.equal(Number(new DataView(bytes.buffer).getBigUint64(0, true)) % 8, 0);
});

test("bad files are CheckpointErrors with a one-line reason", () => {
  const bad = (b: Uint8Array, re: RegExp) => assert.throws(() => decodeCheckpoint(b, k, "x.safetensors"), (e: Error) => e instanceof CheckpointError && re.test(e.message) && !e.message.includes("\n"));
  bad(bytes.subarray(0, 5), /too short/);
  bad(bytes.subarray(0, bytes.length - 10), /truncated/);
  bad(new TextEncoder().encode("hello, I am a text file and not a checkpoint at all"), /not a safetensors file|exceeds the file/);
  bad(encodeSafetensors([["w", { dtype: "F32", shape: [1], data: new Float32Array(1) }]], {}), /not a char-lstm checkpoint/);
  const { tensors, metadata } = decodeSafetensors(bytes);
  const rewrite = (meta: Record<string, string>, mutate?: (name: string, t: { shape: number[]; data: Float32Array }) => void) =>
    encodeSafetensors([...tensors].map(([n, t]) => {
      const c = { dtype: "F32" as const, shape: [...t.shape], data: Float32Array.from(t.data) };
      mutate?.(n, c);
      return [n, c];
    }), meta);
  bad(rewrite({ ...metadata, format: "char-lstm/2" }), /newer char-lstm.*upgrade/);
  bad(rewrite({ ...metadata, vocab: "[\"a\"]" }), /6 rows but the vocabulary has 1/);
  bad(rewrite(metadata, (n, t) => { if (n === "lstm.weight_hh_l1") { t.shape = [4, 16]; } }), /weight_hh_l1 has shape \[4,16\].*needs \[16,4\]/);
  bad(rewrite(metadata, (n, t) => { if (n === "head.bias") t.data[0] = NaN; }), /non-finite/);
});

test("fuzz: random bytes and random mutations of a valid checkpoint load or fail with a CheckpointError, never crash", () => {
  let seed = 99;
  const rnd = (n: number) => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) % n);
  let loaded = 0, refused = 0;
  for (let i = 0; i < 1500; i++) {
    let b: Uint8Array;
    if (i % 3 === 0) {
      b = Uint8Array.from({ length: rnd(200) }, () => rnd(256));
      if (b.length >= 8 && rnd(2)) new DataView(b.buffer).setBigUint64(0, BigInt(rnd(b.length)), true);
    } else {
      b = Uint8Array.from(bytes);
      const headerLen = Number(new DataView(b.buffer).getBigUint64(0, true));
      for (let m = 1 + rnd(4); m > 0; m--) {
        // mostly the header (structure), sometimes anywhere (data)
        const at = rnd(3) ? 8 + rnd(headerLen) : rnd(b.length);
        b[at] = rnd(256);
      }
      if (rnd(4) === 0) b = b.subarray(0, rnd(b.length));
    }
    try {
      decodeCheckpoint(b, k);
      loaded++;
    } catch (e) {
      assert.ok(e instanceof CheckpointError, `iteration ${i}: ${(e as Error).name}: ${(e as Error).message}`);
      assert.ok(!(e as Error).message.includes("\n"));
      refused++;
    }
  }
  assert.ok(loaded > 0 && refused > 0, `${loaded} loaded, ${refused} refused`);
});
