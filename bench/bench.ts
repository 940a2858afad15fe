// `npm run bench`: training and sampling speed, GFLOP/s and peak RSS at the reference configs of
// DESIGN.md §7, for the native and wasm backends at 1 and 2 threads and the js backend, side by side with
// PyTorch (Debian's python3-torch on OpenBLAS) in the same run; writes BENCHMARKS.md. The ratios and GFLOP/s
// are those of the default backend (native where its addon is built, else wasm) at 2 threads; GFLOP/s is also
// given as a fraction of this machine's FMA peak, measured by the addon in every native run (16 independent
// register-only zmm FMA chains on one core, best over ~0.3 s; see native/peak.c), times the thread count.
//
// Every measurement runs in its own process, one at a time. This VM's speed drifts by ±20% over minutes
// (other tenants), so each config is measured in BENCH_ROUNDS rounds (default 3) that interleave char-lstm
// and PyTorch: a slow phase hits both sides alike. A figure is the best of its rounds (other load only ever
// slows a run down), and the ratio column also gives the range of the per-round ratios.
// Set BENCH_SECONDS (default 5) for the minimum timed training per measurement, BENCH_CONFIGS=abcd to choose
// configs, BENCH_JS=0 to skip js (measured once: it is the slow reference), BENCH_QUALITY_SECONDS (120).

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { defaultCorpusPath } from "../src/io/node.js";
import { keepQualitySections } from "./quality_lib.js";
import { keepGpuSection } from "./gpu_section.js";
import { CONFIGS } from "./configs.js";
import { batchSamplingSection } from "./sampling.js";
import { nativeUnavailable } from "../src/kernels/native/backend.js";

type Row = Record<string, number | string>;
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const configs = (process.env.BENCH_CONFIGS ?? "abcd").split("");
const SAMPLE_N = 20000;
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));

function measure(config: string, backend: string, threads: number): Row | null {
  const args = [here("./measure.js"), config, backend, String(threads)];
  if (config === "c") args.push("--sample", String(SAMPLE_N));
  const env = { ...process.env };
  if (backend === "js") env.BENCH_SECONDS = "0";   // the reference backend: a warm-up and two timed steps
  const r = spawnSync(process.execPath, args, { encoding: "utf8", env, maxBuffer: 1 << 20 });
  if (r.status !== 0) { console.error(`${config} ${backend}×${threads} failed:\n${r.stderr}`); return null; }
  return JSON.parse(r.stdout.trim().split("\n").at(-1)!);
}

function torchAvailable(): string | null {
  try {
    return execFileSync("/usr/bin/python3", ["-c", "import torch; print(torch.__version__)"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return null;
  }
}

/** The peer's environment: this machine forces slower OpenBLAS kernels through these two variables. */
function peerEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
}

function measureTorch(config: string, threads: number): Row | null {
  const c = CONFIGS[config];
  const env = peerEnv();
  const steps = { a: 300, b: 40, c: 20, d: 8 }[config] ?? 20;
  const args = [here("../../bench/peers/torch_charlstm.py"), "--text", defaultCorpusPath(), "--layers", String(c.layers), "--hidden", String(c.hidden),
                "--batch", String(c.batch), "--seq", String(c.seq), "--threads", String(threads), "--steps", String(steps)];
  if (config === "c") args.push("--sample", String(SAMPLE_N));
  const r = spawnSync("/usr/bin/python3", args, { encoding: "utf8", env });
  if (r.status !== 0) { console.error(`torch ${config}×${threads} failed:\n${r.stderr}`); return null; }
  return JSON.parse(r.stdout.trim().split("\n").at(-1)!);
}

const fmt = (v: unknown, d = 0) => (typeof v === "number" ? v.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d }) : "–");
const ratio = (a: unknown, b: unknown) => (typeof a === "number" && typeof b === "number" && b > 0 ? `${(a / b).toFixed(2)}×` : "–");

