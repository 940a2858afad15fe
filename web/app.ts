// What the three tabs share: the engine holding the loaded model, that model's description, the last
// generated text, and a few helpers. main.ts makes it; sample.ts, cells.ts and train.ts use it.

import type { SampleOptions } from "../src/index.js";
import type { Engine, EngineOptions } from "./engine.js";
import type { ModelInfo } from "./messages.js";

export type TabName = "sample" | "cells" | "train";

export interface App {
  /** The worker holding the loaded model (sampling, tracing). */
  engine: Engine;
  /** Options for engines the tabs start (the Train tab starts one per run). */
  engineOptions: EngineOptions;
  model: ModelInfo | null;
  /** Prime + generated text of the last finished generation. */
  lastText: string;
  /** Called with the new model each time one is loaded. */
  onModel(fn: (info: ModelInfo) => void): void;
  /** Load checkpoint bytes into the engine (the buffer is transferred). */
  loadCheckpoint(bytes: ArrayBuffer, name: string): void;
  showTab(name: TabName): void;
  nextId(): number;
  /** A whole generation at once (for the cell view's default text). */
  generate(opts: SampleOptions): Promise<string>;
}

export function $<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page lacks #${id}`);
  return el as T;
}

export const fmt = (n: number, digits = 0): string =>
  n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** A character made visible: new line, tab and space get a symbol. */
export function showChar(ch: string): string {
  if (ch === "\n") return "↵";
  if (ch === "\t") return "⇥";
  if (ch === " ") return "␣";
  return ch;
}

export function setStatus(el: HTMLElement, text: string, error = false): void {
  el.textContent = text;
  el.classList.toggle("error", error);
}

export function randomSeed(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0];
}
