// Single-precision gemm and gemv for the native backend: BLIS-style packing around one register-blocked FMA
// micro-kernel per instruction set (see nk.h for the numerics that make thread splits bit-identical).
//
// Loops (per thread): jc over NC columns → pc over K blocks (kBlock(K) rows, equal blocks ≤ KC) → pack that
// K×NC block of op(B) into NR-column k-major panels → ic over MC rows → pack that MC×K block of op(A) into
// MR-row k-major panels → jr over panels of B (one panel, kc×NR floats = 32 KiB at NR 32, stays in L1 while)
// → ir over panels of A (streamed from L2) → micro-kernel on an MR×NR tile of C.
//
// AVX-512: MR 14 × NR 32, 28 zmm accumulators + 2 zmm of B; the A values are broadcast from memory
// straight into the FMAs. AVX2: MR 6 × NR 16, 12 ymm accumulators. FMA latency here is ~4 cycles with
// 2 ports, so ≥ 8 independent chains keep both busy. Edge tiles run the same kernel specialised for fewer
// rows (no wasted FLOPs) and masked column loads/stores (no scratch tile).
// Transposes are handled by the packers only, so one micro-kernel serves A·B, A·Bᵀ, Aᵀ·B and Aᵀ·Bᵀ.

#include "nk.h"
#include <immintrin.h>
#include <stdlib.h>
#include <string.h>

#define KC 256
#define NC 1024
#define MR512 14
#define NR512 32
#define MR2 6
#define NR2 16
#define MC512 (MR512 * 12)
#define MC2 (MR2 * 24)
#define MCMAX MC512

static int g_isa = -1;

static int detect(void) {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma")) return NK_AVX512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return NK_AVX2;
  return NK_NONE;
}

int nk_isa(void) {
  if (g_isa < 0) g_isa = detect();
  return g_isa;
}

int nk_set_isa(int isa) {
  int have = detect();
  g_isa = isa < have ? isa : have;
  return g_isa;
}

int nk_nr(void) { return nk_isa() == NK_AVX512 ? NR512 : NR2; }
int nk_npad(int N) { int nr = nk_nr(); return (N + nr - 1) / nr * nr; }
static inline int imin(int a, int b) { return a < b ? a : b; }

/** Size of the K blocks: as close to KC as possible with equal blocks; depends on K only. */
static inline int kblock(int K) { int nb = (K + KC - 1) / KC; return (K + nb - 1) / nb; }

// Per-thread packing buffers (each pool worker is its own thread; the addon keeps no shared mutable state).
static _Thread_local float *t_ap, *t_bp;
static void scratch(float **ap, float **bp) {
  if (!t_ap) {
    t_ap = aligned_alloc(64, (size_t)MCMAX * KC * sizeof(float));
    t_bp = aligned_alloc(64, (size_t)KC * NC * sizeof(float));
    if (!t_ap || !t_bp) abort();
  }
  *ap = t_ap;
  *bp = t_bp;
}

#define T512 __attribute__((target("avx512f,fma")))

/** In-register transpose of a 16×16 block: r[i] lane j becomes r[j] lane i. */
T512 __attribute__((always_inline)) static inline void tr16(__m512 r[16]) {
  __m512 t[16];
  for (int i = 0; i < 8; i++) {
    t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
  }
  for (int i = 0; i < 4; i++) {
    r[4 * i] = _mm512_shuffle_ps(t[4 * i], t[4 * i + 2], 0x44);
    r[4 * i + 1] = _mm512_shuffle_ps(t[4 * i], t[4 * i + 2], 0xEE);
    r[4 * i + 2] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0x44);
    r[4 * i + 3] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0xEE);
  }
  for (int h = 0; h < 2; h++) {
    for (int i = 0; i < 4; i++) {
      t[8 * h + i] = _mm512_shuffle_f32x4(r[8 * h + i], r[8 * h + i + 4], 0x88);
      t[8 * h + i + 4] = _mm512_shuffle_f32x4(r[8 * h + i], r[8 * h + i + 4], 0xDD);
    }
  }
  for (int i = 0; i < 8; i++) {
    r[i] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0x88);
    r[i + 8] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0xDD);
  }
}

