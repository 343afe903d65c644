/*
 * test_kernels.c — each fast kernel path against the scalar reference path, on odd
 * lengths (0, 1, 7, 8, 9, 1023), lengths big enough to use threads, both dtypes, and
 * non-contiguous views (transposed, strided slices, broadcast operands).
 *
 * The reference path is forced with adj_set_reference_kernels(true); results must
 * agree to a few ulps (transcendentals: SLEEF's 1-ulp functions vs libm).
 */
#include <adjoint.h>
#include <math.h>
#include <stdlib.h>

#include "check.h"

#define F32 ADJ_FLOAT32
#define F64 ADJ_FLOAT64

typedef AdjTensor *(*Unary)(const AdjTensor *);
typedef AdjTensor *(*Binary)(const AdjTensor *, const AdjTensor *);

static const int64_t lengths[] = {0, 1, 7, 8, 9, 1023, 200003};

/* Elementwise agreement: relative 4 ulps of the dtype, absolute near zero. */
static bool agree(const AdjTensor *a, const AdjTensor *b) {
  int64_t n = adj_numel(a);
  if (n != adj_numel(b) || adj_dtype(a) != adj_dtype(b))
    return false;
  double eps = adj_dtype(a) == F32 ? 4 * 1.2e-7 : 4 * 2.3e-16;
  double *x = malloc(sizeof(double) * (size_t)(n + 1)),
         *y = malloc(sizeof(double) * (size_t)(n + 1));
  adj_to_doubles(a, x);
  adj_to_doubles(b, y);
  bool ok = true;
  for (int64_t i = 0; i < n && ok; i++) {
    if (isnan(x[i]) && isnan(y[i]))
      continue;
    if (fabs(x[i] - y[i]) > eps * (fabs(y[i]) + 1e-30) && fabs(x[i] - y[i]) > 1e-300) {
      fprintf(stderr, "  element %lld: fast %.17g ref %.17g\n", (long long)i, x[i], y[i]);
      ok = false;
    }
  }
  free(x);
  free(y);
  return ok;
}

static AdjTensor *with_ref(Unary f, const AdjTensor *x) {
  adj_set_reference_kernels(true);
  AdjTensor *r = f(x);
  adj_set_reference_kernels(false);
  return r;
}

static AdjTensor *with_ref2(Binary f, const AdjTensor *a, const AdjTensor *b) {
  adj_set_reference_kernels(true);
  AdjTensor *r = f(a, b);
  adj_set_reference_kernels(false);
  return r;
}

static AdjTensor *data(AdjDType dt, int64_t n, double lo, double hi) {
  AdjTensor *u = adj_rand(dt, 1, &n);
  return adj_add_scalar(adj_mul_scalar(u, hi - lo), lo);
}

static AdjTensor *sum_all(const AdjTensor *t) { return adj_sum(t); }
static AdjTensor *relu_(const AdjTensor *t) { return adj_relu(t); }

static void test_unary(void) {
  struct {
    const char *name;
    Unary f;
    double lo, hi;
  } ops[] = {
      {"neg", adj_neg, -5, 5},           {"exp", adj_exp, -20, 20}, {"log", adj_log, 1e-3, 1e3},
      {"sqrt", adj_sqrt, 0, 100},        {"abs", adj_abs, -5, 5},   {"sign", adj_sign, -5, 5},
      {"sin", adj_sin, -10, 10},         {"cos", adj_cos, -10, 10}, {"tanh", adj_tanh, -5, 5},
      {"sigmoid", adj_sigmoid, -10, 10}, {"relu", relu_, -5, 5}};
  AdjDType dts[2] = {F32, F64};
  for (size_t o = 0; o < sizeof ops / sizeof ops[0]; o++)
    for (int d = 0; d < 2; d++)
      for (size_t l = 0; l < sizeof lengths / sizeof lengths[0]; l++) {
        adj_scope_begin();
        AdjTensor *x = data(dts[d], lengths[l], ops[o].lo, ops[o].hi);
        bool ok = agree(ops[o].f(x), with_ref(ops[o].f, x));
        CHECK(ok);
        if (!ok)
          fprintf(stderr, "  unary %s dtype %d n %lld\n", ops[o].name, d, (long long)lengths[l]);
        if (lengths[l] >= 8) { /* non-contiguous: every other element */
          AdjTensor *v = adj_slice(x, 0, 1, lengths[l], 2);
          CHECK(agree(ops[o].f(v), with_ref(ops[o].f, adj_contiguous(v))));
        }
        adj_scope_end();
      }
}

