// How much of a sample was copied from the training text: the longest verbatim substring of the sample that
// occurs in the text, and the fraction of the sample's characters inside copied runs of at least minRun.
//
// Characters are Unicode code points throughout (as the vocabulary counts them; never UTF-16 units): positions
// and lengths in a NoveltyReport count code points, so an emoji is one character.
//
// The index is a suffix array of the training text, built by SA-IS (Nong, Zhang & Chan 2009; the steps of the
// AtCoder Library's sa_is, the in-place layout of Yuta Mori's sais-lite) in O(n) time. Memory, for n code
// points of which σ are distinct: the text as ranks, w·n bytes (w = 1 when σ ≤ 256, 2 when σ ≤ 65536, else 4),
// and the suffix array, 4n — the recursion runs inside the suffix array — plus three bucket tables of k + 1
// words per level (k = σ at the top, below it the number of distinct LMS substrings, at most n/2; one level's
// tables are alive at a time), a 1.1 MB occurrence table while building, and the code point → rank table,
// 4 bytes per code point up to the largest in the text, kept. So at most (w + 4)·n + 12·max(σ, n/2) bytes at
// the peak, and (w + 4)·n kept. Measured on an 8.3 M-character English text (σ = 84: the bundled corpus 7×,
// shuffled and perturbed): building raises the process's peak RSS by 57 MB (≈ 7 bytes per character; the text
// as a string and the file's bytes are the caller's and not counted), and the index keeps 5n = 42 MB.
//
// Matching statistics: for each sample position i, ms[i] = the length of the longest prefix of sample[i..] that
// occurs in the text. In suffix order that longest match is with one of the two suffixes adjacent to where
// sample[i..] would be inserted, so one binary search per position finds it. The search keeps the common prefix
// length with both ends of the range and starts each comparison at their minimum (Manber & Myers' mlr trick),
// so a position costs O(log n + ms[i]) character comparisons in practice.
//
// Copied runs: every substring of a match is a match, so a copied run of ≥ minRun characters that covers
// position j lies inside some [i, i + ms[i]) with ms[i] ≥ minRun; one sweep over i marks the covered characters.

export interface NoveltyReport {
  /** Length (code points) of the longest substring of the sample found verbatim in the text. */
  longest_copy: number;
  /** Where it starts: code-point offsets in the sample and in the text (both 0 when longest_copy is 0). */
  longest_copy_at: { sample: number; text: number };
  /** Fraction of the sample's code points covered by copied runs of at least min_run (0 for an empty sample). */
  copied_fraction: number;
  min_run: number;
}

/** Code points of a string as an Int32Array. */
export function codePoints(s: string): Int32Array {
  const out = new Int32Array(s.length);
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.codePointAt(i)!;
    out[n++] = c;
    if (c > 0xffff) i++;
  }
  return out.subarray(0, n);
}

/** A text as dense ranks: one byte per character when σ ≤ 256, two when σ ≤ 65536, else four. */
export type RankText = Uint8Array | Uint16Array | Int32Array;

/** Suffix array of s (values in 0..upper) by SA-IS: sa[r] is the start of the r-th smallest suffix. */
export function suffixArray(s: RankText, upper: number): Int32Array {
  const sa = new Int32Array(s.length);
  saIs(s, sa, upper + 1);
  return sa;
}

/** Suffixes of a short text (n < 10) by insertion sort, into sa. */
function sortShort(s: RankText, sa: Int32Array): void {
  const n = s.length;
  for (let i = 0; i < n; i++) {
    let j = i;
    for (; j > 0; j--) {
      // is suffix i smaller than suffix sa[j − 1]? (a proper prefix sorts first)
      let a = i, b = sa[j - 1];
      while (a < n && b < n && s[a] === s[b]) { a++; b++; }
      if (!(a === n || (b < n && s[a] < s[b]))) break;
      sa[j] = sa[j - 1];
    }
    sa[j] = i;
  }
}

const EMPTY = new Int32Array(0);