/** pack_a for A stored (M, K) and a whole 14-row panel: 16 k at a time through a 16×16 register transpose. */
T512 static int pack_a_rows512(const float *A, size_t lda, int kc, float *d) {
  int k = 0;
  for (; k + 16 <= kc; k += 16) {
    __m512 r[16];
    for (int i = 0; i < MR512; i++) r[i] = _mm512_loadu_ps(A + (size_t)i * lda + k);
    r[14] = r[15] = _mm512_setzero_ps();
    tr16(r);
    for (int q = 0; q < 16; q++) _mm512_mask_storeu_ps(d + (size_t)(k + q) * MR512, 0x3FFF, r[q]);
  }
  return k;
}

/** pack_b for B stored (N, K) and 16 columns of a panel: 16 k at a time, transposed in registers. */
T512 static int pack_b_cols512(const float *B, size_t ldb, int kc, float *d) {
  int k = 0;
  for (; k + 16 <= kc; k += 16) {
    __m512 r[16];
    for (int i = 0; i < 16; i++) r[i] = _mm512_loadu_ps(B + (size_t)i * ldb + k);
    tr16(r);
    for (int q = 0; q < 16; q++) _mm512_storeu_ps(d + (size_t)(k + q) * NR512, r[q]);
  }
  return k;
}

/** Packs op(A)[i0 .. i0+mc, p0 .. p0+kc] into MR-row panels (k-major, MR floats per k), zero-padded rows. */
static void pack_a(int tA, const float *A, size_t lda, int i0, int mc, int p0, int kc, int MR, float *dst) {
  for (int ir = 0; ir < mc; ir += MR) {
    int rows = imin(MR, mc - ir);
    float *d = dst + (size_t)ir * kc;
    if (!tA) {
      // rows are contiguous along k: a register transpose per 16 k where it applies, element by element otherwise
      const int k0 = rows == MR512 && MR == MR512 ? pack_a_rows512(A + (size_t)(i0 + ir) * lda + p0, lda, kc, d) : 0;
      for (int r = 0; r < rows; r++) {
        const float *s = A + (size_t)(i0 + ir + r) * lda + p0;
        for (int k = k0; k < kc; k++) d[(size_t)k * MR + r] = s[k];
      }
    } else {
      for (int k = 0; k < kc; k++) {
        const float *s = A + (size_t)(p0 + k) * lda + i0 + ir;
        for (int r = 0; r < rows; r++) d[(size_t)k * MR + r] = s[r];
      }
    }
    if (rows < MR) {
      for (int k = 0; k < kc; k++) for (int r = rows; r < MR; r++) d[(size_t)k * MR + r] = 0;
    }
  }
}

/** Packs op(B)[p0 .. p0+kc, j0 .. j0+nc] into NR-column panels (k-major rows of NR), zero-padded columns. */
static void pack_b(int tB, const float *B, size_t ldb, int p0, int kc, int j0, int nc, int NR, float *dst) {
  for (int jr = 0; jr < nc; jr += NR) {
    int cols = imin(NR, nc - jr);
    float *d = dst + (size_t)jr * kc;
    if (!tB) {
      for (int k = 0; k < kc; k++) {
        const float *s = B + (size_t)(p0 + k) * ldb + j0 + jr;
        memcpy(d + (size_t)k * NR, s, (size_t)cols * sizeof(float));
        if (cols < NR) memset(d + (size_t)k * NR + cols, 0, (size_t)(NR - cols) * sizeof(float));
      }
    } else {
      // B stored (N, K): column j of op(B) is row j of the storage, read contiguously along k
      int k0 = 0;
      if (NR == NR512 && cols == NR512) {
        k0 = pack_b_cols512(B + (size_t)(j0 + jr) * ldb + p0, ldb, kc, d);
        pack_b_cols512(B + (size_t)(j0 + jr + 16) * ldb + p0, ldb, kc, d + 16);
      }
      for (int j = 0; j < cols; j++) {
        const float *s = B + (size_t)(j0 + jr + j) * ldb + p0;
        for (int k = k0; k < kc; k++) d[(size_t)k * NR + j] = s[k];
      }
      if (cols < NR) for (int k = 0; k < kc; k++) memset(d + (size_t)k * NR + cols, 0, (size_t)(NR - cols) * sizeof(float));
    }
  }
}

