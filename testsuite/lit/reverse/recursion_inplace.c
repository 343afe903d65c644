// Recursive helpers that update an array in place: a tail walk that writes before
// and after its recursive call (a[0] before, a[n - 1] after), and a divide-and-
// conquer recursion with an in-place butterfly after both halves. Reverse and
// forward derivatives are checked against finite differences (1e-6 relative) and
// against each other (1e-10).
//
// RUN: %adjc %s -o %t.c
// RUN: %cc %t.c %adjlib -o %t.exe
// RUN: %t.exe | %FileCheck %s
// RUN: %clang %t.c %adjlib -o %t.clang.exe
// RUN: %t.clang.exe | %FileCheck %s
#include <adjoint.h>
#include <math.h>

#include "revcheck.h"

static void rupd(double *a, int n) {
  if (n <= 1)
    return;
  a[0] = a[0] * a[n - 1] + sin(a[1]);
  rupd(a + 1, n - 1);
  a[n - 1] += 0.5 * a[0];
}
static void halves(double *a, int n) {
  if (n < 2) {
    a[0] = a[0] * a[0];
    return;
  }
  int h = n / 2;
  halves(a, h);
  halves(a + h, n - h);
  for (int i = 0; i < h; i++) { // a butterfly, in place
    double t = a[i];
    a[i] = t + 0.3 * a[i + h];
    a[i + h] = t - 0.3 * a[i + h];
  }
}
ADJ_GRAD(w) ADJ_JVP(w)
double f(const double *w, int n) {
  double a[8], b[8];
  for (int i = 0; i < n; i++) {
    a[i] = w[i];
    b[i] = w[i] * 0.5;
  }
  rupd(a, n);
  halves(b, n);
  double s = 0;
  for (int i = 0; i < n; i++)
    s += a[i] * b[i];
  return s;
}
double f_grad(const double *w, double *d_w, int n);
double f_jvp(const double *w, const double *t_w, int n, double *t_ret);
static double fw(const double *v, void *c) {
  (void)c;
  return f(v, 8);
}
static double fg(const double *v, double *g, void *c) {
  (void)c;
  return f_grad(v, g, 8);
}
static double fj(const double *x, const double *v, double *t, void *c) {
  (void)c;
  return f_jvp(x, v, 8, t);
}
int main(void) {
  uint64_t rng = 5;
  double v[8];
  int bad = 0;
  for (int t = 0; t < 3; t++) {
    gc_fill(&rng, v, 8, -1, 1);
    bad |= check_rev("f", fw, fg, NULL, v, 8, 1e-6);
    bad |= check_fwd("f", fw, fg, fj, NULL, v, 8, &rng, 1e-6);
  }
  // CHECK-COUNT-6: {{(rev|fwd)}} f: OK
  return bad;
}
