// The generation modes of `char-lstm sample` beyond one random sample: beam search (--beam K), many samples at
// once (--num-samples N), JSON output (--json), and the novelty report (--novelty TRAIN_FILE). Thin shells over
// beam.ts, sample_batch.ts and novelty.ts.
//
// Output: text mode prints the prime and the text as `sample` does; several results each get a header line
// `=== sample 2 of 8 (seed 43) ===` / `=== beam 1 of 4 (log-prob −12.3456, score −12.3456) ===` before them.
// --json prints one object per line: {"index","seed","text"} per sample, {"index","text","log_prob","score",
// "stopped"} per beam, each with "novelty" when --novelty is given. The novelty of a text is that of the
// generated characters only (the prime is the user's). In text mode the novelty lines go to stderr, so stdout
// stays the generated text.
//
// All of it, plain `sample` included, consumes the library's one generation stream (generate.ts), which works
// in ~16 ms slices and gives the event loop a turn between them, the prime's reading and the novelty matching
// included, so Ctrl-C and SIGTERM stop it at once with exit 130. One text (a sample, or the best beam's committed
// prefix: the characters all beams agree on) streams as it becomes final, and a stopped run has printed it and a
// newline; --beams-out, --json and several samples print each result as it finishes (N samples go in batches,
// so a million samples stream out in bounded memory).

import type { UnknownPolicy, Vocab } from "../data/vocab.js";
import type { CharLSTM } from "../model.js";
import { generate } from "../generate.js";
import type { NoveltyIndex } from "../novelty.js";
import { UsageError } from "./args.js";
import { bool, num, str, type CliContext, type Flags } from "./context.js";
import { formatNovelty, loadNoveltyIndex, minRunFlag } from "./novelty.js";

/** Flags that only make sense with another flag, or not together: a usage error naming both. */
export function checkGenerationFlags(flags: Flags): void {
  const beam = flags.has("beam");
  if (beam) {
    for (const f of ["num-samples", "temperature", "top-k", "top-p", "argmax", "seed"]) {
      if (flags.has(f)) throw new UsageError(`--beam is deterministic search; drop --${f} (it applies to sampling)`);
    }
    if ((num(flags, "beam") ?? 0) < 1) throw new UsageError(`--beam must be at least 1, got ${num(flags, "beam")}`);
    const a = num(flags, "length-penalty") ?? 0;
    if (!(a >= 0)) throw new UsageError(`--length-penalty must be ≥ 0, got ${a}`);
  } else {
    for (const f of ["beams-out", "length-penalty"]) if (flags.has(f)) throw new UsageError(`--${f} needs --beam K`);
  }
  if (flags.has("num-samples") && (num(flags, "num-samples") ?? 0) < 1) throw new UsageError(`--num-samples must be at least 1, got ${num(flags, "num-samples")}`);
  if (flags.has("min-run") && !flags.has("novelty")) throw new UsageError("--min-run needs --novelty TRAIN_FILE");
  if (flags.has("novelty")) minRunFlag(flags);
}

/** Whether sampleCommand hands over to runGeneration (any of the flags above). */
export function isGenerationMode(flags: Flags): boolean {
  return ["beam", "num-samples", "json", "novelty"].some((f) => flags.has(f));
}

export interface GenerationInput {
  model: CharLSTM;
  vocab: Vocab;
  prime: string;
  seed: number;
  length: number;
  stop: string[];
  unknown: UnknownPolicy;
  temperature: number;
  topK: number;
  topP: number;
  argmax: boolean;
}

/**
 * Plain `sample`, --beam, --num-samples, --json and --novelty, all as one consumer of the library's generation
 * stream (generate.ts): text events are written as they come (the stream hands them over once per ~16 ms
 * slice), results are printed as they finish. A stopped stream (Ctrl-C, SIGTERM) ends the line it streamed
 * and returns 130.
 */
export async function runGeneration(flags: Flags, g: GenerationInput, ctx: CliContext): Promise<number> {
  const json = bool(flags, "json");
  // index the training text first: a bad --novelty file fails before minutes of generation
  const novelty: NoveltyIndex | null = flags.has("novelty") ? loadNoveltyIndex(str(flags, "novelty")!) : null;
  const minRun = novelty ? minRunFlag(flags) : 20;
  const beam = flags.has("beam"), beamsOut = bool(flags, "beams-out");
  const n = flags.has("num-samples") ? num(flags, "num-samples")! : undefined;
  // one text streams as it comes (plain sample, or the best beam's committed prefix); the rest print when done
  const streaming = !json && !beamsOut && n === undefined;
  const headers = beamsOut || (n !== undefined && n > 1);
  const events = generate(g.model, g.vocab, {
    length: g.length, prime: g.prime, stop: g.stop, unknown: g.unknown,
    temperature: g.temperature, topK: g.topK, topP: g.topP, argmax: g.argmax, seed: g.seed, samples: n,
    beam: beam ? num(flags, "beam")! : 0, lengthPenalty: num(flags, "length-penalty") ?? 0, allBeams: beamsOut,
    novelty: novelty ? { index: novelty, minRun } : undefined,
  }, { signal: ctx.signal });
  let started = false;
  const start = () => { if (streaming && !started) { ctx.out(g.prime); started = true; } };
  for await (const ev of events) {
    if (ev.type === "ready") continue;
    if (ev.type === "text") {
      if (streaming) { start(); ctx.out(ev.text); }
      continue;
    }
    const { type: _, novelty: nov, ...r } = ev;
    if (streaming) {
      start();
      ctx.out("\n");
      if (nov) ctx.err(formatNovelty(nov) + "\n");
      continue;
    }
    const header = beam
      ? `=== beam ${r.index + 1} of ${r.of} (log-prob ${r.logProb!.toFixed(4)}, score ${r.score!.toFixed(4)}${r.stopped ? ", stopped" : ""}) ===`
      : `=== sample ${r.index + 1} of ${r.of} (seed ${r.seed}) ===`;
    if (json) {
      const obj = beam ? { index: r.index, text: r.text, log_prob: r.logProb, score: r.score, stopped: r.stopped } : { index: r.index, seed: r.seed, text: r.text };
      ctx.out(JSON.stringify(nov ? { ...obj, novelty: nov } : obj) + "\n");
      continue;
    }
    if (headers) ctx.out(header + "\n");
    ctx.out(g.prime + r.text + "\n");
    if (nov) ctx.err(`${headers ? `${header.replace(/^=== | ===$/g, "")}: ` : ""}${formatNovelty(nov)}\n`);
  }
  if (ctx.signal.aborted) {
    if (started) ctx.out("\n");
    return 130;
  }
  return 0;
}