static void zero_c(int M, int N, float *C, size_t ldc) {
  for (int i = 0; i < M; i++) memset(C + (size_t)i * ldc, 0, (size_t)N * sizeof(float));
}

// ---------------------------------------------------------------------------------------------------------
// AVX-512 micro-kernel: C[0..mr, 0..32] (=|+=) Σ_k pa[k·14 + r] · pb[k·32 + 0..32]

T512 __attribute__((always_inline)) static inline void k512(const int mr, int kc, const float *pa, const float *pb,
                                                            float *c, size_t ldc, __mmask16 m0, __mmask16 m1, int acc) {
  __m512 x0[MR512], x1[MR512];
#pragma GCC unroll 14
  for (int r = 0; r < MR512; r++) if (r < mr) { x0[r] = _mm512_setzero_ps(); x1[r] = _mm512_setzero_ps(); }
  for (int k = 0; k < kc; k++) {
    const __m512 b0 = _mm512_loadu_ps(pb), b1 = _mm512_loadu_ps(pb + 16);
#pragma GCC unroll 14
    for (int r = 0; r < MR512; r++) {
      if (r < mr) {
        const __m512 a = _mm512_set1_ps(pa[r]);
        x0[r] = _mm512_fmadd_ps(a, b0, x0[r]);
        x1[r] = _mm512_fmadd_ps(a, b1, x1[r]);
      }
    }
    pa += MR512;
    pb += NR512;
  }
#pragma GCC unroll 14
  for (int r = 0; r < MR512; r++) {
    if (r < mr) {
      float *cr = c + (size_t)r * ldc;
      __m512 y0 = x0[r], y1 = x1[r];
      if (acc) {
        y0 = _mm512_add_ps(_mm512_maskz_loadu_ps(m0, cr), y0);
        y1 = _mm512_add_ps(_mm512_maskz_loadu_ps(m1, cr + 16), y1);
      }
      _mm512_mask_storeu_ps(cr, m0, y0);
      _mm512_mask_storeu_ps(cr + 16, m1, y1);
    }
  }
}

#define K512(R) T512 static void k512_##R(int kc, const float *pa, const float *pb, float *c, size_t ldc, \
                                          __mmask16 m0, __mmask16 m1, int acc) { k512(R, kc, pa, pb, c, ldc, m0, m1, acc); }
K512(1) K512(2) K512(3) K512(4) K512(5) K512(6) K512(7) K512(8) K512(9) K512(10) K512(11) K512(12) K512(13) K512(14)
typedef void (*k512_fn)(int, const float *, const float *, float *, size_t, __mmask16, __mmask16, int);
static const k512_fn K512S[MR512 + 1] = { 0, k512_1, k512_2, k512_3, k512_4, k512_5, k512_6, k512_7, k512_8, k512_9,
                                          k512_10, k512_11, k512_12, k512_13, k512_14 };

static inline __mmask16 mask16(int n) { return n >= 16 ? (__mmask16)0xFFFF : n <= 0 ? 0 : (__mmask16)((1u << n) - 1); }

