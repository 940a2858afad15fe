// Gradient clipping over the flat gradient buffer (the learning-rate schedules are in schedule.ts).

import type { ClipMode } from "../config.js";
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
