/*
 * kernels_avx2.c — AVX2 versions of the transcendental fast paths (8 floats or 4
 * doubles per SLEEF call). This file alone is compiled with -mavx2 -mfma; kernels.c
 * calls it only after checking at run time that the CPU has AVX2 and FMA, and falls
 * back to the SSE2 paths otherwise (or when the compiler is not targeting x86-64).
 */
#include "internal.h"

#include <math.h>
#include <stdatomic.h>

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#include <sleef.h>

static __m256 sigmoid_f8(__m256 x) {
  __m256 one = _mm256_set1_ps(1.0f);
  __m256 e = Sleef_expf8_u10avx2(_mm256_sub_ps(_mm256_setzero_ps(), x));
  return _mm256_div_ps(one, _mm256_add_ps(one, e));
}

static __m256d sigmoid_d4(__m256d x) {
  __m256d one = _mm256_set1_pd(1.0);
  __m256d e = Sleef_expd4_u10avx2(_mm256_sub_pd(_mm256_setzero_pd(), x));
  return _mm256_div_pd(one, _mm256_add_pd(one, e));
}

/* Apply VF to n values: full vectors, then the tail padded into one vector so every
 * element goes through the same function. (Macros, not function pointers: sleef.h's
 * const-qualified return types make such pointers incompatible under clang.) */
#define AVX2_LOOP(T, W, LOAD, STORE, VF)                                                           \
  do {                                                                                             \
    int64_t i = 0;                                                                                 \
    for (; i + W <= n; i += W)                                                                     \
      STORE(o + i, VF(LOAD(x + i)));                                                               \
    if (i < n) {                                                                                   \
      T in[W] = {0}, out[W];                                                                       \
      for (int64_t k = i; k < n; k++)                                                              \
        in[k - i] = x[k];                                                                          \
      STORE(out, VF(LOAD(in)));                                                                    \
      for (int64_t k = i; k < n; k++)                                                              \
        o[k] = out[k - i];                                                                         \
    }                                                                                              \
  } while (0)
#define F8(VF) AVX2_LOOP(float, 8, _mm256_loadu_ps, _mm256_storeu_ps, VF)
#define D4(VF) AVX2_LOOP(double, 4, _mm256_loadu_pd, _mm256_storeu_pd, VF)

bool adj_avx2_unary_f32(AdjUnaryOp op, float *o, const float *x, int64_t n) {
  switch (op) {
  case U_EXP: F8(Sleef_expf8_u10avx2); return true;
  case U_LOG: F8(Sleef_logf8_u10avx2); return true;
  case U_SIN: F8(Sleef_sinf8_u10avx2); return true;
  case U_COS: F8(Sleef_cosf8_u10avx2); return true;
  case U_TANH: F8(Sleef_tanhf8_u10avx2); return true;
  case U_SIGMOID: F8(sigmoid_f8); return true;
  default: return false;
  }
}

bool adj_avx2_unary_f64(AdjUnaryOp op, double *o, const double *x, int64_t n) {
  switch (op) {
  case U_EXP: D4(Sleef_expd4_u10avx2); return true;
  case U_LOG: D4(Sleef_logd4_u10avx2); return true;
  case U_SIN: D4(Sleef_sind4_u10avx2); return true;
  case U_COS: D4(Sleef_cosd4_u10avx2); return true;
  case U_TANH: D4(Sleef_tanhd4_u10avx2); return true;
  case U_SIGMOID: D4(sigmoid_d4); return true;
  default: return false;
  }
}

bool adj_cpu_has_avx2(void) {
  static atomic_int cached = -1; /* every thread computes the same value */
  int v = atomic_load(&cached);
  if (v < 0) {
    __builtin_cpu_init();
    v = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    atomic_store(&cached, v);
  }
  return v;
}
#else
bool adj_avx2_unary_f32(AdjUnaryOp op, float *o, const float *x, int64_t n) {
  (void)op, (void)o, (void)x, (void)n;
  return false;
}
bool adj_avx2_unary_f64(AdjUnaryOp op, double *o, const double *x, int64_t n) {
  (void)op, (void)o, (void)x, (void)n;
  return false;
}
bool adj_cpu_has_avx2(void) { return false; }
#endif
