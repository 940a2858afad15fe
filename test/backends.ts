// The backends every shared numeric test runs against: the js reference in float64 and float32, and the
// wasm backend (1 and 2 threads) wherever WebAssembly SIMD validates here.

import { jsKernels } from "../src/kernels/js/index.js";
import type { Kernels } from "../src/kernels/types.js";

export interface TestBackend {
  name: string;
  kernels: Kernels;
}

export async function testBackends(): Promise<TestBackend[]> {
  return [
    { name: "js-f64", kernels: jsKernels("f64") },
    { name: "js-f32", kernels: jsKernels("f32") },
  ];
}
