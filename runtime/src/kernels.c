/*
 * kernels.c — elementwise kernels: a scalar reference path for any dtype, layout and
 * broadcast, and contiguous fast paths (SLEEF vectors for transcendentals, threads for
 * large tensors) that tests compare against the reference.
 *
 * Key idea: the reference path walks the output in row-major order with a carry
 * counter, keeping one strided offset per operand (stride 0 on broadcast dims), and
 * computes in double. The fast paths only handle the common, easy layouts (all
 * operands contiguous with the output's shape, or a one-element operand) in the
 * operands' own precision. Kernels never allocate tensors.
 */
#include "internal.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#include <sleef.h>
#define ADJ_HAVE_SLEEF 1
#endif

static atomic_bool force_reference;
static atomic_int num_threads;

bool adj_set_reference_kernels(bool on) { return atomic_exchange(&force_reference, on); }
bool adj_reference_kernels(void) { return atomic_load(&force_reference); }

void adj_set_num_threads(int n) { atomic_store(&num_threads, n < 1 ? 1 : n); }

int adj_get_num_threads(void) {
  int n = atomic_load(&num_threads);
  if (n == 0) {
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    n = cpus < 1 ? 1 : cpus > 8 ? 8 : (int)cpus;
    atomic_store(&num_threads, n);
  }
  return n;
}

/* ---- threads ------------------------------------------------------------------- */

typedef struct Chunk {
  void (*fn)(void *ctx, int64_t b, int64_t e);
  void *ctx;
  int64_t begin, end;
} Chunk;

static void *run_chunk(void *arg) {
  Chunk *c = arg;
  c->fn(c->ctx, c->begin, c->end);
  return NULL;
}

/* Split [0, n) into at most num_threads chunks of at least `grain` elements; the
 * calling thread runs the first chunk. Falls back to one thread if creation fails. */
void adj_parallel_for(int64_t n, int64_t grain, void (*fn)(void *ctx, int64_t b, int64_t e),
                      void *ctx) {
  int nt = adj_get_num_threads();
  if (grain < 1)
    grain = 1;
  if (nt > n / grain)
    nt = (int)(n / grain);
  if (nt <= 1) {
    fn(ctx, 0, n);
    return;
  }
  Chunk chunks[8];
  pthread_t tids[8];
  bool started[8] = {false};
  if (nt > 8)
    nt = 8;
  int64_t per = (n + nt - 1) / nt;
  for (int i = 0; i < nt; i++) {
    int64_t b = i * per, e = b + per < n ? b + per : n;
    chunks[i] = (Chunk){fn, ctx, b, e};
  }
  for (int i = 1; i < nt; i++)
    started[i] = pthread_create(&tids[i], NULL, run_chunk, &chunks[i]) == 0;
  run_chunk(&chunks[0]);
  for (int i = 1; i < nt; i++) {
    if (started[i])
      pthread_join(tids[i], NULL);
    else
      run_chunk(&chunks[i]);
  }
}

/* ---- scalar reference math ------------------------------------------------------ */

double adj_unary_ref(AdjUnaryOp op, double x) {
  switch (op) {
  case U_NEG: return -x;
  case U_EXP: return exp(x);
  case U_LOG: return log(x);
  case U_SQRT: return sqrt(x);
  case U_ABS: return fabs(x);
  case U_SIGN: return x > 0 ? 1.0 : x < 0 ? -1.0 : x == 0 ? 0.0 : x; /* NaN stays NaN */
  case U_SIN: return sin(x);
  case U_COS: return cos(x);
  case U_TANH: return tanh(x);
  case U_SIGMOID: return 1.0 / (1.0 + exp(-x));
  case U_RELU: return x > 0 ? x : (isnan(x) ? x : 0.0);
  }
  return NAN;
}

