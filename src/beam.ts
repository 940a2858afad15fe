// Beam search: the K most likely continuations of a prime, not a random one.
//
// A beam is a generated string with its log-probability log p(text | prime) = Σ log softmax(logits)[char]
// (natural log, temperature 1). Each step expands every live beam by every character and keeps the K best
// candidates by score = logProb / len^A (len = generated characters, A = lengthPenalty, 0 = plain sum). A beam
// that completes a stop string is finished: it stays in the set with its score and is no longer expanded; the
// search ends when the length is reached or every beam is finished, and returns the K beams best first.
//
// Memory and time: the K beams run as one batch of K streams (K = 1: the batch-1 generation path, so K = 1 is
// greedy decoding, `argmax`, character for character). After selection, each surviving beam's (h, c) rows are
// copied from its parent's rows, for every layer. The K best of the K·V candidates come from a size-K min-heap
// (O(K·V·log K)), never a sort of all candidates; scratch is K·V log-probabilities, K·H per layer for the
// reorder, and (length, K) tables of tokens, parent links and child counts for the texts and the committed
// prefix: O(K·(V + L·H + length)), never V².
// Ties go to the lower beam index, then the lower token id (argmax's rule), so the search is deterministic.
//
// Committed prefix: the characters on which all K beams agree can no longer change; `onCommit` receives them
// as they become final (the whole best text is in the result). PathTree finds them in O(1) amortized per step
// and beam, however long ago the beams parted.

import type { UnknownPolicy, Vocab } from "./data/vocab.js";
import { spelled } from "./spelling.js";
import type { CharLSTM } from "./model.js";
import { checkFiniteLogits, PRIME_CHUNK, PrimeReader, SampleError, StopWatch } from "./sample.js";

export interface BeamOptions {
  /** Characters to generate at most (the prime is not counted). */ length: number;
  /** Beams kept, K ≥ 1 (1 = greedy). */ beams: number;
  /** Score = logProb / length^A; 0 (default) ranks by the plain sum of log-probabilities. */ lengthPenalty?: number;
  /** Text the model reads first. Default: a newline (or the first character). */ prime?: string;
  /** A beam ends once it has generated any of these strings. */ stop?: string[];
  /** Prime characters outside the vocabulary: an error (default) or dropped. */ unknown?: UnknownPolicy;
}

export interface Beam {
  /** The generated text (the prime not included). */ text: string;
  /** Natural-log probability of the text given the prime. */ logProb: number;
  /** The ranking score, logProb / length^A. */ score: number;
  /** Whether it ended with a stop string. */ stopped: boolean;
}

/** Candidate order: higher score first, then lower beam, then lower token (argmax breaks ties the same way). */
function better(s1: number, b1: number, v1: number, s2: number, b2: number, v2: number): boolean {
  return s1 > s2 || (s1 === s2 && (b1 < b2 || (b1 === b2 && v1 < v2)));
}

/** The K most likely continuations, best first; onCommit(text) streams the prefix all beams share. */
export function beamSearch(model: CharLSTM, vocab: Vocab, opts: BeamOptions, onCommit?: (text: string) => void): Beam[] {
  const steps = beamSteps(model, vocab, opts);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    if (r.value && onCommit) onCommit(r.value);
  }
}

/**
 * The search one step at a time (for a caller that must not block: the CLI under Ctrl-C, the server, the
 * page): each step yields the newly committed text (often ""), the last yields the rest of the best beam; the
 * return value is the K beams, best first. The prime is read one chunk (PRIME_CHUNK characters) per next(),
 * each yielding "", so a long prime never blocks for long either. The options are checked and the prime
 * encoded (an unknown character throws) at the first next().
 */
