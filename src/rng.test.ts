// The mask fillers draw exactly what the per-element loop over nextFloat() draws, and leave the same state.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "./rng.js";

test("keepMask and keepBits: the same draws and final state as `nextFloat() < keep` per element", () => {
  for (const [n, keep] of [[1, 0.5], [31, 0.8], [32, 0.7], [33, 0.3], [1000, 0.75], [4097, 0.999], [64, 1e-7]] as const) {
    const ref = new Rng(42 + n), a = new Rng(42 + n), b = new Rng(42 + n);
    const want = Array.from({ length: n }, () => ref.nextFloat() < keep);
    const mask = new Float32Array(n);
    a.keepMask(mask, n, keep, 2);
    assert.deepEqual(Array.from(mask), want.map((k) => (k ? 2 : 0)), `mask n=${n} keep=${keep}`);
    const words = new Uint32Array(3 + Math.ceil(n / 32)).fill(0xffffffff);
    b.keepBits(words, 2, n, keep);
    assert.equal(words[0], 0xffffffff, "words before base untouched");
    assert.equal(words.at(-1), 0xffffffff, "words after the mask untouched");
    const bits = want.map((_, i) => ((words[2 + (i >>> 5)] >>> (i & 31)) & 1) === 1);
    assert.deepEqual(bits, want, `bits n=${n} keep=${keep}`);
    if (n % 32) assert.equal(words[2 + (n >>> 5)] >>> (n % 32), 0, "no bits past n");
    assert.deepEqual(a.state(), ref.state());
    assert.deepEqual(b.state(), ref.state());
  }
});
