// One LSTM layer over a window of T steps: forward and backward side by side (torch-rnn's fused LSTM).
//
// Math (gate order i, f, g, o; PyTorch's):
//   a_t = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh          (B, 4H)
//   i = σ(a_i)  f = σ(a_f)  g = tanh(a_g)  o = σ(a_o)
//   c_t = f⊙c_{t-1} + i⊙g;   h_t = o⊙tanh(c_t)
//
// Memory layout: everything is time-major, (T, B, ·), so step t of any buffer is one contiguous (B, ·)
// block and "all positions of the window" is one (T·B, ·) matrix. The states h and c have T+1 slots:
// slot 0 holds the state carried in from the previous window (h_{-1}, c_{-1}), slot t+1 holds step t.
// So h[0..T) is the matrix of every h_{t-1} and h[1..T] the layer's output, both contiguous.
//
// Time batching: the input projection W_ih x for all T·B positions is one gemm (a gather for the one-hot
// first layer), and in backward dW_ih and dW_hh are one gemm each over the whole window. Only the
// recurrence h_{t-1} W_hh^T is per step, fused with the cell into one kernel call (lstmStepForward /
// lstmStepBackward), against W_hh packed once per pass (packRecurrent): a backend can then split a step
// by hidden unit across threads with a single handoff and skip re-packing the weights T times.
//
// Floats per layer and window (the cache): gates 4·T·B·H + c (T+1)·B·H + h (T+1)·B·H + tanhC T·B·H,
// i.e. about 7·T·B·H, plus the packed W_hh (about 4H·H) when B > 1; the model adds T·B·4H of shared
// backward scratch (see model.ts).

import type { FloatArray, Kernels, RecurrentPack } from "../kernels/types.js";
import type { LayerViews } from "../params.js";

export interface LSTMDims {
  /** Batch streams. */ B: number;
  /** Steps in this window (≤ the cache's capacity). */ T: number;
  /** Input width: V for the first (one-hot) layer, H above it. */ D: number;
  /** Hidden units. */ H: number;
}

export interface LSTMCache {
  /** (Tmax, B, 4H): pre-activations, then post-activation gates [i f g o] after forward. */ gates: FloatArray;
  /** (Tmax+1, B, H): cell state; slot 0 = c carried in. */ c: FloatArray;
  /** (Tmax+1, B, H): hidden state; slot 0 = h carried in; slots 1..T = the layer's output. */ h: FloatArray;
  /** (Tmax, B, H): tanh(c_t), kept for backward. */ tanhC: FloatArray;
  /** W_hh packed for the per-step products, repacked at the start of each pass; null for B = 1. */
  pack: RecurrentPack | null;
  /** Which pass's layout the pack holds now (a forward on frozen weights may reuse a "forward" pack). */
  packed: "forward" | "backward" | null;
}

/** Input of a layer: token ids (T·B) for the one-hot first layer, or a dense (T·B, D) matrix. */
export type LSTMInput = Int32Array | FloatArray;

export function allocLSTMCache(k: Kernels, Tmax: number, B: number, H: number): LSTMCache {
  return {
    gates: k.alloc(Tmax * B * 4 * H),
    c: k.alloc((Tmax + 1) * B * H),
    h: k.alloc((Tmax + 1) * B * H),
    tanhC: k.alloc(Tmax * B * H),
    // batch 1 (sampling) reads W_hh directly: one gemv per step streams it once, packing would cost as much
    pack: B > 1 ? k.allocRecurrentPack(H) : null,
    packed: null,
  };
}

