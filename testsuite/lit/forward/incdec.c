// Forward mode of ++ and -- on doubles (pre and post, value used and unused) and on
// pointers walking an active array. The generated code must build warning-free with
// gcc and clang (-Wall -Wextra -Werror); tangents are checked against the gradient
// (1e-10 relative) and central finite differences (1e-6).
//
// RUN: %adjc %s -o %t.c
// RUN: %cc %t.c %adjlib -o %t.exe
// RUN: %t.exe | %FileCheck %s
// RUN: %clang %t.c %adjlib -o %t.clang.exe
// RUN: %t.clang.exe | %FileCheck %s
#include <adjoint.h>
#include <math.h>

#include "revcheck.h"

enum { N = 4 };

ADJ_GRAD(w) ADJ_JVP(w)
double incdec(const double *w, int n) {
  double d = w[0];
  d++;               // value unused
  double old = d--;  // old value
  double nw = ++d;   // new value
  --d;
  const double *p = w + n;
  double s = 0;
  while (p > w)
    s += *--p * old;
  p = w;
  s += *p++ * nw;
  return s + d * *p;
}
double incdec_grad(const double *w, double *d_w, int n);
double incdec_jvp(const double *w, const double *t_w, int n, double *t_ret);
static double incdec_w(const double *v, void *c) { (void)c; return incdec(v, N); }
static double incdec_g(const double *v, double *g, void *c) { (void)c; return incdec_grad(v, g, N); }
static double incdec_j(const double *x, const double *v, double *t, void *c) {
  (void)c;
  return incdec_jvp(x, v, N, t);
}

int main(void) {
  uint64_t rng = 8;
  int bad = 0;
  for (int trial = 0; trial < 3; trial++) {
    double x[N];
    gc_fill(&rng, x, N, -1.0, 1.0);
    bad |= check_fwd("incdec", incdec_w, incdec_g, incdec_j, NULL, x, N, &rng, 1e-6);
    bad |= check_rev("incdec", incdec_w, incdec_g, NULL, x, N, 1e-6);
  }
  // CHECK-COUNT-6: {{(fwd|rev)}} incdec: OK
  return bad;
}
