// Novelty: the suffix array equals a naive sort, matching statistics and reports agree with a naive quadratic
// search on random small texts, a copied sample reports 100 %, code points (not UTF-16 units) are counted.

import { test } from "node:test";
import assert from "node:assert/strict";
import { codePoints, NoveltyIndex, noveltyFromStats, novelty, RangeMin, suffixArray } from "./novelty.js";
import { Rng } from "./rng.js";

function naiveSA(s: Int32Array): number[] {
  const n = s.length;
  return Array.from({ length: n }, (_, i) => i).sort((a, b) => {
    while (a < n && b < n && s[a] === s[b]) { a++; b++; }
    if (a === n) return -1;
    if (b === n) return 1;
    return s[a] - s[b];
  });
}

/** Longest prefix of p[i..] occurring in t, by trying every text position. */
function naiveStats(sample: string, text: string): { ms: Int32Array; at: Int32Array } {
  const p = codePoints(sample), t = codePoints(text);
  const ms = new Int32Array(p.length), at = new Int32Array(p.length).fill(-1);
  for (let i = 0; i < p.length; i++) {
    for (let s = 0; s < t.length; s++) {
      let k = 0;
      while (i + k < p.length && s + k < t.length && p[i + k] === t[s + k]) k++;
      if (k > ms[i]) { ms[i] = k; at[i] = s; }
    }
  }
  return { ms, at };
}

function randomText(rng: Rng, n: number, alphabet: string[]): string {
  let s = "";
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(rng.nextFloat() * alphabet.length)];
  return s;
}

test("SA-IS equals a naive suffix sort on random strings of every small size and alphabet", () => {
  const rng = new Rng(7);
  for (let trial = 0; trial < 400; trial++) {
    const n = Math.floor(rng.nextFloat() * 200), sigma = 1 + Math.floor(rng.nextFloat() * (trial % 3 === 0 ? 2 : 6));
    const s = Int32Array.from({ length: n }, () => Math.floor(rng.nextFloat() * sigma));
    assert.deepEqual(Array.from(suffixArray(s, sigma - 1)), naiveSA(s), `n=${n} σ=${sigma} s=${s.join(",")}`);
  }
  // highly repetitive inputs exercise the recursion
  for (const s of [new Int32Array(1000), Int32Array.from({ length: 999 }, (_, i) => i % 3), Int32Array.from({ length: 777 }, (_, i) => (i * i) % 5 === 0 ? 1 : 0)]) {
    assert.deepEqual(Array.from(suffixArray(s, 4)), naiveSA(s));
  }
});

test("matching statistics and the report agree with a naive quadratic search (property test)", () => {
  const rng = new Rng(11);
  const alphabets = [["a", "b"], ["a", "b", "c", "d"], ["x", "é", "😀", " ", "\n"]];
  for (let trial = 0; trial < 300; trial++) {
    const alpha = alphabets[trial % alphabets.length];
    const text = randomText(rng, Math.floor(rng.nextFloat() * 120), alpha);
    // samples: random, or pieces of the text with mutations, sometimes with a character the text lacks
    let sample = randomText(rng, Math.floor(rng.nextFloat() * 60), [...alpha, "Z"]);
    if (trial % 2 === 0 && text.length > 0) {
      const cps = [...text], a = Math.floor(rng.nextFloat() * cps.length), b = Math.min(cps.length, a + Math.floor(rng.nextFloat() * 40));
      sample = cps.slice(a, b).join("") + randomText(rng, 3, alpha) + cps.slice(0, Math.floor(rng.nextFloat() * 20)).join("");
    }
    const index = new NoveltyIndex(text);
    const fast = index.matchingStatistics(sample), slow = naiveStats(sample, text);
    assert.deepEqual(Array.from(fast.ms), Array.from(slow.ms), `text=${JSON.stringify(text)} sample=${JSON.stringify(sample)}`);
    // the reported occurrence is a real one (any occurrence of the longest match will do)
    const t = codePoints(text), p = codePoints(sample);
    for (let i = 0; i < p.length; i++) {
      if (fast.ms[i] === 0) { assert.equal(fast.at[i], -1); continue; }
      for (let k = 0; k < fast.ms[i]; k++) assert.equal(t[fast.at[i] + k], p[i + k]);
    }
    for (const minRun of [1, 3, 20]) {
      const r = index.report(sample, minRun), ref = noveltyFromStats(slow, minRun);
      assert.equal(r.longest_copy, ref.longest_copy);
      assert.equal(r.longest_copy_at.sample, ref.longest_copy_at.sample);
      assert.equal(r.copied_fraction, ref.copied_fraction);
      // naive coverage straight from the definition: j is covered when some run [i, i+L) ∋ j, L ≥ minRun, is in the text
      let covered = 0;
      for (let j = 0; j < p.length; j++) {
        let hit = false;
        for (let i = Math.max(0, j - 200); i <= j && !hit; i++) if (slow.ms[i] >= minRun && i + slow.ms[i] > j) hit = true;
        if (hit) covered++;
      }
      assert.equal(r.copied_fraction, p.length ? covered / p.length : 0);
    }
  }
});

