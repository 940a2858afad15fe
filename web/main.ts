// The page: three tabs over the char-lstm library running in Web Workers. A model comes from the server
// (`char-lstm serve` → /api/checkpoint), a dropped or picked .safetensors file, or the Train tab.
// URL options: ?backend=js|wasm|auto (kernels), ?threads=N (kernel threads for training).

import { $, fmt, setStatus, type App, type TabName } from "./app.js";
import { Engine, type EngineOptions } from "./engine.js";
import type { ModelInfo } from "./messages.js";
import { setupSample } from "./sample.js";
import { setupCells } from "./cells.js";
import { setupTrain } from "./train.js";
import { LossChart } from "./chart.js";

const params = new URLSearchParams(location.search);
const backendParam = params.get("backend");
const backend: EngineOptions["backend"] = backendParam === "js" || backendParam === "wasm" ? backendParam : "auto";
const defaultThreads = self.crossOriginIsolated ? Math.min(4, Math.max(1, Math.floor((navigator.hardwareConcurrency || 2) / 2))) : 1;
const threads = Math.max(1, Math.min(16, Number(params.get("threads")) || defaultThreads));

const modelStatus = $("model-status");
const curves = $<HTMLDetailsElement>("model-curves");
const curvesChart = new LossChart($<HTMLCanvasElement>("curves-chart"));
/** Set while the model in the worker is the server's: its curves come from GET /api/history. */
let servedModel = false;
/** The server has a model to offer (the "Load the served model" button shows while another one is loaded). */
let serverHasModel = false;
const listeners: ((info: ModelInfo) => void)[] = [];
let ids = 0;

const app: App = {
  engine: new Engine({ backend, threads: 1 }),
  engineOptions: { backend, threads },
  model: null,
  lastText: "",
  onModel: (fn) => listeners.push(fn),
  loadCheckpoint(bytes, name) {
    setStatus(modelStatus, `Loading ${name}…`);
    app.engine.send({ type: "load", bytes, name }, [bytes]);
  },
  showTab,
  nextId: () => ++ids,
  generate(opts) {
    const id = app.nextId();
    let text = "";
    return new Promise((resolve, reject) => {
      const offText = app.engine.on("text", (m) => { if (m.id === id) text += m.text; });
      const offDone = app.engine.on("done", (m) => { if (m.id === id) { offs(); resolve(text); } });
      const offErr = app.engine.on("error", (m) => { if (m.id === id) { offs(); reject(new Error(m.message)); } });
      const offs = () => { offText(); offDone(); offErr(); };
      app.engine.send({ type: "sample", id, opts });
    });
  },
};

app.engine.on("loaded", ({ info }) => {
  app.model = info;
  const bpc = info.best_val_bpc !== null ? ` · ${info.best_val_bpc.toFixed(3)} bits/char (validation)` : "";
  const step = info.step !== null ? ` · step ${fmt(info.step)}` : "";
  modelStatus.innerHTML = "";
  const name = document.createElement("strong");
  name.textContent = info.name;
  modelStatus.append(name, ` · ${info.layers}×${info.hidden} LSTM · vocabulary ${info.vocab_size} · ${fmt(info.params)} parameters${step}${bpc}`);
  modelStatus.classList.remove("error");
  document.body.dataset.model = "loaded";
  void showCurves(info, servedModel);
  $("load-server").hidden = !serverHasModel || servedModel;
  servedModel = false;
  for (const fn of listeners) fn(info);
});

/** The model header's learning curves: the served checkpoint's from /api/history, a loaded file's from the file. */
async function showCurves(info: ModelInfo, served: boolean): Promise<void> {
  let points = info.history;
  if (served) {
    try {
      const res = await fetch("./api/history");
      if (res.ok) points = ((await res.json()) as { history: ModelInfo["history"] }).history;
    } catch { /* keep the file's own history */ }
  }
  curves.hidden = points.length === 0;
  curves.dataset.source = served ? "api" : "checkpoint";
  curvesChart.reset(points.reduce((m, p) => Math.max(m, p.step), 1));
  for (const p of points) {
    if (p.train_bpc !== null) curvesChart.addTrain(p.step, p.train_bpc);
    if (p.val_bpc !== null) curvesChart.addVal(p.step, p.val_bpc);
  }
  const best = points.filter((p) => p.val_bpc !== null).sort((a, b) => a.val_bpc! - b.val_bpc!)[0];
  $("curves-caption").textContent = `${points.length} evaluations of the run that wrote this checkpoint, bits/char against steps`
    + (best ? `; best validation ${best.val_bpc!.toFixed(3)} at step ${fmt(best.step)}.` : ".");
}
app.engine.on("error", (m) => {
  if (m.scope === "load") servedModel = false;
  if (m.scope === "load" || m.scope === "init") setStatus(modelStatus, `Could not load the model: ${m.message}`, true);
});
app.engine.on("ready", (m) => {
  const what = m.backend === "wasm" ? "WebAssembly SIMD" : "plain JavaScript";
  $("backend-status").textContent = `Kernels: ${what}.${m.notice ? ` (${m.notice}.)` : ""}`;
  document.body.dataset.backend = m.backend;
});