/** The panel loops for one packed block: C[0..mc, 0..nc] (=|+=) packed A (ap) · packed B (bp). */
static void panels512(int mc, int nc, int kc, const float *ap, const float *bp, float *C, size_t ldc, int acc) {
  for (int jr = 0; jr < nc; jr += NR512) {
    int nr = imin(NR512, nc - jr);
    __mmask16 m0 = mask16(nr), m1 = mask16(nr - 16);
    const float *pb = bp + (size_t)jr * kc;
    for (int ir = 0; ir < mc; ir += MR512) {
      int mr = imin(MR512, mc - ir);
      K512S[mr](kc, ap + (size_t)ir * kc, pb, C + (size_t)ir * ldc + jr, ldc, m0, m1, acc);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// AVX2 micro-kernel: C[0..mr, 0..16] (=|+=) Σ_k pa[k·6 + r] · pb[k·16 + 0..16]

#define T2 __attribute__((target("avx2,fma")))

T2 static inline __m256i mask8(int n) {
  const __m256i iota = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), iota);
}

T2 __attribute__((always_inline)) static inline void k2(const int mr, int kc, const float *pa, const float *pb,
                                                        float *c, size_t ldc, __m256i m0, __m256i m1, int acc) {
  __m256 x0[MR2], x1[MR2];
#pragma GCC unroll 6
  for (int r = 0; r < MR2; r++) if (r < mr) { x0[r] = _mm256_setzero_ps(); x1[r] = _mm256_setzero_ps(); }
  for (int k = 0; k < kc; k++) {
    const __m256 b0 = _mm256_loadu_ps(pb), b1 = _mm256_loadu_ps(pb + 8);
#pragma GCC unroll 6
    for (int r = 0; r < MR2; r++) {
      if (r < mr) {
        const __m256 a = _mm256_broadcast_ss(pa + r);
        x0[r] = _mm256_fmadd_ps(a, b0, x0[r]);
        x1[r] = _mm256_fmadd_ps(a, b1, x1[r]);
      }
    }
    pa += MR2;
    pb += NR2;
  }
#pragma GCC unroll 6
  for (int r = 0; r < MR2; r++) {
    if (r < mr) {
      float *cr = c + (size_t)r * ldc;
      __m256 y0 = x0[r], y1 = x1[r];
      if (acc) {
        y0 = _mm256_add_ps(_mm256_maskload_ps(cr, m0), y0);
        y1 = _mm256_add_ps(_mm256_maskload_ps(cr + 8, m1), y1);
      }
      _mm256_maskstore_ps(cr, m0, y0);
      _mm256_maskstore_ps(cr + 8, m1, y1);
    }
  }
}

#define K2(R) T2 static void k2_##R(int kc, const float *pa, const float *pb, float *c, size_t ldc, \
                                    __m256i m0, __m256i m1, int acc) { k2(R, kc, pa, pb, c, ldc, m0, m1, acc); }
K2(1) K2(2) K2(3) K2(4) K2(5) K2(6)
typedef void (*k2_fn)(int, const float *, const float *, float *, size_t, __m256i, __m256i, int);
static const k2_fn K2S[MR2 + 1] = { 0, k2_1, k2_2, k2_3, k2_4, k2_5, k2_6 };

