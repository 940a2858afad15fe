// Gradient clipping over the flat gradient buffer, and the learning-rate schedules.

import type { ClipMode, DecayMode } from "../config.js";
import type { FloatArray, Kernels } from "../kernels/types.js";

/**
 * Returns the global L2 norm of the gradient (before clipping; NaN/Infinity when any entry is non-finite,
 * which the trainer treats as a bad step). Mode "norm": if ‖g‖ > c, g *= c/‖g‖ (torch's clip_grad_norm_,
 * including its 1e-6 in the denominator). Mode "value": each entry clamped to [−c, c]. c = 0 disables.
 */
export function clipGradients(k: Kernels, g: FloatArray, mode: ClipMode, c: number): number {
  const norm = Math.sqrt(k.sumSquares(g, g.length));
  if (c > 0 && Number.isFinite(norm)) {
    if (mode === "norm") {
      const coef = c / (norm + 1e-6);
      if (coef < 1) k.scale(g, coef, g.length);
    } else {
      k.clamp(g, c, g.length);
    }
  }
  return norm;
}

export interface Schedule {
  lr: number;
  decay: DecayMode;
  decayRate: number;
  decayEvery: number;
  lrMin: number;
  maxSteps: number;
}

/** Learning rate for the update that completes step `step` (0-based count of updates already done). */
export function learningRate(s: Schedule, step: number): number {
  switch (s.decay) {
    case "none":
      return s.lr;
    case "step":
      return s.lr * s.decayRate ** Math.floor(step / s.decayEvery);
    case "cosine": {
      const frac = Math.min(step / Math.max(s.maxSteps, 1), 1);
      return s.lrMin + 0.5 * (s.lr - s.lrMin) * (1 + Math.cos(Math.PI * frac));
    }
  }
}
