// Reverse mode through calls: helpers by value and with pointers (each gets a
// generated forward/reverse pair, one per activity pattern), recursion, a
// user-supplied derivative (ADJ_CUSTOM_GRAD) and an inactive function (ADJ_INACTIVE).
//
// Run twice: as adjc does by default (small helpers inlined into their caller) and
// with --no-inline (every call through a pair; the GEN lines check the pairs).
//
// RUN: %adjc %s -o %t.c
// RUN: %cc %t.c %adjlib -o %t.exe
// RUN: %t.exe | %FileCheck %s
// RUN: %clang %t.c %adjlib -o %t.clang.exe
// RUN: %t.clang.exe | %FileCheck %s
// RUN: %adjc %s -o %t.split.c --no-inline
// RUN: %cc %t.split.c %adjlib -o %t.split.exe
// RUN: %t.split.exe | %FileCheck %s
// RUN: %FileCheck %s --check-prefix=GEN < %t.split.c
#include <adjoint.h>
#include <math.h>

#include "revcheck.h"

static double sq(double x) { return x * x; }
static double poly(double x, double y) { return sq(x) + 3 * x * y - sin(y); }

ADJ_GRAD(x, y)
double helpers(double x, double y) { return poly(x, y) * sq(y) + sq(poly(y, 0.5)); }
double helpers_grad(double x, double *d_x, double y, double *d_y);
// GEN: {{^ *}}static double sq_fwd(double x, double *d_x, AdjTape *tape);
// GEN: {{^ *}}static void sq_rev(double x, double *d_x, AdjTape *tape, double d_ret);
// One pair per activity pattern: poly(y, 0.5) has an inactive second argument.
// GEN: {{^ *}}static double poly_fwd_2(double x, double *d_x, double y, AdjTape *tape);
static double helpers_w(const double *v, void *c) { (void)c; return helpers(v[0], v[1]); }
static double helpers_g(const double *v, double *g, void *c) {
  (void)c;
  return helpers_grad(v[0], &g[0], v[1], &g[1]);
}

static void axpy(double a, const double *x, double *y, int n) {
  for (int i = 0; i < n; i++)
    y[i] += a * x[i];
}
static double dot(const double *a, const double *b, int n) {
  double s = 0;
  for (int i = 0; i < n; i++)
    s += a[i] * b[i];
  return s;
}

enum { N = 5 };

ADJ_GRAD(w)
double pointer_helpers(const double *w, int n) {
  double t[8];
  for (int i = 0; i < n; i++)
    t[i] = cos(w[i]);
  axpy(w[0], w, t, n); // writes t through a pointer
  return dot(t, w, n) + dot(t, t, n);
}
double pointer_helpers_grad(const double *w, double *d_w, int n);
static double pointer_helpers_w(const double *v, void *c) { (void)c; return pointer_helpers(v, N); }
static double pointer_helpers_g(const double *v, double *g, void *c) {
  (void)c;
  return pointer_helpers_grad(v, g, N);
}

static double series(double x, int k) {
  if (k == 0)
    return 1.0;
  return 1.0 + x * series(x, k - 1) / k; // recursion: exp(x) truncated
}

ADJ_GRAD(x, y)
double recursive(double x, double y) { return series(x, 8) * y + series(y * x, 3); }
double recursive_grad(double x, double *d_x, double y, double *d_y);
static double recursive_w(const double *v, void *c) { (void)c; return recursive(v[0], v[1]); }
static double recursive_g(const double *v, double *g, void *c) {
  (void)c;
  return recursive_grad(v[0], &g[0], v[1], &g[1]);
}

// A derivative the user supplies: the pullback takes the arguments, each float one
// followed by a pointer to its adjoint (NULL when not needed), then d_ret.
void softplus_pullback(double x, double *d_x, double d_ret);
ADJ_CUSTOM_GRAD(softplus_pullback)
double softplus(double x);

double softplus(double x) { return log1p(exp(x)); }
void softplus_pullback(double x, double *d_x, double d_ret) {
  if (d_x)
    *d_x += d_ret / (1.0 + exp(-x));
}

// A function that carries no derivative: its result is a constant for AD.
ADJ_INACTIVE
static double round_to_grid(double x) { return floor(x * 4.0) / 4.0; }

ADJ_GRAD(x, y)
double custom_and_inactive(double x, double y) {
  return softplus(x * y) + round_to_grid(x) * y;
}
double custom_and_inactive_grad(double x, double *d_x, double y, double *d_y);
static double custom_w(const double *v, void *c) { (void)c; return custom_and_inactive(v[0], v[1]); }
static double custom_g(const double *v, double *g, void *c) {
  (void)c;
  return custom_and_inactive_grad(v[0], &g[0], v[1], &g[1]);
}

int main(void) {
  uint64_t rng = 17;
  int bad = 0;
  for (int trial = 0; trial < 3; trial++) {
    double v[N];
    gc_fill(&rng, v, N, -1.0, 1.0);
    bad |= check_rev("helpers", helpers_w, helpers_g, NULL, v, 2, 1e-6);
    bad |= check_rev("pointer_helpers", pointer_helpers_w, pointer_helpers_g, NULL, v, N, 1e-6);
    bad |= check_rev("recursive", recursive_w, recursive_g, NULL, v, 2, 1e-6);
    bad |= check_rev("custom_and_inactive", custom_w, custom_g, NULL, v, 2, 1e-6);
  }
  // CHECK-COUNT-12: rev {{[a-z_]+}}: OK
  return bad;
}
