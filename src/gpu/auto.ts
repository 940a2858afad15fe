// When `--backend auto` trains on the GPU: only on a hardware adapter (never SwiftShader or another software
// fallback: correct, but slower than our CPU kernels), and only for a model and batch big enough that the
// GPU's fixed cost per step (about 2·L·T + 20 dispatches and one small read-back) is a small part of it.
//
// The measure is the recurrent work of a window, L·T·B·H² multiply-adds per gate. The threshold is an
// estimate until `npm run bench:gpu` measures where the GPU starts to win on real hardware: 2^27 puts the
// reference config b (2×128, B 32, T 64: 2^26) on the CPU and c (2×256, B 32, T 64: 2^28) and larger on
// the GPU. `--backend webgpu` takes the GPU whatever the size.

import type { ModelConfig } from "../config.js";

export const AUTO_GPU_MIN_WORK = 2 ** 27;

/** Recurrent multiply-adds per gate in a window: L·T·B·H². */
export function windowWork(m: Pick<ModelConfig, "layers" | "hidden">, B: number, T: number): number {
  return m.layers * T * B * m.hidden * m.hidden;
}

export function bigEnoughForGpu(m: Pick<ModelConfig, "layers" | "hidden">, B: number, T: number): boolean {
  return windowWork(m, B, T) >= AUTO_GPU_MIN_WORK;
}
