// The kernel interface: every numeric loop the model runs, behind one small seam.
//
// Two backends implement it: `js` (plain TypeScript, generic over Float32Array | Float64Array, the readable
// reference and the float64 gradient-check engine) and `wasm` (AssemblyScript + SIMD128, buffers living in
// WebAssembly memory). A backend is a plain object; there is no registry, engine or tape.
//
// Contract shared by every kernel:
// - Matrices are row-major and contiguous; a sub-matrix is passed as a `subarray` view, never as an offset.
// - Buffers come from the same backend's `alloc`/`allocInt` (the wasm backend addresses them by byteOffset
//   inside its memory; a foreign array is a programming error).
// - Shapes are given in the argument comments as (rows, cols); B batch, T time, H hidden, V vocabulary.
// - LSTM gate order along the 4H axis is i, f, g, o (PyTorch's order), see GATES below.

export type FloatArray = Float32Array | Float64Array;

/** Gate order along the 4H axis of every LSTM tensor: input, forget, cell candidate, output (PyTorch). */
export const GATES = ["i", "f", "g", "o"] as const;

/**
 * A layer's recurrent weights W_hh rearranged for the step kernels' products (a backend's own layout; the js
 * backend keeps nothing). Made by allocRecurrentPack, filled by packRecurrent for one pass at a time.
 */
export interface RecurrentPack {
  readonly H: number;
}

export interface Kernels {
  /** "js", "js-f64", "wasm" or "native". */
  readonly name: string;
  readonly dtype: "f32" | "f64";

  /** A zero-filled float array of n elements that this backend's kernels can address. */
  alloc(n: number): FloatArray;
  /** A zero-filled Int32Array of n elements (token ids) that this backend's kernels can address. */
  allocInt(n: number): Int32Array;

  /**
   * C = beta·C + op(A)·op(B), with op(A) (M, K) and op(B) (K, N); beta is 0 or 1.
   * A is stored (M, K), or (K, M) when transA; B is stored (K, N), or (N, K) when transB; C is (M, N).
   */
  gemm(transA: boolean, transB: boolean, M: number, N: number, K: number,
       A: FloatArray, B: FloatArray, C: FloatArray, beta: 0 | 1): void;

  /** out (R, N) row r += bias (N). */
  addBias(out: FloatArray, bias: FloatArray, R: number, N: number): void;
  /** db (N) += Σ_r d (R, N) row r. */
  sumRows(db: FloatArray, d: FloatArray, R: number, N: number): void;

  /** One-hot input as a gather: out (R, N) row r = W (N, V) column idx[r]. */
  gatherCols(out: FloatArray, W: FloatArray, idx: Int32Array, R: number, N: number, V: number): void;
  /** Its backward: dW (N, V) column idx[r] += d (R, N) row r. */
  scatterAddCols(dW: FloatArray, d: FloatArray, idx: Int32Array, R: number, N: number, V: number): void;

  /**
   * Fused LSTM cell forward over a batch, for one time step.
   * gates (B, 4H): in, pre-activations a = [a_i a_f a_g a_o]; out, post-activations [i f g o] in place.
   * c = f⊙cPrev + i⊙g; tanhC = tanh(c); h = o⊙tanhC. cPrev, c, tanhC, h: (B, H).
   */
  lstmCellForward(gates: FloatArray, c: FloatArray, tanhC: FloatArray, h: FloatArray,
                  cPrev: FloatArray, B: number, H: number): void;

  /**
   * Fused LSTM cell backward, for one time step (inverts lstmCellForward).
   * dA (B, 4H): out, gradient w.r.t. the pre-activations (overwritten).
   * dc (B, H): in, ∂L/∂c_t arriving from step t+1; out, ∂L/∂c_{t-1} (overwritten in place).
   * dh (B, H): in, ∂L/∂h_t (from the layer above plus step t+1). gates: post-activations; cPrev, tanhC: (B, H).
   */
  lstmCellBackward(dA: FloatArray, dc: FloatArray, dh: FloatArray, gates: FloatArray,
                   cPrev: FloatArray, tanhC: FloatArray, B: number, H: number): void;

  /** Space for one layer's packed recurrent weights (hidden size H). */
  allocRecurrentPack(H: number): RecurrentPack;
  /**
   * Fills `pack` from W_hh (4H, H) for the step kernels of the forward or the backward pass. The pack is a
   * snapshot: repack after W_hh changes (the LSTM layer packs at the start of every pass).
   */
  packRecurrent(pack: RecurrentPack, Whh: FloatArray, pass: "forward" | "backward"): void;

