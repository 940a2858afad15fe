// One benchmark measurement in a fresh process (so its peak RSS is its own):
//   node dist/bench/measure.js CONFIG BACKEND THREADS [--sample N]
// trains on the bundled corpus for at least a few seconds after a warm-up step and prints one JSON line:
// training chars/s, achieved GFLOP/s, optional sampling chars/s (batch 1), peak RSS; on the native backend also
// the FMA peak of one core (register-only FMA chains for ~0.3 s, native/peak.c), measured after training.

import { readFileSync } from "node:fs";
import { Corpus } from "../src/data/corpus.js";
import { Trainer } from "../src/train.js";
import { defaultTrain } from "../src/config.js";
import { createKernels } from "../src/kernels/select.js";
import { defaultCorpusPath } from "../src/io/node.js";
import { Sampler } from "../src/sample.js";
import { CONFIGS, trainFlopsPerChar } from "./configs.js";

const [name, backend, threadsArg] = process.argv.slice(2);
const sampleIdx = process.argv.indexOf("--sample");
const sampleN = sampleIdx > 0 ? Number(process.argv[sampleIdx + 1]) : 0;
const minSeconds = Number(process.env.BENCH_SECONDS ?? 5);
const c = CONFIGS[name];
if (!c) throw new Error(`unknown config ${name}`);

const corpus = Corpus.fromText(readFileSync(defaultCorpusPath(), "utf8"), { valFrac: 0.05, testFrac: 0.05 });
const { kernels } = await createKernels({ backend: backend as "js" | "wasm" | "native", threads: Number(threadsArg) });
const trainer = Trainer.create(corpus, { layers: c.layers, hidden: c.hidden, dropout: 0 },
                               { ...defaultTrain, batch: c.batch, seq: c.seq, maxSteps: 1e9 }, kernels);
const qIdx = process.argv.indexOf("--quality");
if (qIdx > 0) {
  // quality: train for a fixed wall time (including the warm-up), then the validation bits/char
  const budget = Number(process.argv[qIdx + 1]) * 1000, tq = performance.now();
  let n = 0;
  while (performance.now() - tq < budget) { trainer.step(); n++; }
  const e = trainer.evaluate();
  console.log(JSON.stringify({ config: name, backend: kernels.name, threads: Number(threadsArg), steps: n, val_bpc: e.bpc, seconds: (performance.now() - tq) / 1000 }));
  kernels.dispose?.();
  process.exit(0);
}
trainer.step();   // warm-up: JIT, page faults, packing buffers
let steps = 0;
const t0 = performance.now();
while (steps < 2 || performance.now() - t0 < minSeconds * 1000) { trainer.step(); steps++; }
const seconds = (performance.now() - t0) / 1000;
const trainCps = (steps * c.batch * c.seq) / seconds;
const out: Record<string, number | string> = {
  config: name, backend: kernels.name, threads: Number(threadsArg), steps,
  train_chars_per_s: trainCps,
  gflops: (trainCps * trainFlopsPerChar(c, corpus.vocab.size)) / 1e9,
};
const peak = (kernels as { peakGflops?: (ms: number) => number }).peakGflops;
if (peak) out.fma_peak_gflops = peak(300);
if (sampleN > 0) {
  const s = new Sampler(trainer.model, corpus.vocab, { length: sampleN + 100, seed: 1 });
  for (let i = 0; i < 100; i++) s.next();   // warm-up
  const t1 = performance.now();
  for (let i = 0; i < sampleN; i++) s.next();
  out.sample_chars_per_s = sampleN / ((performance.now() - t1) / 1000);
}
out.peak_rss_mb = process.resourceUsage().maxRSS / 1024;
console.log(JSON.stringify(out));
kernels.dispose?.();
