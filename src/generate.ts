// Generation as one stream: every way of generating (one sample, N samples, beam search) with the novelty of
// what it generated, as one async iterator that works in slices of ~`sliceMs` and gives the event loop a turn
// between them (io/cooperate.ts, the mechanism every long loop uses). The CLI (stdout), the server (SSE) and the
// page's worker (postMessage) all consume it; none of them keeps a generation loop of its own.
//
// Events, in order:
//   {type: "ready"}          the request is accepted (options checked, prime encoded) and the work begins: a
//                            server sends its response headers here, before a long prime is read
//   {type: "text", text}     the newly final characters of the one text being streamed: a single sample's
//                            characters, or the prefix all K beams agree on (at most one event per slice, never
//                            empty); none for N samples, which finish as whole texts
//   {type: "result", …}      one per finished text, by index: a sample {index, seed, text}, a beam {index, text,
//                            logProb, score, stopped}, each with `novelty` when an index was given
// The stream ends after the last result, or early (no further events) once the signal is aborted; an error in
// the request (an unknown prime character, a bad option) throws at the first next(), before "ready".
//
// N samples run as batches of at most SAMPLES_PER_BATCH streams on one reused workspace, each batch's results
// yielded as it finishes, so N is bounded by time, not memory: stream i still uses streamSeed(seed, i) and is
// bit for bit what one batch of N would give (sample_batch.ts). The prime is read once, batch 1, and its state
// copied into every batch.

import { spelled } from "./spelling.js";
import type { UnknownPolicy, Vocab } from "./data/vocab.js";
import type { CharLSTM, Workspace } from "./model.js";
import { beamSteps, type Beam } from "./beam.js";
import { Cooperator } from "./io/cooperate.js";
import type { NoveltyIndex, NoveltyReport } from "./novelty.js";
import { PRIME_CHUNK, PrimeReader, resolveSampleOptions, Sampler, SampleError, type SampleOptions } from "./sample.js";
import { SampleBatch } from "./sample_batch.js";

/** Streams of a many-samples run computed together (one batch forward serves this many characters). */
export const SAMPLES_PER_BATCH = 256;

export interface GenerateRequest {
  /** Characters to generate per text (the prime is not counted). */ length: number;
  /** Text the model reads first (default: a newline). */ prime?: string;
  /** A text ends once it has generated any of these strings. */ stop?: string[];
  /** Prime characters outside the vocabulary: an error (default) or dropped. */ unknown?: UnknownPolicy;
  // sampling (ignored by beam search)
  /** Softmax temperature > 0 (default 1). */ temperature?: number;
  /** Keep the k most likely characters (0 = off). */ topK?: number;
  /** Nucleus: the smallest set reaching p (1 = off). */ topP?: number;
  /** Always take the most likely character. */ argmax?: boolean;
  /** Seed of the first sample; sample i uses streamSeed(seed, i). */ seed?: number;
  /** N independent samples as batches of streams (absent: one sample, streamed as text events). */ samples?: number;
  // beam search
  /** K beams: search for the K most likely texts instead of sampling (0 or absent: sample). */ beam?: number;
  /** Score = logProb / length^A (default 0). */ lengthPenalty?: number;
  /** Yield a result for every beam, best first (default: the best only). */ allBeams?: boolean;
  /** Report the novelty of each result against this index of the training text. */
  novelty?: { index: NoveltyIndex; minRun: number };
}

export interface GenerateControl {
  /** Stops the stream at the next slice (no further events). */ signal?: { readonly aborted: boolean };
  /** Work between two turns of the event loop, ms (default 16). */ sliceMs?: number;
  /** A batch-1 workspace to reuse for a single sample (the wasm arena never frees). */ ws?: Workspace;
  /**
   * Longest text event, in UTF-16 units (default: no limit, one event a slice). A streaming shell sets it so
   * text reaches a reader in small pieces however fast the machine is, not one slice's worth at a time.
   */
  chunk?: number;
}

export interface GenerateResult {
  /** Sample or beam index (beams best first). */ index: number;
  /** How many results the run has (N samples, the beams found, 1). */ of: number;
  /** The generated text (the prime not included). */ text: string;
  /** The sample's seed (sampling only). */ seed?: number;
  /** Natural-log probability of the text given the prime (beam search only). */ logProb?: number;
  /** Its ranking score (beam search only). */ score?: number;
  /** Whether it ended with a stop string (beam search only). */ stopped?: boolean;
  /** How much of it is copied from the training text (with request.novelty). */ novelty?: NoveltyReport;
}

export type GenerateEvent = { type: "ready" } | { type: "text"; text: string } | ({ type: "result" } & GenerateResult);

/**
 * The one generation stream (see the file header). Options are checked and the prime encoded at the first
 * next(), so a bad request throws before any event.
 */
