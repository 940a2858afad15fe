// One LSTM time step, the recurrent product and the cell fused, for one thread's share of the hidden units
// (same contract as assembly/lstm_step.ts). A thread owning units [u0, u1) needs only those units' four gate
// columns of the product (rows u of each gate block of W_hh) and then runs their cells with no wait between.
//
// Packed recurrent weights (one buffer of nk_recurrent_pack_floats(H) floats per layer), gemm.c's layout:
//   forward:  4 blocks, gate q's W_hh rows [qH, qH+H) as op(B) = W_qᵀ (K = H, N = H), H·Hpad floats each;
//   backward: op(B) = W_hh (K = 4H, N = H), 4H·Hpad floats.
// Every product runs the same operations as nk_gemm / nk_gemv over the whole matrix, so a fused step gives
// the same bits as gemm + cell whatever the thread split. Shares start at multiples of nk_nr().

#include "nk.h"

size_t nk_recurrent_pack_floats(int H) { return 4 * nk_packed_floats(H, H); }

void nk_pack_recurrent(const float *Whh, int H, float *dst, int backward) {
  if (backward) { nk_pack_matrix(0, 4 * H, H, Whh, H, dst); return; }
  const size_t gate = nk_packed_floats(H, H);
  for (int q = 0; q < 4; q++) nk_pack_matrix(1, H, H, Whh + (size_t)q * H * H, H, dst + q * gate);
}

void nk_step_forward(float *a, const float *hPrev, const float *Whh, const float *pack, float *c, float *tanhC,
                     float *h, const float *cPrev, int B, int H, int u0, int u1) {
  const int n = u1 - u0, G = 4 * H;
  if (pack) nk_step_product(hPrev, B, H, pack, u0, n, a);
  else {
    for (int q = 0; q < 4; q++) {
      const int col = q * H + u0;
      nk_gemm(0, 1, B, n, H, hPrev, H, Whh + (size_t)col * H, H, a + col, G, 1);
    }
  }
  nk_cell_forward(a, c, tanhC, h, cPrev, B, H, u0, u1);
}

void nk_step_backward(const float *dANext, float *dA, float *dc, float *dh, const float *gates, const float *cPrev,
                      const float *tanhC, const float *Whh, const float *pack, int B, int H, int u0, int u1) {
  if (dANext) {
    const int n = u1 - u0, G = 4 * H;
    float *out = dh + u0;
    if (B == 1) nk_gemv(0, n, G, dANext, Whh + u0, H, out, 1);
    else if (!pack) nk_gemm(0, 0, B, n, G, dANext, G, Whh + u0, H, out, H, 1);
    else nk_gemm_packed(0, B, n, G, dANext, G, pack, u0, nk_npad(H), out, H, 1);
  }
  nk_cell_backward(dA, dc, dh, gates, cPrev, tanhC, B, H, u0, u1);
}

/**
 * Gate rows [r0, r1) of a whole batch-1 step's pre-activations (generation): input (token column of a one-hot
 * layer's W_ih (4H, D), or the dense row x (D) · W_ihᵀ), + b_ih, + b_hh, + hPrev · W_hhᵀ, in that order per
 * row, as the windowed path computes them. Each thread streams one contiguous block of both weight matrices.
 */
void nk_step1(int token, const float *x, int D, const float *Wih, const float *bih, const float *bhh,
              const float *hPrev, const float *Whh, float *a, int H, int r0, int r1) {
  const int n = r1 - r0;
  float *out = a + r0;
  if (token >= 0) for (int j = 0; j < n; j++) out[j] = Wih[(size_t)(r0 + j) * D + token];
  else nk_gemv(1, n, D, x, Wih + (size_t)r0 * D, D, out, 0);
  for (int j = 0; j < n; j++) out[j] = out[j] + bih[r0 + j];
  for (int j = 0; j < n; j++) out[j] = out[j] + bhh[r0 + j];
  nk_gemv(1, n, H, hPrev, Whh + (size_t)r0 * H, H, out, 1);
}
