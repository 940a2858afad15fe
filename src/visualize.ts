// Looking inside the model, as in Karpathy, Johnson & Fei-Fei, "Visualizing and Understanding Recurrent
// Networks" (2015): read a text once and keep, for every character, every layer's cell state c_t and hidden
// state h_t and the model's top guesses for the next character; then rank the cells by how strongly they
// follow simple features of the text (inside quotes, inside brackets, position in the line).
//
// traceText runs the same forward pass as training and sampling (model.forward over windows of `chunk`
// characters, state carried between windows, batch 1, from a zero state), so what the page shows is exactly
// what the model computes. Memory: 2·L·n·H floats for c and h plus 2·n·K for the predictions.
//
// Position t of a trace is "after reading character t": c[l][t·H + j] is cell j of layer l once chars[t]
// went in, and top*(t) is the distribution of chars[t + 1].

import type { UnknownPolicy, Vocab } from "./data/vocab.js";
import type { CharLSTM } from "./model.js";
import { softmaxRow } from "./nn/softmax_xent.js";

export interface Trace {
  /** The characters read, one code point each (unknown ones dropped under policy "skip"). */ chars: string[];
  /** Their token ids (n). */ ids: Int32Array;
  n: number;
  L: number;
  H: number;
  /** Per layer, (n, H): the cell state c_t. */ c: Float32Array[];
  /** Per layer, (n, H): the hidden state h_t = o ⊙ tanh(c_t). */ h: Float32Array[];
  /** Predictions kept per position. */ K: number;
  /** (n, K): the K most likely next characters after position t, most likely first. */ topIds: Int32Array;
  /** (n, K): their probabilities. */ topProbs: Float32Array;
  /** (n): −log2 p(chars[t] | chars before it), the surprise in bits; NaN at t = 0 (nothing predicted it). */
  bits: Float32Array;
}

export interface TraceOptions {
  /** Predictions kept per position (default 5, at most V). */ topK?: number;
  /** Characters outside the vocabulary: an error (default) or dropped. */ unknown?: UnknownPolicy;
  /** Window length of each forward pass (default 128). */ chunk?: number;
}

/** Run `text` through the model and record every cell, hidden state and next-character prediction. */
export function traceText(model: CharLSTM, vocab: Vocab, text: string, opts: TraceOptions = {}): Trace {
  const { hidden: H, layers: L, vocabSize: V } = model.config;
  if (vocab.size !== V) throw new RangeError("vocabulary and model disagree in size");
  const ids = vocab.encode(text, opts.unknown ?? "error");
  const n = ids.length;
  if (n === 0) throw new RangeError("nothing to trace: the text is empty");
  const K = Math.max(1, Math.min(V, Math.floor(opts.topK ?? 5)));
  const ws = model.workspace(1, Math.min(n, Math.max(1, Math.floor(opts.chunk ?? 128))));
  model.resetState(ws);
  const c = Array.from({ length: L }, () => new Float32Array(n * H));
  const h = Array.from({ length: L }, () => new Float32Array(n * H));
  const topIds = new Int32Array(n * K), topProbs = new Float32Array(n * K), bits = new Float32Array(n).fill(NaN);
  const probs = new Float64Array(V);
  for (let pos = 0; pos < n; pos += ws.Tmax) {
    const T = Math.min(ws.Tmax, n - pos);
    ws.x.set(ids.subarray(pos, pos + T));
    model.forward(ws, T);
    // B = 1: slot t+1 of a (T+1, 1, H) state buffer is position pos + t
    for (let l = 0; l < L; l++) {
      c[l].set(ws.caches[l].c.subarray(H, (T + 1) * H), pos * H);
      h[l].set(ws.caches[l].h.subarray(H, (T + 1) * H), pos * H);
    }
    for (let t = 0; t < T; t++) {
      const p = pos + t;
      softmaxRow(probs, ws.logits.subarray(t * V, (t + 1) * V), V, 1);
      if (p + 1 < n) bits[p + 1] = -Math.log2(probs[ids[p + 1]]);
      topK(probs, V, K, topIds.subarray(p * K, (p + 1) * K), topProbs.subarray(p * K, (p + 1) * K));
    }
    model.carryState(ws, T);
  }
  return { chars: Array.from(ids, (id) => vocab.chars[id]), ids, n, L, H, c, h, K, topIds, topProbs, bits };
}

/** The K largest of probs (V) into ids/out, largest first; ties go to the smaller id. */
function topK(probs: Float64Array, V: number, K: number, ids: Int32Array, out: Float32Array): void {
  let filled = 0;
  for (let v = 0; v < V; v++) {
    const pv = probs[v];
    if (filled === K && pv <= out[K - 1]) continue;
    let i = filled < K ? filled++ : K - 1;
    while (i > 0 && out[i - 1] < pv) { out[i] = out[i - 1]; ids[i] = ids[i - 1]; i--; }
    out[i] = pv;
    ids[i] = v;
  }
}

