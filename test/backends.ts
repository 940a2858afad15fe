// The backends every shared numeric test runs against: the js reference in float64 and float32, the wasm
// backend at 1 and 2 threads wherever WebAssembly SIMD validates here (everywhere Node 20 runs), and the
// native backend at 1 and 2 threads. A missing native addon FAILS the tests (npm test builds it, CI installs
// with npm ci which builds it too); only a platform that cannot run it (not x86-64, or a CPU without AVX2 +
// FMA) or an explicit CHAR_LSTM_SKIP_NATIVE=1 skips it, and the output says so.
// Call disposeBackends() in an after() hook so the wasm worker threads let the process exit.

import { jsKernels } from "../src/kernels/js/index.js";
import type { Kernels } from "../src/kernels/types.js";
import { simdSupported } from "../src/kernels/wasm/backend.js";
import { loadWasmKernelsNode } from "../src/kernels/wasm/node.js";
import { loadNativeKernelsNode, nativeUnavailable } from "../src/kernels/native/backend.js";

/** Why the native backend is not tested here (undefined: it is); throws where it should work but does not. */
export function nativeSkipReason(): string | undefined {
  const why = nativeUnavailable();
  if (!why) return undefined;
  if (process.arch !== "x64" || /lacks AVX2/.test(why)) return why;
  if (process.env.CHAR_LSTM_SKIP_NATIVE) return `CHAR_LSTM_SKIP_NATIVE is set (${why})`;
  throw new Error(`the native backend cannot be tested: ${why}. Build it with \`node tools/build-native.mjs --strict\` ` +
                  "(npm test does), or set CHAR_LSTM_SKIP_NATIVE=1 to test without it");
}

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
  const skip = nativeSkipReason();
  if (skip) console.log(`# native backend not tested: ${skip}`);
  else {
    opened.push({ name: "native×1", kernels: await loadNativeKernelsNode({ threads: 1 }) });
    opened.push({ name: "native×2", kernels: await loadNativeKernelsNode({ threads: 2, parallelMinFlops: 0, parallelColdMinFlops: 0, parallelMinCells: 0 }) });
  }
  return opened;
}

export function disposeBackends(): void {
  for (const b of opened ?? []) b.kernels.dispose?.();
  opened = null;
}
