// Generating text one character at a time: temperature, top-k, top-p, argmax, a prime text, a seed, stop
// strings. One Sampler serves the CLI (stdout), the server (SSE) and the web page; nothing here allocates
// per character (the workspace and probability scratch are made once).

import type { UnknownPolicy, Vocab } from "./data/vocab.js";
import { spelled } from "./spelling.js";
import type { CharLSTM, Workspace } from "./model.js";
import type { FloatArray } from "./kernels/types.js";
import { softmaxRow } from "./nn/softmax_xent.js";
import { Rng, sampleMult } from "./rng.js";

export interface SampleOptions {
  /** Characters to generate (the prime is not counted). */ length: number;
  /** Softmax temperature > 0; lower is more conservative. Default 1. */ temperature?: number;
  /** Keep only the k most likely characters (0 = off). */ topK?: number;
  /** Keep the smallest set of characters whose probability reaches p (1 = off). */ topP?: number;
  /** Always take the most likely character. */ argmax?: boolean;
  /** Text the model reads before generating. Default: a newline (or the first character). */ prime?: string;
  /** Seed of the sampling RNG; the same seed gives the same text. */ seed: number;
  /** Stop after generating any of these strings. */ stop?: string[];
  /** Prime characters outside the vocabulary: an error (default) or dropped. */ unknown?: UnknownPolicy;
  /**
   * Read the prime only through readPrime() (or at the first next()), not in the constructor: a caller that
   * shares its thread (the server) reads a long prime in slices between event-loop turns. The prime is still
   * checked against the vocabulary in the constructor.
   */ deferPrime?: boolean;
}

export class SampleError extends Error {
  override name = "SampleError";
}

/** Prime characters read per forward. */
export const PRIME_CHUNK = 64;

/**
 * Draws one token from a row of logits under the sampling options (temperature, top-k, top-p, argmax), with
 * scratch made once. Shared by the Sampler (one stream) and SampleBatch (N streams, one Picker for all).
 */
export class Picker {
  private readonly probs: Float64Array;
  /** Max-heap of token ids by probability (top-k / top-p scratch). */
  private readonly order: Int32Array;
  /** Which ids survive top-k / top-p. */
  private readonly keep: Uint8Array;
  /** Distribution the last token was drawn from (V), for visualization. */
  readonly lastProbs: Float64Array;

  constructor(private readonly V: number, private readonly opts: { temperature: number; topK: number; topP: number; argmax: boolean }) {
    this.probs = new Float64Array(V);
    this.lastProbs = new Float64Array(V);
    this.order = new Int32Array(V);
    this.keep = new Uint8Array(V);
  }

  /** A token from logits[off .. off+V), drawing (unless argmax) one float from rng. */
  pick(logits: FloatArray, off: number, rng: Rng): number {
    const { probs, order, opts, V } = this;
    checkFiniteLogits(logits, off, V);
    softmaxRow(probs, off === 0 ? logits : logits.subarray(off, off + V), V, opts.argmax ? 1 : opts.temperature);
    this.lastProbs.set(probs);
    if (opts.argmax) {
      let best = 0;
      for (let v = 1; v < V; v++) if (probs[v] > probs[best]) best = v;
      return best;
    }
    if ((opts.topK > 0 && opts.topK < V) || opts.topP < 1) {
      // Take characters in order of probability from a max-heap until top-k or top-p is reached, then zero
      // the rest: O(V + kept·log V), never a sort of the whole vocabulary, and no allocation.
      const limit = opts.topK > 0 ? Math.min(opts.topK, V) : V, keep = this.keep;
      keep.fill(0, 0, V);
      for (let v = 0; v < V; v++) order[v] = v;
      for (let i = (V >> 1) - 1; i >= 0; i--) siftDown(order, probs, i, V);
      let size = V, cum = 0;
      for (let n = 0; n < limit; n++) {
        const top = order[0];
        keep[top] = 1;
        cum += probs[top];
        if (cum >= opts.topP) break;
        order[0] = order[--size];
        siftDown(order, probs, 0, size);
      }
      for (let v = 0; v < V; v++) if (!keep[v]) probs[v] = 0;
    }
    return sampleMult(probs, V, rng.nextFloat());
  }
}

/**
 * Refuse logits that are NaN or ±Infinity (weights that are finite but overflow float32 on the way, e.g. a
 * head.weight of 3e38): sampling from them would draw garbage silently, and a beam's scores would be NaN.
 */