// ---- tabs (WAI-ARIA tabs: arrow keys move between them, Tab goes into the panel) ----
const tabs = [...document.querySelectorAll<HTMLButtonElement>('[role="tab"]')];
const tabListeners: ((name: TabName) => void)[] = [];
function showTab(name: TabName): void {
  for (const t of tabs) {
    const on = t.id === `tab-${name}`;
    t.setAttribute("aria-selected", String(on));
    t.tabIndex = on ? 0 : -1;
    $(t.getAttribute("aria-controls")!).hidden = !on;
  }
  for (const fn of tabListeners) fn(name);
}
for (const t of tabs) {
  t.addEventListener("click", () => showTab(t.id.slice(4) as TabName));
  t.addEventListener("keydown", (ev) => {
    const i = tabs.indexOf(t);
    const next = ev.key === "ArrowRight" ? (i + 1) % tabs.length : ev.key === "ArrowLeft" ? (i + tabs.length - 1) % tabs.length
      : ev.key === "Home" ? 0 : ev.key === "End" ? tabs.length - 1 : -1;
    if (next < 0) return;
    ev.preventDefault();
    tabs[next].focus();
    showTab(tabs[next].id.slice(4) as TabName);
  });
}

// ---- loading a checkpoint: the server's, a picked file, a dropped file ----
async function loadFromServer(): Promise<void> {
  try {
    setStatus(modelStatus, "Loading the served model…");
    const res = await fetch("./api/checkpoint");
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const name = /filename="([^"]+)"/.exec(res.headers.get("Content-Disposition") ?? "")?.[1] ?? "served model";
    servedModel = true;
    app.loadCheckpoint(await res.arrayBuffer(), name);
  } catch (e) {
    setStatus(modelStatus, `Could not fetch the served model: ${(e as Error).message}`, true);
  }
}

async function probeServer(): Promise<void> {
  try {
    const res = await fetch("./api/model");
    if (!res.ok || !(res.headers.get("Content-Type") ?? "").includes("json")) throw new Error("no API");
    const button = $<HTMLButtonElement>("load-server");
    serverHasModel = true;
    button.addEventListener("click", () => void loadFromServer());
    await loadFromServer();
  } catch {
    setStatus(modelStatus, "No model loaded: open a .safetensors checkpoint (or drop one on the page), or train one in the Train tab.");
  }
}

async function openFile(file: File): Promise<void> {
  const isText = file.type.startsWith("text/") || /\.(txt|md|text)$/i.test(file.name);
  if (isText) {
    ($("train-text") as HTMLTextAreaElement).value = await file.text();
    showTab("train");
    return;
  }
  app.loadCheckpoint(await file.arrayBuffer(), file.name);
}

$<HTMLInputElement>("ckpt-file").addEventListener("change", (ev) => {
  const f = (ev.target as HTMLInputElement).files?.[0];
  if (f) void openFile(f);
});

const overlay = $("drop-overlay");
let dragDepth = 0;
addEventListener("dragenter", (ev) => {
  if (!ev.dataTransfer?.types.includes("Files")) return;
  dragDepth++;
  overlay.hidden = false;
});
addEventListener("dragleave", () => {
  if (--dragDepth <= 0) { dragDepth = 0; overlay.hidden = true; }
});
addEventListener("dragover", (ev) => {
  if (ev.dataTransfer?.types.includes("Files")) ev.preventDefault();
});
addEventListener("drop", (ev) => {
  dragDepth = 0;
  overlay.hidden = true;
  const f = ev.dataTransfer?.files[0];
  if (!f) return;
  ev.preventDefault();
  void openFile(f);
});

setupSample(app);
setupCells(app, (fn) => tabListeners.push(fn));
setupTrain(app);
void probeServer();
