// char-lstm native kernels: shared declarations.
//
// Every kernel works on raw f32 pointers into the one shared WebAssembly.Memory the wasm backend uses (the
// TypeScript side passes absolute addresses, base + byteOffset, as numbers). Matrices are row-major with an
// explicit leading dimension in elements. The instruction set is chosen once per process (nk_isa): AVX-512
// (14x32 register block) or AVX2 + FMA (6x16); both are compiled into the same object with per-function
// target attributes, so the addon builds with default compiler flags and loads on any x86-64.
//
// Numerics, relied on for bit-identical results whatever the thread split: every C element of a gemm is
//   for each K block (bounds depend on K only): acc = 0; for k in the block: acc = fma(a, b, acc);
//   C = acc for the first block when beta = 0, else C = C + acc.
// Zero padding of edge panels only feeds lanes that are never stored.

#ifndef NK_H
#define NK_H

#include <stddef.h>
#include <stdint.h>

enum { NK_NONE = 0, NK_AVX2 = 1, NK_AVX512 = 2 };

/** The instruction set in use (NK_NONE where neither AVX2+FMA nor AVX-512 is available). */
int nk_isa(void);
/** Forces an instruction set (not above what the CPU has); returns the one in effect. */
int nk_set_isa(int isa);

// ---- gemm.c ----
void nk_gemm(int tA, int tB, int M, int N, int K, const float *A, int lda, const float *B, int ldb,
             float *C, int ldc, int beta);
/** C (1, N) = beta·C + a (K) · op(B): tB = 0: B (K, N) with ldb; tB = 1: B (N, K) with ldb. */
void nk_gemv(int tB, int N, int K, const float *a, const float *B, int ldb, float *C, int beta);
/** Panel width of the packed layout (32 AVX-512, 16 AVX2). */
int nk_nr(void);
/** Floats of a packed op(B) (K, N). */
size_t nk_packed_floats(int K, int N);
/** Packs op(B) (K, N) whole into dst: K blocks of kBlock(K) rows at pc·Npad, panel j at + j·kc. */
void nk_pack_matrix(int tB, int K, int N, const float *B, int ldb, float *dst);
/** C (M, N) = beta·C + op(A) (M, K) · columns [j0, j0+N) of a packed op(B) (K, Npad); j0 a multiple of nk_nr(). */
void nk_gemm_packed(int tA, int M, int N, int K, const float *A, int lda, const float *Bp, int j0, int Npad,
                    float *C, int ldc, int beta);
/** The fused forward step's recurrent product for units [u0, u0+n) against the forward pack (see lstm.c). */
void nk_step_product(const float *hPrev, int B, int H, const float *pack, int u0, int n, float *a);
/** Columns rounded up to whole panels. */
int nk_npad(int N);

// ---- pointwise.c ----
void nk_cell_forward(float *gates, float *c, float *tanhC, float *h, const float *cPrev, int B, int H, int u0, int u1);
void nk_cell_backward(float *dA, float *dc, const float *dh, const float *gates, const float *cPrev,
                      const float *tanhC, int B, int H, int u0, int u1);
double nk_softmax_xent(float *logits, const int32_t *targets, int R, int V, double scale);
void nk_adam(float *p, const float *g, float *m, float *v, int n, double lr, double beta1, double beta2,
             double eps, double bc1, double bc2);
void nk_rmsprop(float *p, const float *g, float *v, int n, double lr, double alpha, double eps);
void nk_adagrad(float *p, const float *g, float *v, int n, double lr, double eps);
void nk_sgd(float *p, const float *g, float *m, int n, double lr, double momentum);

// ---- lstm.c ----
size_t nk_recurrent_pack_floats(int H);
void nk_pack_recurrent(const float *Whh, int H, float *dst, int backward);
void nk_step_forward(float *a, const float *hPrev, const float *Whh, const float *pack, float *c, float *tanhC,
                     float *h, const float *cPrev, int B, int H, int u0, int u1);
void nk_step_backward(const float *dANext, float *dA, float *dc, float *dh, const float *gates, const float *cPrev,
                      const float *tanhC, const float *Whh, const float *pack, int B, int H, int u0, int u1);
void nk_step1(int token, const float *x, int D, const float *Wih, const float *bih, const float *bhh,
              const float *hPrev, const float *Whh, float *a, int H, int r0, int r1);

// ---- peak.c ----
/** GFLOP/s of independent zmm (or ymm) FMA chains on this thread for about `ms` milliseconds. */
double nk_peak_gflops(double ms);

#endif
