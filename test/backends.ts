// The backends every shared numeric test runs against: the js reference in float64 and float32, and the
// wasm backend at 1 and 2 threads wherever WebAssembly SIMD validates here (everywhere Node 20 runs).
// Call disposeBackends() in an after() hook so the wasm worker threads let the process exit.

import { jsKernels } from "../src/kernels/js/index.js";
import type { Kernels } from "../src/kernels/types.js";
import { simdSupported } from "../src/kernels/wasm/backend.js";
import { loadWasmKernelsNode } from "../src/kernels/wasm/node.js";

export interface TestBackend {
  name: string;
  kernels: Kernels & { dispose?(): void };
}

let opened: TestBackend[] | null = null;

export async function testBackends(): Promise<TestBackend[]> {
  if (opened) return opened;
  opened = [
    { name: "js-f64", kernels: jsKernels("f64") },
    { name: "js-f32", kernels: jsKernels("f32") },
  ];
  if (simdSupported()) {
    opened.push({ name: "wasm×1", kernels: await loadWasmKernelsNode({ threads: 1 }) });
    // parallel thresholds at 0 so even these tiny shapes take the threaded paths
    opened.push({ name: "wasm×2", kernels: await loadWasmKernelsNode({ threads: 2, parallelMinFlops: 0, parallelColdMinFlops: 0, parallelMinCells: 0 }) });
  } else if (process.env.CI) {
    throw new Error("WebAssembly SIMD is not supported by this Node: the wasm backend cannot be tested");
  }
  return opened;
}

export function disposeBackends(): void {
  for (const b of opened ?? []) b.kernels.dispose?.();
  opened = null;
}
