// N independent samples as one batch of N streams: every step is one forward of batch N, so each weight read
// serves N characters (a batch-1 step streams all the weights for one character).
//
// Seeds: stream i draws from Rng(streamSeed(seed, i)) = Rng((seed + i) mod 2^32), so stream 0 uses the seed
// itself and `--seed S --num-samples N` continues `--seed S+1 …`. (Rng mixes its seed through splitmix32, so
// neighbouring seeds give unrelated streams.)
//
// Equality with a single run: all streams read the same prime (once, batch 1) and start from its state and
// last logits; after that every stream is a row of a batch of max(N, 2). The batched kernels compute each row
// with the same operations in the same order whatever the batch size, so stream i is bit for bit the stream
// of `sampleBatch(…, {seed: streamSeed(seed, i)}, 1)` (N = 1 runs as a batch of 2, one row a copy). The
// batch-1 Sampler runs the fused single-row kernel (lstmStep1) instead, which on the wasm backend rounds
// differently in the last bit (a product split by gate rows, against the batched path's packed W_hh), so a
// plain Sampler with the derived seed agrees with stream i only where that last bit never changes a draw; on
// the js backend both paths are the same loops and agree exactly.
//
// Memory: one (max(N, 2), 1) workspace plus the batch-1 prime workspace; time per step is one batch forward.

import type { Vocab } from "./data/vocab.js";
import { spelled } from "./spelling.js";
import type { CharLSTM, Workspace } from "./model.js";
import { Rng } from "./rng.js";
import { Picker, PRIME_CHUNK, PrimeReader, resolveSampleOptions, SampleError, StopWatch, type SampleOptions } from "./sample.js";

export interface BatchSample {
  /** Stream index 0..N−1. */ index: number;
  /** Its seed, streamSeed(opts.seed, index). */ seed: number;
  /** The generated text (the prime not included). */ text: string;
}

/** The seed of stream i of a batch started from `seed`: (seed + i) mod 2^32. */
export function streamSeed(seed: number, i: number): number {
  return (seed + i) >>> 0;
}

/** N samples advancing together, one batch forward per step. */
export class SampleBatch {
  readonly n: number;
  readonly texts: string[];
  readonly seeds: number[];
  private readonly ws: Workspace;
  /** The prime being read at batch 1 (null once its state is in every row). */
  private prime: PrimeReader | null;
  private readonly pws: Workspace;
  private readonly rngs: Rng[];
  private readonly stops: StopWatch[];
  private readonly done: Uint8Array;
  private readonly picker: Picker;
  private readonly length: number;
  private generated = 0;

  /** Index of stream 0 within the whole run (a run of many samples goes batch by batch). */
  readonly first: number;

  /**
   * `share` (optional): a prime already read at batch 1 into `prime` (its state in slot 0, its last logits in
   * row 0) and a batch workspace `ws` (B ≥ max(n, 2), Tmax ≥ 1) to reuse, for batch after batch of one run whose
   * stream 0 is stream `first` of the run (seed streamSeed(seed, first)). Without it the batch reads the prime
   * and allocates its own.
   */
  constructor(readonly model: CharLSTM, readonly vocab: Vocab, opts: SampleOptions, n: number, share?: { prime: Workspace; ws: Workspace; first: number }) {
    if (!Number.isInteger(n) || n < 1) throw spelled((m) => new SampleError(m), (s) => `${s("numSamples")} must be a whole number ≥ 1, got ${n}`);
    const o = resolveSampleOptions(opts);
    this.n = n;
    this.first = share?.first ?? 0;
    this.length = o.length;
    this.seeds = Array.from({ length: n }, (_, i) => streamSeed(o.seed, this.first + i));
    this.rngs = this.seeds.map((s) => new Rng(s));
    this.stops = this.seeds.map(() => new StopWatch(o.stop));
    this.texts = this.seeds.map(() => "");
    this.done = new Uint8Array(n);
    const B = Math.max(n, 2);
    this.picker = new Picker(vocab.size, o);
    if (share) {
      if (share.ws.B < B || share.prime.B !== 1) throw new SampleError("a shared batch workspace is too small");
      this.pws = share.prime;
      this.ws = share.ws;
      this.prime = null;
      this.seedRows();
      return;
    }
    // the prime once, batch 1 (readPrime, or all of it at the first step); then its state in every row
    this.pws = model.workspace(1, PRIME_CHUNK);
    this.prime = new PrimeReader(model, vocab, this.pws, opts.prime ?? "", opts.unknown ?? "error");
    this.ws = model.workspace(B, 1);
  }

  /** Whether the whole prime has been read. */
  get primed(): boolean {
    return this.prime === null;
  }

  /**
   * Read about `maxChars` more prime characters (whole chunks, at least one); true once the prime is read, its
   * state and last logits then copied into every row of the batch.
   */
  readPrime(maxChars: number): boolean {
    if (!this.prime) return true;
    if (!this.prime.read(maxChars)) return false;
    this.prime = null;
    this.seedRows();
    return true;
  }

  /** The prime's state and last logits (slot 0 of the prime workspace) into every row of the batch. */
  private seedRows(): void {
    const { pws, ws } = this, V = this.vocab.size, H = this.model.config.hidden;
    for (let l = 0; l < this.model.config.layers; l++) {
      const src = pws.caches[l], dst = ws.caches[l];
      for (let b = 0; b < ws.B; b++) {
        dst.h.set(src.h.subarray(0, H), b * H);
        dst.c.set(src.c.subarray(0, H), b * H);
      }
    }
    for (let b = 0; b < ws.B; b++) ws.logits.set(pws.logits.subarray(0, V), b * V);
  }

  /** Whether every stream has reached the length or its stop string. */
  get finished(): boolean {
    return this.generated >= this.length || this.done.every((d) => d === 1);
  }

  /** One character for every stream still running (null for a finished one), then one batch forward. */
  step(): (string | null)[] | null {
    if (this.finished) return null;
    if (this.prime) this.readPrime(Infinity);
    const { n, ws, vocab } = this, V = vocab.size;
    const out: (string | null)[] = new Array(n).fill(null);
    for (let i = 0; i < n; i++) {
      if (this.done[i]) { ws.x[i] = 0; continue; }
      const id = this.picker.pick(ws.logits, i * V, this.rngs[i]);
      const ch = vocab.chars[id];
      out[i] = ch;
      this.texts[i] += ch;
      if (this.stops[i].push(ch)) this.done[i] = 1;
      ws.x[i] = id;
    }
    // a padding row (N = 1) repeats stream 0's token, so it computes exactly what stream 0 does
    for (let b = n; b < ws.B; b++) ws.x[b] = ws.x[0];
    this.generated++;
    if (!this.finished) {
      // the weights do not change while we generate: the packed W_hh of the first step serves every step
      this.model.forward(ws, 1, { frozen: this.generated > 1 });
      this.model.carryState(ws, 1);
    }
    return out;
  }

  /** The samples so far. */
  results(): BatchSample[] {
    return this.texts.map((text, i) => ({ index: this.first + i, seed: this.seeds[i], text }));
  }
}

/** N samples at once (see SampleBatch); `signal` (optional) stops early, returning what was generated. */
export function sampleBatch(model: CharLSTM, vocab: Vocab, opts: SampleOptions, n: number, signal?: { aborted: boolean }): BatchSample[] {
  const b = new SampleBatch(model, vocab, opts, n);
  while (!signal?.aborted && b.step() !== null) { /* advance */ }
  return b.results();
}
