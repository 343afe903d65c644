/*
 * random.c — the seeded generator behind adj_rand / adj_randn: MT19937, seeded and
 * consumed exactly like PyTorch's CPU generator, so adj_manual_seed(s) followed by
 * adj_rand(shape) gives torch.manual_seed(s); torch.rand(shape) bit for bit.
 *
 * Key idea: torch.rand draws one 32-bit word per float32 ((x & 2^24-1) * 2^-24) and a
 * 64-bit pair per float64 ((x & 2^53-1) * 2^-53). torch.randn is Box-Muller in two
 * forms: per element with a cached second value below 16 elements, and over blocks of
 * 16 uniforms above (PyTorch's normal_fill); both are reproduced here, so randn
 * matches PyTorch to rounding (its float32 AVX2 path uses its own log/sincos).
 */
#include "internal.h"

#include <math.h>

#define MT_N 624
#define MT_M 397

typedef struct Mt {
  uint32_t state[MT_N];
  int index;
  bool seeded;
  bool has_next_normal; /* Box-Muller's second value, kept like PyTorch's generator */
  double next_normal;
} Mt;

static _Thread_local Mt mt;

static void mt_seed(Mt *g, uint64_t seed) {
  g->state[0] = (uint32_t)(seed & 0xffffffffu);
  for (int i = 1; i < MT_N; i++)
    g->state[i] = 1812433253u * (g->state[i - 1] ^ (g->state[i - 1] >> 30)) + (uint32_t)i;
  g->index = MT_N;
  g->seeded = true;
  g->has_next_normal = false;
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

void adj_uniform_fill(AdjTensor *t, double from, double to) {
  int64_t n = adj_numel(t);
  if (t->dtype == ADJ_FLOAT64) { /* PyTorch: (x * (to - from) + from), contracted to an fma */
    for (int64_t i = 0; i < n; i++) {
      double x = (double)(mt_next64(&mt) & ((1ull << 53) - 1)) * (1.0 / 9007199254740992.0);
      adj_write(t->storage->data, t->dtype, adj_elem_offset(t, i), fma(x, to - from, from));
    }
    return;
  }
  float f = (float)from, w = (float)to - (float)from;
  for (int64_t i = 0; i < n; i++) {
    float x = (float)(mt_next(&mt) & ((1u << 24) - 1)) * (1.0f / 16777216.0f);
    adj_write(t->storage->data, t->dtype, adj_elem_offset(t, i), fmaf(x, w, f));
  }
}

/* An uninitialised float tensor to fill with random numbers; `kernel` is the PyTorch
 * kernel named in the error for a non-float dtype. */
static AdjTensor *new_random(AdjDType dtype, int ndim, const int64_t *shape, const char *kernel) {
  if (!adj_dtype_is_float(dtype)) {
    adj_error(ADJ_ERR_RUNTIME, "\"%s\" not implemented for '%s'", kernel,
              dtype == ADJ_INT64 ? "Long" : "Bool");
    return NULL;
  }
  if (ndim > 0 && !shape) {
    adj_error(ADJ_ERR_TYPE, "shape is NULL but ndim is %d", ndim);
    return NULL;
  }
  return adj_new_raw(dtype, ndim, shape);
}

AdjTensor *adj_rand(AdjDType dtype, int ndim, const int64_t *shape) {
  AdjTensor *t = new_random(dtype, ndim, shape, "check_uniform_bounds");
  if (!t)
    return NULL;
  int64_t n = adj_numel(t);
  for (int64_t i = 0; i < n; i++)
    adj_write(t->storage->data, dtype, i, uniform01(dtype));
  return adj_ret(t);
}

/* One at::normal_distribution<double> draw (small tensors): Box-Muller on two 53-bit
 * uniforms, returning r cos(theta) and keeping r sin(theta) for the next call. */
static double normal_draw(void) {
  if (mt.has_next_normal) {
    mt.has_next_normal = false;
    return mt.next_normal;
  }
  double u1 = uniform01(ADJ_FLOAT64), u2 = uniform01(ADJ_FLOAT64);
  double r = sqrt(-2.0 * log1p(-u2)), theta = 2.0 * 3.14159265358979323846 * u1;
  mt.next_normal = r * sin(theta);
  mt.has_next_normal = true;
  return r * cos(theta);
}

/* PyTorch's normal_fill_16: 16 uniforms become 8 Box-Muller pairs (j, j + 8). */
static void fill16_f64(double *d) {
  for (int j = 0; j < 8; j++) {
    double u1 = 1 - d[j], u2 = d[j + 8];
    double radius = sqrt(-2 * log(u1)), theta = 2.0 * 3.14159265358979323846 * u2;
    d[j] = radius * cos(theta);
    d[j + 8] = radius * sin(theta);
  }
}

static void fill16_f32(float *d) {
  for (int j = 0; j < 8; j++) {
    float u1 = 1 - d[j], u2 = d[j + 8];
    float radius = sqrtf(-2 * logf(u1)), theta = (float)(2.0 * 3.14159265358979323846 * u2);
    d[j] = radius * cosf(theta);
    d[j + 8] = radius * sinf(theta);
  }
}

AdjTensor *adj_randn(AdjDType dtype, int ndim, const int64_t *shape) {
  AdjTensor *t = new_random(dtype, ndim, shape, "normal_kernel_cpu");
  if (!t)
    return NULL;
  int64_t n = adj_numel(t);
  void *p = t->storage->data;
  if (n < 16) {
    for (int64_t i = 0; i < n; i++)
      adj_write(p, dtype, i, normal_draw());
    return adj_ret(t);
  }
  /* PyTorch's normal_fill: uniforms for every element, pairs within blocks of 16, and
   * the last 16 redrawn when n is not a multiple of 16. */
  for (int64_t i = 0; i < n; i++)
    adj_write(p, dtype, i, uniform01(dtype));
  for (int64_t i = 0; i + 16 <= n; i += 16)
    dtype == ADJ_FLOAT64 ? fill16_f64((double *)p + i) : fill16_f32((float *)p + i);
  if (n % 16 != 0) {
    for (int64_t i = n - 16; i < n; i++)
      adj_write(p, dtype, i, uniform01(dtype));
    dtype == ADJ_FLOAT64 ? fill16_f64((double *)p + n - 16) : fill16_f32((float *)p + n - 16);
  }
  return adj_ret(t);
}
