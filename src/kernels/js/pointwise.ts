// Reference pointwise kernels: bias, gather/scatter, the fused LSTM cell pair, softmax + cross-entropy.
// Generic over Float32Array | Float64Array; Math.exp/Math.tanh in float64, stored at the array's precision.

import type { FloatArray } from "../types.js";

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

export function addBias(out: FloatArray, bias: FloatArray, R: number, N: number): void {
  for (let r = 0; r < R; r++) {
    const o = r * N;
    for (let j = 0; j < N; j++) out[o + j] += bias[j];
  }
}

export function sumRows(db: FloatArray, d: FloatArray, R: number, N: number): void {
  for (let r = 0; r < R; r++) {
    const o = r * N;
    for (let j = 0; j < N; j++) db[j] += d[o + j];
  }
}

// W is (N, V): the one-hot product W·e_v is column v, read with stride V.
export function gatherCols(out: FloatArray, W: FloatArray, idx: Int32Array, R: number, N: number, V: number): void {
  for (let r = 0; r < R; r++) {
    const v = idx[r], o = r * N;
    for (let j = 0; j < N; j++) out[o + j] = W[j * V + v];
  }
}

export function scatterAddCols(dW: FloatArray, d: FloatArray, idx: Int32Array, R: number, N: number, V: number): void {
  for (let r = 0; r < R; r++) {
    const v = idx[r], o = r * N;
    for (let j = 0; j < N; j++) dW[j * V + v] += d[o + j];
  }
}

// gates row b: [a_i | a_f | a_g | a_o], each H wide → [i | f | g | o] in place.
export function lstmCellForward(gates: FloatArray, c: FloatArray, tanhC: FloatArray, h: FloatArray,
                                cPrev: FloatArray, B: number, H: number): void {
  for (let b = 0; b < B; b++) {
    const g0 = b * 4 * H, s0 = b * H;
    for (let j = 0; j < H; j++) {
      const i = sigmoid(gates[g0 + j]);
      const f = sigmoid(gates[g0 + H + j]);
      const g = Math.tanh(gates[g0 + 2 * H + j]);
      const o = sigmoid(gates[g0 + 3 * H + j]);
      gates[g0 + j] = i; gates[g0 + H + j] = f; gates[g0 + 2 * H + j] = g; gates[g0 + 3 * H + j] = o;
      const ct = f * cPrev[s0 + j] + i * g;            // c_t = f⊙c_{t-1} + i⊙g
      c[s0 + j] = ct;
      const tc = Math.tanh(ct);
      tanhC[s0 + j] = tc;
      h[s0 + j] = o * tc;                               // h_t = o⊙tanh(c_t)
    }
  }
}

export function lstmCellBackward(dA: FloatArray, dc: FloatArray, dh: FloatArray, gates: FloatArray,
                                 cPrev: FloatArray, tanhC: FloatArray, B: number, H: number): void {
  for (let b = 0; b < B; b++) {
    const g0 = b * 4 * H, s0 = b * H;
    for (let j = 0; j < H; j++) {
      const i = gates[g0 + j], f = gates[g0 + H + j], g = gates[g0 + 2 * H + j], o = gates[g0 + 3 * H + j];
      const tc = tanhC[s0 + j], dhj = dh[s0 + j];
      // h_t = o⊙tanh(c_t)  →  do = dh⊙tanh(c_t);  dc_t += dh⊙o⊙(1 − tanh²(c_t))
      const dct = dc[s0 + j] + dhj * o * (1 - tc * tc);
      const dO = dhj * tc;
      // c_t = f⊙c_{t-1} + i⊙g  →  di = dc⊙g, df = dc⊙c_{t-1}, dg = dc⊙i, dc_{t-1} = dc⊙f
      const dI = dct * g, dF = dct * cPrev[s0 + j], dG = dct * i;
      dc[s0 + j] = dct * f;
      // through the nonlinearities: σ' = σ(1−σ), tanh' = 1 − tanh²
      dA[g0 + j] = dI * i * (1 - i);
      dA[g0 + H + j] = dF * f * (1 - f);
      dA[g0 + 2 * H + j] = dG * (1 - g * g);
      dA[g0 + 3 * H + j] = dO * o * (1 - o);
    }
  }
}

export function softmaxXent(logits: FloatArray, targets: Int32Array, R: number, V: number, scale: number): number {
  let loss = 0;
  for (let r = 0; r < R; r++) {
    const o = r * V;
    let mx = -Infinity;
    for (let v = 0; v < V; v++) if (logits[o + v] > mx) mx = logits[o + v];
    const y = targets[r];
    const zy = logits[o + y] - mx;
    let sum = 0;
    for (let v = 0; v < V; v++) {
      const e = Math.exp(logits[o + v] - mx);
      logits[o + v] = e;
      sum += e;
    }
    loss += Math.log(sum) - zy;                         // −log softmax_y = log Σ e^{z−max} − (z_y − max)
    const inv = 1 / sum;
    for (let v = 0; v < V; v++) logits[o + v] = logits[o + v] * inv * scale;
    logits[o + y] -= scale;
  }
  return loss;
}

export function mul(out: FloatArray, a: FloatArray, b: FloatArray, n: number): void {
  for (let i = 0; i < n; i++) out[i] = a[i] * b[i];
}

export function sumSquares(x: FloatArray, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += x[i] * x[i];
  return s;
}

export function scale(x: FloatArray, s: number, n: number): void {
  for (let i = 0; i < n; i++) x[i] *= s;
}

export function clamp(x: FloatArray, c: number, n: number): void {
  for (let i = 0; i < n; i++) x[i] = x[i] > c ? c : x[i] < -c ? -c : x[i];
}
