// Browser loader for the wasm backend: fetch kernels.wasm, check that this page can run it (WebAssembly
// SIMD128 and SharedArrayBuffer, i.e. a cross-origin-isolated page), and with threads > 1 start a pool of Web
// Workers sharing the memory. Anything missing falls back to the js backend with a one-line notice, as
// select.ts does for Node.
//
// The pool's worker entry is the page's own module (bundlers only follow `new Worker(new URL(…))` written in
// the page's code): it calls runPoolWorker(self), and the page passes a createWorker() that starts it.
// Call these kernels from a Web Worker, not the page's main thread: the kernels block while the pool works,
// and a main thread cannot Atomics.wait (protocol.ts then spins).
//
// Platform types: the project compiles without lib.dom, so fetch comes from Node's typings (same shape as
// the browser's) and Worker / crossOriginIsolated / navigator are read from globalThis through the minimal
// interfaces below.

import type { Kernels } from "../types.js";
import { jsKernels } from "../js/index.js";
import { createWasmKernels, simdSupported, type PoolWorker, type WorkerFactory } from "./backend.js";
import { runWorkerLoop, type WorkerInit } from "./protocol.js";
import { webAssembly, type WasmModule } from "./wasm_api.js";

/** The parts of a Web Worker (as seen from the page) the pool uses. */
export interface WorkerLike {
  postMessage(message: unknown): void;
  terminate(): void;
  addEventListener(type: "message" | "error", listener: (ev: { data?: unknown; message?: string }) => void): void;
}

/** The parts of a worker's global scope (self) that runPoolWorker uses. */
export interface WorkerScope {
  postMessage(message: unknown): void;
  addEventListener(type: "message", listener: (ev: { data: unknown }) => void, opts?: { once?: boolean }): void;
}

export interface BrowserKernelsOptions {
  /** "auto" (default): wasm where it works, else js with a notice; "wasm": fail instead; "js": js. */
  backend?: "auto" | "wasm" | "js";
  /** Where kernels.wasm is served (e.g. `import url from "…/kernels.wasm?url"` with Vite). */
  wasmUrl: string | URL;
  /** Threads including the calling one (default 1). More need createWorker and a cross-origin-isolated page. */
  threads?: number;
  /** Starts one pool worker whose entry calls runPoolWorker(self). */
  createWorker?: () => WorkerLike;
  /** Microseconds to spin before Atomics.wait (default 50). */
  spin?: number;
  /** Largest the memory may grow to (default 1 GiB: a page should not reserve the 4 GiB a CLI may). */
  maxMemoryBytes?: number;
}

export interface BrowserKernels {
  kernels: Kernels & { dispose?(): void };
  /** Set when "auto" fell back to js, or threads were reduced: one line saying why. */
  notice?: string;
}

interface BrowserGlobals {
  crossOriginIsolated?: boolean;
  navigator?: { hardwareConcurrency?: number };
}

/** Whether the page may share memory with workers (COOP same-origin + COEP require-corp). */
export function crossOriginIsolated(): boolean {
  return (globalThis as BrowserGlobals).crossOriginIsolated === true;
}

/** Cores the browser reports (1 when it does not say). */
export function hardwareConcurrency(): number {
  return Math.max(1, (globalThis as BrowserGlobals).navigator?.hardwareConcurrency ?? 1);
}

const modules = new Map<string, Promise<WasmModule>>();

/** kernels.wasm from `url`, fetched and compiled once per page (or worker) and URL. */
export function loadWasmModuleBrowser(url: string | URL): Promise<WasmModule> {
  const key = String(url);
  let p = modules.get(key);
  if (!p) {
    p = (async () => {
      const wa = webAssembly();
      if (!wa) throw new Error("this browser has no WebAssembly");
      const res = await fetch(key);
      if (!res.ok) throw new Error(`cannot fetch ${key}: HTTP ${res.status}`);
      return wa.compile(await res.arrayBuffer());
    })();
    p.catch(() => modules.delete(key));
    modules.set(key, p);
  }
  return p;
}

function webWorkerFactory(create: () => WorkerLike): WorkerFactory {
  return (init: WorkerInit) => new Promise<PoolWorker>((resolve, reject) => {
    const w = create();
    let settled = false;
    w.addEventListener("message", (ev) => {
      if (settled) return;
      settled = true;
      if (ev.data === "ready") resolve({ terminate: () => w.terminate() });
      else { w.terminate(); reject(new Error(`kernel worker: unexpected message ${String(ev.data)}`)); }
    });
    w.addEventListener("error", (ev) => {
      if (settled) return;
      settled = true;
      w.terminate();
      reject(new Error(`kernel worker failed to start: ${ev.message ?? "error"}`));
    });
    w.postMessage(init);
  });
}

/** The kernels for a page: wasm (SIMD, optionally threaded) where the page can run it, else js. */
export async function loadKernelsBrowser(opts: BrowserKernelsOptions): Promise<BrowserKernels> {
  const backend = opts.backend ?? "auto";
  if (backend === "js") return { kernels: jsKernels("f32") };
  const fail = (why: string): BrowserKernels => {
    if (backend === "wasm") throw new Error(`backend wasm: ${why}`);
    return { kernels: jsKernels("f32"), notice: `${why}; using the slower js backend` };
  };
  if (!simdSupported()) {
    return fail(typeof SharedArrayBuffer === "undefined"
      ? "SharedArrayBuffer is unavailable (the page is not cross-origin isolated)"
      : "this browser lacks WebAssembly SIMD128");
  }
  let threads = Math.max(1, Math.floor(opts.threads ?? 1));
  let notice: string | undefined;
  if (threads > 1 && (!opts.createWorker || !crossOriginIsolated())) {
    notice = "kernel threads need a cross-origin-isolated page; running single-threaded";
    threads = 1;
  }
  try {
    const module = await loadWasmModuleBrowser(opts.wasmUrl);
    const kernels = await createWasmKernels({
      module, threads, spin: opts.spin, maxMemoryBytes: opts.maxMemoryBytes ?? 1 << 30,
      workerFactory: threads > 1 ? webWorkerFactory(opts.createWorker!) : undefined,
    });
    return notice ? { kernels, notice } : { kernels };
  } catch (e) {
    return fail(`the wasm backend failed to load (${(e as Error).message ?? String(e)})`);
  }
}

/** A pool worker's whole life (call as the worker module's body): instantiate, say ready, run jobs. */
export function runPoolWorker(scope: WorkerScope): void {
  scope.addEventListener("message", (ev) => {
    const init = ev.data as WorkerInit;
    const instance = new (webAssembly()!.Instance)(init.module as WasmModule, { env: { memory: init.memory } });
    runWorkerLoop(instance.exports, init.memory, init.ctrl, init.spin, () => scope.postMessage("ready"));
  }, { once: true });
}