double adj_binary_ref(AdjBinaryOp op, double a, double b) {
  switch (op) {
  case B_ADD: return a + b;
  case B_SUB: return a - b;
  case B_MUL: return a * b;
  case B_DIV: return a / b;
  case B_POW: return pow(a, b);
  case B_MIN: return isnan(a) || isnan(b) ? NAN : a < b ? a : b;
  case B_MAX: return isnan(a) || isnan(b) ? NAN : a > b ? a : b;
  case B_EQ: return a == b;
  case B_NE: return a != b;
  case B_LT: return a < b;
  case B_LE: return a <= b;
  case B_GT: return a > b;
  case B_GE: return a >= b;
  }
  return NAN;
}

/* ---- strided walker ------------------------------------------------------------- */

/* Strides of operand t broadcast to the output shape (0 on broadcast dims). */
static void broadcast_strides(const AdjTensor *t, int ndim, const int64_t *shape, int64_t *st) {
  int lead = ndim - t->ndim;
  for (int d = 0; d < ndim; d++) {
    int td = d - lead;
    st[d] = (td < 0 || (t->shape[td] == 1 && shape[d] != 1)) ? 0 : t->stride[td];
  }
}

/* Walks up to four operands over `shape` in row-major order. */
typedef struct Walker {
  int ndim, nops;
  int64_t shape[ADJ_MAX_DIMS];
  int64_t st[4][ADJ_MAX_DIMS];
  int64_t idx[ADJ_MAX_DIMS];
  int64_t off[4];
} Walker;

static void walker_init(Walker *w, int ndim, const int64_t *shape, int nops,
                        const AdjTensor *const *ops) {
  w->ndim = ndim;
  w->nops = nops;
  for (int d = 0; d < ndim; d++) {
    w->shape[d] = shape[d];
    w->idx[d] = 0;
  }
  for (int k = 0; k < nops; k++) {
    broadcast_strides(ops[k], ndim, shape, w->st[k]);
    w->off[k] = ops[k]->offset;
  }
}

static inline void walker_next(Walker *w) {
  for (int d = w->ndim - 1; d >= 0; d--) {
    for (int k = 0; k < w->nops; k++)
      w->off[k] += w->st[k][d];
    if (++w->idx[d] < w->shape[d])
      return;
    for (int k = 0; k < w->nops; k++)
      w->off[k] -= w->st[k][d] * w->shape[d];
    w->idx[d] = 0;
  }
}

/* ---- unary ---------------------------------------------------------------------- */

static void unary_ref(AdjUnaryOp op, AdjTensor *out, const AdjTensor *a) {
  const AdjTensor *ops[2] = {out, a};
  Walker w;
  walker_init(&w, out->ndim, out->shape, 2, ops);
  int64_t n = adj_numel(out);
  void *od = out->storage->data;
  const void *ad = a->storage->data;
  for (int64_t i = 0; i < n; i++, walker_next(&w))
    adj_write(od, out->dtype, w.off[0], adj_unary_ref(op, adj_read(ad, a->dtype, w.off[1])));
}

/* The fast loops read element i and write element i only (out may be an input, for
 * in-place ops): no loop-carried dependence, so let GCC vectorise without runtime
 * alias checks. (Clang vectorises with its own checks; forcing it only warns.) */
#if defined(__GNUC__) && !defined(__clang__)
#define ADJ_IVDEP _Pragma("GCC ivdep")
#else
#define ADJ_IVDEP
#endif

typedef struct UnaryJob {
  AdjUnaryOp op;
  void *out;
  const void *in;
} UnaryJob;

#define UNARY_LOOP(T, EXPR)                                                                        \
  do {                                                                                             \
    T *o = (T *)job->out + b;                                                                      \
    const T *x = (const T *)job->in + b;                                                           \
    ADJ_IVDEP                                                                                      \
    for (int64_t i = 0; i < e - b; i++) {                                                          \
      T v = x[i];                                                                                  \
      o[i] = (EXPR);                                                                               \
    }                                                                                              \
  } while (0)

#ifdef ADJ_HAVE_SLEEF
/* Apply a SLEEF vector function over n values, with a scalar tail. Macros rather than
 * function pointers: sleef.h declares its functions with a const-qualified return
 * type under some compilers, which makes pointers to them incompatible. */
