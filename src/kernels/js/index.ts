// The `js` backend: the plain TypeScript reference kernels as one Kernels object.
// jsKernels("f64") allocates Float64Array so the whole model runs in double for gradient checks.

import type { FloatArray, Kernels, RecurrentPack } from "../types.js";
import { gemm } from "./matmul.js";
import { addBias, gatherCols, lstmCellBackward, lstmCellForward, mul, scatterAddCols, softmaxXent,
         sumRows, sumSquares, scale, clamp } from "./pointwise.js";
import { adagrad, adam, rmsprop, sgd } from "./optim.js";

export function jsKernels(dtype: "f32" | "f64" = "f32"): Kernels {
  // The step kernels are the plain composition; there is nothing to pack.
  const lstmStepForward: Kernels["lstmStepForward"] = (a, hPrev, Whh, _pack, c, tanhC, h, cPrev, B, H) => {
    gemm(false, true, B, 4 * H, H, hPrev, Whh, a, 1);
    lstmCellForward(a, c, tanhC, h, cPrev, B, H);
  };
  const lstmStepBackward: Kernels["lstmStepBackward"] = (dANext, dA, dc, dh, gates, cPrev, tanhC, Whh, _pack, B, H) => {
    if (dANext) gemm(false, false, B, H, 4 * H, dANext, Whh, dh, 1);
    lstmCellBackward(dA, dc, dh, gates, cPrev, tanhC, B, H);
  };
  const lstmStep1: Kernels["lstmStep1"] = (x, D, Wih, bih, bhh, hPrev, Whh, a, c, tanhC, h, cPrev, H) => {
    if (typeof x === "number") gatherCols(a, Wih, Int32Array.of(x), 1, 4 * H, D);
    else gemm(false, true, 1, 4 * H, D, x, Wih, a, 0);
    addBias(a, bih, 1, 4 * H);
    addBias(a, bhh, 1, 4 * H);
    lstmStepForward(a, hPrev, Whh, null, c, tanhC, h, cPrev, 1, H);
  };
  return {
    name: dtype === "f32" ? "js" : "js-f64",
    dtype,
    alloc: (n: number): FloatArray => (dtype === "f32" ? new Float32Array(n) : new Float64Array(n)),
    allocInt: (n: number) => new Int32Array(n),
    gemm, addBias, sumRows, gatherCols, scatterAddCols, lstmCellForward, lstmCellBackward, softmaxXent,
    mul, sumSquares, scale, clamp, adam, rmsprop, adagrad, sgd,
    allocRecurrentPack: (H: number): RecurrentPack => ({ H }),
    packRecurrent: () => {},
    lstmStepForward, lstmStepBackward, lstmStep1,
  };
}
