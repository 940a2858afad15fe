// The Cells tab: Karpathy's activation view. The engine worker traces a text through the model (the
// library's traceText: every layer's c and h at every character, and the top next-character guesses); the
// page colours each character by one cell's value and ranks cells by correlation with simple features.
// Only the features the traced text has are offered (a text without quotes cannot rank cells by "inside
// quotes": every cell would read r = 0); the first of them in the list is the default.

import { cellSeries, featureShows, rankCells, textFeatures, type CellValue, type Trace } from "../src/visualize.js";
import { $, fmt, setStatus, showChar, type App, type TabName } from "./app.js";

const MAX_CHARS = 20_000;

/** Background for a value in [−1, 1]: blue below zero, orange-red above, transparent at zero. */
function colour(v: number): string {
  const a = Math.min(1, Math.abs(v)) * 0.85;
  return a < 0.02 ? "" : `rgba(var(${v < 0 ? "--neg" : "--pos"}), ${a.toFixed(2)})`;
}

export function setupCells(app: App, onTab: (fn: (name: TabName) => void) => void): void {
  const text = $<HTMLTextAreaElement>("cells-text"), traceBtn = $<HTMLButtonElement>("cells-trace");
  const useSample = $<HTMLButtonElement>("cells-use-sample"), rankBtn = $<HTMLButtonElement>("cells-rank");
  const layerSel = $<HTMLSelectElement>("cells-layer"), cellIn = $<HTMLInputElement>("cells-cell");
  const valueSel = $<HTMLSelectElement>("cells-value"), featureSel = $<HTMLSelectElement>("cells-feature");
  const ranking = $("cells-ranking"), status = $("cells-status"), view = $("cells-view"), info = $("cells-info");
  let trace: Trace | null = null, spans: HTMLSpanElement[] = [], series: Float32Array = new Float32Array(0);
  let cursor = -1, pending = 0, autoStarted = false;

  const layer = () => Number(layerSel.value) || 0;
  const cell = () => Math.max(0, Math.min((app.model?.hidden ?? 1) - 1, Math.floor(Number(cellIn.value) || 0)));
  const what = () => valueSel.value as CellValue;

  app.onModel((m) => {
    layerSel.replaceChildren(...Array.from({ length: m.layers }, (_, l) => new Option(`${l + 1} of ${m.layers}`, String(l))));
    cellIn.max = String(m.hidden - 1);
    cellIn.value = "0";
    traceBtn.disabled = false;
    trace = null;
    view.replaceChildren();
    ranking.replaceChildren();
    rankBtn.disabled = true;
    autoStarted = false;
    say("Trace a text to begin.");
  });

  /** The side panel's text when no character is under the cursor. */
  function say(text: string): void {
    info.replaceChildren(Object.assign(document.createElement("p"), { textContent: text }));
  }
  const featureNames = new Map([...featureSel.options].map((o) => [o.value, o.text]));

  /** Offer the features this text has; keep the chosen one when it is among them, else take the first. */
  function offerFeatures(tr: Trace): string[] {
    const shown = textFeatures(tr.chars).filter((f) => featureShows(f)).map((f) => f.name);
    for (const o of featureSel.options) {
      const has = shown.includes(o.value);
      o.disabled = !has;
      o.text = featureNames.get(o.value)! + (has ? "" : " (not in this text)");
    }
    if (shown.length && !shown.includes(featureSel.value)) featureSel.value = shown[0];
    featureSel.dataset.offered = shown.join(" ");
    return shown;
  }

  function recolour(): void {
    if (!trace) return;
    series = cellSeries(trace, layer(), cell(), what());
    for (let t = 0; t < spans.length; t++) spans[t].style.backgroundColor = colour(series[t]);
    view.dataset.layer = String(layer());
    view.dataset.cell = String(cell());
    for (const b of ranking.querySelectorAll<HTMLButtonElement>("button")) {
      b.setAttribute("aria-pressed", String(b.dataset.layer === String(layer()) && b.dataset.cell === String(cell())));
    }
    if (cursor >= 0) describe(cursor);
  }

  function select(l: number, c: number): void {
    layerSel.value = String(l);
    cellIn.value = String(c);
    recolour();
  }

  function rank(): void {
    if (!trace) return;
    if (featureSel.selectedOptions[0]?.disabled) {
      ranking.replaceChildren();
      setStatus(status, `${trace.n} characters traced; the text is too short or too even to rank cells by any of these features.`);
      return;
    }
    const feature = textFeatures(trace.chars).find((f) => f.name === featureSel.value)!;
    const top = rankCells(trace, feature, what(), 10);
    ranking.replaceChildren(...top.map((r) => {
      const li = document.createElement("li"), b = document.createElement("button");
      b.type = "button";
      b.dataset.layer = String(r.layer);
      b.dataset.cell = String(r.cell);
      b.textContent = `layer ${r.layer + 1} · cell ${r.cell} · r ${r.r >= 0 ? "+" : "−"}${Math.abs(r.r).toFixed(2)}`;
      b.addEventListener("click", () => select(r.layer, r.cell));
      li.append(b);
      return li;
    }));
    if (top.length) select(top[0].layer, top[0].cell);
    setStatus(status, `${trace.n} characters traced; cells ranked by |correlation| with “${featureSel.selectedOptions[0].text}”.`);
  }

  function describe(t: number): void {
    if (!trace) return;
    const { K, topIds, topProbs, bits } = trace;
    const vocab = app.model!.vocab;
    const head = document.createElement("p");
    const strong = document.createElement("strong");
    strong.textContent = `“${showChar(trace.chars[t])}”`;
    head.append(strong, ` at position ${fmt(t + 1)} of ${fmt(trace.n)}`);
    const val = document.createElement("p");
    val.textContent = `layer ${layer() + 1}, cell ${cell()}: ${series[t] >= 0 ? "+" : "−"}${Math.abs(series[t]).toFixed(3)}`;
    const surprise = document.createElement("p");
    surprise.textContent = Number.isNaN(bits[t]) ? "first character (nothing predicted it)" : `it cost ${bits[t].toFixed(2)} bits to predict`;
    const next = document.createElement("p");
    next.textContent = "The model's guesses for the next character:";
    const table = document.createElement("table");
    for (let k = 0; k < K; k++) {
      const p = topProbs[t * K + k], row = table.insertRow();
      const ch = row.insertCell(), barCell = row.insertCell(), pct = row.insertCell();
      ch.className = "char";
      ch.textContent = showChar(vocab[topIds[t * K + k]]);
      const bar = document.createElement("div");
      bar.className = "bar";
      bar.style.width = `${Math.max(1, p * 100).toFixed(1)}%`;
      barCell.append(bar);
      pct.textContent = `${(p * 100).toFixed(1)}%`;
    }
    info.replaceChildren(head, val, surprise, next, table);
  }

  function moveCursor(t: number, scroll = true): void {
    if (!trace) return;
    t = Math.max(0, Math.min(trace.n - 1, t));
    if (cursor >= 0) spans[cursor]?.classList.remove("cursor");
    cursor = t;
    spans[t].classList.add("cursor");
    if (scroll) spans[t].scrollIntoView({ block: "nearest" });
    describe(t);
  }

  function render(tr: Trace): void {
    trace = tr;
    cursor = -1;
    const frag = document.createDocumentFragment();
    spans = tr.chars.map((ch, t) => {
      const s = document.createElement("span");
      s.className = ch === "\n" ? "ch nl" : "ch";
      s.dataset.t = String(t);
      s.textContent = ch;
      frag.append(s);
      return s;
    });
    view.replaceChildren(frag);
    view.dataset.spans = String(spans.length);
    rankBtn.disabled = false;
    say("Hover a character, or focus the text and use the arrow keys, to see this cell's value there and the model's guesses for the next character.");
    offerFeatures(tr);
    rank();
  }

  app.engine.on("trace", (m) => {
    if (m.id !== pending) return;
    pending = 0;
    traceBtn.disabled = false;
    render(m.trace);
  });
  app.engine.on("error", (m) => {
    if (m.scope !== "trace" || m.id !== pending) return;
    pending = 0;
    traceBtn.disabled = false;
    setStatus(status, m.message, true);
    if (!trace) say("Trace a text to begin.");
  });

  function startTrace(): void {
    if (!app.model || pending) return;
    let t = text.value;
    if (!t) { setStatus(status, "Paste a text to read, or generate one in the Sample tab first.", true); return; }
    if (t.length > MAX_CHARS) t = t.slice(0, MAX_CHARS);
    pending = app.nextId();
    traceBtn.disabled = true;
    setStatus(status, "Tracing…");
    if (!trace) say("Tracing the text…");
    app.engine.send({ type: "trace", id: pending, text: t });
  }

  traceBtn.addEventListener("click", startTrace);
  useSample.addEventListener("click", () => { text.value = app.lastText; startTrace(); });
  rankBtn.addEventListener("click", rank);
  layerSel.addEventListener("change", recolour);
  cellIn.addEventListener("input", recolour);
  valueSel.addEventListener("change", recolour);
  featureSel.addEventListener("change", () => { if (trace) rank(); });
  // follow the pointer only when it moves: text scrolled under a still pointer must not steal the keyboard's cursor
  let pointerX = NaN, pointerY = NaN;
  view.addEventListener("mousemove", (ev) => {
    if (ev.clientX === pointerX && ev.clientY === pointerY) return;
    pointerX = ev.clientX;
    pointerY = ev.clientY;
    const s = (ev.target as HTMLElement).closest<HTMLElement>(".ch");
    if (s && Number(s.dataset.t) !== cursor) moveCursor(Number(s.dataset.t), false);
  });
  view.addEventListener("keydown", (ev) => {
    if (!trace) return;
    const step: Record<string, number> = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: 40, ArrowUp: -40, PageDown: 400, PageUp: -400 };
    if (ev.key in step) moveCursor((cursor < 0 ? 0 : cursor) + step[ev.key]);
    else if (ev.key === "Home") moveCursor(0);
    else if (ev.key === "End") moveCursor(trace.n - 1);
    else return;
    ev.preventDefault();
  });
  view.addEventListener("focus", () => { if (trace && cursor < 0) moveCursor(0); });

  // Opening the tab with a model and nothing to read: read the last sample, or generate a fresh text.
  onTab(async (name) => {
    useSample.disabled = !app.lastText;
    if (name !== "cells" || !app.model || trace || pending || autoStarted) return;
    autoStarted = true;
    if (!text.value) {
      setStatus(status, "Generating a text to read…");
      try {
        text.value = app.lastText || await app.generate({ length: 1500, temperature: 0.8, seed: 1, prime: "" });
      } catch (e) {
        setStatus(status, (e as Error).message, true);
        return;
      }
    }
    startTrace();
  });
}