// x: tokens (T·B) or (T, B, D); p: the layer's weights; reads cache.h/c slot 0, writes slots 1..T.
// frozen: the weights are unchanged since this cache's last forward (generation), so a forward-layout pack of
// W_hh is still valid and is not rebuilt (at T = 1 the repack would cost as much as the step's product).
export function lstmForward(k: Kernels, cache: LSTMCache, x: LSTMInput, p: LayerViews, dims: LSTMDims, frozen = false): void {
  const { B, T, D, H } = dims;
  const G = 4 * H, N = T * B;
  if (N === 1) {
    // generation: the whole step in one kernel call (the same operations as below, one handoff)
    k.lstmStep1(x instanceof Int32Array ? x[0] : x, D, p.Wih, p.bih, p.bhh, cache.h.subarray(0, H), p.Whh, cache.gates.subarray(0, G),
                cache.c.subarray(H, 2 * H), cache.tanhC.subarray(0, H), cache.h.subarray(H, 2 * H), cache.c.subarray(0, H), H);
    return;
  }
  const gates = cache.gates.subarray(0, N * G);
  // a = W_ih x + b_ih + b_hh for every position at once: (T·B, 4H)
  if (x instanceof Int32Array) k.gatherCols(gates, p.Wih, x, N, G, D);
  else k.gemm(false, true, N, G, D, x, p.Wih, gates, 0);
  k.addBias(gates, p.bih, N, G);
  k.addBias(gates, p.bhh, N, G);
  if (cache.pack && !(frozen && cache.packed === "forward")) {
    k.packRecurrent(cache.pack, p.Whh, "forward");
    cache.packed = "forward";
  }
  const S = B * H;
  for (let t = 0; t < T; t++) {
    // a_t += h_{t-1} W_hh^T, then the cell: one fused step
    k.lstmStepForward(gates.subarray(t * B * G, (t + 1) * B * G), cache.h.subarray(t * S, (t + 1) * S), p.Whh, cache.pack,
                      cache.c.subarray((t + 1) * S, (t + 2) * S), cache.tanhC.subarray(t * S, (t + 1) * S),
                      cache.h.subarray((t + 1) * S, (t + 2) * S), cache.c.subarray(t * S, (t + 1) * S), B, H);
  }
}

export interface LSTMGrads {
  /** (T, B, D) gradient w.r.t. a dense input, written (not accumulated); null for the token layer. */ dx: FloatArray | null;
  /** (B, H): in, ∂L/∂h_{T-1} from beyond the window (zero in truncated BPTT); out, ∂L/∂h_{-1}. */ dh0: FloatArray;
  /** (B, H): in, ∂L/∂c_{T-1} from beyond the window; out, ∂L/∂c_{-1}. */ dc0: FloatArray;
  /** (T, B, 4H) scratch for ∂L/∂a. */ dA: FloatArray;
}

// dout: (T, B, H) ∂L/∂h_t for the layer's outputs; it is modified in place (the recurrent part is added in).
// Parameter gradients in `grads` are accumulated (+=).
export function lstmBackward(k: Kernels, g: LSTMGrads, grads: LayerViews, dout: FloatArray, cache: LSTMCache,
                             x: LSTMInput, p: LayerViews, dims: LSTMDims): void {
  const { B, T, D, H } = dims;
  const G = 4 * H, N = T * B, S = B * H;
  const dA = g.dA.subarray(0, N * G);
  // the carried-in gradient of the last step's h joins dout (it is zero for truncated BPTT)
  const dLast = dout.subarray((T - 1) * S, T * S);
  for (let j = 0; j < S; j++) dLast[j] += g.dh0[j];
  if (cache.pack) {
    k.packRecurrent(cache.pack, p.Whh, "backward");
    cache.packed = "backward";
  }
  for (let t = T - 1; t >= 0; t--) {
    // inverts a_{t+1} += h_t W_hh^T: dh_t += dA_{t+1} W_hh, added straight into dout[t] (none at the last step);
    // then inverts c_t = f⊙c_{t-1} + i⊙g; h_t = o⊙tanh(c_t); gates = σ/tanh(a). dc0 carries dc_t → dc_{t-1}.
    k.lstmStepBackward(t < T - 1 ? dA.subarray((t + 1) * B * G, (t + 2) * B * G) : null, dA.subarray(t * B * G, (t + 1) * B * G),
                       g.dc0, dout.subarray(t * S, (t + 1) * S), cache.gates.subarray(t * B * G, (t + 1) * B * G),
                       cache.c.subarray(t * S, (t + 1) * S), cache.tanhC.subarray(t * S, (t + 1) * S), p.Whh, cache.pack, B, H);
  }
  // the window's first step: dh_{-1} = dA_0 W_hh
  k.gemm(false, false, B, H, G, dA.subarray(0, B * G), p.Whh, g.dh0, 0);
  // dW_hh += dA^T h_{t-1} over the whole window: (4H, T·B) · (T·B, H)
  k.gemm(true, false, G, H, N, dA, cache.h.subarray(0, N * H), grads.Whh, 1);
  k.sumRows(grads.bih, dA, N, G);
  k.sumRows(grads.bhh, dA, N, G);
  if (x instanceof Int32Array) {
    // one-hot input: dW_ih[:, x] += dA (a scatter, never a dense product)
    k.scatterAddCols(grads.Wih, dA, x, N, G, D);
  } else {
    k.gemm(true, false, G, D, N, dA, x, grads.Wih, 1);               // dW_ih += dA^T x
    if (g.dx) k.gemm(false, false, N, D, G, dA, p.Wih, g.dx, 0);     // dx = dA W_ih
  }
}
