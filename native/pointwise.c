// The native backend's pointwise kernels (LSTM cell pair, softmax + cross-entropy, optimizer updates), one
// source (pw_impl.h) instantiated for AVX-512 and for AVX2 + FMA, dispatched on nk_isa().

#include "nk.h"
#include <immintrin.h>
#include <math.h>

// ---- AVX-512: 16 lanes, mask registers ----
#define TGT __attribute__((target("avx512f,fma")))
#define F(name) name##_512
#define W 16
#define VT __m512
#define MT __mmask16
#define MASK(n) ((n) >= 16 ? (__mmask16)0xFFFF : (n) <= 0 ? (__mmask16)0 : (__mmask16)((1u << (n)) - 1))
#define LD(p) _mm512_loadu_ps(p)
#define LDM(p, m) _mm512_maskz_loadu_ps(m, p)
#define STM(p, m, v) _mm512_mask_storeu_ps(p, m, v)
#define SET1(x) _mm512_set1_ps(x)
#define ADD _mm512_add_ps
#define SUB _mm512_sub_ps
#define MUL _mm512_mul_ps
#define DIV _mm512_div_ps
#define FMA _mm512_fmadd_ps
#define FNMA _mm512_fnmadd_ps
#define MINK _mm512_min_ps
#define MAXK _mm512_max_ps
#define SQRT _mm512_sqrt_ps
#define ZEROM(v, m) _mm512_maskz_mov_ps(m, v)
#define ROUND(x) _mm512_roundscale_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)
#define VEXP2N(p, n) _mm512_scalef_ps(p, n)
#define LANE(v, i) (((const float *)&(v))[i])
#include "pw_impl.h"
#undef TGT
#undef F
#undef W
#undef VT
#undef MT
#undef MASK
#undef LD
#undef LDM
#undef STM
#undef SET1
#undef ADD
#undef SUB
#undef MUL
#undef DIV
#undef FMA
#undef FNMA
#undef MINK
#undef MAXK
#undef SQRT
#undef ZEROM
#undef ROUND
#undef VEXP2N

// ---- AVX2 + FMA: 8 lanes, mask vectors ----
__attribute__((target("avx2,fma"))) static inline __m256 mask_f(int n) {
  const __m256i iota = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_castsi256_ps(_mm256_cmpgt_epi32(_mm256_set1_epi32(n), iota));
}
__attribute__((target("avx2,fma"))) static inline __m256 exp2n_2(__m256 p, __m256 n) {
  const __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
  return _mm256_mul_ps(p, _mm256_castsi256_ps(e));
}
#define TGT __attribute__((target("avx2,fma")))
#define F(name) name##_2
#define W 8
#define VT __m256
#define MT __m256
#define MASK(n) mask_f(n)
#define LD(p) _mm256_loadu_ps(p)
#define LDM(p, m) _mm256_maskload_ps(p, _mm256_castps_si256(m))
#define STM(p, m, v) _mm256_maskstore_ps(p, _mm256_castps_si256(m), v)
#define SET1(x) _mm256_set1_ps(x)
#define ADD _mm256_add_ps
#define SUB _mm256_sub_ps
#define MUL _mm256_mul_ps
#define DIV _mm256_div_ps
#define FMA _mm256_fmadd_ps
#define FNMA _mm256_fnmadd_ps
#define MINK _mm256_min_ps
#define MAXK _mm256_max_ps
#define SQRT _mm256_sqrt_ps
#define ZEROM(v, m) _mm256_and_ps(v, m)
#define ROUND(x) _mm256_round_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)
#define VEXP2N(p, n) exp2n_2(p, n)
#include "pw_impl.h"

#define PICK(name) (nk_isa() == NK_AVX512 ? name##_512 : name##_2)

void nk_cell_forward(float *gates, float *c, float *tanhC, float *h, const float *cPrev, int B, int H, int u0, int u1) {
  PICK(cell_forward)(gates, c, tanhC, h, cPrev, B, H, u0, u1);
}

void nk_cell_backward(float *dA, float *dc, const float *dh, const float *gates, const float *cPrev,
                      const float *tanhC, int B, int H, int u0, int u1) {
  PICK(cell_backward)(dA, dc, dh, gates, cPrev, tanhC, B, H, u0, u1);
}

double nk_softmax_xent(float *logits, const int32_t *targets, int R, int V, double scale) {
  return PICK(softmax_xent)(logits, targets, R, V, scale);
}

void nk_adam(float *p, const float *g, float *m, float *v, int n, double lr, double beta1, double beta2,
             double eps, double bc1, double bc2) {
  PICK(adam)(p, g, m, v, n, lr, beta1, beta2, eps, bc1, bc2);
}

void nk_rmsprop(float *p, const float *g, float *v, int n, double lr, double alpha, double eps) {
  PICK(rmsprop)(p, g, v, n, lr, alpha, eps);
}

void nk_adagrad(float *p, const float *g, float *v, int n, double lr, double eps) { PICK(adagrad)(p, g, v, n, lr, eps); }

void nk_sgd(float *p, const float *g, float *m, int n, double lr, double momentum) { PICK(sgd)(p, g, m, n, lr, momentum); }
