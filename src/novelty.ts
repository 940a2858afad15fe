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
// as a string and the file's bytes are the caller's and not counted), and the suffix array and text keep 5n =
// 42 MB; the matching walk's tables (below) add ≈ 10.3n more (not measured there).
//
// Matching statistics: for each sample position i, ms[i] = the length of the longest prefix of sample[i..] that
// occurs in the text. In suffix order that longest match is with one of the two suffixes adjacent to where
// sample[i..] would be inserted. Position i + 1 starts from what position i found (its match minus the first
// character is a match of at least ms[i] − 1 characters, at a known rank), so the search is confined to the
// suffixes that share those characters and never re-reads them: O(m log n) in all for a sample of m characters,
// however long its copies (see MatchWalk). The walk needs, built with the index: the inverse suffix array
// (4n bytes), the LCP array (4n) and range minima over it (≈ 2.3n): ≈ 10n bytes more than the suffix array and
// the text, so (w + 14.3)·n kept in all.
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
    // built here, not at the first query: a server indexes at startup and must not stall on its first request
    this.walkTables = walkTables(t, this.sa);
  }

  /**
   * Matching statistics of a sample: ms[i] = longest prefix of sample[i..] occurring in the text, and at[i] a
   * text offset where it occurs (−1 when ms[i] = 0). Offsets count code points.
   */
  matchingStatistics(sample: string): { ms: Int32Array; at: Int32Array } {
    const w = new MatchWalk(this, sample);
    w.run(w.m);
    return { ms: w.ms, at: w.at };
  }

  /**
   * matchingStatistics in slices: `pause()` is awaited every few thousand positions (a Cooperator's: it gives
   * the event loop a turn every ~20 ms and says whether to stop); null when it says stop.
   */
  async matchingStatisticsAsync(sample: string, pause: () => Promise<boolean>): Promise<{ ms: Int32Array; at: Int32Array } | null> {
    const w = new MatchWalk(this, sample);
    while (w.i < w.m) {
      w.run(Math.min(w.m, w.i + 2048));
      if (await pause()) return null;
    }
    return { ms: w.ms, at: w.at };
  }

  /** report() in slices (see matchingStatisticsAsync); null when `pause()` says stop. */
  async reportAsync(sample: string, minRun: number, pause: () => Promise<boolean>): Promise<NoveltyReport | null> {
    checkMinRun(minRun);
    const stats = await this.matchingStatisticsAsync(sample, pause);
    return stats && noveltyFromStats(stats, minRun);
  }

  /** The parts of the index the matching walk reads. */
  get arrays(): { t: RankText; sa: Int32Array; isa: Int32Array; lcp: Int32Array; rmq: RangeMin; rank: Int32Array } {
    return { t: this.t, sa: this.sa, rank: this.rank, ...this.walkTables };
  }
  private readonly walkTables: { isa: Int32Array; lcp: Int32Array; rmq: RangeMin };

  /** The novelty report of a sample (see NoveltyReport); minRun ≥ 1. */
  report(sample: string, minRun = 20): NoveltyReport {
    checkMinRun(minRun);
    return noveltyFromStats(this.matchingStatistics(sample), minRun);
  }
}

function checkMinRun(minRun: number): void {
  if (!Number.isInteger(minRun) || minRun < 1) throw new RangeError(`--min-run must be a whole number ≥ 1, got ${minRun}`);
}

/** The inverse suffix array and the LCP array (Kasai et al. 2001, O(n)): lcp[r] = lcp(suffix sa[r−1], suffix sa[r]), lcp[0] = 0. */
function walkTables(t: RankText, sa: Int32Array): { isa: Int32Array; lcp: Int32Array; rmq: RangeMin } {
  const n = t.length, isa = new Int32Array(n), lcp = new Int32Array(n);
  for (let r = 0; r < n; r++) isa[sa[r]] = r;
  // h drops by at most one from suffix i to suffix i + 1, so the inner loop runs O(n) times in all
  for (let i = 0, h = 0; i < n; i++) {
    const r = isa[i];
    if (r === 0) { h = 0; continue; }
    const j = sa[r - 1];
    while (i + h < n && j + h < n && t[i + h] === t[j + h]) h++;
    lcp[r] = h;
    if (h > 0) h--;
  }
  return { isa, lcp, rmq: new RangeMin(lcp) };
}

