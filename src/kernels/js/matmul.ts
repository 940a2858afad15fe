// Reference gemm in plain TypeScript, generic over Float32Array | Float64Array.
//
// C (M, N) = beta·C + op(A) (M, K) · op(B) (K, N), row-major and contiguous. Each transpose case has its
// own loop order so the innermost loop walks memory with stride 1 wherever the layout allows:
//   NN: C[i,:] += A[i,k]·B[k,:]          (i-k-j, B and C rows contiguous)
//   NT: C[i,j]  = Σ_k A[i,k]·B[j,k]      (dot products of two contiguous rows)
//   TN: C[i,:] += A[k,i]·B[k,:]          (k-i-j, B and C rows contiguous)
//   TT: C[i,j]  = Σ_k A[k,i]·B[j,k]      (rare; strided, kept simple)
// Accumulation is in the array's own precision, as the wasm backend does in f32.

import type { FloatArray } from "../types.js";

export function gemm(transA: boolean, transB: boolean, M: number, N: number, K: number,
                     A: FloatArray, B: FloatArray, C: FloatArray, beta: 0 | 1): void {
  if (beta === 0) C.fill(0, 0, M * N);
  if (!transA && !transB) {
    for (let i = 0; i < M; i++) {
      const ci = i * N;
      for (let k = 0; k < K; k++) {
        const a = A[i * K + k];
        if (a === 0) continue;
        const bk = k * N;
        for (let j = 0; j < N; j++) C[ci + j] += a * B[bk + j];
      }
    }
  } else if (!transA && transB) {
    for (let i = 0; i < M; i++) {
      const ai = i * K;
      for (let j = 0; j < N; j++) {
        const bj = j * K;
        let s = 0;
        for (let k = 0; k < K; k++) s += A[ai + k] * B[bj + k];
        C[i * N + j] += s;
      }
    }
  } else if (transA && !transB) {
    for (let k = 0; k < K; k++) {
      const ak = k * M, bk = k * N;
      for (let i = 0; i < M; i++) {
        const a = A[ak + i];
        if (a === 0) continue;
        const ci = i * N;
        for (let j = 0; j < N; j++) C[ci + j] += a * B[bk + j];
      }
    }
  } else {
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += A[k * M + i] * B[j * K + k];
        C[i * N + j] += s;
      }
    }
  }
}