static void test_binary(void) {
  struct {
    const char *name;
    Binary f;
  } ops[] = {{"add", adj_add},         {"sub", adj_sub},
             {"mul", adj_mul},         {"div", adj_div},
             {"pow", adj_pow},         {"minimum", adj_minimum},
             {"maximum", adj_maximum}, {"eq", adj_eq},
             {"lt", adj_lt},           {"ge", adj_ge}};
  AdjDType dts[2] = {F32, F64};
  for (size_t o = 0; o < sizeof ops / sizeof ops[0]; o++)
    for (int d = 0; d < 2; d++)
      for (size_t l = 0; l < sizeof lengths / sizeof lengths[0]; l++) {
        int64_t n = lengths[l];
        if (n > 1023 && o > 1)
          continue; /* the threaded length only for add and sub: keeps the test fast */
        adj_scope_begin();
        AdjTensor *a = data(dts[d], n, 0.5, 3), *b = data(dts[d], n, 0.5, 3);
        AdjTensor *s = adj_scalar(dts[d], 1.75);
        CHECK(agree(ops[o].f(a, b), with_ref2(ops[o].f, a, b)));
        CHECK(agree(ops[o].f(a, s), with_ref2(ops[o].f, a, s))); /* scalar broadcast */
        CHECK(agree(ops[o].f(s, b), with_ref2(ops[o].f, s, b)));
        if (n > 0 && n <= 1023) { /* row broadcast: [3, n] op [n] and [3, n] op [1, n] */
          int64_t sh[2] = {3, n};
          AdjTensor *m = adj_rand(dts[d], 2, sh), *r1 = adj_unsqueeze(b, 0);
          CHECK(agree(ops[o].f(m, b), with_ref2(ops[o].f, m, b)));
          CHECK(agree(ops[o].f(m, r1), with_ref2(ops[o].f, m, r1)));
        }
        adj_scope_end();
      }
  /* broadcast and transposed operands (reference walker in both modes) */
  adj_scope_begin();
  adj_manual_seed(7);
  AdjTensor *m = adj_rand(F64, ADJ_SHAPE(33, 17)), *r = adj_rand(F64, ADJ_SHAPE(17));
  AdjTensor *c = adj_rand(F64, ADJ_SHAPE(33, 1));
  AdjTensor *got = adj_add(adj_mul(m, r), c);
  for (int i = 0; i < 33; i++)
    for (int j = 0; j < 17; j++) {
      double want = adj_get(m, (int64_t[]){i, j}) * adj_get(r, (int64_t[]){j}) +
                    adj_get(c, (int64_t[]){i, 0});
      CHECK_NEAR(adj_get(got, (int64_t[]){i, j}), want, 1e-15);
    }
  AdjTensor *mt = adj_t(m);
  CHECK(agree(adj_mul(mt, mt), adj_mul(adj_contiguous(mt), adj_contiguous(mt))));
  adj_scope_end();
}

static void test_reductions(void) {
  AdjDType dts[2] = {F32, F64};
  for (int d = 0; d < 2; d++)
    for (size_t l = 0; l < sizeof lengths / sizeof lengths[0]; l++) {
      adj_scope_begin();
      AdjTensor *x = data(dts[d], lengths[l], -1, 1);
      AdjTensor *fast = adj_sum(x), *ref = with_ref(sum_all, x);
      double tol = dts[d] == F32 ? 1e-6 : 1e-12;
      CHECK_NEAR(adj_item(fast), adj_item(ref), tol * (1 + (double)lengths[l]));
      adj_scope_end();
    }
  /* leading / trailing / middle dims of contiguous tensors, incl. empty and size-1 */
  int64_t shapes[][3] = {{7, 9, 1}, {1, 9, 8}, {1023, 3, 1}, {0, 3, 2}, {3, 0, 2}, {5, 1, 7}};
  int dimsets[][2] = {{0, -1}, {2, -1}, {0, 1}, {1, 2}, {1, -1}};
  for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++)
    for (size_t j = 0; j < sizeof dimsets / sizeof dimsets[0]; j++)
      for (int d = 0; d < 2; d++) {
        adj_scope_begin();
        AdjTensor *x = adj_rand(dts[d], 3, shapes[i]);
        int nd = dimsets[j][1] < 0 ? 1 : 2;
        AdjTensor *fast = adj_sum_dims(x, nd, dimsets[j], j % 2 == 0);
        adj_set_reference_kernels(true);
        AdjTensor *ref = adj_sum_dims(x, nd, dimsets[j], j % 2 == 0);
        adj_set_reference_kernels(false);
        bool ok = adj_allclose(fast, ref, d == 0 ? 1e-5 : 1e-12, 1e-6);
        CHECK(ok);
        if (!ok)
          fprintf(stderr, "  sum_dims shape %zu dims %zu dtype %d\n", i, j, d);
        adj_scope_end();
      }
  adj_scope_begin();
  adj_manual_seed(3);
  AdjTensor *x = adj_rand(F64, ADJ_SHAPE(4, 5, 6));
  AdjTensor *s = adj_sum_dims(adj_permute(x, ADJ_DIMS(2, 0, 1)), ADJ_DIMS(0, 2), false);
  for (int i = 0; i < 4; i++) {
    double want = 0;
    for (int j = 0; j < 5; j++)
      for (int k = 0; k < 6; k++)
        want += adj_get(x, (int64_t[]){i, j, k});
    CHECK_NEAR(adj_get(s, (int64_t[]){i}), want, 1e-13);
  }
  AdjTensor *idx;
  AdjTensor *mx = adj_max_dim(x, 1, true, &idx);
  CHECK(adj_dim(mx) == 3 && adj_size(mx, 1) == 1 && adj_dtype(idx) == ADJ_INT64);
  for (int i = 0; i < 4; i++)
    for (int k = 0; k < 6; k++) {
      double best = -INFINITY;
      int64_t arg = 0;
      for (int j = 0; j < 5; j++)
        if (adj_get(x, (int64_t[]){i, j, k}) > best)
          best = adj_get(x, (int64_t[]){i, j, k}), arg = j;
      CHECK(adj_get(mx, (int64_t[]){i, 0, k}) == best);
      CHECK(adj_get(idx, (int64_t[]){i, 0, k}) == (double)arg);
    }
  adj_scope_end();
}