T2 static void panels2(int mc, int nc, int kc, const float *ap, const float *bp, float *C, size_t ldc, int acc) {
  for (int jr = 0; jr < nc; jr += NR2) {
    int nr = imin(NR2, nc - jr);
    __m256i m0 = mask8(nr), m1 = mask8(nr - 8);
    const float *pb = bp + (size_t)jr * kc;
    for (int ir = 0; ir < mc; ir += MR2) {
      int mr = imin(MR2, mc - ir);
      K2S[mr](kc, ap + (size_t)ir * kc, pb, C + (size_t)ir * ldc + jr, ldc, m0, m1, acc);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// drivers

typedef struct { int MR, NR, MC; void (*panels)(int, int, int, const float *, const float *, float *, size_t, int); } isa_t;

static isa_t isa_params(void) {
  isa_t p;
  if (nk_isa() == NK_AVX512) { p.MR = MR512; p.NR = NR512; p.MC = MC512; p.panels = panels512; }
  else { p.MR = MR2; p.NR = NR2; p.MC = MC2; p.panels = panels2; }
  return p;
}

void nk_gemm(int tA, int tB, int M, int N, int K, const float *A, int lda, const float *B, int ldb,
             float *C, int ldc, int beta) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) { if (!beta) zero_c(M, N, C, (size_t)ldc); return; }
  const isa_t p = isa_params();
  float *ap, *bp;
  scratch(&ap, &bp);
  const int kb = kblock(K);
  for (int jc = 0; jc < N; jc += NC) {
    int nc = imin(NC, N - jc);
    for (int pc = 0; pc < K; pc += kb) {
      int kc = imin(kb, K - pc);
      pack_b(tB, B, (size_t)ldb, pc, kc, jc, nc, p.NR, bp);
      for (int ic = 0; ic < M; ic += p.MC) {
        int mc = imin(p.MC, M - ic);
        pack_a(tA, A, (size_t)lda, ic, mc, pc, kc, p.MR, ap);
        p.panels(mc, nc, kc, ap, bp, C + (size_t)ic * ldc + jc, (size_t)ldc, beta || pc > 0);
      }
    }
  }
}

size_t nk_packed_floats(int K, int N) { return (size_t)K * (size_t)nk_npad(N); }

void nk_pack_matrix(int tB, int K, int N, const float *B, int ldb, float *dst) {
  if (K <= 0 || N <= 0) return;
  const int NR = nk_nr(), Npad = nk_npad(N), kb = kblock(K);
  for (int pc = 0; pc < K; pc += kb) pack_b(tB, B, (size_t)ldb, pc, imin(kb, K - pc), 0, N, NR, dst + (size_t)pc * Npad);
}

void nk_gemm_packed(int tA, int M, int N, int K, const float *A, int lda, const float *Bp, int j0, int Npad,
                    float *C, int ldc, int beta) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) { if (!beta) zero_c(M, N, C, (size_t)ldc); return; }
  const isa_t p = isa_params();
  float *ap, *bp;
  scratch(&ap, &bp);
  const int kb = kblock(K);
  for (int jc = 0; jc < N; jc += NC) {
    int nc = imin(NC, N - jc);
    for (int pc = 0; pc < K; pc += kb) {
      int kc = imin(kb, K - pc);
      const float *b = Bp + (size_t)pc * Npad + (size_t)(j0 + jc) * kc;
      for (int ic = 0; ic < M; ic += p.MC) {
        int mc = imin(p.MC, M - ic);
        pack_a(tA, A, (size_t)lda, ic, mc, pc, kc, p.MR, ap);
        p.panels(mc, nc, kc, ap, b, C + (size_t)ic * ldc + jc, (size_t)ldc, beta || pc > 0);
      }
    }
  }
}

/**
 * The recurrent product of a fused forward step for units [u0, u0+n): a (B, 4H) columns q·H + u0 .. += hPrev (B, H)
 * · gate block q of the forward pack (4 packed (H, H) matrices W_qᵀ, each H·Hpad floats), the packed hPrev block
 * shared by the four gates. Same operations as nk_gemm on each gate's columns.
 */