export function* beamSteps(model: CharLSTM, vocab: Vocab, opts: BeamOptions): Generator<string, Beam[], void> {
  const K = opts.beams, A = opts.lengthPenalty ?? 0, maxLen = opts.length;
  if (!Number.isInteger(K) || K < 1) throw spelled((m) => new SampleError(m), (s) => `${s("beam")} must be a whole number ≥ 1, got ${K}`);
  if (!Number.isInteger(maxLen) || maxLen < 0) throw spelled((m) => new SampleError(m), (s) => `${s("length")} must be a non-negative integer, got ${maxLen}`);
  if (!(A >= 0) || !Number.isFinite(A)) throw spelled((m) => new SampleError(m), (s) => `${s("lengthPenalty")} must be a number ≥ 0, got ${A}`);
  const V = vocab.size, H = model.config.hidden, L = model.config.layers;
  const stop = opts.stop ?? [];

  // the prime (batch 1, a chunk per step), then its state into row 0 of the K-stream workspace (K = 1: the
  // prime's own workspace)
  const pws = model.workspace(1, PRIME_CHUNK);
  const prime = new PrimeReader(model, vocab, pws, opts.prime ?? "", opts.unknown ?? "error");
  while (!prime.read(PRIME_CHUNK)) yield "";
  const ws = K === 1 ? pws : model.workspace(K, 1);
  if (K > 1) {
    for (let l = 0; l < L; l++) {
      ws.caches[l].h.set(pws.caches[l].h.subarray(0, H), 0);
      ws.caches[l].c.set(pws.caches[l].c.subarray(0, H), 0);
    }
    ws.logits.set(pws.logits.subarray(0, V), 0);
  }

  // beam slots: live ones are expanded; finished ones carry over unchanged
  let live = 1;                                    // slots in use (one beam before the first step)
  let logP = new Float64Array(K), len = new Int32Array(K), fin = new Uint8Array(K);
  let stops = [new StopWatch(stop)];
  let node = new Int32Array(K);                    // each slot's last node in the history (−1: none yet)
  node.fill(-1);
  // history: node t·K + k = the k-th beam after step t; tok = its last token, par = its parent node
  const tok = new Int32Array(Math.max(1, maxLen * K)), par = new Int32Array(Math.max(1, maxLen * K));
  const lsm = new Float64Array(K * V);             // log-softmax of each live row
  // min-heap of the K best candidates: (score, parent slot, token), the worst at the root
  const hs = new Float64Array(K), hb = new Int32Array(K), hv = new Int32Array(K);
  let hn = 0;
  const worse = (i: number, j: number) => better(hs[j], hb[j], hv[j], hs[i], hb[i], hv[i]);
  const swap = (i: number, j: number) => {
    let t = hs[i]; hs[i] = hs[j]; hs[j] = t;
    t = hb[i]; hb[i] = hb[j]; hb[j] = t;
    t = hv[i]; hv[i] = hv[j]; hv[j] = t;
  };
  // after the root was replaced or removed: move it down below any worse child (the worst stays at the root)
  const siftDown = () => {
    for (let i = 0; ;) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < hn && worse(l, m)) m = l;
      if (r < hn && worse(r, m)) m = r;
      if (m === i) break;
      swap(i, m); i = m;
    }
  };
  const offer = (s: number, b: number, v: number) => {
    if (hn < K) {
      hs[hn] = s; hb[hn] = b; hv[hn] = v;
      for (let i = hn++; i > 0;) { const p = (i - 1) >> 1; if (!worse(i, p)) break; swap(i, p); i = p; }
    } else if (better(s, b, v, hs[0], hb[0], hv[0])) {
      hs[0] = s; hb[0] = b; hv[0] = v;
      siftDown();
    }
  };
  const scoreOf = (lp: number, n: number) => (A === 0 ? lp : lp / Math.pow(n, A));
  const rowScratch = Array.from({ length: L }, () => ({ h: new Float64Array(K * H), c: new Float64Array(K * H) }));
  const parentSlot = new Int32Array(K);
  const tree = new PathTree(tok.length, par), used = new Uint8Array(K);
  let committed = 0;                               // characters already passed to onCommit
  let committedText = "";

  for (let t = 0; t < maxLen; t++) {
    if (fin.subarray(0, live).every((f) => f === 1)) break;
    // log-softmax of each live row, in float64
    for (let k = 0; k < live; k++) {
      if (fin[k]) continue;
      checkFiniteLogits(ws.logits, k * V, V);
      let mx = -Infinity;
      for (let v = 0; v < V; v++) mx = Math.max(mx, ws.logits[k * V + v]);
      let sum = 0;
      for (let v = 0; v < V; v++) sum += Math.exp(ws.logits[k * V + v] - mx);
      const lz = mx + Math.log(sum);
      for (let v = 0; v < V; v++) lsm[k * V + v] = ws.logits[k * V + v] - lz;
    }
    // the K best: finished beams compete with their fixed score (token −1: carried over)
    hn = 0;
    for (let k = 0; k < live; k++) {
      if (fin[k]) { offer(scoreOf(logP[k], len[k]), k, -1); continue; }
      for (let v = 0; v < V; v++) offer(scoreOf(logP[k] + lsm[k * V + v], len[k] + 1), k, v);
    }
    // pop worst-first into slots hn−1 … 0, so slot 0 is the best
    const n = hn;
    const nLogP = new Float64Array(K), nLen = new Int32Array(K), nFin = new Uint8Array(K), nNode = new Int32Array(K);
    const nStops: StopWatch[] = new Array(n);
    for (let slot = n - 1; slot >= 0; slot--) {
      const b = hb[0], v = hv[0];
      hs[0] = hs[hn - 1]; hb[0] = hb[hn - 1]; hv[0] = hv[hn - 1];
      hn--;
      siftDown();
      parentSlot[slot] = b;
      if (v < 0) {
        nLogP[slot] = logP[b]; nLen[slot] = len[b]; nFin[slot] = 1; nNode[slot] = node[b]; nStops[slot] = stops[b];
        continue;
      }
      const id = t * K + slot;
      tok[id] = v;
      par[id] = node[b];
      tree.add(id);
      nNode[slot] = id;
      nLogP[slot] = logP[b] + lsm[b * V + v];
      nLen[slot] = len[b] + 1;
      const sw = stops[b].clone();
      nFin[slot] = sw.push(vocab.chars[v]) ? 1 : 0;
      nStops[slot] = sw;
    }
    const prevNode = node, prevLive = live;
    logP = nLogP; len = nLen; fin = nFin; node = nNode; stops = nStops; live = n;

    // committed prefix: the old frontier nodes no beam continues from leave the tree; what all share is final
    used.fill(0);
    for (let k = 0; k < n; k++) used[parentSlot[k]] = 1;
    for (let k = 0; k < prevLive; k++) if (!used[k] && prevNode[k] >= 0) tree.drop(prevNode[k]);
    let text = "";
    for (const id of tree.advance()) text += vocab.chars[tok[id]];
    if (text) { committedText += text; committed += [...text].length; }
    yield text;
    if (fin.subarray(0, live).every((f) => f === 1) || t === maxLen - 1) break;

    // the next step's input: each live slot's parent rows of (h, c), then its new token
    for (let l = 0; l < L; l++) {
      const { h, c } = ws.caches[l], sc = rowScratch[l];
      sc.h.set(h.subarray(0, K * H));
      sc.c.set(c.subarray(0, K * H));
      for (let k = 0; k < live; k++) {
        const p = parentSlot[k];
        if (p === k) continue;
        h.set(sc.h.subarray(p * H, p * H + H), k * H);
        c.set(sc.c.subarray(p * H, p * H + H), k * H);
      }
    }
    for (let k = 0; k < K; k++) ws.x[k] = k < live && !fin[k] ? tok[node[k]] : 0;
    model.forward(ws, 1, { frozen: t > 0 });   // weights fixed while searching: keep the first step's packed W_hh
    model.carryState(ws, 1);
  }

  const beams: Beam[] = [];
  for (let k = 0; k < live; k++) {
    beams.push({ text: pathText(node[k], tok, par, vocab), logProb: logP[k], score: scoreOf(logP[k], Math.max(1, len[k])), stopped: fin[k] === 1 });
  }
  // the rest of the best beam is final now
  if (beams.length && beams[0].text.startsWith(committedText)) yield [...beams[0].text].slice(committed).join("");
  return beams;
}