static void test_matmul(void) {
  struct {
    int na, nb;
    int64_t a[3], b[3];
    bool ta, tb;
  } cases[] = {
      {2, 2, {1, 1}, {1, 1}, false, false},
      {2, 2, {7, 9}, {9, 8}, false, false},
      {2, 2, {7, 9}, {9, 8}, true, false},
      {2, 2, {7, 9}, {9, 8}, false, true},
      {2, 2, {7, 9}, {9, 8}, true, true},
      {2, 2, {33, 65}, {65, 17}, false, false},
      {3, 3, {3, 4, 5}, {3, 5, 2}, false, false},
      {3, 2, {3, 4, 5}, {5, 2}, false, true},
      {1, 1, {9}, {9}, false, false},
      {2, 1, {4, 9}, {9}, true, false},
      {2, 2, {0, 3}, {3, 4}, false, false},
      {2, 2, {3, 0}, {0, 4}, false, false},
  };
  AdjDType dts[2] = {F32, F64};
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
    for (int d = 0; d < 2; d++) {
      adj_scope_begin();
      int64_t sa[3], sb[3];
      memcpy(sa, cases[c].a, sizeof sa);
      memcpy(sb, cases[c].b, sizeof sb);
      int na = cases[c].na, nb = cases[c].nb;
      if (cases[c].ta) { /* build A as the transpose of a contiguous [.., k, n] */
        int64_t tmp = sa[na - 1];
        sa[na - 1] = sa[na - 2], sa[na - 2] = tmp;
      }
      if (cases[c].tb) {
        int64_t tmp = sb[nb - 1];
        sb[nb - 1] = sb[nb - 2], sb[nb - 2] = tmp;
      }
      AdjTensor *a = adj_rand(dts[d], na, sa), *b = adj_rand(dts[d], nb, sb);
      if (cases[c].ta)
        a = adj_transpose(a, -1, -2);
      if (cases[c].tb)
        b = adj_transpose(b, -1, -2);
      AdjTensor *fast = adj_matmul(a, b), *ref = with_ref2(adj_matmul, a, b);
      CHECK(fast && ref && adj_numel(fast) == adj_numel(ref));
      double tol = dts[d] == F32 ? 1e-5 : 1e-13;
      bool ok = fast && ref;
      for (int64_t i = 0; ok && i < adj_numel(fast); i++) {
        double x = adj_get(adj_flatten(fast), (int64_t[]){i});
        double y = adj_get(adj_flatten(ref), (int64_t[]){i});
        ok = fabs(x - y) <= tol * (1 + fabs(y));
      }
      CHECK(ok);
      if (!ok)
        fprintf(stderr, "  matmul case %zu dtype %d\n", c, d);
      adj_scope_end();
    }
}

static void test_threads(void) {
  adj_scope_begin();
  int old = adj_get_num_threads();
  adj_set_num_threads(1);
  AdjTensor *x = data(F32, 1 << 18, -3, 3);
  AdjTensor *one = adj_exp(x), *s1 = adj_sum(x);
  adj_set_num_threads(4);
  CHECK(adj_get_num_threads() == 4);
  AdjTensor *four = adj_exp(x), *s4 = adj_sum(x);
  CHECK(adj_equal(one, four));
  CHECK_NEAR(adj_item(s1), adj_item(s4), 1e-9 * (1 << 18));
  adj_set_num_threads(old);
  adj_scope_end();
}

int main(void) {
  adj_manual_seed(42);
  test_unary();
  test_binary();
  test_reductions();
  test_matmul();
  test_threads();
  CHECK(adj_live_tensors() == 0);
  return check_summary();
}