/** Bucket bounds of s (types from right to left): sumL[c] = start of c's bucket (sumL[k] = n), sumS[c] = start of its S-type part. */
function bucketBounds(s: RankText, sumL: Int32Array, sumS: Int32Array): void {
  const n = s.length, k = sumL.length - 1;
  // counts: L-type suffixes of c into sumS[c], S-type into sumL[c + 1]
  let curS = false, cur = s[n - 1];
  sumS[cur]++;
  for (let i = n - 2; i >= 0; i--) {
    const c = s[i];
    curS = c < cur || (c === cur && curS);
    if (curS) sumL[c + 1]++; else sumS[c]++;
    cur = c;
  }
  for (let c = 0; c < k; c++) {
    sumS[c] += sumL[c];
    sumL[c + 1] += sumS[c];
  }
}

// SA-IS as in the AtCoder Library's sa_is, with the memory layout of Yuta Mori's sais-lite: no L/S type array
// and no allocation beyond the buckets. Types: suffix i is S-type when it is smaller than suffix i+1, L-type
// when larger; the last suffix is L-type (a virtual sentinel, smaller than every character, follows it). Runs
// of equal characters share the type of the run's end. LMS = an S-type suffix right after an L-type one.
//
// Buckets: sumL[c] = start of character c's bucket (sumL[k] = n), sumS[c] = start of its S-type part. The type
// of a suffix in the array is known from its slot (L part or S part of its bucket), and the type of its
// predecessor follows from two adjacent characters — so the induction passes read s[v − 1] and s[v], one cache
// line, instead of a separate type array at a random place.
//
// The recursion runs inside sa: after the first induction the sorted LMS positions are compacted into sa[0..m)
// (m ≤ n/2, LMS positions are ≥ 2 apart), each LMS substring's length then its name goes to sa[m + ⌊p/2⌋], the
// names are compacted into sa[n − m..n) in text order (the reduced string), and its suffix array is built in
// sa[0..m). Per level the only allocation is three bucket tables of k + 1 words.
function saIs(s: RankText, sa: Int32Array, k: number): void {
  const n = s.length;
  if (n < 10) { sortShort(s, sa); return; }
  let sumL = new Int32Array(k + 1), sumS = new Int32Array(k + 1), buf = new Int32Array(k + 1);
  bucketBounds(s, sumL, sumS);
  // stage 1: the LMS suffixes at the ends of their buckets (text order within a bucket), then induce
  sa.fill(-1);
  buf.set(sumL);
  let m = 0;
  {
    let curS = false, cur = s[n - 1];
    for (let i = n - 2; i >= 0; i--) {
      const c = s[i];
      const iS: boolean = c < cur || (c === cur && curS);
      if (!iS && curS) { sa[--buf[cur + 1]] = i + 1; m++; }
      curS = iS; cur = c;
    }
  }
  induce(s, sa, sumL, sumS, buf, true);
  if (m === 0) return;   // no S-type suffix: the induction from the sentinel sorted everything
  // the LMS suffixes (marked ~p by the induction) in LMS-substring order into sa[0..m)
  for (let i = 0, j = 0; i < n; i++) {
    const p = sa[i];
    if (p < 0) sa[j++] = ~p;
  }
  // lengths of the LMS substrings (to the next LMS position, or to n for the last) at sa[m + ⌊p/2⌋]
  sa.fill(-1, m);
  {
    let curS = false, cur = s[n - 1], next = n;
    for (let i = n - 2; i >= 0; i--) {
      const c = s[i];
      const iS: boolean = c < cur || (c === cur && curS);
      if (!iS && curS) { sa[m + ((i + 1) >> 1)] = next - (i + 1); next = i + 1; }
      curS = iS; cur = c;
    }
  }
  // names in sorted order: equal LMS substrings (same length, same characters including the end one, not
  // running into the sentinel) share a name
  let name = 0, prev = sa[0], prevLen = sa[m + (prev >> 1)];
  sa[m + (prev >> 1)] = 0;
  for (let i = 1; i < m; i++) {
    const p = sa[i], len = sa[m + (p >> 1)];
    let same = len === prevLen && p + len < n && prev + len < n;
    for (let d = 0; same && d <= len; d++) same = s[p + d] === s[prev + d];
    if (!same) name++;
    sa[m + (p >> 1)] = name;
    prev = p; prevLen = len;
  }
  // the reduced string (names in text order) into sa[n − m..n)
  for (let i = n - 1, j = n - 1; i >= m; i--) if (sa[i] >= 0) sa[j--] = sa[i];
  const rec = sa.subarray(n - m), recSa = sa.subarray(0, m);
  // all names distinct: the reduced string's suffix order is the order of its names, no recursion needed
  if (name + 1 === m) { for (let i = 0; i < m; i++) recSa[rec[i]] = i; }
  else {
    // the bucket tables are not needed while the reduced string is sorted: release them so that the levels'
    // tables (k words each, k up to n/2 below the top) never stack up, and count again afterwards
    sumL = sumS = buf = EMPTY;
    saIs(rec, recSa, name + 1);
    sumL = new Int32Array(k + 1); sumS = new Int32Array(k + 1); buf = new Int32Array(k + 1);
    bucketBounds(s, sumL, sumS);
  }
  // the LMS positions in text order over the reduced string (no longer needed), then sorted LMS into sa[0..m)
  {
    let curS = false, cur = s[n - 1], j = n - 1;
    for (let i = n - 2; i >= 0; i--) {
      const c = s[i];
      const iS: boolean = c < cur || (c === cur && curS);
      if (!iS && curS) sa[j--] = i + 1;
      curS = iS; cur = c;
    }
  }
  for (let i = 0; i < m; i++) sa[i] = sa[n - m + sa[i]];
  // stage 3: the sorted LMS suffixes at the ends of their buckets (right to left: a target is never below its
  // source), then induce the final order
  sa.fill(-1, m);
  buf.set(sumL);
  for (let i = m - 1; i >= 0; i--) { const p = sa[i]; sa[i] = -1; sa[--buf[s[p] + 1]] = p; }
  induce(s, sa, sumL, sumS, buf, false);
}