void nk_step_product(const float *hPrev, int B, int H, const float *pack, int u0, int n, float *a) {
  if (B <= 0 || n <= 0 || H <= 0) return;
  const isa_t p = isa_params();
  float *ap, *bp;
  scratch(&ap, &bp);
  const int kb = kblock(H), Hpad = nk_npad(H);
  const size_t gate = (size_t)H * Hpad, lda = (size_t)H, ldc = (size_t)4 * H;
  for (int jc = 0; jc < n; jc += NC) {
    int nc = imin(NC, n - jc);
    for (int pc = 0; pc < H; pc += kb) {
      int kc = imin(kb, H - pc);
      for (int ic = 0; ic < B; ic += p.MC) {
        int mc = imin(p.MC, B - ic);
        pack_a(0, hPrev, lda, ic, mc, pc, kc, p.MR, ap);
        for (int q = 0; q < 4; q++) {
          const float *b = pack + q * gate + (size_t)pc * Hpad + (size_t)(u0 + jc) * kc;
          p.panels(mc, nc, kc, ap, b, a + (size_t)ic * ldc + (size_t)q * H + u0 + jc, ldc, 1);
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// gemv: C (1, N) = beta·C + a (K) · op(B), streaming B once (batch-1 generation). Each output element's
// operations depend only on K, never on which block of outputs it was computed in.

/** Rows of B (N, K) against a: 4 rows at a time, two accumulators each (k in steps of 32, then 16, then a masked tail). */
T512 static void gemv_t512(int N, int K, const float *a, const float *B, size_t ldb, float *C, int beta) {
  const __mmask16 mt = mask16(K & 15);
  int j = 0;
  for (; j < N; j += 4) {
    const int rows = imin(4, N - j);
    __m512 s0[4], s1[4];
    const float *b[4];
    for (int r = 0; r < 4; r++) { s0[r] = _mm512_setzero_ps(); s1[r] = _mm512_setzero_ps(); b[r] = B + (size_t)(j + (r < rows ? r : 0)) * ldb; }
    int k = 0;
    for (; k + 32 <= K; k += 32) {
      const __m512 x0 = _mm512_loadu_ps(a + k), x1 = _mm512_loadu_ps(a + k + 16);
#pragma GCC unroll 4
      for (int r = 0; r < 4; r++) {
        s0[r] = _mm512_fmadd_ps(x0, _mm512_loadu_ps(b[r] + k), s0[r]);
        s1[r] = _mm512_fmadd_ps(x1, _mm512_loadu_ps(b[r] + k + 16), s1[r]);
      }
    }
    if (k + 16 <= K) {
      const __m512 x0 = _mm512_loadu_ps(a + k);
      for (int r = 0; r < 4; r++) s0[r] = _mm512_fmadd_ps(x0, _mm512_loadu_ps(b[r] + k), s0[r]);
      k += 16;
    }
    if (k < K) {
      const __m512 x1 = _mm512_maskz_loadu_ps(mt, a + k);
      for (int r = 0; r < 4; r++) s1[r] = _mm512_fmadd_ps(x1, _mm512_maskz_loadu_ps(mt, b[r] + k), s1[r]);
    }
    for (int r = 0; r < rows; r++) {
      const float s = _mm512_reduce_add_ps(_mm512_add_ps(s0[r], s1[r]));
      C[j + r] = beta ? C[j + r] + s : s;
    }
  }
}

/** Columns of B (K, N): 128 columns in 8 accumulators over all k, then 16 at a time, then a masked tail. */
T512 static void gemv_n512(int N, int K, const float *a, const float *B, size_t ldb, float *C, int beta) {
  int j = 0;
  for (; j + 128 <= N; j += 128) {
    __m512 s[8];
    for (int q = 0; q < 8; q++) s[q] = _mm512_setzero_ps();
    const float *p = B + j;
    for (int k = 0; k < K; k++, p += ldb) {
      const __m512 x = _mm512_set1_ps(a[k]);
#pragma GCC unroll 8
      for (int q = 0; q < 8; q++) s[q] = _mm512_fmadd_ps(x, _mm512_loadu_ps(p + 16 * q), s[q]);
    }
    for (int q = 0; q < 8; q++) {
      float *c = C + j + 16 * q;
      _mm512_storeu_ps(c, beta ? _mm512_add_ps(_mm512_loadu_ps(c), s[q]) : s[q]);
    }
  }
  for (; j < N; j += 16) {
    const __mmask16 m = mask16(N - j);
    __m512 s = _mm512_setzero_ps();
    const float *p = B + j;
    for (int k = 0; k < K; k++, p += ldb) s = _mm512_fmadd_ps(_mm512_set1_ps(a[k]), _mm512_maskz_loadu_ps(m, p), s);
    float *c = C + j;
    _mm512_mask_storeu_ps(c, m, beta ? _mm512_add_ps(_mm512_maskz_loadu_ps(m, c), s) : s);
  }
}

T2 static float hsum8(__m256 v) {
  const __m128 x = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  const __m128 y = _mm_add_ps(x, _mm_movehl_ps(x, x));
  return _mm_cvtss_f32(_mm_add_ss(y, _mm_shuffle_ps(y, y, 1)));
}

T2 static void gemv_t2(int N, int K, const float *a, const float *B, size_t ldb, float *C, int beta) {
  const __m256i mt = mask8(K & 7);
  for (int j = 0; j < N; j += 4) {
    const int rows = imin(4, N - j);
    __m256 s0[4], s1[4];
    const float *b[4];
    for (int r = 0; r < 4; r++) { s0[r] = _mm256_setzero_ps(); s1[r] = _mm256_setzero_ps(); b[r] = B + (size_t)(j + (r < rows ? r : 0)) * ldb; }
    int k = 0;
    for (; k + 16 <= K; k += 16) {
      const __m256 x0 = _mm256_loadu_ps(a + k), x1 = _mm256_loadu_ps(a + k + 8);
#pragma GCC unroll 4
      for (int r = 0; r < 4; r++) {
        s0[r] = _mm256_fmadd_ps(x0, _mm256_loadu_ps(b[r] + k), s0[r]);
        s1[r] = _mm256_fmadd_ps(x1, _mm256_loadu_ps(b[r] + k + 8), s1[r]);
      }
    }
    if (k + 8 <= K) {
      const __m256 x0 = _mm256_loadu_ps(a + k);
      for (int r = 0; r < 4; r++) s0[r] = _mm256_fmadd_ps(x0, _mm256_loadu_ps(b[r] + k), s0[r]);
      k += 8;
    }
    if (k < K) {
      const __m256 x1 = _mm256_maskload_ps(a + k, mt);
      for (int r = 0; r < 4; r++) s1[r] = _mm256_fmadd_ps(x1, _mm256_maskload_ps(b[r] + k, mt), s1[r]);
    }
    for (int r = 0; r < rows; r++) {
      const float s = hsum8(_mm256_add_ps(s0[r], s1[r]));
      C[j + r] = beta ? C[j + r] + s : s;
    }
  }
}

T2 static void gemv_n2(int N, int K, const float *a, const float *B, size_t ldb, float *C, int beta) {
  int j = 0;
  for (; j + 64 <= N; j += 64) {
    __m256 s[8];
    for (int q = 0; q < 8; q++) s[q] = _mm256_setzero_ps();
    const float *p = B + j;
    for (int k = 0; k < K; k++, p += ldb) {
      const __m256 x = _mm256_set1_ps(a[k]);
#pragma GCC unroll 8
      for (int q = 0; q < 8; q++) s[q] = _mm256_fmadd_ps(x, _mm256_loadu_ps(p + 8 * q), s[q]);
    }
    for (int q = 0; q < 8; q++) {
      float *c = C + j + 8 * q;
      _mm256_storeu_ps(c, beta ? _mm256_add_ps(_mm256_loadu_ps(c), s[q]) : s[q]);
    }
  }
  for (; j < N; j += 8) {
    const __m256i m = mask8(N - j);
    __m256 s = _mm256_setzero_ps();
    const float *p = B + j;
    for (int k = 0; k < K; k++, p += ldb) s = _mm256_fmadd_ps(_mm256_set1_ps(a[k]), _mm256_maskload_ps(p, m), s);
    float *c = C + j;
    _mm256_maskstore_ps(c, m, beta ? _mm256_add_ps(_mm256_maskload_ps(c, m), s) : s);
  }
}

void nk_gemv(int tB, int N, int K, const float *a, const float *B, int ldb, float *C, int beta) {
  if (N <= 0) return;
  if (K <= 0) { if (!beta) memset(C, 0, (size_t)N * sizeof(float)); return; }
  const int avx512 = nk_isa() == NK_AVX512;
  if (tB) (avx512 ? gemv_t512 : gemv_t2)(N, K, a, B, (size_t)ldb, C, beta);
  else (avx512 ? gemv_n512 : gemv_n2)(N, K, a, B, (size_t)ldb, C, beta);
}
