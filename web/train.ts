// The Train tab: runTraining in a fresh engine worker per run (the wasm arena of an old run is dropped with
// its worker), a live loss chart, samples as the model learns, stop, and a checkpoint download that the CLI
// loads like any other (`char-lstm sample char-lstm-….safetensors`).
//
// A run has a time budget (default a minute) and, as `char-lstm train --max-time` does, takes its model size,
// batch, window, learning rate and decay from the recipe table (src/recipe.ts: PAGE_RECIPES, the page's own
// row for short budgets on its slower kernels, then the CLI's) for that budget, unless "Settings from the
// recipe" is unticked; "none (steps)" trains for the given number of steps.
// Where the browser has WebGPU with a hardware adapter the steps run on the GPU (src/gpu, in the worker; the
// tab names the adapter and allows bigger models), else on the WebAssembly workers; "Train on" forces either.

import { $, fmt, setStatus, type App } from "./app.js";
import { LossChart } from "./chart.js";
import { Engine } from "./engine.js";
import type { TrainRequest } from "./messages.js";
import { describeRecipe, pickRecipe, PAGE_RECIPES, type RecipeRow } from "../src/recipe.js";

/** Validation and samples every so many training characters (B·T per step), whatever the recipe's batch:
 * at the 1m recipe's B4 × T64, every 400 steps, ~16 times a minute. */
const EVAL_CHARS = 102_400, SAMPLE_CHARS = 102_400;
const RECIPE_FIELDS = ["layers", "hidden", "seq", "batch", "lr", "eval", "sample-every"];
const clock = (s: number) => `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, "0")}`;
import { isSoftwareAdapter, adapterName } from "../src/gpu/device.js";

