// The page's handle on an engine worker (worker.ts): typed messages both ways, subscribe by message type.
// The wasm kernels are bundled as a file (kernels.wasm from `npm run build`) and handed to the worker by URL.

import wasmAsset from "../dist/kernels.wasm?url";
import type { FromWorker, ToWorker } from "./messages.js";

type Handler<T extends FromWorker["type"]> = (m: Extract<FromWorker, { type: T }>) => void;

export interface EngineOptions {
  /** Kernel threads (used only when the page is cross-origin isolated). */
  threads: number;
  backend: "auto" | "wasm" | "js";
}

export class Engine {
  private readonly worker: Worker;
  private readonly handlers = new Map<string, Set<(m: FromWorker) => void>>();

  constructor(opts: EngineOptions) {
    this.worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module", name: "char-lstm engine" });
    this.worker.addEventListener("message", (ev: MessageEvent<FromWorker>) => {
      for (const h of this.handlers.get(ev.data.type) ?? []) h(ev.data);
    });
    this.worker.addEventListener("error", (ev) => {
      for (const h of this.handlers.get("error") ?? []) h({ type: "error", scope: "init", message: ev.message || "the engine worker failed to start" });
    });
    this.send({ type: "init", wasmUrl: new URL(wasmAsset, location.href).href, threads: opts.threads, backend: opts.backend });
  }

  send(m: ToWorker, transfer: Transferable[] = []): void {
    this.worker.postMessage(m, transfer);
  }

  /** Calls fn for every message of this type; returns the unsubscribe function. */
  on<T extends FromWorker["type"]>(type: T, fn: Handler<T>): () => void {
    let set = this.handlers.get(type);
    if (!set) this.handlers.set(type, (set = new Set()));
    const h = fn as (m: FromWorker) => void;
    set.add(h);
    return () => set.delete(h);
  }

  terminate(): void {
    this.worker.terminate();
    this.handlers.clear();
  }
}
