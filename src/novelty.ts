// How much of a sample was copied from the training text: the longest verbatim substring of the sample that
// occurs in the text, and the fraction of the sample's characters inside copied runs of at least minRun.
//
// Characters are Unicode code points throughout (as the vocabulary counts them; never UTF-16 units): positions
// and lengths in a NoveltyReport count code points, so an emoji is one character.
//
// The index is a suffix array of the training text, built by SA-IS (Nong, Zhang & Chan 2009; the formulation of
// the AtCoder Library's sa_is) in O(n) time. Memory while building, for n code points: the text as ranks (4n
// bytes), the suffix array (4n), the L/S types (n), the LMS map (4n) and the LMS lists and reduced string (≤ 6n
// in total, recursion halves n at least), i.e. about 19n bytes at the peak; the index keeps 8n (ranks + SA) and
// a 4.4 MB code point → rank table.
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

/** Suffix array of s (values in 0..upper) by SA-IS: sa[r] is the start of the r-th smallest suffix. */
export function suffixArray(s: Int32Array, upper: number): Int32Array {
  const n = s.length;
  if (n === 0) return new Int32Array(0);
  if (n === 1) return Int32Array.of(0);
  if (n === 2) return s[0] < s[1] ? Int32Array.of(0, 1) : Int32Array.of(1, 0);
  if (n < 10) {
    const sa = Int32Array.from({ length: n }, (_, i) => i);
    return sa.sort((a, b) => {
      while (a < n && b < n && s[a] === s[b]) { a++; b++; }
      if (a === n) return -1;
      if (b === n) return 1;
      return s[a] - s[b];
    });
  }
  const sa = new Int32Array(n);
  // ls[i] = 1: suffix i is S-type (smaller than suffix i+1); the last suffix is L-type (an implicit sentinel)
  const ls = new Uint8Array(n);
  for (let i = n - 2; i >= 0; i--) ls[i] = s[i] === s[i + 1] ? ls[i + 1] : s[i] < s[i + 1] ? 1 : 0;
  // bucket bounds: sumL[c] = start of c's bucket (where L-type suffixes go, left to right),
  // sumS[c] = start of c's S-type part (S-type suffixes fill it from its end, right to left)
  const sumL = new Int32Array(upper + 2), sumS = new Int32Array(upper + 2);
  for (let i = 0; i < n; i++) {
    if (!ls[i]) sumS[s[i]]++;
    else sumL[s[i] + 1]++;
  }
  for (let c = 0; c <= upper; c++) {
    sumS[c] += sumL[c];
    if (c < upper) sumL[c + 1] += sumS[c];
  }
  const buf = new Int32Array(upper + 2);
  const induce = (lms: Int32Array): void => {
    sa.fill(-1);
    buf.set(sumS);
    for (let k = 0; k < lms.length; k++) { const d = lms[k]; if (d !== n) sa[buf[s[d]]++] = d; }
    buf.set(sumL);
    sa[buf[s[n - 1]]++] = n - 1;
    for (let i = 0; i < n; i++) {
      const v = sa[i];
      if (v >= 1 && !ls[v - 1]) sa[buf[s[v - 1]]++] = v - 1;
    }
    buf.set(sumL);
    for (let i = n - 1; i >= 0; i--) {
      const v = sa[i];
      if (v >= 1 && ls[v - 1]) sa[--buf[s[v - 1] + 1]] = v - 1;
    }
  };
  // LMS positions (an S-type suffix right after an L-type one), in text order
  const lmsMap = new Int32Array(n + 1).fill(-1);
  let m = 0;
  for (let i = 1; i < n; i++) if (!ls[i - 1] && ls[i]) lmsMap[i] = m++;
  const lms = new Int32Array(m);
  for (let i = 1, k = 0; i < n; i++) if (!ls[i - 1] && ls[i]) lms[k++] = i;
  induce(lms);
  if (m) {
    // name the LMS substrings in sorted order (equal substrings share a name), sort the reduced string recursively
    const sorted = new Int32Array(m);
    for (let i = 0, k = 0; i < n; i++) if (lmsMap[sa[i]] !== -1) sorted[k++] = sa[i];
    const rec = new Int32Array(m);
    let recUpper = 0;
    rec[lmsMap[sorted[0]]] = 0;
    for (let i = 1; i < m; i++) {
      let l = sorted[i - 1], r = sorted[i];
      const endL = lmsMap[l] + 1 < m ? lms[lmsMap[l] + 1] : n;
      const endR = lmsMap[r] + 1 < m ? lms[lmsMap[r] + 1] : n;
      let same = true;
      if (endL - l !== endR - r) same = false;
      else {
        while (l < endL && s[l] === s[r]) { l++; r++; }
        if (l === n || s[l] !== s[r]) same = false;
      }
      if (!same) recUpper++;
      rec[lmsMap[sorted[i]]] = recUpper;
    }
    // all names distinct: the reduced string's suffix order is the order of its names, no recursion needed
    let recSa: Int32Array;
    if (recUpper + 1 === m) { recSa = new Int32Array(m); for (let i = 0; i < m; i++) recSa[rec[i]] = i; }
    else recSa = suffixArray(rec, recUpper);
    for (let i = 0; i < m; i++) sorted[i] = lms[recSa[i]];
    induce(sorted);
  }
  return sa;
}

/** A training text indexed for novelty queries (build once, query many samples). */
export class NoveltyIndex {
  /** The text as dense ranks of its code points (0..σ−1). */ private readonly t: Int32Array;
  /** Suffix array of t. */ private readonly sa: Int32Array;
  /** Code point → rank, −1 for code points the text lacks (a table over all of Unicode: 4.4 MB). */
  private readonly rank = new Int32Array(0x110000).fill(-1);
  /** Length of the text in code points. */ readonly length: number;

  constructor(text: string) {
    const t = codePoints(text), rank = this.rank;
    // ranks in code-point order: mark what occurs, then number the marks
    const seen = new Uint8Array(rank.length);
    for (let i = 0; i < t.length; i++) seen[t[i]] = 1;
    let sigma = 0;
    for (let cp = 0; cp < rank.length; cp++) if (seen[cp]) rank[cp] = sigma++;
    for (let i = 0; i < t.length; i++) t[i] = rank[t[i]];
    this.t = t;
    this.length = t.length;
    this.sa = suffixArray(t, Math.max(0, sigma - 1));
  }

  /**
   * Matching statistics of a sample: ms[i] = longest prefix of sample[i..] occurring in the text, and at[i] a
   * text offset where it occurs (−1 when ms[i] = 0). Offsets count code points.
   */
  matchingStatistics(sample: string): { ms: Int32Array; at: Int32Array } {
    const cps = codePoints(sample);
    const m = cps.length, p = new Int32Array(m);
    for (let i = 0; i < m; i++) p[i] = this.rank[cps[i]];   // −1 never matches
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
