// Side effects of the primal code happen exactly once in every generated function:
// a helper with no floating arguments (tick), a differentiated helper that also
// counts its calls (sq), an ADJ_INACTIVE helper, and an integer helper returning
// results through an int array. The counters after f_grad, f_jvp and f_hvp equal
// those after f, and the derivatives are exact: f = sum over positive w_i of w_i^2
// + floor(w_0) w_1 at w = (0.5, -1, 2, 3).
//
// RUN: %adjc %s -o %t.c
// RUN: %cc %t.c %adjlib -o %t.exe
// RUN: %t.exe | %FileCheck %s
// RUN: %clang %t.c %adjlib -o %t.clang.exe
// RUN: %t.clang.exe | %FileCheck %s
#include <adjoint.h>
#include <math.h>
#include <stdio.h>

static int calls_tick, calls_sq, calls_inact;

static void tick(void) { calls_tick++; }
static double sq(double x) {
  calls_sq++;
  return x * x;
}
ADJ_INACTIVE
static double inact(double x) {
  calls_inact++;
  return floor(x);
}
static int positives(const double *w, int n, int *where) {
  int c = 0;
  for (int i = 0; i < n; i++)
    if (w[i] > 0)
      where[c++] = i;
  return c;
}

ADJ_GRAD(w) ADJ_JVP(w) ADJ_HVP(w[n])
double f(const double *w, int n) {
  tick();
  int where[8];
  int c = positives(w, n, where);
  double s = 0;
  for (int i = 0; i < c; i++)
    s += sq(w[where[i]]);
  return s + inact(w[0] + 1.0) * w[1];
}
double f_grad(const double *w, double *d_w, int n);
double f_jvp(const double *w, const double *t_w, int n, double *t_ret);
double f_hvp(const double *w, const double *v_w, double *hv_w, int n);

static void counts(const char *what) {
  printf("%s: tick %d, sq %d, inact %d\n", what, calls_tick, calls_sq, calls_inact);
  calls_tick = calls_sq = calls_inact = 0;
}

int main(void) {
  double w[4] = {0.5, -1, 2, 3}, d[4] = {0}, t[4] = {1, 1, 1, 1}, tr = 0, hv[4] = {0};
  double v = f(w, 4);
  counts("primal");
  // CHECK: primal: tick 1, sq 3, inact 1
  double vg = f_grad(w, d, 4);
  counts("grad");
  // CHECK-NEXT: grad: tick 1, sq 3, inact 1
  double vj = f_jvp(w, t, 4, &tr);
  counts("jvp");
  // CHECK-NEXT: jvp: tick 1, sq 3, inact 1
  double vh = f_hvp(w, t, hv, 4);
  counts("hvp");
  // CHECK-NEXT: hvp: tick 1, sq 3, inact 1
  printf("values equal: %s\n", v == vg && v == vj && v == vh ? "yes" : "no");
  // CHECK-NEXT: values equal: yes
  printf("grad %g %g %g %g, jvp %g, hvp %g %g %g %g\n", d[0], d[1], d[2], d[3], tr, hv[0], hv[1],
         hv[2], hv[3]);
  // d = (2 w0, floor(1.5), 2 w2, 2 w3); J (1,1,1,1) = 1 + 1 + 4 + 6; H = diag(2, 0, 2, 2)
  // CHECK-NEXT: grad 1 1 4 6, jvp 12, hvp 2 0 2 2
  return 0;
}
