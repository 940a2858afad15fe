// The machine's FMA peak, measured: 16 independent accumulator chains (latency ~4 cycles × 2 FMA ports needs
// ≥ 8) of register-only fused multiply-adds, no memory traffic, for about `ms` milliseconds on the calling
// thread. GFLOP/s = 2 · lanes · chains · iterations / seconds. The bench reports gemm throughput against it.

#include "nk.h"
#include <immintrin.h>
#include <time.h>

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

#define CHAINS 16
#define ITERS 4096

__attribute__((target("avx512f,fma"))) static float run512(long reps) {
  __m512 x[CHAINS];
  const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
  for (int q = 0; q < CHAINS; q++) x[q] = _mm512_set1_ps((float)q);
  for (long r = 0; r < reps; r++) {
    for (int i = 0; i < ITERS; i++) {
#pragma GCC unroll 16
      for (int q = 0; q < CHAINS; q++) x[q] = _mm512_fmadd_ps(x[q], a, b);
    }
  }
  __m512 s = x[0];
  for (int q = 1; q < CHAINS; q++) s = _mm512_add_ps(s, x[q]);
  return _mm512_reduce_add_ps(s);
}

__attribute__((target("avx2,fma"))) static float run2(long reps) {
  __m256 x[CHAINS];
  const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
  for (int q = 0; q < CHAINS; q++) x[q] = _mm256_set1_ps((float)q);
  for (long r = 0; r < reps; r++) {
    for (int i = 0; i < ITERS; i++) {
#pragma GCC unroll 16
      for (int q = 0; q < CHAINS; q++) x[q] = _mm256_fmadd_ps(x[q], a, b);
    }
  }
  __m256 s = x[0];
  for (int q = 1; q < CHAINS; q++) s = _mm256_add_ps(s, x[q]);
  float out[8];
  _mm256_storeu_ps(out, s);
  return out[0];
}

static volatile float sink;

double nk_peak_gflops(double ms) {
  const int isa = nk_isa();
  if (isa == NK_NONE) return 0;
  const int lanes = isa == NK_AVX512 ? 16 : 8;
  float (*run)(long) = isa == NK_AVX512 ? run512 : run2;
  sink = run(4);                                   // warm up (clock ramp, code in cache)
  long reps = 8;
  double best = 0, spent = 0;
  while (spent < ms / 1000) {
    const double t0 = now_s();
    sink = run(reps);
    const double dt = now_s() - t0;
    spent += dt;
    const double g = 2.0 * lanes * CHAINS * ITERS * (double)reps / dt / 1e9;
    if (g > best) best = g;
    if (dt < 0.002) reps *= 2;
  }
  return best;
}
