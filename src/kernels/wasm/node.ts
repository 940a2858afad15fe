// Node-only loader for the wasm backend: reads dist/kernels.wasm next to this package and wires the
// worker_threads pool. The library core (backend.ts) never touches fs or worker_threads itself.

import { readFile } from "node:fs/promises";
import { createWasmKernels, type WasmKernels } from "./backend.js";
import { nodeWorkerFactory } from "./node_pool.js";
import { webAssembly, type WasmModule } from "./wasm_api.js";

export interface NodeWasmOptions {
  /** Threads including the calling one (default 1). */
  threads?: number;
  /** Microseconds to spin before Atomics.wait (default 50; 0 for a busy shared machine or CI). */
  spin?: number;
  /** Path or URL of kernels.wasm (default: the package's dist/kernels.wasm). */
  wasmPath?: string | URL;
  /** See WasmKernelsOptions.maxMemoryBytes. */
  maxMemoryBytes?: number;
  /** See WasmKernelsOptions.parallelMinFlops. */
  parallelMinFlops?: number;
  /** See WasmKernelsOptions.parallelColdMinFlops. */
  parallelColdMinFlops?: number;
  /** See WasmKernelsOptions.parallelMinCells. */
  parallelMinCells?: number;
}

// This file is compiled to dist/src/kernels/wasm/node.js, three levels under dist/ where asc writes the wasm.
// The second candidate serves a run straight from the sources (src/kernels/wasm/node.ts via a TS loader).
const CANDIDATES = [new URL("../../../kernels.wasm", import.meta.url), new URL("../../../dist/kernels.wasm", import.meta.url)];

const compiled = new Map<string, Promise<WasmModule>>();

/** The compiled kernels module, read and compiled once per process and path. */
export function loadWasmModuleNode(wasmPath?: string | URL): Promise<WasmModule> {
  const key = wasmPath === undefined ? "" : String(wasmPath);
  let p = compiled.get(key);
  if (!p) {
    p = (async () => {
      const wa = webAssembly();
      if (!wa) throw new Error("this runtime has no WebAssembly");
      let bytes: Uint8Array | undefined;
      let firstErr: unknown;
      for (const where of wasmPath === undefined ? CANDIDATES : [wasmPath]) {
        try {
          bytes = await readFile(where);
          break;
        } catch (e) {
          firstErr ??= e;
        }
      }
      if (!bytes) {
        throw new Error(`cannot read kernels.wasm (${(firstErr as Error).message}); run \`npm run build\``);
      }
      return wa.compile(bytes);
    })();
    p.catch(() => compiled.delete(key));
    compiled.set(key, p);
  }
  return p;
}

/** The wasm backend for Node: dist/kernels.wasm, with a worker_threads pool when threads > 1. */
export async function loadWasmKernelsNode(opts: NodeWasmOptions = {}): Promise<WasmKernels> {
  const module = await loadWasmModuleNode(opts.wasmPath);
  const threads = Math.max(1, Math.floor(opts.threads ?? 1));
  return createWasmKernels({
    module,
    threads,
    spin: opts.spin,
    maxMemoryBytes: opts.maxMemoryBytes,
    parallelMinFlops: opts.parallelMinFlops,
    parallelColdMinFlops: opts.parallelColdMinFlops,
    parallelMinCells: opts.parallelMinCells,
    workerFactory: threads > 1 ? nodeWorkerFactory : undefined,
  });
}
