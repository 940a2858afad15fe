// Backend selection for Node (the CLI's --backend / --threads): "auto" takes wasm wherever WebAssembly SIMD
// works and falls back to js with a one-line notice saying why; "wasm" insists and fails with a clear error.

import os from "node:os";
import type { Kernels } from "./types.js";
import { jsKernels } from "./js/index.js";
import { simdSupported } from "./wasm/backend.js";
import { loadWasmKernelsNode } from "./wasm/node.js";

export type BackendChoice = "auto" | "js" | "wasm";

export interface CreateKernelsOptions {
  /** Default "auto". */
  backend?: BackendChoice;
  /** Threads for the wasm backend, including the calling one (default defaultThreads()). */
  threads?: number;
  /** Microseconds the wasm pool spins before sleeping (default 50). */
  spin?: number;
}

export interface SelectedKernels {
  kernels: Kernels & { dispose?(): void };
  /** Set when "auto" fell back to js: one line saying why. */
  notice?: string;
}

/** Cores to use by default: all available, at most 4 (LSTM-sized gemms stop scaling beyond that). */
export function defaultThreads(): number {
  const n = typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, Math.min(4, n));
}

export async function createKernels(opts: CreateKernelsOptions = {}): Promise<SelectedKernels> {
  const backend = opts.backend ?? "auto";
  if (backend === "js") return { kernels: jsKernels("f32") };
  if (backend !== "auto" && backend !== "wasm") {
    throw new Error(`unknown backend "${String(backend)}" (expected auto, js or wasm)`);
  }
  const threads = opts.threads ?? defaultThreads();
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`threads must be a positive integer, got ${threads}`);
  if (!simdSupported()) {
    const why = "WebAssembly SIMD128 (with shared memory) is not supported by this runtime";
    if (backend === "wasm") throw new Error(`backend wasm: ${why}`);
    return { kernels: jsKernels("f32"), notice: `${why}; using the slower js backend` };
  }
  try {
    return { kernels: await loadWasmKernelsNode({ threads, spin: opts.spin }) };
  } catch (e) {
    const why = (e as Error).message ?? String(e);
    if (backend === "wasm") throw new Error(`backend wasm failed to load: ${why}`);
    return { kernels: jsKernels("f32"), notice: `wasm backend unavailable (${why}); using the slower js backend` };
  }
}