/**
 * Induced sorting from the LMS suffixes placed in their buckets: L-type suffixes left to right from the bucket
 * starts, then S-type ones right to left from the bucket ends. v's predecessor v − 1 is L-type when
 * s[v − 1] > s[v], or when they are equal and v is L-type (v's slot is in the L part of its bucket).
 * markLms: the S pass stores an LMS suffix v (S-type, L-type predecessor) as ~v, so stage 1 finds them
 * without reading the text again.
 */
function induce(s: RankText, sa: Int32Array, sumL: Int32Array, sumS: Int32Array, buf: Int32Array, markLms: boolean): void {
  const n = s.length;
  buf.set(sumL);
  sa[buf[s[n - 1]]++] = n - 1;
  for (let i = 0; i < n; i++) {
    const v = sa[i];
    if (v > 0) {
      const c = s[v], c0 = s[v - 1];
      if (c0 > c || (c0 === c && i < sumS[c])) sa[buf[c0]++] = v - 1;
    }
  }
  buf.set(sumL);
  if (markLms) {
    for (let i = n - 1; i >= 0; i--) {
      const v = sa[i];
      if (v > 0) {
        const c = s[v], c0 = s[v - 1];
        if (c0 < c || (c0 === c && i >= sumS[c])) sa[--buf[c0 + 1]] = v - 1;
        else if (c0 > c && i >= sumS[c]) sa[i] = ~v;
      }
    }
    return;
  }
  for (let i = n - 1; i >= 0; i--) {
    const v = sa[i];
    if (v > 0) {
      const c = s[v], c0 = s[v - 1];
      if (c0 < c || (c0 === c && i >= sumS[c])) sa[--buf[c0 + 1]] = v - 1;
    }
  }
}

/** A training text indexed for novelty queries (build once, query many samples). */
export class NoveltyIndex {
  /** The text as dense ranks of its code points (0..σ−1), as narrow as σ allows. */ private readonly t: RankText;
  /** Suffix array of t. */ private readonly sa: Int32Array;
  /** Code point → rank for code points 0..(largest in the text), −1 for those the text lacks. */
  private readonly rank: Int32Array;
  /** Length of the text in code points. */ readonly length: number;