/** The text of the path ending at node `id` (−1: empty). */
function pathText(id: number, tok: Int32Array, par: Int32Array, vocab: Vocab): string {
  const ids: number[] = [];
  for (let n = id; n >= 0; n = par[n]) ids.push(tok[n]);
  let s = "";
  for (let i = ids.length - 1; i >= 0; i--) s += vocab.chars[ids[i]];
  return s;
}

/**
 * The tree of the live beams' paths, for the committed prefix. Every history node counts its children that
 * still lead to a live beam, and keeps the XOR of their ids (which is the child itself once only one is left).
 * A frontier node no beam continues from is taken out of its parent, and a parent left with no children goes
 * too, so each node is added once and removed at most once: O(1) amortized per node. (Walking all K paths back
 * each step costs O(K·t) per step once the beams part early and never meet again.) The committed prefix runs
 * from the root down while a node has exactly one child.
 */
class PathTree {
  private readonly count: Int32Array;
  private readonly xor: Int32Array;
  private rootCount = 0;
  private rootXor = 0;
  /** The deepest node every live beam passes through (−1: the root). */
  private at = -1;

  constructor(size: number, private readonly par: Int32Array) {
    this.count = new Int32Array(size);
    this.xor = new Int32Array(size);
  }

  /** A new node (its parent already set in par). */
  add(id: number): void {
    const p = this.par[id];
    if (p < 0) { this.rootCount++; this.rootXor ^= id; } else { this.count[p]++; this.xor[p] ^= id; }
  }

  /** A leaf no beam continues from; ancestors left childless go with it. */
  drop(id: number): void {
    for (;;) {
      const p = this.par[id];
      if (p < 0) { this.rootCount--; this.rootXor ^= id; return; }
      this.count[p]--; this.xor[p] ^= id;
      if (this.count[p] > 0) return;
      id = p;
    }
  }

  /** The nodes newly shared by every live beam, top down. */
  advance(): number[] {
    const out: number[] = [];
    for (;;) {
      const n = this.at < 0 ? this.rootCount : this.count[this.at];
      if (n !== 1) return out;
      this.at = this.at < 0 ? this.rootXor : this.xor[this.at];
      out.push(this.at);
    }
  }
}
