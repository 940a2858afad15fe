// Backend selection for Node (the CLI's --backend / --threads): "auto" takes native where the addon was built
// and loads and the CPU has AVX2 + FMA, else wasm wherever WebAssembly SIMD works, else js, with a one-line
// notice saying why it fell back; "native" and "wasm" insist and fail with a clear error. The browser build
// never imports this file (it uses wasm/browser.ts), so it never sees the native loader.

import os from "node:os";
import type { Kernels } from "./types.js";
import { jsKernels } from "./js/index.js";
import { simdSupported } from "./wasm/backend.js";
import { loadWasmKernelsNode } from "./wasm/node.js";

export type BackendChoice = "auto" | "native" | "wasm" | "js";

export interface CreateKernelsOptions {
  /** Default "auto". */
  backend?: BackendChoice;
  /** Threads for the native and wasm backends, including the calling one (default defaultThreads()). */
  threads?: number;
  /** Microseconds the pool spins before sleeping (default 50). */
  spin?: number;
}

export interface SelectedKernels {
  kernels: Kernels & { dispose?(): void };
  /** Set when "auto" fell back (native → wasm, or → js): one line saying why. */
  notice?: string;
}

/** Cores to use by default: all available (see docs/modules.md for how the kernels scale). */
export function defaultThreads(): number {
  const n = typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, n);
}

export { backendLabel } from "./label.js";

export async function createKernels(opts: CreateKernelsOptions = {}): Promise<SelectedKernels> {
  const backend = opts.backend ?? "auto";
  if (backend === "js") return { kernels: jsKernels("f32") };
  if (backend !== "auto" && backend !== "wasm" && backend !== "native") {
    throw new Error(`unknown backend "${String(backend)}" (expected auto, native, wasm or js)`);
  }
  const threads = opts.threads ?? defaultThreads();
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`threads must be a positive integer, got ${threads}`);
  let fellBack: string | undefined;
  if (backend !== "wasm") {
    const { loadNativeKernelsNode, nativeUnavailable } = await import("./native/backend.js");
    const why = nativeUnavailable() ?? (simdSupported() ? undefined : "WebAssembly SIMD128 (with shared memory) is not supported by this runtime");
    if (why === undefined) {
      try {
        return { kernels: await loadNativeKernelsNode({ threads, spin: opts.spin }) };
      } catch (e) {
        const msg = (e as Error).message ?? String(e);
        if (backend === "native") throw new Error(`backend native failed to load: ${msg}`);
        fellBack = `native backend unavailable (${msg})`;
      }
    } else {
      if (backend === "native") throw new Error(`backend native: ${why}`);
      fellBack = `native backend unavailable: ${why}`;
    }
  }
  if (!simdSupported()) {
    const why = "WebAssembly SIMD128 (with shared memory) is not supported by this runtime";
    if (backend === "wasm") throw new Error(`backend wasm: ${why}`);
    return { kernels: jsKernels("f32"), notice: `${why}; using the slower js backend` };
  }
  try {
    const kernels = await loadWasmKernelsNode({ threads, spin: opts.spin });
    return fellBack ? { kernels, notice: `${fellBack}; using wasm` } : { kernels };
  } catch (e) {
    const why = (e as Error).message ?? String(e);
    if (backend === "wasm") throw new Error(`backend wasm failed to load: ${why}`);
    return { kernels: jsKernels("f32"), notice: `wasm backend unavailable (${why}); using the slower js backend` };
  }
}