#define SLEEF_D2(VF, SF)                                                                           \
  do {                                                                                             \
    int64_t i = 0;                                                                                 \
    for (; i + 2 <= e - b; i += 2)                                                                 \
      _mm_storeu_pd(o + i, VF(_mm_loadu_pd(x + i)));                                               \
    for (; i < e - b; i++)                                                                         \
      o[i] = SF(x[i]);                                                                             \
  } while (0)
#define SLEEF_F4(VF, SF)                                                                           \
  do {                                                                                             \
    int64_t i = 0;                                                                                 \
    for (; i + 4 <= e - b; i += 4)                                                                 \
      _mm_storeu_ps(o + i, VF(_mm_loadu_ps(x + i)));                                               \
    for (; i < e - b; i++)                                                                         \
      o[i] = SF(x[i]);                                                                             \
  } while (0)

static __m128d sigmoid_d2(__m128d x) {
  __m128d one = _mm_set1_pd(1.0);
  return _mm_div_pd(one, _mm_add_pd(one, Sleef_expd2_u10(_mm_sub_pd(_mm_setzero_pd(), x))));
}

static __m128 sigmoid_f4(__m128 x) {
  __m128 one = _mm_set1_ps(1.0f);
  return _mm_div_ps(one, _mm_add_ps(one, Sleef_expf4_u10(_mm_sub_ps(_mm_setzero_ps(), x))));
}

static double sigmoid_d1(double x) { return 1.0 / (1.0 + exp(-x)); }
static float sigmoid_f1(float x) { return 1.0f / (1.0f + expf(-x)); }

/* Vectorised transcendental ops; returns false for ops it does not cover. */
static bool unary_sleef(const UnaryJob *job, bool dbl, int64_t b, int64_t e) {
  if (adj_cpu_has_avx2()) {
    bool done =
        dbl ? adj_avx2_unary_f64(job->op, (double *)job->out + b, (const double *)job->in + b,
                                 e - b)
            : adj_avx2_unary_f32(job->op, (float *)job->out + b, (const float *)job->in + b, e - b);
    if (done)
      return true;
  }
  if (dbl) {
    double *o = (double *)job->out + b;
    const double *x = (const double *)job->in + b;
    switch (job->op) {
    case U_EXP: SLEEF_D2(Sleef_expd2_u10, exp); return true;
    case U_LOG: SLEEF_D2(Sleef_logd2_u10, log); return true;
    case U_SIN: SLEEF_D2(Sleef_sind2_u10, sin); return true;
    case U_COS: SLEEF_D2(Sleef_cosd2_u10, cos); return true;
    case U_TANH: SLEEF_D2(Sleef_tanhd2_u10, tanh); return true;
    case U_SIGMOID: SLEEF_D2(sigmoid_d2, sigmoid_d1); return true;
    default: return false;
    }
  }
  float *o = (float *)job->out + b;
  const float *x = (const float *)job->in + b;
  switch (job->op) {
  case U_EXP: SLEEF_F4(Sleef_expf4_u10, expf); return true;
  case U_LOG: SLEEF_F4(Sleef_logf4_u10, logf); return true;
  case U_SIN: SLEEF_F4(Sleef_sinf4_u10, sinf); return true;
  case U_COS: SLEEF_F4(Sleef_cosf4_u10, cosf); return true;
  case U_TANH: SLEEF_F4(Sleef_tanhf4_u10, tanhf); return true;
  case U_SIGMOID: SLEEF_F4(sigmoid_f4, sigmoid_f1); return true;
  default: return false;
  }
}
#endif

