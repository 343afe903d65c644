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
  return _mm256_div_ps(one, _mm256_add_ps(one, Sleef_expf8_u10avx2(_mm256_sub_ps(_mm256_setzero_ps(), x))));
}

static __m256d sigmoid_d4(__m256d x) {
  __m256d one = _mm256_set1_pd(1.0);
  return _mm256_div_pd(one, _mm256_add_pd(one, Sleef_expd4_u10avx2(_mm256_sub_pd(_mm256_setzero_pd(), x))));
}

/* The SLEEF function for op, or NULL if op has no vector form here. */
static __m256 (*pick_f8(AdjUnaryOp op))(__m256) {
  switch (op) {
  case U_EXP: return Sleef_expf8_u10avx2;
  case U_LOG: return Sleef_logf8_u10avx2;
  case U_SIN: return Sleef_sinf8_u10avx2;
  case U_COS: return Sleef_cosf8_u10avx2;
  case U_TANH: return Sleef_tanhf8_u10avx2;
  case U_SIGMOID: return sigmoid_f8;
  default: return NULL;
  }
}

static __m256d (*pick_d4(AdjUnaryOp op))(__m256d) {
  switch (op) {
  case U_EXP: return Sleef_expd4_u10avx2;
  case U_LOG: return Sleef_logd4_u10avx2;
  case U_SIN: return Sleef_sind4_u10avx2;
  case U_COS: return Sleef_cosd4_u10avx2;
  case U_TANH: return Sleef_tanhd4_u10avx2;
  case U_SIGMOID: return sigmoid_d4;
  default: return NULL;
  }
}

bool adj_avx2_unary_f32(AdjUnaryOp op, float *o, const float *x, int64_t n) {
  __m256 (*f)(__m256) = pick_f8(op);
  if (!f)
    return false;
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(o + i, f(_mm256_loadu_ps(x + i)));
  if (i < n) { /* tail: pad one vector so results match the vector path exactly */
    float in[8] = {0}, out[8];
    for (int64_t k = i; k < n; k++)
      in[k - i] = x[k];
    _mm256_storeu_ps(out, f(_mm256_loadu_ps(in)));
    for (int64_t k = i; k < n; k++)
      o[k] = out[k - i];
  }
  return true;
}

bool adj_avx2_unary_f64(AdjUnaryOp op, double *o, const double *x, int64_t n) {
  __m256d (*f)(__m256d) = pick_d4(op);
  if (!f)
    return false;
  int64_t i = 0;
  for (; i + 4 <= n; i += 4)
    _mm256_storeu_pd(o + i, f(_mm256_loadu_pd(x + i)));
  if (i < n) {
    double in[4] = {0}, out[4];
    for (int64_t k = i; k < n; k++)
      in[k - i] = x[k];
    _mm256_storeu_pd(out, f(_mm256_loadu_pd(in)));
    for (int64_t k = i; k < n; k++)
      o[k] = out[k - i];
  }
  return true;
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
