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
// Every loop here gives the event loop a turn every 20 ms (io/cooperate.ts), the prime's reading included, so
// Ctrl-C and SIGTERM stop it at once with exit 130, as they stop plain `sample`. Plain text with one beam shown
// streams the committed prefix (the characters all beams agree on) as it becomes final: what a user watching
// wants; a stopped search has printed that prefix and a newline. --beams-out, --json and several samples print
// at the end (a stopped run prints nothing of them).

import type { UnknownPolicy, Vocab } from "../data/vocab.js";
import type { CharLSTM } from "../model.js";
import { beamSteps, type Beam } from "../beam.js";
import { Cooperator } from "../io/cooperate.js";
import type { NoveltyIndex } from "../novelty.js";
import { Sampler } from "../sample.js";
import { SampleBatch } from "../sample_batch.js";
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
 * Text written in pieces: flushed every 64 characters, at a newline and at least every 50 ms (a write of ""
 * flushes what waits once 50 ms have passed, so a search that commits nothing new for a while still shows
 * what it committed before).
 */
export class StreamOut {
  private buf = "";
  private last = performance.now();
  constructor(private readonly out: (s: string) => void) {}
  write(s: string): void {
    this.buf += s;
    const now = performance.now();
    if (this.buf.length >= 64 || now - this.last > 50 || s.includes("\n")) this.flush();
  }
  flush(): void {
    if (this.buf) this.out(this.buf);
    this.buf = "";
    this.last = performance.now();
  }
}

export async function runGeneration(flags: Flags, g: GenerationInput, ctx: CliContext): Promise<number> {
  const json = bool(flags, "json");
  // index the training text first: a bad --novelty file fails before minutes of generation
  const novelty: NoveltyIndex | null = flags.has("novelty") ? loadNoveltyIndex(str(flags, "novelty")!) : null;
  const minRun = novelty ? minRunFlag(flags) : 20;
  const report = (text: string) => (novelty ? novelty.report(text, minRun) : undefined);
  const results: { header: string; text: string; obj: Record<string, unknown> }[] = [];
  const co = new Cooperator(ctx.signal, 20);

  if (flags.has("beam")) {
    const K = num(flags, "beam")!;
    const steps = beamSteps(g.model, g.vocab, { length: g.length, beams: K, lengthPenalty: num(flags, "length-penalty") ?? 0, prime: g.prime, stop: g.stop, unknown: g.unknown });
    // one beam in plain text: print the prime and then the committed prefix as it comes
    const stream = !json && !bool(flags, "beams-out") ? new StreamOut(ctx.out) : null;
    let started = false, beams: Beam[];
    for (;;) {
      const r = steps.next();
      if (r.done) { beams = r.value; break; }
      if (stream && (r.value || started)) {
        if (!started) { stream.write(g.prime); started = true; }
        stream.write(r.value);
      }
      if (await co.pause()) {
        if (stream && started) { stream.write("\n"); stream.flush(); }
        return 130;
      }
    }
    if (stream) {
      // the text is out already; what is left is the line end and the novelty report
      if (!started) stream.write(g.prime);
      stream.write("\n");
      stream.flush();
      const nov = report(beams[0]?.text ?? "");
      if (nov) ctx.err(formatNovelty(nov) + "\n");
      return 0;
    }
    const shown = bool(flags, "beams-out") ? beams : beams.slice(0, 1);
    shown.forEach((b, i) => results.push({
      header: `=== beam ${i + 1} of ${beams.length} (log-prob ${b.logProb.toFixed(4)}, score ${b.score.toFixed(4)}${b.stopped ? ", stopped" : ""}) ===`,
      text: b.text,
      obj: { index: i, text: b.text, log_prob: b.logProb, score: b.score, stopped: b.stopped },
    }));
  } else {
    // --num-samples N (even 1) runs the batch of streams; without it, the one sample of plain `sample`
    const n = num(flags, "num-samples") ?? 1;
    const opts = { length: g.length, temperature: g.temperature, topK: g.topK, topP: g.topP, argmax: g.argmax, prime: g.prime, seed: g.seed, stop: g.stop, unknown: g.unknown };
    let samples: { index: number; seed: number; text: string }[];
    if (flags.has("num-samples")) {
      const batch = new SampleBatch(g.model, g.vocab, opts, n);
      while (!batch.readPrime(256)) if (await co.pause()) return 130;
      while (batch.step() !== null) if (await co.pause()) return 130;
      samples = batch.results();
    } else {
      const sampler = new Sampler(g.model, g.vocab, { ...opts, deferPrime: true });
      while (!sampler.readPrime(256)) if (await co.pause()) return 130;
      let text = "";
      for (let ch = sampler.next(); ch !== null; ch = sampler.next()) {
        text += ch;
        if (await co.pause()) return 130;
      }
      samples = [{ index: 0, seed: g.seed, text }];
    }
    for (const s of samples) results.push({ header: `=== sample ${s.index + 1} of ${n} (seed ${s.seed}) ===`, text: s.text, obj: { index: s.index, seed: s.seed, text: s.text } });
  }

  const headers = results.length > 1 || bool(flags, "beams-out");
  for (const r of results) {
    const nov = report(r.text);
    if (json) {
      ctx.out(JSON.stringify(nov ? { ...r.obj, novelty: nov } : r.obj) + "\n");
      continue;
    }
    if (headers) ctx.out(r.header + "\n");
    ctx.out(g.prime + r.text + "\n");
    if (nov) ctx.err(`${headers ? `${r.header.replace(/^=== | ===$/g, "")}: ` : ""}${formatNovelty(nov)}\n`);
  }
  return 0;
}