const cpu = os.cpus()[0]?.model ?? "unknown CPU";
const torchVersion = torchAvailable();
const noNative = nativeUnavailable();
if (noNative) console.error(`native backend not measured: ${noNative}`);
/** The backend the ratios are about: what `--backend auto` picks here. */
const DEF = noNative ? "wasm" : "native";
const OURS = `${DEF}2`;
/** Per config and column (native1, native2, wasm1, wasm2, js, torch1, torch2): every round's result. */
const rounds: Record<string, Record<string, Row[]>> = {};
for (const name of configs) {
  const per: Record<string, Row[]> = (rounds[name] = {});
  const add = (key: string, r: Row | null) => { if (r) (per[key] ??= []).push(r); };
  for (let round = 1; round <= ROUNDS; round++) {
    const tag = ROUNDS > 1 ? ` (round ${round}/${ROUNDS})` : "";
    const cols = [["native1", "native", 1], ["native2", "native", 2], ["wasm1", "wasm", 1], ["wasm2", "wasm", 2], ["js", "js", 1]] as const;
    for (const [key, backend, threads] of cols) {
      if (backend === "native" && noNative) continue;
      if (key === "js" && (process.env.BENCH_JS === "0" || round > 1)) continue;
      console.error(`measuring ${CONFIGS[name].label}: ${backend} × ${threads}${tag} …`);
      add(key, measure(name, backend, threads));
    }
    if (torchVersion) {
      for (const t of [1, 2]) {
        console.error(`measuring ${CONFIGS[name].label}: PyTorch × ${t}${tag} …`);
        add(`torch${t}`, measureTorch(name, t));
      }
    }
  }
}
/** The best round of each column: highest speeds; peak RSS is the highest seen (the worst case). */
const bestOf = (rows: Row[] | undefined): Row | null => {
  if (!rows?.length) return null;
  const out: Row = { ...rows[0] };
  for (const key of ["train_chars_per_s", "sample_chars_per_s", "gflops", "peak_rss_mb", "fma_peak_gflops"]) {
    const v = rows.map((r) => r[key]).filter((x): x is number => typeof x === "number");
    if (v.length) out[key] = Math.max(...v);
  }
  return out;
};
const results: Record<string, Record<string, Row | null>> = {};
for (const name of configs) {
  results[name] = {};
  for (const key of ["native1", "native2", "wasm1", "wasm2", "js", "torch1", "torch2"]) results[name][key] = bestOf(rounds[name][key]);
}
/** min–max over rounds of (default ×2) / (better PyTorch), each round against its own PyTorch figures. */
const roundRatios = (name: string, key: string): string => {
  const r = rounds[name], v: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const ours = r[OURS]?.[i]?.[key], t = [r.torch1?.[i]?.[key], r.torch2?.[i]?.[key]].filter((x): x is number => typeof x === "number");
    if (typeof ours === "number" && t.length) v.push(ours / Math.max(...t));
  }
  return v.length > 1 ? ` (rounds ${Math.min(...v).toFixed(2)}–${Math.max(...v).toFixed(2)})` : "";
};

// quality per wall time: config c on the bundled corpus, the same seconds for both
const qualitySeconds = Number(process.env.BENCH_QUALITY_SECONDS ?? 120);
const quality: Record<string, Row | null> = {};
if (qualitySeconds > 0) {
  console.error(`quality: config c for ${qualitySeconds}s, ${DEF} × 2 …`);
  const r = spawnSync(process.execPath, [here("./measure.js"), "c", DEF, "2", "--quality", String(qualitySeconds)], { encoding: "utf8" });
  quality[OURS] = r.status === 0 ? JSON.parse(r.stdout.trim().split("\n").at(-1)!) : null;
  if (torchVersion) {
    for (const t of [1, 2]) {
      console.error(`quality: config c for ${qualitySeconds}s, PyTorch × ${t} …`);
      const r = spawnSync("/usr/bin/python3", [here("../../bench/peers/torch_charlstm.py"), "--text", defaultCorpusPath(), "--layers", "2", "--hidden", "256",
                                               "--batch", "32", "--seq", "64", "--threads", String(t), "--seconds", String(qualitySeconds)], { encoding: "utf8", env: peerEnv() });
      quality[`torch${t}`] = r.status === 0 ? JSON.parse(r.stdout.trim().split("\n").at(-1)!) : null;
    }
  }
}

const best = (r: Record<string, Row | null>, key: string) => {
  const v = [r.torch1?.[key], r.torch2?.[key]].filter((x): x is number => typeof x === "number");
  return v.length ? Math.max(...v) : undefined;
};
const lines: string[] = [];
lines.push("# Benchmarks", "");
lines.push("Regenerate with `npm run bench` (about 30 minutes). Every figure comes from the same run on the same machine;");
lines.push("each measurement is a fresh process, one at a time. This shared 2-core VM drifts by ±20% over minutes, so each");
lines.push(`config ran in ${ROUNDS} rounds that interleave char-lstm and PyTorch; a figure is the best of its rounds (load only ever`);
lines.push("slows a run down), and each ratio also shows the range of its per-round ratios (each round against its own PyTorch).", "");
lines.push(`- machine: ${cpu}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; Node ${process.version}`);
lines.push(torchVersion
  ? `- peer: PyTorch ${torchVersion} (Debian python3-torch, ${results[configs[0]]?.torch1?.blas ?? "?"}), OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE unset, torch.set_num_threads(1 or 2); [bench/peers/torch_charlstm.py](bench/peers/torch_charlstm.py): nn.LSTM + Linear, one-hot input, Adam, clip 5, truncated BPTT with detached state`
  : "- peer: PyTorch not installed (`apt-get install python3-torch libopenblas0-openmp` adds the side-by-side columns)");
