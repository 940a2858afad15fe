// Sampling throughput of many samples at once (`sample --num-samples N`, sample_batch.ts): characters per
// second for N = 1, 8 and 32 streams on config c (2×256, vocabulary of the bundled corpus).
//   node dist/bench/sampling.js BACKEND THREADS      one measurement, one JSON line
// batchSamplingSection() runs it for native ×1 and ×2 (where the addon loads; bench.ts chooses the same way)
// and wasm ×1 and ×2, each in a fresh process, and returns BENCHMARKS.md lines.
// "N = 1" is the plain Sampler (the batch-1 kernel that `sample` uses); "N = 1 batched" is `--num-samples 1`,
// which runs as a batch of 2 (one padding row) so that it equals stream i of any batch bit for bit.

import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Vocab } from "../src/data/vocab.js";
import { CharLSTM } from "../src/model.js";
import { Rng } from "../src/rng.js";
import { Sampler } from "../src/sample.js";
import { SampleBatch } from "../src/sample_batch.js";
import { createKernels } from "../src/kernels/select.js";
import { nativeUnavailable } from "../src/kernels/native/backend.js";
import { defaultCorpusPath } from "../src/io/node.js";
import { CONFIGS } from "./configs.js";

const STEPS = Number(process.env.BENCH_SAMPLE_STEPS ?? 2000);

async function measure(backend: string, threads: number): Promise<Record<string, number | string>> {
  const vocab = Vocab.fromText(readFileSync(defaultCorpusPath(), "utf8"));
  const { kernels } = await createKernels({ backend: backend as "js" | "wasm" | "native", threads });
  const c = CONFIGS.c;
  const model = new CharLSTM({ vocabSize: vocab.size, hidden: c.hidden, layers: c.layers, dropout: 0 }, kernels, new Rng(1));
  const out: Record<string, number | string> = { backend: kernels.name, threads };
  const s = new Sampler(model, vocab, { length: STEPS + 100, seed: 1 });
  for (let i = 0; i < 100; i++) s.next();   // warm-up
  let t0 = performance.now();
  for (let i = 0; i < STEPS; i++) s.next();
  out.n1_sampler = STEPS / ((performance.now() - t0) / 1000);
  for (const n of [1, 8, 32]) {
    const steps = Math.max(200, Math.round(STEPS / Math.sqrt(n)));
    const b = new SampleBatch(model, vocab, { length: steps + 50, seed: 1 }, n);
    for (let i = 0; i < 50; i++) b.step();
    t0 = performance.now();
    for (let i = 0; i < steps; i++) b.step();
    out[`n${n}`] = (n * steps) / ((performance.now() - t0) / 1000);
  }
  kernels.dispose?.();
  return out;
}

/** BENCHMARKS.md lines: chars/s of N samples at once, native (when built) and wasm ×1 and ×2, each in a fresh process. */
export function batchSamplingSection(): string[] {
  const script = fileURLToPath(import.meta.url);
  const fmt = (v: unknown) => (typeof v === "number" ? Math.round(v).toLocaleString("en-US") : "–");
  const lines = ["", "## Many samples at once (config c, `sample --num-samples N`: one forward of batch N per character)", "",
    "| backend | N = 1 (`sample`) | N = 1 batched | N = 8 | N = 32 |", "|---|---:|---:|---:|---:|"];
  const noNative = nativeUnavailable();
  for (const backend of ["native", "wasm"]) {
    if (backend === "native" && noNative) {
      lines.push(`| native: not built (${noNative}) | – | – | – | – |`);
      continue;
    }
    for (const threads of [1, 2]) {
      const r = spawnSync(process.execPath, [script, backend, String(threads)], { encoding: "utf8" });
      const row = r.status === 0 ? JSON.parse(r.stdout.trim().split("\n").at(-1)!) : {};
      if (r.status !== 0) console.error(`batch sampling ${backend}×${threads} failed:\n${r.stderr}`);
      lines.push(`| ${backend} ×${threads} | ${fmt(row.n1_sampler)} | ${fmt(row.n1)} | ${fmt(row.n8)} | ${fmt(row.n32)} |`);
    }
  }
  return lines;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [backend = "wasm", threads = "1"] = process.argv.slice(2);
  console.log(JSON.stringify(await measure(backend, Number(threads))));
}