/* Fast unary loop over [b, e) of contiguous doubles (a parallel_for body). */
static void unary_f64(void *ctx, int64_t b, int64_t e) {
  const UnaryJob *job = ctx;
#ifdef ADJ_HAVE_SLEEF
  if (unary_sleef(job, true, b, e))
    return;
#endif
  switch (job->op) {
  case U_NEG: UNARY_LOOP(double, -v); break;
  case U_SQRT: UNARY_LOOP(double, sqrt(v)); break;
  case U_ABS: UNARY_LOOP(double, fabs(v)); break;
  case U_RELU: UNARY_LOOP(double, v > 0 ? v : (v != v ? v : 0.0)); break;
  default: UNARY_LOOP(double, adj_unary_ref(job->op, v)); break;
  }
}

/* Fast unary loop over [b, e) of contiguous floats (a parallel_for body). */
static void unary_f32(void *ctx, int64_t b, int64_t e) {
  const UnaryJob *job = ctx;
#ifdef ADJ_HAVE_SLEEF
  if (unary_sleef(job, false, b, e))
    return;
#endif
  switch (job->op) {
  case U_NEG: UNARY_LOOP(float, -v); break;
  case U_SQRT: UNARY_LOOP(float, sqrtf(v)); break;
  case U_ABS: UNARY_LOOP(float, fabsf(v)); break;
  case U_RELU: UNARY_LOOP(float, v > 0 ? v : (v != v ? v : 0.0f)); break;
  default: UNARY_LOOP(float, (float)adj_unary_ref(job->op, v)); break;
  }
}

void adj_kernel_unary(AdjUnaryOp op, AdjTensor *out, const AdjTensor *a) {
  int64_t n = adj_numel(out);
  if (n == 0)
    return;
  if (!adj_reference_kernels() && out->dtype == a->dtype && adj_dtype_is_float(a->dtype) &&
      adj_is_contiguous(out) && adj_is_contiguous(a)) {
    UnaryJob job = {op, adj_data_ptr(out), adj_data_ptr(a)};
    adj_parallel_for(n, 1 << 15, a->dtype == ADJ_FLOAT64 ? unary_f64 : unary_f32, &job);
    return;
  }
  unary_ref(op, out, a);
}

/* ---- binary --------------------------------------------------------------------- */

static void binary_ref(AdjBinaryOp op, AdjTensor *out, const AdjTensor *a, const AdjTensor *b) {
  const AdjTensor *ops[3] = {out, a, b};
  Walker w;
  walker_init(&w, out->ndim, out->shape, 3, ops);
  int64_t n = adj_numel(out);
  void *od = out->storage->data;
  const void *ad = a->storage->data, *bd = b->storage->data;
  for (int64_t i = 0; i < n; i++, walker_next(&w)) {
    double x = adj_read(ad, a->dtype, w.off[1]), y = adj_read(bd, b->dtype, w.off[2]);
    adj_write(od, out->dtype, w.off[0], adj_binary_ref(op, x, y));
  }
}

typedef struct BinaryJob {
  AdjBinaryOp op;
  void *out;
  const void *a, *b;
  bool a_scalar, b_scalar; /* one-element operands broadcast */
} BinaryJob;

#define BINARY_LOOP(T, EXPR)                                                                       \
  do {                                                                                             \
    T *o = (T *)job->out;                                                                          \
    const T *pa = job->a, *pb = job->b;                                                            \
    if (job->b_scalar) {                                                                           \
      T y = pb[0];                                                                                 \
      ADJ_IVDEP                                                                                    \
      for (int64_t i = b; i < e; i++) {                                                            \
        T x = pa[i];                                                                               \
        o[i] = (EXPR);                                                                             \
      }                                                                                            \
    } else if (job->a_scalar) {                                                                    \
      T x = pa[0];                                                                                 \
      ADJ_IVDEP                                                                                    \
      for (int64_t i = b; i < e; i++) {                                                            \
        T y = pb[i];                                                                               \
        o[i] = (EXPR);                                                                             \
      }                                                                                            \
    } else {                                                                                       \
      ADJ_IVDEP                                                                                    \
      for (int64_t i = b; i < e; i++) {                                                            \
        T x = pa[i], y = pb[i];                                                                    \
        o[i] = (EXPR);                                                                             \
      }                                                                                            \
    }                                                                                              \
  } while (0)

