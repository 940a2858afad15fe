// `npm run bench:gpu`: training characters/second of the WebGPU engine at configs c, d and e, beside PyTorch's
// cuDNN nn.LSTM on the same GPU (bench/peers/torch_charlstm.py --device cuda, where torch sees CUDA) and our
// native CPU figure (bench/measure.js, 2 threads, as BENCHMARKS.md's main table); writes BENCHMARKS.md's GPU
// section (between <!-- gpu:begin --> and <!-- gpu:end -->) with the adapter's name.
//
//   node dist/bench/gpu.js [--configs cde] [--no-peers]      on a machine with a GPU
//   node dist/bench/gpu.js --smoke                           a tiny config on any adapter, SwiftShader
//                                                            included: checks the script, prints JSON, writes nothing
//
// A timed run: 3 warm-up steps and a read-back, then steps for at least BENCH_SECONDS (default 5) with the
// losses collected as the engine delivers them (a step or two late), then a final wait for the queue. A
// software adapter never writes BENCHMARKS.md (its figures say nothing about GPUs).

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { Corpus } from "../src/data/corpus.js";
import { defaultTrain } from "../src/config.js";
import { Trainer } from "../src/train.js";
import { jsKernels } from "../src/kernels/js/index.js";
import { defaultCorpusPath } from "../src/io/node.js";
import { GpuEngine } from "../src/gpu/engine.js";
import { openNodeDevice } from "../src/gpu/node_gpu.js";
import { CONFIGS, type BenchConfig } from "./configs.js";
import { replaceGpuSection } from "./gpu_section.js";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const argv = process.argv.slice(2);
const smoke = argv.includes("--smoke");
const noPeers = argv.includes("--no-peers") || smoke;
const ci = argv.indexOf("--configs");
const names = smoke ? ["smoke"] : (ci >= 0 ? argv[ci + 1] : "cde").split("");
const minSeconds = smoke ? 0 : Number(process.env.BENCH_SECONDS ?? 5);

const GPU_CONFIGS: Record<string, BenchConfig> = {
  ...CONFIGS,
  smoke: { layers: 2, hidden: 16, batch: 2, seq: 4, label: "smoke: 2×16, B=2, T=4" },
};

const text = readFileSync(defaultCorpusPath(), "utf8");
const corpus = Corpus.fromText(smoke ? text.slice(0, 20000) : text, { valFrac: 0.05, testFrac: 0.05 });

async function measureGpu(c: BenchConfig): Promise<{ adapter: string; software: boolean; charsPerSec: number; steps: number; loss: number }> {
  const gpu = await openNodeDevice();
  const trainer = Trainer.create(corpus, { layers: c.layers, hidden: c.hidden, dropout: 0 }, { ...defaultTrain, batch: c.batch, seq: c.seq, maxSteps: 1e9 }, jsKernels("f32"));
  let engine: GpuEngine;
  try {
    engine = await GpuEngine.create(gpu, trainer.model.config, trainer.config);
  } catch (e) {
    gpu.destroy();
    throw e;
  }
  try {
    trainer.useEngine(engine);
    for (let i = 0; i < 3; i++) await trainer.advance();
    await trainer.sync();
    let steps = 0, loss = NaN;
    const t0 = performance.now();
    while (steps < 3 || performance.now() - t0 < minSeconds * 1000) {
      for (const r of await trainer.advance()) loss = r.loss;
      steps++;
    }
    for (const r of await trainer.flush()) loss = r.loss;
    const dt = (performance.now() - t0) / 1000;
    return { adapter: gpu.name, software: gpu.software, charsPerSec: (steps * c.batch * c.seq) / dt, steps, loss };
  } finally {
    engine.dispose();
  }
}

function measureCuda(name: string, c: BenchConfig): number | null {
  try {
    execFileSync("/usr/bin/python3", ["-c", "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)"], { stdio: "ignore" });
  } catch {
    return null;
  }
  const steps = { c: 50, d: 30, e: 10 }[name] ?? 20;
  const r = spawnSync("/usr/bin/python3", [here("../../bench/peers/torch_charlstm.py"), "--text", defaultCorpusPath(), "--device", "cuda", "--layers", String(c.layers),
                                           "--hidden", String(c.hidden), "--batch", String(c.batch), "--seq", String(c.seq), "--steps", String(steps)], { encoding: "utf8" });
  if (r.status !== 0) { console.error(`torch cuda ${name} failed:\n${r.stderr}`); return null; }
  return (JSON.parse(r.stdout.trim().split("\n").at(-1)!) as { train_chars_per_s: number }).train_chars_per_s;
}

function measureNative(name: string): number | null {
  const r = spawnSync(process.execPath, [here("./measure.js"), name, "native", "2"], { encoding: "utf8" });
  if (r.status !== 0) { console.error(`native ${name} failed:\n${r.stderr}`); return null; }
  return (JSON.parse(r.stdout.trim().split("\n").at(-1)!) as { train_chars_per_s: number }).train_chars_per_s;
}

const fmt = (v: number | null) => (v === null ? "–" : Math.round(v).toLocaleString("en-US"));
const ratio = (a: number, b: number | null) => (b ? `${(a / b).toFixed(2)}×` : "–");

const rows: string[] = [];
let adapter = "", software = false;
const raw: Record<string, unknown> = {};
for (const name of names) {
  const c = GPU_CONFIGS[name];
  if (!c) throw new Error(`unknown config ${name} (c, d, e)`);
  const g = await measureGpu(c);
  adapter = g.adapter;
  software = g.software;
  const cuda = noPeers ? null : measureCuda(name, c);
  const native = noPeers ? null : measureNative(name);
  raw[name] = { webgpu: g, cuda, native2: native };
  console.error(`${c.label}: webgpu ${fmt(g.charsPerSec)} chars/s (${g.steps} steps, loss ${g.loss.toFixed(3)}), cuDNN ${fmt(cuda)}, native×2 ${fmt(native)}`);
  rows.push(`| ${c.label} | ${fmt(g.charsPerSec)} | ${fmt(cuda)} | ${fmt(native)} | ${ratio(g.charsPerSec, cuda)} | ${ratio(g.charsPerSec, native)} |`);
}

if (smoke) {
  console.log(JSON.stringify({ adapter, software, results: raw }));
} else if (software) {
  console.error(`${adapter} is a software adapter: figures printed, BENCHMARKS.md left alone`);
} else {
  const body = [
    "## GPU: the WebGPU engine (`npm run bench:gpu`)",
    "",
    `- adapter: ${adapter}; host: ${os.cpus()[0]?.model ?? "unknown CPU"}, ${os.cpus().length} cores; Node ${process.version}; ${new Date().toISOString().slice(0, 10)}`,
    "- webgpu: training chars/s of src/gpu's engine (forward, backward, clip, Adam per B×T characters; losses read back asynchronously)",
    "- cuDNN: PyTorch's nn.LSTM on the same GPU (bench/peers/torch_charlstm.py --device cuda; loss.item() each step); native: our CPU kernels, 2 threads",
    "",
    "| config | webgpu | PyTorch cuDNN | native ×2 | webgpu / cuDNN | webgpu / native |",
    "|---|---:|---:|---:|---:|---:|",
    ...rows,
  ].join("\n");
  const out = here("../../BENCHMARKS.md");
  const md = existsSync(out) ? readFileSync(out, "utf8") : "# Benchmarks\n";
  writeFileSync(out, replaceGpuSection(md, body));
  console.error(`wrote the GPU section of ${out}`);
}
