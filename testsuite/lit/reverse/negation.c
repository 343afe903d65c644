// Negations that meet in the generated code: -(-x), a - (-b), -1 - log(-x) (whose
// adjoint negates a negated seed), -(x - y), and the same in forward mode. The
// printer must not glue two minus signs into a decrement (--t). Reverse and forward
// derivatives are checked against finite differences (1e-6 relative), the forward
// one against the gradient by the dot test (1e-10).
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

#define CHECK2(f)                                                                  \
  double f##_grad(double x, double *d_x, double y, double *d_y);                   \
  double f##_jvp(double x, double t_x, double y, double t_y, double *t_ret);       \
  static double f##_w(const double *v, void *c) { (void)c; return f(v[0], v[1]); } \
  static double f##_g(const double *v, double *g, void *c) {                       \
    (void)c;                                                                       \
    return f##_grad(v[0], &g[0], v[1], &g[1]);                                     \
  }                                                                                \
  static double f##_j(const double *x, const double *v, double *t, void *c) {      \
    (void)c;                                                                       \
    return f##_jvp(x[0], v[0], x[1], v[1], t);                                     \
  }

// x < 0 and y < 0 on the test points
ADJ_GRAD(x, y) ADJ_JVP(x, y)
double neg_log(double x, double y) { return -1.0 - log(-x) * y; }
CHECK2(neg_log)

ADJ_GRAD(x, y) ADJ_JVP(x, y)
double neg_neg(double x, double y) { return -(-x * y) + x - (-y) - -(x * x); }
CHECK2(neg_neg)

ADJ_GRAD(x, y) ADJ_JVP(x, y)
double neg_diff(double x, double y) {
  double a = -(x - y);
  double b = -a;
  return -(-b * b) - (-exp(-y));
}
CHECK2(neg_diff)

static double softclip(double x) {
  if (x > 1.0)
    return 1.0 + log(x);
  if (x < -1.0)
    return -1.0 - log(-x);
  return x;
}

ADJ_GRAD(x, y) ADJ_JVP(x, y)
double neg_helper(double x, double y) { return softclip(3.0 * x) * y + softclip(-3.0 * y); }
CHECK2(neg_helper)

// GEN-NOT: {{--[a-zA-Z0-9(]}}

int main(void) {
  uint64_t rng = 13;
  int bad = 0;
  for (int trial = 0; trial < 4; trial++) {
    double v[2];
    gc_fill(&rng, v, 2, -2.0, -0.5);
    bad |= check_rev("neg_log", neg_log_w, neg_log_g, NULL, v, 2, 1e-6);
    bad |= check_fwd("neg_log", neg_log_w, neg_log_g, neg_log_j, NULL, v, 2, &rng, 1e-6);
    bad |= check_rev("neg_neg", neg_neg_w, neg_neg_g, NULL, v, 2, 1e-6);
    bad |= check_fwd("neg_neg", neg_neg_w, neg_neg_g, neg_neg_j, NULL, v, 2, &rng, 1e-6);
    bad |= check_rev("neg_diff", neg_diff_w, neg_diff_g, NULL, v, 2, 1e-6);
    bad |= check_fwd("neg_diff", neg_diff_w, neg_diff_g, neg_diff_j, NULL, v, 2, &rng, 1e-6);
    bad |= check_rev("neg_helper", neg_helper_w, neg_helper_g, NULL, v, 2, 1e-6);
    bad |= check_fwd("neg_helper", neg_helper_w, neg_helper_g, neg_helper_j, NULL, v, 2, &rng, 1e-6);
  }
  // CHECK-COUNT-32: {{(rev|fwd)}} {{[a-z_]+}}: OK
  return bad;
}
