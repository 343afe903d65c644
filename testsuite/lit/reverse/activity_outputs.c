// One helper writing an in/out array, called with every activity pattern: an
// active input with a constant scale, a constant input with an active scale, all
// inactive (the output stays inactive), then an inactive output array that becomes
// active through a later call, and an int array filled from a truncated active
// output. Reverse and forward derivatives are checked against finite differences
// (1e-6 relative) and against each other (1e-10).
//
// RUN: %adjc %s -o %t.c
// RUN: %cc %t.c %adjlib -o %t.exe
// RUN: %t.exe | %FileCheck %s
// RUN: %clang %t.c %adjlib -o %t.clang.exe
// RUN: %t.clang.exe | %FileCheck %s
#include <adjoint.h>
#include <math.h>

#include "revcheck.h"

static void lin(const double *a, double s, double *out, int n) {
  for (int i = 0; i < n; i++)
    out[i] = a[i] * s + out[i] * 0.5; // out is in/out
}

ADJ_GRAD(w) ADJ_JVP(w)
double f(const double *w, int n) {
  const double c[4] = {1, 2, 3, 4};
  double o1[4] = {0}, o2[4] = {1, 1, 1, 1}, o3[4] = {0}, o4[4] = {0};
  int cnt[4] = {0};
  lin(w, 2.0, o1, 4);          // active array in, constant scale
  lin(c, w[0], o2, 4);         // constant array, active scale
  lin(c, 3.0, o3, 4);          // all inactive: o3 stays inactive
  lin(o1, w[1], o3, 4);        // o3 becomes active through an in/out
  lin(o3, 0.5, o4, 4);
  for (int i = 0; i < 4; i++)
    cnt[i] = (int)o2[i]; // truncated: a constant for AD
  double s = 0;
  for (int i = 0; i < 4; i++)
    s += o1[i] * o2[i] + o3[i] * o4[i] + cnt[i] * w[i];
  return s + (double)n * 0.0;
}
double f_grad(const double *w, double *d_w, int n);
double f_jvp(const double *w, const double *t_w, int n, double *t_ret);
static double fw(const double *v, void *c) {
  (void)c;
  return f(v, 4);
}
static double fg(const double *v, double *g, void *c) {
  (void)c;
  return f_grad(v, g, 4);
}
static double fj(const double *x, const double *v, double *t, void *c) {
  (void)c;
  return f_jvp(x, v, 4, t);
}
int main(void) {
  uint64_t rng = 5;
  double v[4];
  int bad = 0;
  for (int t = 0; t < 3; t++) {
    gc_fill(&rng, v, 4, -1, 1);
    bad |= check_rev("f", fw, fg, NULL, v, 4, 1e-6);
    bad |= check_fwd("f", fw, fg, fj, NULL, v, 4, &rng, 1e-6);
  }
  // CHECK-COUNT-6: {{(rev|fwd)}} f: OK
  return bad;
}
