// Softmax and cross-entropy fused (llm.c): the loss and its gradient in one pass over the logits.
//
// loss = (1/R) Σ_r −log softmax(z_r)[y_r]   (nats; the mean over all T·B targets)
// ∂loss/∂z_r = (softmax(z_r) − onehot(y_r)) / R, written over the logits in place.

import type { FloatArray, Kernels } from "../kernels/types.js";

/** Returns the summed loss in nats over the R rows; logits (R, V) become ∂(mean loss)/∂logits. */
export function softmaxXentForwardBackward(k: Kernels, logits: FloatArray, targets: Int32Array, R: number, V: number): number {
  return k.softmaxXent(logits, targets, R, V, 1 / R);
}

/** Softmax of one row of logits at a temperature, into probs (V), in float64 for sampling. */
export function softmaxRow(probs: Float64Array, logits: ArrayLike<number>, V: number, temperature: number): void {
  let mx = -Infinity;
  for (let v = 0; v < V; v++) if (logits[v] > mx) mx = logits[v];
  let sum = 0;
  for (let v = 0; v < V; v++) {
    const e = Math.exp((logits[v] - mx) / temperature);
    probs[v] = e;
    sum += e;
  }
  for (let v = 0; v < V; v++) probs[v] /= sum;
}