export function setupTrain(app: App): void {
  const form = $<HTMLFormElement>("train-form"), status = $("train-status");
  const start = $<HTMLButtonElement>("train-start"), stop = $<HTMLButtonElement>("train-stop");
  const download = $<HTMLButtonElement>("train-download"), use = $<HTMLButtonElement>("train-use");
  const samples = $("train-samples"), text = $<HTMLTextAreaElement>("train-text");
  const chart = new LossChart($<HTMLCanvasElement>("train-chart"));
  const num = (id: string) => Number(($(id) as HTMLInputElement).value);
  const budget = $<HTMLSelectElement>("train-budget"), useRecipe = $<HTMLInputElement>("train-recipe"), note = $("train-recipe-note");
  let row: RecipeRow | null = null;

  /** Fill the recipe's settings for the chosen budget into the form (read-only while the recipe is on). */
  function showRecipe(): void {
    const seconds = Number(budget.value);
    useRecipe.disabled = seconds === 0;
    row = seconds > 0 && useRecipe.checked ? pickRecipe(seconds, Math.max(1, text.value.length), PAGE_RECIPES) : null;
    for (const f of RECIPE_FIELDS) $<HTMLInputElement>(`train-${f}`).disabled = row !== null;
    form.dataset.recipe = row?.name ?? "";
    if (!row) {
      note.textContent = seconds ? "Your settings below, for the time budget." : "No time budget: training runs for the steps below.";
      return;
    }
    const r = row.recipe, set = (f: string, v: number) => { $<HTMLInputElement>(`train-${f}`).value = String(v); };
    set("layers", r.layers); set("hidden", r.hidden); set("seq", r.seq); set("batch", r.batch); set("lr", r.lr);
    set("eval", Math.max(1, Math.round(EVAL_CHARS / (r.batch * r.seq))));
    set("sample-every", Math.max(1, Math.round(SAMPLE_CHARS / (r.batch * r.seq))));
    note.textContent = `Recipe “${row.name}” of src/recipe.ts: ${describeRecipe(r)}.`;
  }
  budget.addEventListener("change", showRecipe);
  useRecipe.addEventListener("change", showRecipe);
  text.addEventListener("input", showRecipe);
  showRecipe();
  let engine: Engine | null = null, req: TrainRequest | null = null, running = false;
  let lastVal = NaN, lastStep = 0;
  const wanted = new Map<number, "download" | "use">();
  const device = $<HTMLSelectElement>("train-device"), gpuLine = $("train-gpu");
  void probeGpu(gpuLine);

  $<HTMLInputElement>("train-file").addEventListener("change", async (ev) => {
    const f = (ev.target as HTMLInputElement).files?.[0];
    if (f) text.value = await f.text();
    showRecipe();
  });

  function finish(message: string, error = false): void {
    running = false;
    start.disabled = false;
    stop.disabled = true;
    form.dataset.state = error ? "error" : "done";
    setStatus(status, message, error);
  }

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    if (running || !form.reportValidity()) return;
    if (text.value.length < 200) { setStatus(status, "Paste a longer text: a few thousand characters at least.", true); return; }
    showRecipe();
    const seconds = Number(budget.value);
    if (!seconds && !num("train-steps")) { setStatus(status, "Choose a time budget, or give a number of steps.", true); return; }
    const r = row?.recipe;
    req = {
      text: text.value, layers: num("train-layers"), hidden: num("train-hidden"), seq: num("train-seq"),
      batch: num("train-batch"), lr: num("train-lr"), steps: num("train-steps"), maxTime: seconds, evalEvery: num("train-eval"),
      sampleEvery: num("train-sample-every"), seed: 1, device: device.value as TrainRequest["device"],
      ...(r ? { dropout: r.dropout, decay: r.decay, lrMin: r.lrMinFrac * r.lr, warmup: r.warmup } : {}),
    };
    engine?.terminate();
    const e = (engine = new Engine(app.engineOptions));
    running = true;
    lastVal = NaN;
    lastStep = 0;
    start.disabled = true;
    stop.disabled = false;
    download.disabled = true;
    use.disabled = true;
    samples.replaceChildren();
    chart.reset(req.steps || 1);
    form.dataset.state = "running";
    setStatus(status, "Starting…");

    let kernels = "";
    e.on("ready", (m) => {
      form.dataset.kernels = `${m.backend}/${m.threads}`;
      kernels = m.backend === "wasm" ? `wasm kernels, ${m.threads} thread${m.threads > 1 ? "s" : ""}` : "js kernels";
    });
    e.on("started", (m) => {
      download.disabled = false;
      form.dataset.engine = m.gpu ? "webgpu" : "cpu";
      const span = req!.maxTime ? ` for ${clock(req!.maxTime)}` : "";
      const where = m.gpu ? `on the GPU with WebGPU (${m.gpu}); validation and samples on ${kernels}` : `${kernels}${m.gpuNotice ? ` (${m.gpuNotice})` : ""}`;
      setStatus(status, `Training ${req!.layers}×${req!.hidden} LSTM${span}, ${fmt(m.params)} parameters, vocabulary ${m.vocab}, on ${fmt(m.trainChars)} characters (validating on ${fmt(m.valChars)}); ${where}.`);
    });
    e.on("step", (m) => {
      lastStep = m.step;
      chart.addTrain(m.step, m.bpc);
      const val = Number.isNaN(lastVal) ? "" : ` · validation ${lastVal.toFixed(3)}`;
      const of = req!.steps ? ` of ${fmt(req!.steps)}` : "";
      const time = req!.maxTime && m.elapsed !== undefined ? ` · ${clock(m.elapsed)} of ${clock(req!.maxTime)}` : "";
      setStatus(status, `Step ${fmt(m.step)}${of} · epoch ${m.epoch.toFixed(2)} · ${m.bpc.toFixed(3)} bits/char${val} · ${fmt(m.charsPerSec)} chars/s${time}`);
    });
    e.on("eval", (m) => { lastVal = m.bpc; chart.addVal(m.step, m.bpc); });
    e.on("trainSample", (m) => {
      const li = document.createElement("li"), head = document.createElement("div"), pre = document.createElement("pre");
      head.className = "step";
      head.textContent = `step ${fmt(m.step)}`;
      pre.textContent = m.text;
      li.append(head, pre);
      samples.prepend(li);
      while (samples.children.length > 20) samples.lastElementChild!.remove();
    });
    e.on("trainDone", ({ report: r }) => {
      use.disabled = false;
      finish(`Done (${r.reason}) at step ${fmt(r.step)} in ${r.seconds.toFixed(1)} s: training ${(r.trainLoss / Math.LN2).toFixed(3)}, validation ${r.valBpc.toFixed(3)} bits/char.`);
    });
    e.on("checkpoint", (m) => {
      const why = wanted.get(m.id);
      wanted.delete(m.id);
      const name = `char-lstm-${req!.layers}x${req!.hidden}-step${m.step}.safetensors`;
      if (why === "use") {
        app.loadCheckpoint(m.bytes, name);
        app.showTab("sample");
        return;
      }
      const url = URL.createObjectURL(new Blob([m.bytes], { type: "application/octet-stream" }));
      const a = Object.assign(document.createElement("a"), { href: url, download: name });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    });
    e.on("error", (m) => {
      if (m.scope === "train" || m.scope === "init") finish(`Training failed: ${m.message}`, true);
      else setStatus(status, m.message, true);
    });
    e.send({ type: "train", req });
  });

  stop.addEventListener("click", () => {
    engine?.send({ type: "stopTrain" });
    setStatus(status, `Stopping after step ${fmt(lastStep)}…`);
  });
  const ask = (why: "download" | "use") => {
    if (!engine) return;
    const id = app.nextId();
    wanted.set(id, why);
    engine.send({ type: "checkpoint", id });
  };
  download.addEventListener("click", () => ask("download"));
  use.addEventListener("click", () => ask("use"));
}

/**
 * Say whether this browser has WebGPU and on what adapter; on a hardware adapter, allow the bigger models
 * only a GPU makes practical (up to 3×1024 at batch 128).
 */
async function probeGpu(line: HTMLElement): Promise<void> {
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  const adapter = gpu ? await gpu.requestAdapter({ powerPreference: "high-performance" }).catch(() => null) : null;
  if (!adapter) {
    line.textContent = "No WebGPU in this browser: training runs on the CPU (WebAssembly).";
    return;
  }
  const name = adapterName(adapter.info), software = isSoftwareAdapter(adapter);
  line.dataset.adapter = name;
  if (software) {
    line.textContent = `WebGPU: ${name}, a software adapter (slower than the CPU kernels; choose WebGPU to use it anyway).`;
    return;
  }
  line.textContent = `WebGPU: ${name}. Training runs on the GPU; models up to 4×2048 at batch 512 are practical there.`;
  $<HTMLInputElement>("train-hidden").max = "2048";
  $<HTMLInputElement>("train-batch").max = "512";
}