  constructor(text: string) {
    // pass 1: which code points occur (a byte per code point of Unicode, 1.1 MB while building), how many
    const seen = new Uint8Array(0x110000);
    let n = 0, maxCp = -1;
    for (let i = 0; i < text.length; i++) {
      const c = text.codePointAt(i)!;   // a surrogate pair is one code point (a lone half is itself)
      if (c > 0xffff) i++;
      seen[c] = 1;
      if (c > maxCp) maxCp = c;
      n++;
    }
    // ranks in code-point order
    const rank = new Int32Array(maxCp + 1).fill(-1);
    let sigma = 0;
    for (let cp = 0; cp <= maxCp; cp++) if (seen[cp]) rank[cp] = sigma++;
    // pass 2: the text as ranks
    const t = sigma <= 0x100 ? new Uint8Array(n) : sigma <= 0x10000 ? new Uint16Array(n) : new Int32Array(n);
    for (let i = 0, j = 0; i < text.length; i++) {
      const c = text.codePointAt(i)!;   // a surrogate pair is one code point (a lone half is itself)
      if (c > 0xffff) i++;
      t[j++] = rank[c];
    }
    this.rank = rank;
    this.t = t;
    this.length = n;
    this.sa = suffixArray(t, Math.max(0, sigma - 1));
  }

  /**
   * Matching statistics of a sample: ms[i] = longest prefix of sample[i..] occurring in the text, and at[i] a
   * text offset where it occurs (−1 when ms[i] = 0). Offsets count code points.
   */
  matchingStatistics(sample: string): { ms: Int32Array; at: Int32Array } {
    const cps = codePoints(sample);
    const m = cps.length, p = new Int32Array(m);
    const rank = this.rank;
    for (let i = 0; i < m; i++) p[i] = cps[i] < rank.length ? rank[cps[i]] : -1;   // −1 never matches
    const ms = new Int32Array(m), at = new Int32Array(m).fill(-1);
    const { t, sa } = this, n = t.length;
    // common prefix of p[i..] and text suffix s, starting the comparison at offset k
    const lcp = (i: number, s: number, k: number): number => {
      while (i + k < m && s + k < n && p[i + k] === t[s + k]) k++;
      return k;
    };
    for (let i = 0; i < m; i++) {
      if (n === 0 || p[i] < 0) continue;
      // invariant: suffix sa[lo] < p[i..] < suffix sa[hi] (lo = −1, hi = n are virtual ends), with llcp/rlcp
      // their common prefixes with p[i..]
      let lo = -1, hi = n, llcp = 0, rlcp = 0;
      while (hi - lo > 1) {
        const mid = (lo + hi) >>> 1, s = sa[mid];
        const k = lcp(i, s, Math.min(llcp, rlcp));
        // p[i..] ends (k = m − i) or the text suffix ends: a proper prefix sorts first
        const pLess = i + k === m ? true : s + k === n ? false : p[i + k] < t[s + k];
        if (pLess) { hi = mid; rlcp = k; } else { lo = mid; llcp = k; }
      }
      if (lo >= 0 && llcp >= (hi < n ? rlcp : 0)) { ms[i] = llcp; at[i] = sa[lo]; }
      else if (hi < n) { ms[i] = rlcp; at[i] = sa[hi]; }
      if (ms[i] === 0) at[i] = -1;
    }
    return { ms, at };
  }

  /** The novelty report of a sample (see NoveltyReport); minRun ≥ 1. */
  report(sample: string, minRun = 20): NoveltyReport {
    if (!Number.isInteger(minRun) || minRun < 1) throw new RangeError(`--min-run must be a whole number ≥ 1, got ${minRun}`);
    return noveltyFromStats(this.matchingStatistics(sample), minRun);
  }
}

/** The report from matching statistics (shared with the naive reference in the tests). */
export function noveltyFromStats({ ms, at }: { ms: Int32Array; at: Int32Array }, minRun: number): NoveltyReport {
  const m = ms.length;
  let best = 0, bestAt = 0;
  for (let i = 0; i < m; i++) if (ms[i] > best) { best = ms[i]; bestAt = i; }
  // sweep: `reach` is the end of the furthest copied run started so far
  let covered = 0, reach = 0;
  for (let i = 0; i < m; i++) {
    if (ms[i] >= minRun) reach = Math.max(reach, i + ms[i]);
    if (i < reach) covered++;
  }
  return {
    longest_copy: best,
    longest_copy_at: best > 0 ? { sample: bestAt, text: at[bestAt] } : { sample: 0, text: 0 },
    copied_fraction: m > 0 ? covered / m : 0,
    min_run: minRun,
  };
}

/** One-shot: index `text` and report on `sample`. */
export function novelty(sample: string, text: string, minRun = 20): NoveltyReport {
  return new NoveltyIndex(text).report(sample, minRun);
}