/**
 * Range minimum over an Int32Array: the minimum of each block of 32 entries, and a sparse table over the
 * blocks (level j holds the minimum of 2^j blocks from each block), so a query scans at most two partial blocks
 * and reads two table entries. Memory: n/32 · (1 + log2(n/32)) words, about 2.3 bytes per entry at n = 10^6.
 */
export class RangeMin {
  private readonly levels: Int32Array[] = [];
  constructor(private readonly a: Int32Array) {
    const n = a.length, nb = (n + 31) >> 5;
    const base = new Int32Array(nb).fill(0x7fffffff);
    for (let i = 0; i < n; i++) if (a[i] < base[i >> 5]) base[i >> 5] = a[i];
    this.levels.push(base);
    for (let span = 1; 2 * span <= nb; span *= 2) {
      const prev = this.levels[this.levels.length - 1], next = new Int32Array(nb - 2 * span + 1);
      for (let b = 0; b < next.length; b++) next[b] = Math.min(prev[b], prev[b + span]);
      this.levels.push(next);
    }
  }

  /** min a[lo..hi] (inclusive, lo ≤ hi). */
  min(lo: number, hi: number): number {
    const a = this.a;
    let m = 0x7fffffff;
    const bl = (lo >> 5) + 1, bh = hi >> 5;   // whole blocks bl..bh−1
    if (bl >= bh) { for (let i = lo; i <= hi; i++) if (a[i] < m) m = a[i]; return m; }
    for (let i = lo; i < bl << 5; i++) if (a[i] < m) m = a[i];
    for (let i = bh << 5; i <= hi; i++) if (a[i] < m) m = a[i];
    const j = 31 - Math.clz32(bh - bl), level = this.levels[j];
    return Math.min(m, level[bl], level[bh - (1 << j)]);
  }
}

/**
 * The matching-statistics walk. Position i starts from what position i − 1 found: if sample[i−1..] matched
 * ℓ = ms[i−1] ≥ 2 characters at text offset s, then sample[i..] matches at least k0 = ℓ − 1 characters at
 * s + 1, whose suffix has rank r0 = isa[s + 1]. The suffixes that share those k0 characters form the interval
 * [L, R] around r0 where every lcp[L+1..R] ≥ k0 (found by galloping with range minima), and the longest
 * match of sample[i..] is at one of the two suffixes next to where it sorts inside [L, R]: a binary search
 * there whose comparisons start at character k0 (Manber & Myers' min(llcp, rlcp) from there on). First the
 * walk extends at r0 itself, and stops there when the match reaches the end of the sample (a text checked
 * against itself, an overfitted model's copy: O(1) per position).
 *
 * Cost: a comparison at position i reads at most ms[i] − k0 + 1 = ms[i] − ms[i−1] + 2 new characters and
 * Σ(ms[i] − ms[i−1] + 2) ≤ 3m, so O(m log n) character comparisons and O(m log n) range-minimum queries in
 * all, whatever the sample shares with the text (the plain binary search re-reads every match: O(m² log n)
 * for a long copy).
 */
class MatchWalk {
  readonly ms: Int32Array;
  readonly at: Int32Array;
  readonly m: number;
  /** Next position to compute. */ i = 0;
  /** The sample as text ranks (−1: not in the text, never matches). */ private readonly p: Int32Array;
  /** Rank (in sa) of the suffix where ms[i − 1] was found, −1 for none. */ private prevRank = -1;
  private readonly idx: NoveltyIndex["arrays"];