test("a sample copied from the text reports 100 % and its position; an unrelated one 0 %", () => {
  const rng = new Rng(3);
  const text = randomText(rng, 5000, ["a", "b", "c", "d", "e", " ", "\n"]);
  const cps = [...text], sample = cps.slice(1234, 1234 + 300).join("");
  const r = novelty(sample, text);
  assert.equal(r.copied_fraction, 1);
  assert.equal(r.longest_copy, 300);
  assert.deepEqual(r.longest_copy_at, { sample: 0, text: 1234 });
  assert.equal(r.min_run, 20);
  const none = novelty("ZZZZZZ", text);
  assert.deepEqual(none, { longest_copy: 0, longest_copy_at: { sample: 0, text: 0 }, copied_fraction: 0, min_run: 20 });
  assert.throws(() => novelty("a", "a", 0), /--min-run/);
});

test("positions count code points: an emoji is one character", () => {
  const text = "😀😀 hello world", sample = "xx hello";
  const r = novelty(sample, text, 3);
  assert.equal(r.longest_copy, 6);
  assert.deepEqual(r.longest_copy_at, { sample: 2, text: 2 });
  assert.equal(r.copied_fraction, 6 / 8);
});

test("a text repeated 7× (deep recursion, long matches) agrees with the naive sort and the naive search", { timeout: 60_000 }, () => {
  const rng = new Rng(5);
  const base = randomText(rng, 300, ["a", "b", "c", " ", "\n", "é"]);
  // exact repeats, then repeats with one character changed per copy
  for (const text of [base.repeat(7), Array.from({ length: 7 }, (_, c) => base.slice(0, 40 * c) + "Q" + base.slice(40 * c + 1)).join("")]) {
    const t = codePoints(text), ranks = Int32Array.from(t, (c) => "\n abcéQ".indexOf(String.fromCodePoint(c)));
    assert.deepEqual(Array.from(suffixArray(ranks, 6)), naiveSA(ranks));
    assert.deepEqual(Array.from(suffixArray(Uint8Array.from(ranks), 6)), naiveSA(ranks));
    const sample = [...text].slice(250, 750).join("") + "xyz" + base.slice(0, 30);
    const fast = new NoveltyIndex(text).matchingStatistics(sample), slow = naiveStats(sample, text);
    assert.deepEqual(Array.from(fast.ms), Array.from(slow.ms));
    const r = novelty(sample, text);
    assert.equal(r.longest_copy, Math.max(...slow.ms));
    assert.equal(r.copied_fraction, noveltyFromStats(slow, 20).copied_fraction);
  }
  // a run of one character: every suffix is L-type (no LMS suffix at all)
  const run = "a".repeat(2000), rr = novelty("aaaa", run, 3);
  assert.deepEqual(rr, { longest_copy: 4, longest_copy_at: { sample: 0, text: rr.longest_copy_at.text }, copied_fraction: 1, min_run: 3 });
  assert.deepEqual(Array.from(suffixArray(new Uint8Array(2000), 0)), Array.from({ length: 2000 }, (_, i) => 1999 - i));
});