export function checkFiniteLogits(logits: FloatArray, off: number, V: number): void {
  for (let v = off; v < off + V; v++) {
    if (!Number.isFinite(logits[v])) throw new NonFiniteError("the model's output (logits) is not finite — NaN or ±Infinity: its weights overflow float32 arithmetic; this checkpoint cannot generate text");
  }
}

/** A computation on a model gave NaN or ±Infinity (a runtime failure, not a bad option). */
export class NonFiniteError extends Error {
  override name = "TrainingError";
}

/** Sampling options with defaults, checked (SampleError naming the flag). */
export function resolveSampleOptions(opts: SampleOptions): Required<Omit<SampleOptions, "prime" | "stop" | "unknown" | "deferPrime">> & { stop: string[] } {
  const o = { temperature: 1, topK: 0, topP: 1, argmax: false, stop: [] as string[], ...opts };
  if (!Number.isInteger(o.length) || o.length < 0) throw spelled((m) => new SampleError(m), (s) => `${s("length")} must be a non-negative integer, got ${o.length}`);
  if (!(o.temperature > 0) || !Number.isFinite(o.temperature)) throw spelled((m) => new SampleError(m), (s) => `${s("temperature")} must be a number > 0, got ${o.temperature}`);
  if (!Number.isInteger(o.topK) || o.topK < 0) throw spelled((m) => new SampleError(m), (s) => `${s("topK")} must be a non-negative integer, got ${o.topK}`);
  if (!(o.topP > 0 && o.topP <= 1)) throw spelled((m) => new SampleError(m), (s) => `${s("topP")} must be in (0, 1], got ${o.topP}`);
  return o as ReturnType<typeof resolveSampleOptions>;
}

/**
 * A prime read into a batch-1 workspace a few chunks at a time, so a caller can give the event loop a turn
 * between them (a 100,000-character prime is seconds of work on a large model). The constructor resets the
 * workspace and encodes the prime (an unknown character throws there, before any work); an empty prime reads a
 * newline (or token 0). Once read, its state is in slot 0 of every cache and the logits of its last character
 * in row 0 of ws.logits.
 */
export class PrimeReader {
  private readonly ids: Int32Array;
  private pos = 0;

  constructor(private readonly model: CharLSTM, vocab: Vocab, private readonly ws: Workspace, prime: string, unknown: UnknownPolicy = "error") {
    if (vocab.size !== model.config.vocabSize) throw new SampleError("vocabulary and model disagree in size");
    if (ws.B !== 1) throw new SampleError("a sampling workspace must have batch 1");
    model.resetState(ws);
    let ids = vocab.encode(prime, unknown);
    if (ids.length === 0) {
      const nl = vocab.id("\n");
      ids = Int32Array.of(nl >= 0 ? nl : 0);
    }
    this.ids = ids;
  }

  /** Whether the whole prime is in the state. */
  get done(): boolean {
    return this.pos >= this.ids.length;
  }

  /** Read about `maxChars` more characters (whole chunks of the workspace's Tmax, at least one); true once done. */
  read(maxChars: number): boolean {
    const { ids, ws, model } = this, V = model.config.vocabSize;
    let read = 0;
    while (this.pos < ids.length && (read === 0 || read < maxChars)) {
      const T = Math.min(ws.Tmax, ids.length - this.pos);
      ws.x.set(ids.subarray(this.pos, this.pos + T));
      model.forward(ws, T);
      model.carryState(ws, T);
      this.pos += T;
      read += T;
      if (this.pos === ids.length) ws.logits.copyWithin(0, (T - 1) * V, T * V);
    }
    return this.done;
  }
}

/** Tracks the generated tail and says when a stop string has just been completed. */
export class StopWatch {
  private tail = "";
  private readonly keep: number;
  constructor(private readonly stop: string[]) {
    this.keep = Math.max(0, ...stop.map((s) => s.length));
  }
  /** An independent copy (a beam that branches keeps its own tail). */
  clone(): StopWatch {
    const w = new StopWatch(this.stop);
    w.tail = this.tail;
    return w;
  }
  /** Feed one generated character; true when the text now ends with a stop string. */
  push(ch: string): boolean {
    if (this.keep === 0) return false;
    this.tail = (this.tail + ch).slice(-this.keep);
    return this.stop.some((s) => s && this.tail.endsWith(s));
  }
}

export class Sampler {
  readonly model: CharLSTM;
  readonly vocab: Vocab;
  private readonly ws: Workspace;
  private readonly rng: Rng;
  private readonly picker: Picker;
  private readonly opts: Required<Omit<SampleOptions, "prime" | "stop" | "unknown" | "deferPrime">> & { stop: string[] };
  /** The prime being read (null once the whole prime is in the state). */
  private prime: PrimeReader | null;
  private generated = 0;
  private tail = "";
  private done = false;
  /** Distribution the last character was drawn from (V), for visualization. */
  readonly lastProbs: Float64Array;