  constructor(index: NoveltyIndex, sample: string) {
    const cps = codePoints(sample);
    this.m = cps.length;
    this.idx = index.arrays;
    const rank = this.idx.rank;
    this.p = new Int32Array(this.m);
    for (let i = 0; i < this.m; i++) this.p[i] = cps[i] < rank.length ? rank[cps[i]] : -1;
    this.ms = new Int32Array(this.m);
    this.at = new Int32Array(this.m).fill(-1);
  }

  /** Common prefix of p[i..] and text suffix s, known to be at least k. */
  private lcp(i: number, s: number, k: number): number {
    const { p, m } = this, { t } = this.idx, n = t.length;
    while (i + k < m && s + k < n && p[i + k] === t[s + k]) k++;
    return k;
  }

  /** Whether p[i..] sorts before text suffix s, given their common prefix k (a proper prefix sorts first). */
  private less(i: number, s: number, k: number): boolean {
    const { t } = this.idx;
    return i + k === this.m ? true : s + k === t.length ? false : this.p[i + k] < t[s + k];
  }

  /** Compute positions i..end−1. */
  run(end: number): void {
    const { sa, isa, lcp, rmq, t } = this.idx, n = t.length, { p, ms, at } = this;
    for (; this.i < end; this.i++) {
      const i = this.i;
      if (n === 0 || p[i] < 0) { this.prevRank = -1; continue; }
      // what the previous position guarantees: k0 characters at rank r0
      let k0 = 0, r0 = -1;
      if (this.prevRank >= 0 && i > 0 && ms[i - 1] >= 2) { k0 = ms[i - 1] - 1; r0 = isa[sa[this.prevRank] + 1]; }
      let lo = -1, hi = n, llcp = 0, rlcp = 0;
      if (r0 >= 0) {
        const k = this.lcp(i, sa[r0], k0);
        if (i + k === this.m) { ms[i] = k; at[i] = sa[r0]; this.prevRank = r0; continue; }   // the whole rest matches
        // p[i..] sorts after sa[r0] (search (r0, R]) or before it (search [L, r0)); both ends share ≥ k0
        if (this.less(i, sa[r0], k)) {
          hi = r0; rlcp = k;
          let L = r0;   // gallop down while lcp[L − step + 1 .. L] ≥ k0, then narrow
          let step = 1;
          while (L - step >= 0 && rmq.min(L - step + 1, L) >= k0) { L -= step; step *= 2; }
          for (step >>= 1; step >= 1; step >>= 1) if (L - step >= 0 && rmq.min(L - step + 1, L) >= k0) L -= step;
          lo = L - 1; llcp = k0;
        } else {
          lo = r0; llcp = k;
          let R = r0, step = 1;
          while (R + step < n && rmq.min(R + 1, R + step) >= k0) { R += step; step *= 2; }
          for (step >>= 1; step >= 1; step >>= 1) if (R + step < n && rmq.min(R + 1, R + step) >= k0) R += step;
          hi = R + 1; rlcp = k0;
        }
      }
      const lo0 = lo, hi0 = hi;
      // invariant: p[i..] sorts after suffix sa[lo] and before suffix sa[hi]; llcp/rlcp their common prefixes
      // with p[i..] (for a virtual end, a lower bound every suffix between lo and hi shares)
      while (hi - lo > 1) {
        const mid = (lo + hi) >>> 1, s = sa[mid];
        const k = this.lcp(i, s, Math.min(llcp, rlcp));
        if (this.less(i, s, k)) { hi = mid; rlcp = k; } else { lo = mid; llcp = k; }
      }
      // the longer of the two neighbours that are real suffixes (a virtual end only bounds)
      const loReal = lo >= 0 && (lo > lo0 || r0 >= 0 && lo === r0), hiReal = hi < n && (hi < hi0 || r0 >= 0 && hi === r0);
      let best = -1, len = 0;
      if (loReal && (!hiReal || llcp >= rlcp)) { best = lo; len = llcp; } else if (hiReal) { best = hi; len = rlcp; }
      if (best >= 0 && len > 0) { ms[i] = len; at[i] = sa[best]; this.prevRank = best; } else this.prevRank = -1;
    }
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
