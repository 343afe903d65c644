// Second order through helpers of every kind: helpers taking and writing arrays
// (axpy into a local, a dot product, an in-place update), a helper with branches
// and early returns, a recursive helper, a helper with a local array, a helper
// called with several activity patterns, and &local output parameters. For each
// function: H v against central finite differences of the gradient along v (1e-6
// absolute), the Hessian against H v (1e-12) and for symmetry (1e-12), and the
// value against the primal.
//
// RUN: %adjc %s -o %t.c
// RUN: %cc %t.c %adjlib -o %t.exe
// RUN: %t.exe | %FileCheck %s
// RUN: %clang %t.c %adjlib -o %t.clang.exe
// RUN: %t.clang.exe | %FileCheck %s
#include <adjoint.h>
#include <math.h>

#include "revcheck.h"

enum { N = 5 };

#define DECL(f)                                                                    \
  double f##_grad(const double *w, double *d_w, int n);                           \
  double f##_hvp(const double *w, const double *v_w, double *hv_w, int n);        \
  double f##_hessian(const double *w, double *h_w, int n);

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
static void squash(double *v, int n) {
  for (int i = 0; i < n; i++)
    v[i] = tanh(v[i]) + 0.1 * v[i] * v[i];
}

ADJ_GRAD(w) ADJ_HVP(w[n]) ADJ_HESSIAN(w[n])
double arrays(const double *w, int n) {
  double t[N];
  for (int i = 0; i < n; i++)
    t[i] = sin(w[i]);
  axpy(w[0], w, t, n);
  squash(t, n);
  return dot(t, w, n) + dot(t, t, n) * 0.5;
}
DECL(arrays)

static double softclip(double x) {
  if (x > 1.0)
    return 1.0 + log(x);
  if (x < -1.0)
    return -1.0 - log(-x);
  return x - x * x * x / 6.0;
}
static double series(double x, int k) { return k == 0 ? 1.0 : 1.0 + x * series(x, k - 1) / k; }
static double local_work(const double *v, int n) {
  double buf[N];
  for (int i = 0; i < n; i++)
    buf[i] = softclip(2.5 * v[i]);
  for (int i = 1; i < n; i++)
    buf[i] += buf[i - 1] * buf[i] * 0.5;
  return buf[n - 1] * buf[0] + buf[1];
}

ADJ_GRAD(w) ADJ_HVP(w[n]) ADJ_HESSIAN(w[n])
double branches_recursion(const double *w, int n) {
  double s = 0;
  for (int i = 0; i < n; i++)
    s += softclip(3.0 * w[i]) * series(w[(i + 1) % n], 6);
  return s + local_work(w, n);
}
DECL(branches_recursion)

static double mix(double a, double b, const double *v, int n) {
  double s = a * b;
  for (int i = 0; i < n; i++)
    s += v[i] * (a - b * i) * v[i];
  return s;
}
static void polar(double x, double y, double *r, double *th) {
  *r = sqrt(x * x + y * y);
  *th = atan2(y, x);
}

ADJ_GRAD(w) ADJ_HVP(w[n]) ADJ_HESSIAN(w[n])
double patterns(const double *w, int n) {
  const double c[3] = {0.5, -1.0, 2.0};
  double r, th;
  polar(w[0] + 2.0, w[1], &r, &th);
  return mix(w[0], w[1], w, n) + mix(w[2], 2.0, c, 3) + mix(1.5, w[3], c, 3) +
         mix(0.5, 0.25, w + 1, 3) + r * th * w[4];
}
DECL(patterns)

int main(void) {
  uint64_t rng = 4321;
  int bad = 0;
  for (int trial = 0; trial < 3; trial++) {
    bad |= check_hvp_hessian("arrays", arrays, arrays_grad, arrays_hvp, arrays_hessian, N, &rng);
    bad |= check_hvp_hessian("branches_recursion", branches_recursion, branches_recursion_grad,
                  branches_recursion_hvp, branches_recursion_hessian, N, &rng);
    bad |= check_hvp_hessian("patterns", patterns, patterns_grad, patterns_hvp, patterns_hessian, N, &rng);
  }
  // CHECK-COUNT-27: gradcheck {{[a-z_]+}}: max abs err {{.*}} OK
  // CHECK-NOT: FAIL
  return bad;
}