/* Fast binary loop over [b, e) of contiguous doubles (a parallel_for body). */
static void binary_f64(void *ctx, int64_t b, int64_t e) {
  const BinaryJob *job = ctx;
  switch (job->op) {
  case B_ADD: BINARY_LOOP(double, x + y); break;
  case B_SUB: BINARY_LOOP(double, x - y); break;
  case B_MUL: BINARY_LOOP(double, x *y); break;
  case B_DIV: BINARY_LOOP(double, x / y); break;
  case B_MIN: BINARY_LOOP(double, x != x || y != y ? x + y : x < y ? x : y); break;
  case B_MAX: BINARY_LOOP(double, x != x || y != y ? x + y : x > y ? x : y); break;
  case B_EQ: BINARY_LOOP(double, x == y); break;
  case B_NE: BINARY_LOOP(double, x != y); break;
  case B_LT: BINARY_LOOP(double, x < y); break;
  case B_LE: BINARY_LOOP(double, x <= y); break;
  case B_GT: BINARY_LOOP(double, x > y); break;
  case B_GE: BINARY_LOOP(double, x >= y); break;
  default: BINARY_LOOP(double, adj_binary_ref(job->op, x, y)); break;
  }
}

/* Fast binary loop over [b, e) of contiguous floats (a parallel_for body). */
static void binary_f32(void *ctx, int64_t b, int64_t e) {
  const BinaryJob *job = ctx;
  switch (job->op) {
  case B_ADD: BINARY_LOOP(float, x + y); break;
  case B_SUB: BINARY_LOOP(float, x - y); break;
  case B_MUL: BINARY_LOOP(float, x *y); break;
  case B_DIV: BINARY_LOOP(float, x / y); break;
  case B_MIN: BINARY_LOOP(float, x != x || y != y ? x + y : x < y ? x : y); break;
  case B_MAX: BINARY_LOOP(float, x != x || y != y ? x + y : x > y ? x : y); break;
  case B_EQ: BINARY_LOOP(float, x == y); break;
  case B_NE: BINARY_LOOP(float, x != y); break;
  case B_LT: BINARY_LOOP(float, x < y); break;
  case B_LE: BINARY_LOOP(float, x <= y); break;
  case B_GT: BINARY_LOOP(float, x > y); break;
  case B_GE: BINARY_LOOP(float, x >= y); break;
  default: BINARY_LOOP(float, (float)adj_binary_ref(job->op, x, y)); break;
  }
}

static bool same_shape(const AdjTensor *a, const AdjTensor *b) {
  if (a->ndim != b->ndim)
    return false;
  for (int d = 0; d < a->ndim; d++)
    if (a->shape[d] != b->shape[d])
      return false;
  return true;
}

/* If contiguous t equals the trailing dims of out (leading dims of size 1 allowed),
 * the length of that row; else 0. */
static int64_t row_length(const AdjTensor *t, const AdjTensor *out) {
  if (!adj_is_contiguous(t) || t->ndim > out->ndim)
    return 0;
  int lead = out->ndim - t->ndim, d = 0;
  while (d < t->ndim && t->shape[d] == 1 && out->shape[lead + d] != 1)
    d++;
  int64_t len = 1;
  for (int k = d; k < t->ndim; k++) {
    if (t->shape[k] != out->shape[lead + k])
      return 0;
    len *= t->shape[k];
  }
  return len > 0 && d + lead > 0 ? len : 0;
}