test("wide alphabets: astral code points, σ > 256 (two-byte ranks) and σ > 65536 (four-byte ranks)", { timeout: 60_000 }, () => {
  const rng = new Rng(9);
  // σ ≈ 600 with astral characters: ranks stored in a Uint16Array
  const alpha = Array.from({ length: 600 }, (_, i) => String.fromCodePoint(i < 300 ? 0x1f300 + i : 0x4e00 + i));
  const text = randomText(rng, 3000, alpha) + randomText(rng, 200, ["😀", "a"]).repeat(3);
  const t = codePoints(text);
  assert.deepEqual(Array.from(suffixArray(Uint16Array.from(t, (c) => c & 0xffff), 0xffff)), naiveSA(Int32Array.from(t, (c) => c & 0xffff)));
  const cps = [...text], sample = "ab" + cps.slice(1000, 1100).join("") + "😀a" + cps.slice(3100, 3300).join("");
  const fast = new NoveltyIndex(text).matchingStatistics(sample), slow = naiveStats(sample, text);
  assert.deepEqual(Array.from(fast.ms), Array.from(slow.ms));
  // σ = 70000 distinct code points (many astral): four-byte ranks
  const many = Array.from({ length: 70_000 }, (_, i) => String.fromCodePoint(0x20000 + ((i * 7919) % 70_000))).join("");
  const copy = [...many].slice(40_000, 40_500).join("");
  assert.deepEqual(novelty(copy, many), { longest_copy: 500, longest_copy_at: { sample: 0, text: 40_000 }, copied_fraction: 1, min_run: 20 });
  // code points above the text's largest (outside the rank table) never match
  assert.deepEqual(novelty("😀😀b", "abc", 1), { longest_copy: 1, longest_copy_at: { sample: 2, text: 1 }, copied_fraction: 1 / 3, min_run: 1 });
  assert.equal(new NoveltyIndex("abc").matchingStatistics("\u{10ffff}a").ms[0], 0);
});

test("RangeMin equals a naive minimum over random ranges; the matching walk equals the naive search on long repetitive copies", () => {
  const rng = new Rng(11);
  for (const n of [1, 31, 32, 33, 100, 1000, 2049]) {
    const a = Int32Array.from({ length: n }, () => Math.floor(rng.nextFloat() * 50));
    const rm = new RangeMin(a);
    for (let q = 0; q < 300; q++) {
      const i = Math.floor(rng.nextFloat() * n), j = Math.floor(rng.nextFloat() * n);
      const lo = Math.min(i, j), hi = Math.max(i, j);
      let m = Infinity;
      for (let k = lo; k <= hi; k++) m = Math.min(m, a[k]);
      assert.equal(rm.min(lo, hi), m, `n=${n} [${lo}, ${hi}]`);
    }
  }
  // periodic texts make huge LCP intervals (the galloping), copies with mutations end every match in a mismatch
  for (let trial = 0; trial < 20; trial++) {
    const unit = randomText(rng, 1 + Math.floor(rng.nextFloat() * 5), ["a", "b", "c"]);
    const text = (unit.repeat(Math.ceil(1500 / unit.length)) + randomText(rng, 100, ["a", "b"])).slice(0, 1600);
    let sample = "";
    while (sample.length < 300) {
      const at = Math.floor(rng.nextFloat() * 1500);
      sample += text.slice(at, at + Math.floor(rng.nextFloat() * 80)) + (rng.nextFloat() < 0.5 ? "c" : "Z");
    }
    const fast = new NoveltyIndex(text).matchingStatistics(sample), slow = naiveStats(sample, text);
    assert.deepEqual(Array.from(fast.ms), Array.from(slow.ms), `trial ${trial}`);
    const t = codePoints(text), p = codePoints(sample);
    for (let i = 0; i < p.length; i++) for (let k = 0; k < fast.ms[i]; k++) assert.equal(t[fast.at[i] + k], p[i + k]);
  }
});
