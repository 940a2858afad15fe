// The reference configurations of DESIGN.md §7 and the floating-point work of one training character.

export interface BenchConfig {
  layers: number;
  hidden: number;
  batch: number;
  seq: number;
  label: string;
}

export const CONFIGS: Record<string, BenchConfig> = {
  a: { layers: 1, hidden: 100, batch: 1, seq: 25, label: "a) 1×100, B=1, T=25 (the seed)" },
  b: { layers: 2, hidden: 128, batch: 32, seq: 64, label: "b) 2×128, B=32, T=64" },
  c: { layers: 2, hidden: 256, batch: 32, seq: 64, label: "c) 2×256, B=32, T=64" },
  d: { layers: 2, hidden: 512, batch: 64, seq: 100, label: "d) 2×512, B=64, T=100" },
  /** The GPU config (bench/gpu.ts); `npm run bench` measures a–d. */
  e: { layers: 3, hidden: 1024, batch: 128, seq: 128, label: "e) 3×1024, B=128, T=128" },
};

/**
 * Multiply-add FLOPs per training character: forward gemms are the recurrence 2·4H·H per layer, the input
 * projection 2·4H·H for layers ≥ 2 (layer 1's one-hot input is a gather, no FLOPs) and the head 2·H·V;
 * backward runs two gemms of the same size for each (dX and dW), so training is 3× the forward count.
 * Pointwise work is not counted.
 */
export function trainFlopsPerChar(c: BenchConfig, V: number): number {
  let fwd = 2 * c.hidden * V;
  for (let l = 0; l < c.layers; l++) fwd += 2 * 4 * c.hidden * c.hidden * (l === 0 ? 1 : 2);
  return 3 * fwd;
}
