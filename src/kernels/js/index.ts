// The `js` backend: the plain TypeScript reference kernels as one Kernels object.
// jsKernels("f64") allocates Float64Array so the whole model runs in double for gradient checks.

import type { FloatArray, Kernels } from "../types.js";
import { gemm } from "./matmul.js";
import { addBias, gatherCols, lstmCellBackward, lstmCellForward, mul, scatterAddCols, softmaxXent,
         sumRows, sumSquares, scale, clamp } from "./pointwise.js";
import { adagrad, adam, rmsprop, sgd } from "./optim.js";

export function jsKernels(dtype: "f32" | "f64" = "f32"): Kernels {
  return {
    name: dtype === "f32" ? "js" : "js-f64",
    dtype,
    alloc: (n: number): FloatArray => (dtype === "f32" ? new Float32Array(n) : new Float64Array(n)),
    allocInt: (n: number) => new Int32Array(n),
    gemm, addBias, sumRows, gatherCols, scatterAddCols, lstmCellForward, lstmCellBackward, softmaxXent,
    mul, sumSquares, scale, clamp, adam, rmsprop, adagrad, sgd,
  };
}
