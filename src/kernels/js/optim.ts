// Reference optimizer updates over one flat buffer (params, grads and moments share a layout).
// Formulas follow PyTorch's torch.optim so a run can move between the two; see Kernels in ../types.ts.

import type { FloatArray } from "../types.js";

export function adam(p: FloatArray, g: FloatArray, m: FloatArray, v: FloatArray, n: number,
                     lr: number, beta1: number, beta2: number, eps: number, bc1: number, bc2: number): void {
  const stepSize = lr / bc1, sqrtBc2 = Math.sqrt(bc2);
  for (let i = 0; i < n; i++) {
    const gi = g[i];
    const mi = (m[i] = beta1 * m[i] + (1 - beta1) * gi);
    const vi = (v[i] = beta2 * v[i] + (1 - beta2) * gi * gi);
    p[i] -= stepSize * mi / (Math.sqrt(vi) / sqrtBc2 + eps);
  }
}

export function rmsprop(p: FloatArray, g: FloatArray, v: FloatArray, n: number, lr: number, alpha: number, eps: number): void {
  for (let i = 0; i < n; i++) {
    const gi = g[i];
    const vi = (v[i] = alpha * v[i] + (1 - alpha) * gi * gi);
    p[i] -= lr * gi / (Math.sqrt(vi) + eps);
  }
}

export function adagrad(p: FloatArray, g: FloatArray, v: FloatArray, n: number, lr: number, eps: number): void {
  for (let i = 0; i < n; i++) {
    const gi = g[i];
    const vi = (v[i] += gi * gi);
    p[i] -= lr * gi / (Math.sqrt(vi) + eps);
  }
}

export function sgd(p: FloatArray, g: FloatArray, m: FloatArray, n: number, lr: number, momentum: number): void {
  if (momentum === 0) {
    for (let i = 0; i < n; i++) p[i] -= lr * g[i];
    return;
  }
  for (let i = 0; i < n; i++) {
    const mi = (m[i] = momentum * m[i] + g[i]);
    p[i] -= lr * mi;
  }
}