lines.push(`- workload: the bundled Moby Dick; training = forward, backward, clip, Adam, per B×T characters; GFLOP/s counts the gemm work (3 × forward multiply-adds per character, pointwise excluded)`, "");
const peaks = configs.flatMap((n) => [results[n].native1?.fma_peak_gflops, results[n].native2?.fma_peak_gflops]).filter((x): x is number => typeof x === "number");
const corePeak = peaks.length ? Math.max(...peaks) : undefined;
lines.push(corePeak
  ? `- FMA peak: ${fmt(corePeak)} GFLOP/s per core (the native addon's probe, native/peak.c: 16 independent register-only zmm FMA chains, best over ~0.3 s, in every native run; best of them), so ${fmt(2 * corePeak)} for 2 threads`
  : "- FMA peak: not measured (no native backend here)", "");
const ourLabel = `${DEF} ×2`;
const pct = (g: unknown) => (typeof g === "number" && corePeak ? ` (${((100 * g) / (2 * corePeak)).toFixed(0)}% of peak)` : "");
lines.push("## Training characters per second", "");
lines.push(`| config | native ×1 | native ×2 | wasm ×1 | wasm ×2 | js | PyTorch ×1 | PyTorch ×2 | ${ourLabel} / best PyTorch | GFLOP/s (${ourLabel}) |`);
lines.push("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
for (const name of configs) {
  const r = results[name];
  lines.push(`| ${CONFIGS[name].label} | ${fmt(r.native1?.train_chars_per_s)} | ${fmt(r.native2?.train_chars_per_s)} | ${fmt(r.wasm1?.train_chars_per_s)} | ${fmt(r.wasm2?.train_chars_per_s)} | ${fmt(r.js?.train_chars_per_s)} | ${fmt(r.torch1?.train_chars_per_s)} | ${fmt(r.torch2?.train_chars_per_s)} | **${ratio(r[OURS]?.train_chars_per_s, best(r, "train_chars_per_s"))}**${roundRatios(name, "train_chars_per_s")} | ${fmt(r[OURS]?.gflops, 1)}${pct(r[OURS]?.gflops)} |`);
}
if (results.c) {
  const r = results.c;
  lines.push("", "## Sampling characters per second (config c, batch 1, top-k off)", "");
  lines.push(`| native ×1 | native ×2 | wasm ×1 | wasm ×2 | js | PyTorch ×1 | PyTorch ×2 | ${ourLabel} / best PyTorch |`, "|---:|---:|---:|---:|---:|---:|---:|---:|");
  lines.push(`| ${fmt(r.native1?.sample_chars_per_s)} | ${fmt(r.native2?.sample_chars_per_s)} | ${fmt(r.wasm1?.sample_chars_per_s)} | ${fmt(r.wasm2?.sample_chars_per_s)} | ${fmt(r.js?.sample_chars_per_s)} | ${fmt(r.torch1?.sample_chars_per_s)} | ${fmt(r.torch2?.sample_chars_per_s)} | **${ratio(r[OURS]?.sample_chars_per_s, best(r, "sample_chars_per_s"))}**${roundRatios("c", "sample_chars_per_s")} |`);
}
if (results.c) lines.push(...batchSamplingSection());
if (qualitySeconds > 0) {
  lines.push("", `## Quality per wall time (config c, ${qualitySeconds} s of training on the bundled corpus, then validation)`, "");
  lines.push("| | steps | validation bits/char |", "|---|---:|---:|");
  lines.push(`| char-lstm ${ourLabel} | ${fmt(quality[OURS]?.steps)} | ${fmt(quality[OURS]?.val_bpc, 3)} |`);
  if (torchVersion) {
    for (const t of [1, 2]) lines.push(`| PyTorch ×${t} | ${fmt(quality[`torch${t}`]?.steps)} | ${fmt(quality[`torch${t}`]?.val_bpc, 3)} |`);
  }
}
lines.push("", "## Peak resident memory (MB, whole process)", "");
lines.push("| config | native ×1 | native ×2 | wasm ×1 | wasm ×2 | js | PyTorch ×1 | PyTorch ×2 |", "|---|---:|---:|---:|---:|---:|---:|---:|");
for (const name of configs) {
  const r = results[name];
  lines.push(`| ${CONFIGS[name].label} | ${fmt(r.native1?.peak_rss_mb)} | ${fmt(r.native2?.peak_rss_mb)} | ${fmt(r.wasm1?.peak_rss_mb)} | ${fmt(r.wasm2?.peak_rss_mb)} | ${fmt(r.js?.peak_rss_mb)} | ${fmt(r.torch1?.peak_rss_mb)} | ${fmt(r.torch2?.peak_rss_mb)} |`);
}
lines.push("", "Raw results (every round):", "", "```json", JSON.stringify({ rounds, quality }, null, 1).slice(0, 40000), "```", "");
const outPath = here("../../BENCHMARKS.md");
const previous = existsSync(outPath) ? readFileSync(outPath, "utf8") : null;
writeFileSync(outPath, keepGpuSection(keepQualitySections(lines.join("\n"), previous), previous));   // bench:quality's and bench:gpu's sections stay
console.error(`wrote ${outPath}`);
process.stdout.write(readFileSync(outPath, "utf8").split("Raw results")[0]);