export async function* generate(model: CharLSTM, vocab: Vocab, req: GenerateRequest, control: GenerateControl = {}): AsyncGenerator<GenerateEvent, void, void> {
  const co = new Cooperator(control.signal, control.sliceMs ?? 16);
  let pending = "";
  const chunk = control.chunk ?? Infinity;
  // between two units of work: once a slice is full, hand over the text so far and give the event loop a turn
  const turn = async function* (): AsyncGenerator<GenerateEvent, boolean, void> {
    if (!co.due) return false;
    if (pending) { const text = pending; pending = ""; yield { type: "text", text }; }
    return co.pause();
  };
  const withNovelty = async (r: GenerateResult): Promise<GenerateResult | null> => {
    if (!req.novelty) return r;
    const novelty = await req.novelty.index.reportAsync(r.text, req.novelty.minRun, () => co.pause());
    return novelty && { ...r, novelty };
  };
  const stop = req.stop ?? [];
  for (const st of stop) {
    // a stop string the model cannot generate would never fire: a mistake to say, not to ignore
    if (st === "") throw spelled((m) => new SampleError(m), (s) => `${s("stop")} is empty; give the text that ends a sample`);
    const missing = vocab.unknown(st);
    if (missing.length) throw spelled((m) => new SampleError(m), (s) => `${s("stop")} ${JSON.stringify(st)} has ${missing.length === 1 ? "a character" : "characters"} not in the model's vocabulary (${missing.slice(0, 5).map((c) => JSON.stringify(c)).join(", ")}): it could never end a sample`);
  }
  const opts = {
    length: req.length, prime: req.prime ?? "", stop, unknown: req.unknown ?? "error",
    temperature: req.temperature ?? 1, topK: req.topK ?? 0, topP: req.topP ?? 1, argmax: req.argmax ?? false, seed: req.seed ?? 0,
  };

  if (req.beam && req.beam > 0) {
    const steps = beamSteps(model, vocab, { length: req.length, beams: req.beam, lengthPenalty: req.lengthPenalty ?? 0, prime: opts.prime, stop, unknown: opts.unknown });
    let beams: Beam[];
    let r = steps.next();   // checks the options, encodes the prime and reads its first chunk
    yield { type: "ready" };
    for (;; r = steps.next()) {
      if (r.done) { beams = r.value; break; }
      pending += r.value;
      if (pending.length >= chunk) { const text = pending; pending = ""; yield { type: "text", text }; }
      if (co.due && (yield* turn())) return;   // (the check first: no generator object per character)
    }
    if (pending) { yield { type: "text", text: pending }; pending = ""; }
    const shown = req.allBeams ? beams : beams.slice(0, 1);
    for (let i = 0; i < shown.length; i++) {
      const b = shown[i];
      const r = await withNovelty({ index: i, of: beams.length, text: b.text, logProb: b.logProb, score: b.score, stopped: b.stopped });
      if (!r) return;
      yield { type: "result", ...r };
    }
    return;
  }

  if (req.samples === undefined) {
    const sampler = new Sampler(model, vocab, { ...opts, deferPrime: true }, control.ws);
    yield { type: "ready" };
    while (!sampler.readPrime(1)) if (await co.pause()) return;
    let text = "";
    for (let ch = sampler.next(); ch !== null; ch = sampler.next()) {
      text += ch;
      pending += ch;
      if (pending.length >= chunk) { const text = pending; pending = ""; yield { type: "text", text }; }
      if (co.due && (yield* turn())) return;   // (the check first: no generator object per character)
    }
    if (pending) { yield { type: "text", text: pending }; pending = ""; }
    const r = await withNovelty({ index: 0, of: 1, seed: opts.seed, text });
    if (r) yield { type: "result", ...r };
    return;
  }

  // N samples: batches of at most SAMPLES_PER_BATCH streams sharing one read of the prime and one workspace
  const N = req.samples;
  if (!Number.isInteger(N) || N < 1) throw spelled((m) => new SampleError(m), (s) => `${s("numSamples")} must be a whole number ≥ 1, got ${N}`);
  if (vocab.size !== model.config.vocabSize) throw new SampleError("vocabulary and model disagree in size");
  const pws = model.workspace(1, PRIME_CHUNK);
  const prime = new PrimeReader(model, vocab, pws, opts.prime, opts.unknown);
  resolveSampleOptions(opts);   // checks the sampling options
  yield { type: "ready" };
  while (!prime.read(PRIME_CHUNK)) if (await co.pause()) return;
  const ws = model.workspace(Math.max(2, Math.min(N, SAMPLES_PER_BATCH)), 1);
  for (let first = 0; first < N; first += SAMPLES_PER_BATCH) {
    const batch = new SampleBatch(model, vocab, opts, Math.min(SAMPLES_PER_BATCH, N - first), { prime: pws, ws, first });
    while (batch.step() !== null) if (await co.pause()) return;
    for (const s of batch.results()) {
      const r = await withNovelty({ ...s, of: N });
      if (!r) return;
      yield { type: "result", ...r };
      if (await co.pause()) return;
    }
  }
}

/** One sample's characters as they are generated (the stream's text events, in slices), for a caller that only wants text. */
export async function* sample(model: CharLSTM, vocab: Vocab, opts: SampleOptions, control: GenerateControl = {}): AsyncGenerator<string, void, void> {
  for await (const ev of generate(model, vocab, { ...opts, samples: undefined, beam: 0 }, control)) if (ev.type === "text") for (const ch of ev.text) yield ch;
}