  /**
   * `ws`: a batch-1 workspace to reuse (Tmax ≥ 1); by default one is allocated. Reuse matters on the wasm
   * backend, whose arena never frees: a trainer that samples every N steps passes the same one each time.
   */
  constructor(model: CharLSTM, vocab: Vocab, opts: SampleOptions, ws?: Workspace) {
    const o = { temperature: 1, topK: 0, topP: 1, argmax: false, stop: [], ...opts };
    if (!Number.isInteger(o.length) || o.length < 0) throw spelled((m) => new SampleError(m), (s) => `${s("length")} must be a non-negative integer, got ${o.length}`);
    if (!(o.temperature > 0) || !Number.isFinite(o.temperature)) throw spelled((m) => new SampleError(m), (s) => `${s("temperature")} must be a number > 0, got ${o.temperature}`);
    if (!Number.isInteger(o.topK) || o.topK < 0) throw spelled((m) => new SampleError(m), (s) => `${s("topK")} must be a non-negative integer, got ${o.topK}`);
    if (!(o.topP > 0 && o.topP <= 1)) throw spelled((m) => new SampleError(m), (s) => `${s("topP")} must be in (0, 1], got ${o.topP}`);
    if (vocab.size !== model.config.vocabSize) throw new SampleError("vocabulary and model disagree in size");
    this.model = model;
    this.vocab = vocab;
    this.opts = o;
    this.rng = new Rng(o.seed);
    this.picker = new Picker(vocab.size, o);
    this.lastProbs = this.picker.lastProbs;
    if (ws && ws.B !== 1) throw new SampleError("a sampling workspace must have batch 1");
    this.ws = ws ?? model.workspace(1, PRIME_CHUNK);
    this.prime = new PrimeReader(model, vocab, this.ws, opts.prime ?? "", opts.unknown ?? "error");
    if (!opts.deferPrime) this.readPrime(Infinity);
  }

  /** The whole prime has been read (the next character can be drawn). */
  get primed(): boolean {
    return this.prime === null;
  }

  /**
   * Read about `maxChars` more prime characters (whole chunks of the workspace's Tmax, at least one); true
   * once the whole prime has been read. The logits of its last character give the first distribution.
   */
  readPrime(maxChars: number): boolean {
    if (this.prime && this.prime.read(maxChars)) this.prime = null;
    return this.prime === null;
  }

  /** The next character, or null when the length is reached or a stop string was generated. */
  next(): string | null {
    if (this.done || this.generated >= this.opts.length) return null;
    if (this.prime) this.readPrime(Infinity);
    const id = this.picker.pick(this.ws.logits, 0, this.rng);
    const ch = this.vocab.chars[id];
    this.generated++;
    if (this.opts.stop.length) {
      this.tail = (this.tail + ch).slice(-Math.max(...this.opts.stop.map((s) => s.length)));
      if (this.opts.stop.some((s) => s && this.tail.endsWith(s))) this.done = true;
    }
    // feed it back: one step, batch 1
    this.ws.x[0] = id;
    this.model.forward(this.ws, 1);
    this.model.carryState(this.ws, 1);
    return ch;
  }
}

/** Restore the max-heap property below heap[i] (ordered by p[id], ties to the smaller id). */
function siftDown(heap: Int32Array, p: Float64Array, i: number, size: number): void {
  const above = (a: number, b: number) => p[a] > p[b] || (p[a] === p[b] && a < b);
  for (;;) {
    const l = 2 * i + 1, r = l + 1;
    let m = i;
    if (l < size && above(heap[l], heap[m])) m = l;
    if (r < size && above(heap[r], heap[m])) m = r;
    if (m === i) return;
    const t = heap[i]; heap[i] = heap[m]; heap[m] = t;
    i = m;
  }
}

/** Generated characters as a synchronous iterator. */
export function* sampleChars(model: CharLSTM, vocab: Vocab, opts: SampleOptions, ws?: Workspace): Generator<string> {
  const s = new Sampler(model, vocab, opts, ws);
  for (let ch = s.next(); ch !== null; ch = s.next()) yield ch;
}

/** The whole generated text at once (the prime not included). */
export function sampleText(model: CharLSTM, vocab: Vocab, opts: SampleOptions, ws?: Workspace): string {
  let s = "";
  for (const ch of sampleChars(model, vocab, opts, ws)) s += ch;
  return s;
}