void adj_kernel_binary(AdjBinaryOp op, AdjTensor *out, const AdjTensor *a, const AdjTensor *b) {
  int64_t n = adj_numel(out);
  if (n == 0)
    return;
  bool fast = !adj_reference_kernels() && adj_dtype_is_float(out->dtype) &&
              out->dtype == a->dtype && out->dtype == b->dtype && adj_is_contiguous(out);
  if (fast) {
    bool a_ok = adj_is_contiguous(a) && same_shape(a, out);
    bool b_ok = adj_is_contiguous(b) && same_shape(b, out);
    bool a_sc = adj_numel(a) == 1, b_sc = adj_numel(b) == 1;
    if ((a_ok || a_sc) && (b_ok || b_sc)) {
      BinaryJob job = {
          op, adj_data_ptr(out), adj_data_ptr(a), adj_data_ptr(b), a_sc && !a_ok, b_sc && !b_ok};
      adj_parallel_for(n, 1 << 19, out->dtype == ADJ_FLOAT64 ? binary_f64 : binary_f32, &job);
      return;
    }
    int64_t row = 0;
    if (a_ok && (row = row_length(b, out)) > 0) { /* a[i, j] op b[j], e.g. adding a bias */
      for (int64_t i = 0; i < n; i += row) {
        BinaryJob job = {op,
                         (char *)adj_data_ptr(out) + i * (int64_t)adj_dtype_size(out->dtype),
                         (const char *)adj_data_ptr(a) + i * (int64_t)adj_dtype_size(a->dtype),
                         adj_data_ptr(b),
                         false,
                         false};
        (out->dtype == ADJ_FLOAT64 ? binary_f64 : binary_f32)(&job, 0, row);
      }
      return;
    }
  }
  binary_ref(op, out, a, b);
}

/* ---- clamp, copy, fill ------------------------------------------------------------ */

void adj_kernel_clamp(AdjTensor *out, const AdjTensor *a, double lo, double hi) {
  const AdjTensor *ops[2] = {out, a};
  Walker w;
  walker_init(&w, out->ndim, out->shape, 2, ops);
  int64_t n = adj_numel(out);
  for (int64_t i = 0; i < n; i++, walker_next(&w)) {
    double x = adj_read(a->storage->data, a->dtype, w.off[1]);
    if (!isnan(x))
      x = x < lo ? lo : x > hi ? hi : x;
    adj_write(out->storage->data, out->dtype, w.off[0], x);
  }
}

void adj_kernel_copy(AdjTensor *dst, const AdjTensor *src) {
  int64_t n = adj_numel(dst);
  if (n == 0)
    return;
  if (!adj_reference_kernels() && dst->dtype == src->dtype && adj_is_contiguous(dst) &&
      adj_is_contiguous(src) && same_shape(dst, src)) {
    if (adj_data_ptr(dst) != adj_data_ptr(src))
      memmove(adj_data_ptr(dst), adj_data_ptr(src), (size_t)n * adj_dtype_size(dst->dtype));
    return;
  }
  const AdjTensor *ops[2] = {dst, src};
  Walker w;
  walker_init(&w, dst->ndim, dst->shape, 2, ops);
  for (int64_t i = 0; i < n; i++, walker_next(&w))
    adj_write(dst->storage->data, dst->dtype, w.off[0],
              adj_read(src->storage->data, src->dtype, w.off[1]));
}

void adj_kernel_fill(AdjTensor *dst, double value) {
  int64_t n = adj_numel(dst);
  if (adj_is_contiguous(dst)) {
    void *p = adj_data_ptr(dst);
    if (dst->dtype == ADJ_FLOAT32) {
      float v = (float)value;
      for (int64_t i = 0; i < n; i++)
        ((float *)p)[i] = v;
    } else if (dst->dtype == ADJ_FLOAT64) {
      for (int64_t i = 0; i < n; i++)
        ((double *)p)[i] = value;
    } else {
      for (int64_t i = 0; i < n; i++)
        adj_write(p, dst->dtype, i, value);
    }
    return;
  }
  const AdjTensor *ops[1] = {dst};
  Walker w;
  walker_init(&w, dst->ndim, dst->shape, 1, ops);
  for (int64_t i = 0; i < n; i++, walker_next(&w))
    adj_write(dst->storage->data, dst->dtype, w.off[0], value);
}