  /**
   * One LSTM step forward: a (B, 4H) += hPrev (B, H) · W_hhᵀ, then lstmCellForward(a, c, tanhC, h, cPrev).
   * pack: W_hh packed for the forward pass, or null (the backend reads W_hh as it is). Same results as
   * gemm(false, true, B, 4H, H, hPrev, Whh, a, 1) followed by lstmCellForward; one call lets a backend split
   * the step by hidden unit across threads with a single handoff.
   */
  lstmStepForward(a: FloatArray, hPrev: FloatArray, Whh: FloatArray, pack: RecurrentPack | null, c: FloatArray,
                  tanhC: FloatArray, h: FloatArray, cPrev: FloatArray, B: number, H: number): void;
  /**
   * One LSTM step backward: when dANext (B, 4H) is given, dh (B, H) += dANext · W_hh (the recurrent gradient
   * from step t+1); then lstmCellBackward(dA, dc, dh, gates, cPrev, tanhC). pack: W_hh packed for the
   * backward pass, or null. Same results as gemm(false, false, B, H, 4H, dANext, Whh, dh, 1) + the cell.
   */
  lstmStepBackward(dANext: FloatArray | null, dA: FloatArray, dc: FloatArray, dh: FloatArray, gates: FloatArray,
                   cPrev: FloatArray, tanhC: FloatArray, Whh: FloatArray, pack: RecurrentPack | null,
                   B: number, H: number): void;

  /**
   * One whole LSTM step at batch 1 (generation): a (4H) = x·W_ihᵀ + b_ih + b_hh + hPrev·W_hhᵀ, then
   * lstmCellForward. x: a token id (one-hot layer: W_ih is (4H, D), D the vocabulary) or a dense input row
   * (D floats). Same results as the windowed path at T = B = 1: gatherCols or gemm, addBias twice, then
   * lstmStepForward.
   */
  lstmStep1(x: number | FloatArray, D: number, Wih: FloatArray, bih: FloatArray, bhh: FloatArray, hPrev: FloatArray,
            Whh: FloatArray, a: FloatArray, c: FloatArray, tanhC: FloatArray, h: FloatArray, cPrev: FloatArray,
            H: number): void;

  /**
   * Fused softmax + cross-entropy. logits (R, V) are overwritten with scale·(softmax − onehot(target)),
   * the gradient of scale·Σ loss. Returns Σ_r −log softmax(logits_r)[target_r] in nats (unscaled).
   */
  softmaxXent(logits: FloatArray, targets: Int32Array, R: number, V: number, scale: number): number;

  /** out[i] = a[i]·b[i] for i < n (dropout masks). */
  mul(out: FloatArray, a: FloatArray, b: FloatArray, n: number): void;
  /** Σ x[i]² for i < n, accumulated in float64 where the backend can. */
  sumSquares(x: FloatArray, n: number): number;
  /** x[i] *= s. */
  scale(x: FloatArray, s: number, n: number): void;
  /** x[i] = clamp(x[i], −c, c). */
  clamp(x: FloatArray, c: number, n: number): void;

  /**
   * Adam (PyTorch's formula): m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²;
   * p −= lr · (m / bc1) / (sqrt(v / bc2) + eps), with bc1 = 1−β1^t, bc2 = 1−β2^t.
   */
  adam(p: FloatArray, g: FloatArray, m: FloatArray, v: FloatArray, n: number,
       lr: number, beta1: number, beta2: number, eps: number, bc1: number, bc2: number): void;
  /** RMSprop (PyTorch, no momentum): v = α·v + (1−α)·g²; p −= lr · g / (sqrt(v) + eps). */
  rmsprop(p: FloatArray, g: FloatArray, v: FloatArray, n: number, lr: number, alpha: number, eps: number): void;
  /** Adagrad (PyTorch): v += g²; p −= lr · g / (sqrt(v) + eps). */
  adagrad(p: FloatArray, g: FloatArray, v: FloatArray, n: number, lr: number, eps: number): void;
  /** SGD with momentum (PyTorch): m = μ·m + g; p −= lr · m (μ = 0: plain SGD). */
  sgd(p: FloatArray, g: FloatArray, m: FloatArray, n: number, lr: number, momentum: number): void;
}
