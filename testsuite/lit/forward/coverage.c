// Forward mode (ADJ_JVP) across the language: scalars, branches, loops with break
// and early return, arrays and pointer walking, local arrays, structs, helper calls
// and recursion, math.h. Each function also has ADJ_GRAD, and the two modes must
// agree (dot-product test <J v, 1> == <v, J^T 1>) as well as match finite
// differences along a random direction.
//
// RUN: %adjc %s -o %t.c
// RUN: %cc %t.c %adjlib -o %t.exe
// RUN: %t.exe | %FileCheck %s
// RUN: %clang %t.c %adjlib -o %t.clang.exe
// RUN: %t.clang.exe | %FileCheck %s
// RUN: %FileCheck %s --check-prefix=GEN < %t.c
#include <adjoint.h>
#include <math.h>

#include "revcheck.h"

enum { N = 6 };

#define CHECKV(f) RC_WRAP_JVP_N(f, N)

ADJ_GRAD(w) ADJ_JVP(w)
double poly_branch(const double *w, int n) {
  double a = w[0] * w[1] - w[2] / (1.0 + w[3] * w[3]);
  if (a > 0)
    a = a * a;
  else
    a = -a + w[4];
  return n > 3 ? a * w[5] : a;
}
CHECKV(poly_branch)
// GEN-LABEL: {{^ *}}double poly_branch_jvp(const double *w, const double *t_w, int n, double *t_ret) {

ADJ_GRAD(w) ADJ_JVP(w)
double loop_break(const double *w, int n) {
  double s = 0, p = 1;
  for (int i = 0; i < n; i++) {
    p *= 1.0 + 0.3 * w[i];
    if (p > 3.0)
      break;
    s += sin(p) * w[i];
  }
  return s + p;
}
CHECKV(loop_break)

ADJ_GRAD(w) ADJ_JVP(w)
double early(const double *w, int n) {
  for (int i = 0; i < n; i++)
    if (w[i] > 0.9)
      return exp(w[i]) * w[0];
  double s = 0;
  int i = 0;
  while (i < n) {
    s += w[i] * w[i] * (i + 1);
    i++;
  }
  return sqrt(s + 1.0);
}
CHECKV(early)

ADJ_GRAD(w) ADJ_JVP(w)
double arrays(const double *w, int n) {
  double tmp[8];
  const double *p = w;
  for (int i = 0; i < n; i++, p++)
    tmp[i] = *p * (i > 0 ? tmp[i - 1] : 1.0) + 0.5;
  double s = 0;
  for (int i = 0; i < n; i++)
    s += log(tmp[i] * tmp[i] + 1.0);
  return s;
}
CHECKV(arrays)

typedef struct {
  double a, b;
} pair;

ADJ_GRAD(w) ADJ_JVP(w)
double structs(const double *w, int n) {
  pair p = {w[0], w[1]};
  pair q = p;
  q.a = q.a * w[2] + q.b;
  double s = q.a * p.b + (double)n;
  return s * w[3] + tanh(q.a);
}
CHECKV(structs)

static double cube(double x) { return x * x * x; }
static double series(double x, int k) { return k == 0 ? 1.0 : 1.0 + x * series(x, k - 1) / k; }
static void scale(double *v, double s, int n) {
  for (int i = 0; i < n; i++)
    v[i] *= s;
}

ADJ_GRAD(w) ADJ_JVP(w)
double calls(const double *w, int n) {
  double v[8];
  for (int i = 0; i < n; i++)
    v[i] = w[i];
  scale(v, cube(w[0]) + 1.0, n);
  double s = 0;
  for (int i = 0; i < n; i++)
    s += v[i] * series(w[i], 5);
  return s;
}
CHECKV(calls)

ADJ_GRAD(w) ADJ_JVP(w)
double mathfns(const double *w, int n) {
  return atan2(w[0], 2.0 + w[1]) + pow(w[2] * w[2] + 1.0, w[3]) + hypot(w[4], 1.0) +
         fmax(w[5], 0.1 * n) * erf(w[0]) + fabs(w[1] - 0.05) + cbrt(w[2] + 3.0);
}
CHECKV(mathfns)

int main(void) {
  uint64_t rng = 123;
  int bad = 0;
  for (int trial = 0; trial < 3; trial++) {
    double x[N];
    gc_fill(&rng, x, N, -1.0, 1.0);
    bad |= check_fwd("poly_branch", poly_branch_w, poly_branch_g, poly_branch_j, NULL, x, N, &rng, 1e-6);
    bad |= check_fwd("loop_break", loop_break_w, loop_break_g, loop_break_j, NULL, x, N, &rng, 1e-6);
    bad |= check_fwd("early", early_w, early_g, early_j, NULL, x, N, &rng, 1e-6);
    bad |= check_fwd("arrays", arrays_w, arrays_g, arrays_j, NULL, x, N, &rng, 1e-6);
    bad |= check_fwd("structs", structs_w, structs_g, structs_j, NULL, x, N, &rng, 1e-6);
    bad |= check_fwd("calls", calls_w, calls_g, calls_j, NULL, x, N, &rng, 1e-6);
    bad |= check_fwd("mathfns", mathfns_w, mathfns_g, mathfns_j, NULL, x, N, &rng, 1e-6);
  }
  for (int trial = 0; trial < 3; trial++) {
    double x[N];
    gc_fill(&rng, x, N, -1.0, 1.0);
    bad |= check_rev("poly_branch", poly_branch_w, poly_branch_g, NULL, x, N, 1e-6);
    bad |= check_rev("loop_break", loop_break_w, loop_break_g, NULL, x, N, 1e-6);
    bad |= check_rev("early", early_w, early_g, NULL, x, N, 1e-6);
    bad |= check_rev("arrays", arrays_w, arrays_g, NULL, x, N, 1e-6);
    bad |= check_rev("structs", structs_w, structs_g, NULL, x, N, 1e-6);
    bad |= check_rev("calls", calls_w, calls_g, NULL, x, N, 1e-6);
    bad |= check_rev("mathfns", mathfns_w, mathfns_g, NULL, x, N, 1e-6);
  }
  // CHECK-COUNT-21: fwd {{[a-z_]+}}: OK
  // CHECK-COUNT-21: rev {{[a-z_]+}}: OK
  return bad;
}
