// Reverse mode through helpers that need their own tape (the split g_fwd/g_rev
// pair): a helper updating an array in place called repeatedly on the same array,
// a helper with a loop and an early return, a recursive helper walking an array by
// pointer offsets, a helper called with the same array for input and output
// (aliasing), a helper with a branch on data, a helper with a local array (used
// only inside it), a helper of a helper in a loop, and helpers walking pointers
// backwards. Gradients are checked against
// finite differences (1e-6 relative to max(1, |fd|)), value and accumulation; the
// same functions in forward mode (ADJ_JVP, through the helpers' tangent functions)
// against <v, gradient> (1e-10 relative) and finite differences along v.
//
// RUN: %adjc %s -o %t.c
// RUN: %cc %t.c %adjlib -o %t.exe
// RUN: %t.exe | %FileCheck %s
// RUN: %clang %t.c %adjlib -o %t.clang.exe
// RUN: %t.clang.exe | %FileCheck %s
#include <adjoint.h>
#include <math.h>

#include "revcheck.h"

enum { N = 6 };

#define CHECKV(f)                                                                  \
  double f##_grad(const double *w, double *d_w, int n);                            \
  static double f##_w(const double *v, void *c) { (void)c; return f(v, N); }       \
  static double f##_g(const double *v, double *g, void *c) {                       \
    (void)c;                                                                       \
    return f##_grad(v, g, N);                                                      \
  }                                                                                \
  double f##_jvp(const double *w, const double *t_w, int n, double *t_ret);        \
  static double f##_j(const double *x, const double *v, double *t, void *c) {      \
    (void)c;                                                                       \
    return f##_jvp(x, v, N, t);                                                    \
  }

static void relax(double *a, int n, double k) {
  for (int i = 1; i < n - 1; i++)
    a[i] = a[i] + k * (a[i - 1] - 2.0 * a[i] + a[i + 1]) + 0.1 * sin(a[i]);
}

ADJ_GRAD(w) ADJ_JVP(w)
double repeated_inplace(const double *w, int n) {
  double a[N];
  for (int i = 0; i < n; i++)
    a[i] = w[i];
  for (int it = 0; it < 4; it++)
    relax(a, n, 0.2 + 0.05 * it);
  double s = 0;
  for (int i = 0; i < n; i++)
    s += a[i] * a[i] * (i + 1);
  return s;
}
CHECKV(repeated_inplace)

static double first_big(const double *v, int n, double thr) {
  double acc = 0;
  for (int i = 0; i < n; i++) {
    acc += v[i] * v[i];
    if (acc > thr)
      return acc * v[i];
  }
  return -acc;
}

ADJ_GRAD(w) ADJ_JVP(w)
double helper_early_return(const double *w, int n) {
  return first_big(w, n, 0.5) + first_big(w + 1, n - 1, 1.0) * w[0];
}
CHECKV(helper_early_return)

static double rsum(const double *v, int n) {
  if (n == 1)
    return v[0];
  int h = n / 2;
  return rsum(v, h) * rsum(v + h, n - h) + v[0];
}

ADJ_GRAD(w) ADJ_JVP(w)
double recursive_arrays(const double *w, int n) { return rsum(w, n); }
CHECKV(recursive_arrays)

static void axpy(double a, const double *x, double *y, int n) {
  for (int i = 0; i < n; i++)
    y[i] += a * x[i];
}

ADJ_GRAD(w) ADJ_JVP(w)
double aliasing(const double *w, int n) {
  double a[N];
  for (int i = 0; i < n; i++)
    a[i] = w[i];
  axpy(w[0], a, a, n); // x and y are the same array: a += w0 * a
  axpy(0.5, w, a, n);
  double s = 0;
  for (int i = 0; i < n; i++)
    s += a[i] * a[(i + 1) % n];
  return s;
}
CHECKV(aliasing)

static double softclip(double x) {
  if (x > 1.0)
    return 1.0 + log(x);
  if (x < -1.0)
    return -1.0 - log(-x);
  return x;
}
static double local_work(const double *v, int n) {
  double buf[8];
  for (int i = 0; i < n; i++)
    buf[i] = softclip(3.0 * v[i]);
  for (int i = 1; i < n; i++)
    buf[i] += buf[i - 1] * 0.5;
  return buf[n - 1] * buf[0];
}

ADJ_GRAD(w) ADJ_JVP(w)
double helper_chain(const double *w, int n) {
  double s = 0;
  for (int k = 1; k <= 3; k++)
    s += local_work(w, n) * k + softclip(w[k] * 2.0);
  return s;
}
CHECKV(helper_chain)

// helpers walking pointers backwards, using pointer differences as numbers, and
// copying through *dst++ = *--p
static double back(const double *end, const double *begin) {
  double s = 0;
  const double *p = end;
  while (p-- > begin)
    s = s * 0.5 + *p * (double)(p - begin + 1);
  return s;
}
static void rev_copy(const double *src, double *dst, int n) {
  const double *p = src + n;
  while (p != src)
    *dst++ = *--p * 1.5;
}

ADJ_GRAD(w) ADJ_JVP(w)
double pointer_walks(const double *w, int n) {
  double a[N];
  rev_copy(w, a, n);
  return back(&w[n], w) + back(a + n, a + 1) * w[0];
}
CHECKV(pointer_walks)

int main(void) {
  uint64_t rng = 606;
  int bad = 0;
  for (int trial = 0; trial < 4; trial++) {
    double v[N];
    gc_fill(&rng, v, N, -1.0, 1.0);
    bad |= check_rev("repeated_inplace", repeated_inplace_w, repeated_inplace_g, NULL, v, N, 1e-6);
    bad |= check_rev("helper_early_return", helper_early_return_w, helper_early_return_g, NULL, v, N, 1e-6);
    bad |= check_rev("recursive_arrays", recursive_arrays_w, recursive_arrays_g, NULL, v, N, 1e-6);
    bad |= check_rev("aliasing", aliasing_w, aliasing_g, NULL, v, N, 1e-6);
    bad |= check_rev("helper_chain", helper_chain_w, helper_chain_g, NULL, v, N, 1e-6);
    bad |= check_rev("pointer_walks", pointer_walks_w, pointer_walks_g, NULL, v, N, 1e-6);
  }
  // CHECK-COUNT-24: rev {{[a-z_]+}}: OK
  rng = 606;
  for (int trial = 0; trial < 4; trial++) {
    double v[N];
    gc_fill(&rng, v, N, -1.0, 1.0);
    bad |= check_fwd("repeated_inplace", repeated_inplace_w, repeated_inplace_g, repeated_inplace_j, NULL, v, N, &rng, 1e-6);
    bad |= check_fwd("helper_early_return", helper_early_return_w, helper_early_return_g, helper_early_return_j, NULL, v, N, &rng, 1e-6);
    bad |= check_fwd("recursive_arrays", recursive_arrays_w, recursive_arrays_g, recursive_arrays_j, NULL, v, N, &rng, 1e-6);
    bad |= check_fwd("aliasing", aliasing_w, aliasing_g, aliasing_j, NULL, v, N, &rng, 1e-6);
    bad |= check_fwd("helper_chain", helper_chain_w, helper_chain_g, helper_chain_j, NULL, v, N, &rng, 1e-6);
    bad |= check_fwd("pointer_walks", pointer_walks_w, pointer_walks_g, pointer_walks_j, NULL, v, N, &rng, 1e-6);
  }
  // CHECK-COUNT-24: fwd {{[a-z_]+}}: OK
  // CHECK-NOT: FAIL
  return bad;
}
