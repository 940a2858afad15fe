// The fully connected head: y = x W^T + b over all T·B positions in one gemm. Forward and backward.

import type { FloatArray, Kernels } from "../kernels/types.js";

export interface LinearDims {
  /** Rows: positions (T·B). */ R: number;
  /** Input width (H). */ D: number;
  /** Output width (V). */ V: number;
}

// out: (R, V); x: (R, D); W: (V, D); b: (V)
export function linearForward(k: Kernels, out: FloatArray, x: FloatArray, W: FloatArray, b: FloatArray, dims: LinearDims): void {
  const { R, D, V } = dims;
  k.gemm(false, true, R, V, D, x, W, out, 0);   // out = x W^T
  k.addBias(out, b, R, V);                        // out += b
}

// dx: (R, D) written; dW: (V, D) and db: (V) accumulated; dout: (R, V)
export function linearBackward(k: Kernels, dx: FloatArray, dW: FloatArray, db: FloatArray, dout: FloatArray,
                               x: FloatArray, W: FloatArray, dims: LinearDims): void {
  const { R, D, V } = dims;
  // inverts: out = x W^T + b
  k.gemm(true, false, V, D, R, dout, x, dW, 1);  // dW += dout^T x
  k.sumRows(db, dout, R, V);                     // db += Σ_rows dout
  k.gemm(false, false, R, D, V, dout, W, dx, 0); // dx  = dout W
}