void adj_kernel_where(AdjTensor *out, const AdjTensor *cond, const AdjTensor *a,
                      const AdjTensor *b) {
  const AdjTensor *ops[4] = {out, cond, a, b};
  Walker w;
  walker_init(&w, out->ndim, out->shape, 4, ops);
  int64_t n = adj_numel(out);
  for (int64_t i = 0; i < n; i++, walker_next(&w)) {
    bool c = adj_read(cond->storage->data, cond->dtype, w.off[1]) != 0;
    double v = c ? adj_read(a->storage->data, a->dtype, w.off[2])
                 : adj_read(b->storage->data, b->dtype, w.off[3]);
    adj_write(out->storage->data, out->dtype, w.off[0], v);
  }
}

/* ---- reductions ----------------------------------------------------------------------- */

typedef struct ReduceJob {
  const void *data;
  AdjDType dtype;
  double partial[8];
  int64_t per;
} ReduceJob;

/* Sum [b, e) with four accumulators into the chunk's partial slot. */
static void sum_chunk(void *ctx, int64_t b, int64_t e) {
  ReduceJob *job = ctx;
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  int64_t i = b;
  if (job->dtype == ADJ_FLOAT64) {
    const double *x = job->data;
    for (; i + 4 <= e; i += 4)
      s0 += x[i], s1 += x[i + 1], s2 += x[i + 2], s3 += x[i + 3];
    for (; i < e; i++)
      s0 += x[i];
  } else {
    const float *x = job->data;
    for (; i + 4 <= e; i += 4)
      s0 += x[i], s1 += x[i + 1], s2 += x[i + 2], s3 += x[i + 3];
    for (; i < e; i++)
      s0 += x[i];
  }
  job->partial[b / job->per] = (s0 + s1) + (s2 + s3);
}

/* Sums of a contiguous tensor whose reduced dims are all leading ([R, K] -> [K]) or
 * all trailing ([K, R] -> [K]); false for other patterns. Accumulates in double. */
static bool sum_blocks(AdjTensor *out, const AdjTensor *in, const bool *mask) {
  int first = -1, last = -1;
  for (int d = 0; d < in->ndim; d++)
    if (mask[d] && in->shape[d] != 1) {
      if (first < 0)
        first = d;
      last = d;
    }
  if (first < 0)
    return false;
  for (int d = first; d <= last; d++)
    if (!mask[d] && in->shape[d] != 1)
      return false; /* reduced dims not adjacent */
  bool leading = true, trailing = true;
  for (int d = 0; d < first; d++)
    leading &= in->shape[d] == 1;
  for (int d = last + 1; d < in->ndim; d++)
    trailing &= in->shape[d] == 1;
  if (!leading && !trailing)
    return false;
  int64_t nout = adj_numel(out), r = adj_numel(in) / nout;
  if (r == 0)
    return false; /* empty reduction: the walker writes the zeros */
  const void *src = adj_data_ptr(in);
  bool dbl = in->dtype == ADJ_FLOAT64;
  if (trailing) { /* each output is a contiguous block of r inputs */
    for (int64_t o = 0; o < nout; o++) {
      double s0 = 0, s1 = 0;
      int64_t i = 0;
      if (dbl) {
        const double *x = (const double *)src + o * r;
        for (; i + 2 <= r; i += 2)
          s0 += x[i], s1 += x[i + 1];
        for (; i < r; i++)
          s0 += x[i];
      } else {
        const float *x = (const float *)src + o * r;
        for (; i + 2 <= r; i += 2)
          s0 += x[i], s1 += x[i + 1];
        for (; i < r; i++)
          s0 += x[i];
      }
      adj_write(out->storage->data, out->dtype, out->offset + o, s0 + s1);
    }
    return true;
  }
  /* leading: out[k] = sum_j in[j, k], rows added in order into the output */
  void *dst = adj_data_ptr(out);
  if (dbl) {
    double *o = dst;
    const double *x = src;
    for (int64_t k = 0; k < nout; k++)
      o[k] = x[k];
    for (int64_t j = 1; j < r; j++)
      for (int64_t k = 0; k < nout; k++)
        o[k] += x[j * nout + k];
  } else {
    float *o = dst;
    const float *x = src;
    for (int64_t k = 0; k < nout; k++)
      o[k] = x[k];
    for (int64_t j = 1; j < r; j++)
      for (int64_t k = 0; k < nout; k++)
        o[k] += x[j * nout + k];
  }
  return true;
}

