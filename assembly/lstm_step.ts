// One LSTM time step, the recurrent product and the cell fused, for one thread's share of the hidden units.
//
// A step's work splits cleanly by hidden unit u: its four gate columns (i, f, g, o at u, H+u, 2H+u, 3H+u)
// need only row u of each gate block of W_hh, and its cell update needs only those four columns. So a
// thread that owns units [u0, u1) runs the product for its columns and then its cells with no wait in
// between: one handoff per step instead of one for the product and one for the cell. Backward splits the
// same way: dh[:, u] = dA_{t+1} · W_hh[:, u] needs all of dA_{t+1} (the previous job's output) and only
// column u of W_hh, and the cell backward of unit u needs only dh[:, u].
//
// Packed recurrent weights (packRecurrent, one buffer per layer of recurrentPackFloats(H) = 4H·H16 floats,
// H16 = H rounded up to 16), in gemm.ts's packMatrix layout, for one pass at a time:
//   forward:  4 blocks, gate q's W_hh rows [qH, qH+H) as op(B) = W_qᵀ (K = H, N = H), H·H16 floats each;
//   backward: op(B) = W_hh (K = 4H, N = H), 4H·H16 floats.
// Each pass packs at its start (one read of W_hh, against T·B rows of products that then skip packing).
// Every product runs the same operations as the plain gemm / gemv over the whole matrix (see gemm.ts), so a
// fused step gives the same bits as gemm + cell, whatever the thread split.

import { AP_BYTES, BP_BYTES, MC, NC, gemm, gemmPacked, gemv, imin, kBlock, packA, packMatrix, packedFloats,
         panels } from "./gemm";
import { addBias, cellBackwardUnits, cellForwardUnits } from "./pointwise";

// @ts-ignore: decorator
@inline function h16(H: i32): i32 { return (H + 15) & ~15; }

/** Floats of one layer's packed recurrent weights (either pass). */
export function recurrentPackFloats(H: i32): i32 {
  return 4 * packedFloats(H, H);
}

/** Packs W_hh (4H, H) into dst for the forward (backward = 0) or the backward pass (see the header). */
export function packRecurrent(Whh: usize, H: i32, dst: usize, backward: i32): void {
  if (backward != 0) {
    packMatrix(0, 4 * H, H, Whh, H, dst);
    return;
  }
  const gate = <usize>packedFloats(H, H) << 2;
  for (let q = 0; q < 4; q++) packMatrix(1, H, H, Whh + <usize>(q * H * H) * 4, H, dst + <usize>q * gate);
}

/**
 * Units [u0, u1) of one forward step, B > 1: a (B, 4H) += hPrev (B, H) · W_hhᵀ in those units' gate columns,
 * then the cell (lstmCellForward) for them. pack: packRecurrent's buffer, or 0 to read W_hh directly. Batch 1
 * never comes here: the backend runs it as a gemv split by gate rows plus the cell (see lstmStep1).
 */
export function lstmStepForward(a: usize, hPrev: usize, Whh: usize, pack: usize, c: usize, tanhC: usize, h: usize,
                                cPrev: usize, B: i32, H: i32, u0: i32, u1: i32, k: usize, scratch: usize): void {
  const n = u1 - u0, G = 4 * H;
  if (pack != 0) {
    // gemmPacked for the four gate blocks, sharing each packed block of hPrev (gemm's operations, same bits)
    const ap = scratch, tile = scratch + AP_BYTES + BP_BYTES, ldcB = <usize>G << 2;
    const kb = kBlock(H), H16 = h16(H), gate = packedFloats(H, H);
    for (let jc = 0; jc < n; jc += NC) {
      const nc = imin(NC, n - jc);
      for (let pc = 0; pc < H; pc += kb) {
        const kc = imin(kb, H - pc);
        for (let ic = 0; ic < B; ic += MC) {
          const mc = imin(MC, B - ic);
          packA(false, hPrev, H, ic, mc, pc, kc, ap);
          for (let q = 0; q < 4; q++) {
            const bp = pack + (<usize>(q * gate + pc * H16 + (u0 + jc) * kc) << 2);
            panels(mc, nc, kc, ap, bp, a + <usize>ic * ldcB + (<usize>(q * H + u0 + jc) << 2), ldcB, true, tile);
          }
        }
      }
    }
  } else {
    for (let q = 0; q < 4; q++) {
      const col = q * H + u0;
      const out = a + (<usize>col << 2);
      gemm(0, 1, B, n, H, hPrev, H, Whh + <usize>(col * H) * 4, H, out, G, 1, scratch);
    }
  }
  cellForwardUnits(a, c, tanhC, h, cPrev, B, H, u0, u1, k);
}

/**
 * Units [u0, u1) of one backward step: when dANext ≠ 0, dh (B, H) += dANext (B, 4H) · W_hh in those units'
 * columns (the recurrent gradient from step t+1); then the cell backward (lstmCellBackward) for them.
 */
export function lstmStepBackward(dANext: usize, dA: usize, dc: usize, dh: usize, gates: usize, cPrev: usize,
                                 tanhC: usize, Whh: usize, pack: usize, B: i32, H: i32, u0: i32, u1: i32,
                                 k: usize, scratch: usize): void {
  if (dANext != 0) {
    const n = u1 - u0, G = 4 * H;
    const out = dh + (<usize>u0 << 2), w = Whh + (<usize>u0 << 2);
    if (B == 1) gemv(0, n, G, dANext, w, H, out, 1);
    else if (pack == 0) gemm(0, 0, B, n, G, dANext, G, w, H, out, H, 1, scratch);
    else gemmPacked(0, B, n, G, dANext, G, pack, h16(H), u0, out, H, 1, scratch);
  }
  cellBackwardUnits(dA, dc, dh, gates, cPrev, tanhC, B, H, u0, u1, k);
}

/**
 * Gate rows [r0, r1) of a whole batch-1 step's pre-activations (generation, T = 1): the input product, both
 * biases and the recurrent product in one job, so a layer costs one handoff per character (the caller then
 * runs the cell). Batch 1 splits by gate rows, not by unit: each thread then streams one contiguous block of
 * each weight matrix, which measured ~7% faster than four row slices per thread (the weights come from L3
 * each character, and every new stream restarts the hardware prefetcher).
 * The input is token `xv` of a one-hot layer when D < 0 (W_ih is (4H, −D); the token's column is copied),
 * else the dense row at xv (D floats). Order per row as the windowed path: input, + b_ih, + b_hh, + recurrent.
 */
export function lstmStep1(xv: i32, D: i32, Wih: usize, bih: usize, bhh: usize, hPrev: usize, Whh: usize, a: usize,
                          H: i32, r0: i32, r1: i32): void {
  const n = r1 - r0;
  const out = a + (<usize>r0 << 2);
  if (D < 0) {
    const V = -D;
    for (let j = 0; j < n; j++) store<f32>(out + (<usize>j << 2), load<f32>(Wih + (<usize>((r0 + j) * V + xv) << 2)));
  } else {
    gemv(1, n, D, <usize>xv, Wih + <usize>(r0 * D) * 4, D, out, 0);
  }
  addBias(out, bih + (<usize>r0 << 2), 1, n);
  addBias(out, bhh + (<usize>r0 << 2), 1, n);
  gemv(1, n, H, hPrev, Whh + <usize>(r0 * H) * 4, H, out, 1);
}
