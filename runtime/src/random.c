/*
 * random.c — the seeded generator behind adj_rand / adj_randn: MT19937, seeded and
 * consumed exactly like PyTorch's CPU generator, so adj_manual_seed(s) followed by
 * adj_rand(shape) gives torch.manual_seed(s); torch.rand(shape) bit for bit.
 *
 * Key idea: torch.rand draws one 32-bit word per float32 ((x & 2^24-1) * 2^-24) and a
 * 64-bit pair per float64 ((x & 2^53-1) * 2^-53). randn uses Box-Muller on the same
 * stream (PyTorch's own randn uses a vectorised variant, so values differ).
 */
#include "internal.h"

#include <math.h>

#define MT_N 624
#define MT_M 397

typedef struct Mt {
  uint32_t state[MT_N];
  int index;
  bool seeded;
} Mt;

static _Thread_local Mt mt;

static void mt_seed(Mt *g, uint64_t seed) {
  g->state[0] = (uint32_t)(seed & 0xffffffffu);
  for (int i = 1; i < MT_N; i++)
    g->state[i] = 1812433253u * (g->state[i - 1] ^ (g->state[i - 1] >> 30)) + (uint32_t)i;
  g->index = MT_N;
  g->seeded = true;
}

/* The next 32-bit output of MT19937 (seeded with PyTorch's default seed if unseeded). */
static uint32_t mt_next(Mt *g) {
  if (!g->seeded)
    mt_seed(g, 67280421310721ull); /* PyTorch's default_rng_seed_val */
  if (g->index >= MT_N) {
    for (int i = 0; i < MT_N; i++) {
      uint32_t y = (g->state[i] & 0x80000000u) | (g->state[(i + 1) % MT_N] & 0x7fffffffu);
      g->state[i] = g->state[(i + MT_M) % MT_N] ^ (y >> 1) ^ ((y & 1u) ? 0x9908b0dfu : 0u);
    }
    g->index = 0;
  }
  uint32_t y = g->state[g->index++];
  y ^= y >> 11;
  y ^= (y << 7) & 0x9d2c5680u;
  y ^= (y << 15) & 0xefc60000u;
  y ^= y >> 18;
  return y;
}

static uint64_t mt_next64(Mt *g) {
  uint64_t hi = mt_next(g), lo = mt_next(g);
  return (hi << 32) | lo;
}

void adj_manual_seed(uint64_t seed) { mt_seed(&mt, seed); }

/* One torch.rand draw: 24 random bits for float32, 53 for float64. */
static double uniform01(AdjDType dtype) {
  if (dtype == ADJ_FLOAT64)
    return (double)(mt_next64(&mt) & ((1ull << 53) - 1)) * (1.0 / 9007199254740992.0);
  return (double)(float)((float)(mt_next(&mt) & ((1u << 24) - 1)) * (1.0f / 16777216.0f));
}

AdjTensor *adj_rand(AdjDType dtype, int ndim, const int64_t *shape) {
  if (!adj_dtype_is_float(dtype)) {
    adj_error(ADJ_ERR_RUNTIME, "\"check_uniform_bounds\" not implemented for '%s'",
              dtype == ADJ_INT64 ? "Long" : "Bool");
    return NULL;
  }
  if (ndim > 0 && !shape) {
    adj_error(ADJ_ERR_TYPE, "shape is NULL but ndim is %d", ndim);
    return NULL;
  }
  AdjTensor *t = adj_new_raw(dtype, ndim, shape);
  if (!t)
    return NULL;
  int64_t n = adj_numel(t);
  for (int64_t i = 0; i < n; i++)
    adj_write(t->storage->data, dtype, i, uniform01(dtype));
  return adj_ret(t);
}

AdjTensor *adj_randn(AdjDType dtype, int ndim, const int64_t *shape) {
  if (!adj_dtype_is_float(dtype)) {
    adj_error(ADJ_ERR_RUNTIME, "\"normal_kernel_cpu\" not implemented for '%s'",
              dtype == ADJ_INT64 ? "Long" : "Bool");
    return NULL;
  }
  if (ndim > 0 && !shape) {
    adj_error(ADJ_ERR_TYPE, "shape is NULL but ndim is %d", ndim);
    return NULL;
  }
  AdjTensor *t = adj_new_raw(dtype, ndim, shape);
  if (!t)
    return NULL;
  int64_t n = adj_numel(t);
  for (int64_t i = 0; i < n; i += 2) {
    double u1 = 1.0 - (double)(mt_next64(&mt) & ((1ull << 53) - 1)) / 9007199254740992.0;
    double u2 = (double)(mt_next64(&mt) & ((1ull << 53) - 1)) / 9007199254740992.0;
    double r = sqrt(-2.0 * log(u1)), th = 6.283185307179586 * u2;
    adj_write(t->storage->data, dtype, i, r * cos(th));
    if (i + 1 < n)
      adj_write(t->storage->data, dtype, i + 1, r * sin(th));
  }
  return adj_ret(t);
}