static double reduce_init(AdjReduceOp op) {
  return op == R_SUM ? 0.0 : (op == R_MAX || op == R_ARGMAX) ? -INFINITY : INFINITY;
}

/* The reference reduction: walk a permuted view (kept dims first, reduced dims last),
 * so each output element's inputs are consecutive in the walk. */
void adj_kernel_reduce(AdjReduceOp op, AdjTensor *out, const AdjTensor *in, const bool *mask) {
  int64_t nout = adj_numel(out), nin = adj_numel(in);
  if (nout == 0)
    return;
  int64_t block = nout > 0 ? nin / nout : 0;
  if (!adj_reference_kernels() && op == R_SUM && nout == 1 && adj_is_contiguous(in) &&
      adj_dtype_is_float(in->dtype)) {
    ReduceJob job = {adj_data_ptr(in), in->dtype, {0}, 0};
    int nt = adj_get_num_threads();
    if (nt > 8)
      nt = 8;
    job.per = nin >= (1 << 20) ? (nin + nt - 1) / nt : (nin > 0 ? nin : 1);
    /* chunk boundaries match adj_parallel_for's split when per = ceil(n / nt) */
    if (job.per < nin) {
      int chunks = (int)((nin + job.per - 1) / job.per);
      for (int c = 0; c < chunks; c++)
        job.partial[c] = 0;
      adj_parallel_for(nin, job.per, sum_chunk, &job);
      double s = 0;
      for (int c = 0; c < chunks; c++)
        s += job.partial[c];
      adj_write(out->storage->data, out->dtype, out->offset, s);
    } else {
      sum_chunk(&job, 0, nin);
      adj_write(out->storage->data, out->dtype, out->offset, job.partial[0]);
    }
    return;
  }
  if (!adj_reference_kernels() && op == R_SUM && adj_is_contiguous(in) &&
      adj_dtype_is_float(in->dtype) && out->dtype == in->dtype && sum_blocks(out, in, mask))
    return;
  int64_t shape[ADJ_MAX_DIMS], stride[ADJ_MAX_DIMS];
  int k = 0;
  for (int pass = 0; pass < 2; pass++)
    for (int d = 0; d < in->ndim; d++)
      if (mask[d] == (pass == 1)) {
        shape[k] = in->shape[d];
        stride[k++] = in->stride[d];
      }
  AdjTensor view = *in;
  for (int d = 0; d < in->ndim; d++) {
    view.shape[d] = shape[d];
    view.stride[d] = stride[d];
  }
  const AdjTensor *ops[1] = {&view};
  Walker w;
  walker_init(&w, view.ndim, view.shape, 1, ops);
  for (int64_t o = 0; o < nout; o++) {
    double acc = reduce_init(op);
    int64_t arg = 0;
    bool seen_nan = false;
    for (int64_t j = 0; j < block; j++, walker_next(&w)) {
      double x = adj_read(in->storage->data, in->dtype, w.off[0]);
      switch (op) {
      case R_SUM: acc += x; break;
      case R_MAX:
      case R_ARGMAX:
        if (!seen_nan && (isnan(x) || x > acc || j == 0)) {
          acc = x, arg = j;
          seen_nan = isnan(x);
        }
        break;
      case R_MIN:
      case R_ARGMIN:
        if (!seen_nan && (isnan(x) || x < acc || j == 0)) {
          acc = x, arg = j;
          seen_nan = isnan(x);
        }
        break;
      }
    }
    double v = (op == R_ARGMAX || op == R_ARGMIN) ? (double)arg : acc;
    adj_write(out->storage->data, out->dtype, adj_elem_offset(out, o), v);
  }
}