export type CellValue = "tanh-c" | "h";

/** One cell's value at every position (n): tanh(c_t) (Karpathy's choice, in (−1, 1)) or h_t. */
export function cellSeries(trace: Trace, layer: number, cell: number, what: CellValue = "tanh-c"): Float32Array {
  const { n, H } = trace;
  if (!(layer >= 0 && layer < trace.L)) throw new RangeError(`layer must be in 0..${trace.L - 1}, got ${layer}`);
  if (!(cell >= 0 && cell < H)) throw new RangeError(`cell must be in 0..${H - 1}, got ${cell}`);
  const src = what === "h" ? trace.h[layer] : trace.c[layer], out = new Float32Array(n);
  for (let t = 0; t < n; t++) out[t] = what === "h" ? src[t * H + cell] : Math.tanh(src[t * H + cell]);
  return out;
}

export interface Feature {
  name: string;
  /** One value per position of the trace (n). */ values: Float32Array;
}

const OPEN = "([{", CLOSE = ")]}";

/**
 * Simple features of a character sequence (one value per character):
 *   quotes    1 inside "…" or “…” (the quote characters themselves count as inside), else 0
 *   brackets  1 inside (), [] or {} at any depth, else 0
 *   line-pos  the column, 0 at the start of each line
 *   newline   1 on a line break
 */
export function textFeatures(chars: string[]): Feature[] {
  const n = chars.length;
  const quotes = new Float32Array(n), brackets = new Float32Array(n), linePos = new Float32Array(n), newline = new Float32Array(n);
  let inQuote = false, depth = 0, col = 0;
  for (let t = 0; t < n; t++) {
    const ch = chars[t];
    if (ch === "\"" || ch === "\u201c" || ch === "\u201d") {
      quotes[t] = 1;
      inQuote = ch === "\"" ? !inQuote : ch === "\u201c";
    } else quotes[t] = inQuote ? 1 : 0;
    if (OPEN.includes(ch)) depth++;
    brackets[t] = depth > 0 ? 1 : 0;
    if (CLOSE.includes(ch)) depth = Math.max(0, depth - 1);
    linePos[t] = col;
    if (ch === "\n") { newline[t] = 1; col = 0; } else col++;
  }
  return [
    { name: "quotes", values: quotes },
    { name: "brackets", values: brackets },
    { name: "line-pos", values: linePos },
    { name: "newline", values: newline },
  ];
}

/**
 * Whether a text shows a feature enough to rank cells by it. A 0/1 feature needs each value on at least
 * 4 positions and `minFrac` of them (a text without quotes has "quotes" 0 everywhere, and every cell would
 * read r = 0); any other feature needs not to be constant.
 */
export function featureShows(f: Feature, minFrac = 0.002): boolean {
  const v = f.values, n = v.length;
  let ones = 0, binary = true;
  for (let t = 0; t < n; t++) {
    if (v[t] === 1) ones++;
    else if (v[t] !== 0) binary = false;
  }
  if (!binary) return v.some((x) => x !== v[0]);
  return Math.min(ones, n - ones) >= Math.max(4, minFrac * n);
}

/** Pearson correlation of a and b (n); 0 when either is constant. */
export function correlation(a: ArrayLike<number>, b: ArrayLike<number>, n = a.length): number {
  let ma = 0, mb = 0;
  for (let i = 0; i < n; i++) { ma += a[i]; mb += b[i]; }
  ma /= n; mb /= n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i] - ma, db = b[i] - mb;
    sab += da * db; saa += da * da; sbb += db * db;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}

export interface RankedCell {
  layer: number;
  cell: number;
  /** Pearson correlation with the feature, in [−1, 1]. */ r: number;
}

/** Every cell of every layer, ordered by |correlation| of its value with the feature, strongest first. */
export function rankCells(trace: Trace, feature: Feature | ArrayLike<number>, what: CellValue = "tanh-c", top = Infinity): RankedCell[] {
  const f = "values" in feature ? feature.values : feature;
  if (f.length !== trace.n) throw new RangeError(`the feature has ${f.length} values but the trace ${trace.n} positions`);
  const out: RankedCell[] = [];
  for (let l = 0; l < trace.L; l++) {
    for (let j = 0; j < trace.H; j++) out.push({ layer: l, cell: j, r: correlation(cellSeries(trace, l, j, what), f) });
  }
  out.sort((a, b) => Math.abs(b.r) - Math.abs(a.r) || a.layer - b.layer || a.cell - b.cell);
  return out.slice(0, top);
}
