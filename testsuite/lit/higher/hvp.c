// Second order: ADJ_HVP (forward over reverse: one tangent sweep of the gradient)
// and ADJ_HESSIAN (one Hessian-vector product per row). Checked: H v against finite
// differences of the gradient, the Hessian's symmetry, and Hessian rows against
// HVPs; and the seeds' second derivatives: y = x^2 has y'' = 2 everywhere, and
// pow(x, 2) at 3 gives y' = 6 then y'' = 2.
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

enum { N = 5 };

ADJ_GRAD(w) ADJ_HVP(w[n]) ADJ_HESSIAN(w[n])
double energy(const double *w, int n) {
  double e = 0;
  for (int i = 0; i < n; i++) {
    double d = w[i] - (i > 0 ? w[i - 1] : 0.0);
    e += d * d * d * d / 4 + cos(w[i]) * w[(i + 1) % n];
  }
  return e + exp(0.1 * w[0] * w[n - 1]);
}
double energy_grad(const double *w, double *d_w, int n);
double energy_hvp(const double *w, const double *v_w, double *hv_w, int n);
double energy_hessian(const double *w, double *h_w, int n);
// GEN: {{^ *}}double energy_hvp(const double *w, const double *v_w, double *hv_w, int n) {
// GEN: {{^ *}}/* Hessian of energy with respect to w, written row-major into h_w (n x n); one Hessian-vector product per row; returns energy's value */

ADJ_GRAD(x) ADJ_HVP(x)
double square(double x) { return x * x; }
double square_grad(double x, double *d_x);
double square_hvp(double x, double v_x, double *hv_x);

ADJ_GRAD(x) ADJ_HVP(x)
double power(double x) { return pow(x, 2); }
double power_grad(double x, double *d_x);
double power_hvp(double x, double v_x, double *hv_x);

ADJ_HVP(x, y)
double mixed(double x, double y) { return x * x * y + sin(x * y); }
double mixed_hvp(double x, double v_x, double *hv_x, double y, double v_y, double *hv_y);

int main(void) {
  uint64_t rng = 4;
  int bad = 0;
  for (int trial = 0; trial < 3; trial++) {
    double w[N], v[N], hv[N] = {0}, g1[N] = {0}, g2[N] = {0}, wp[N], h[N * N];
    gc_fill(&rng, w, N, -1.0, 1.0);
    gc_fill(&rng, v, N, -1.0, 1.0);
    double value = energy_hvp(w, v, hv, N);
    bad |= !(value == energy(w, N));
    // finite differences of the gradient along v
    double eps = 1e-6;
    for (int i = 0; i < N; i++)
      wp[i] = w[i] + eps * v[i];
    energy_grad(wp, g1, N);
    for (int i = 0; i < N; i++)
      wp[i] = w[i] - eps * v[i];
    energy_grad(wp, g2, N);
    double fd[N];
    for (int i = 0; i < N; i++)
      fd[i] = (g1[i] - g2[i]) / (2 * eps);
    bad |= gc_compare("hvp vs fd of grad", hv, fd, N, 1e-6);
    // the Hessian: symmetric, and H v equals the product
    energy_hessian(w, h, N);
    double asym = 0, hv2[N];
    for (int i = 0; i < N; i++) {
      hv2[i] = 0;
      for (int j = 0; j < N; j++) {
        asym = fmax(asym, fabs(h[i * N + j] - h[j * N + i]));
        hv2[i] += h[i * N + j] * v[j];
      }
    }
    printf("hessian asymmetry < 1e-12: %s\n", asym < 1e-12 ? "yes" : "no");
    bad |= gc_compare("hessian rows vs hvp", hv2, hv, N, 1e-12);
  }
  // CHECK: gradcheck hvp vs fd of grad: max abs err {{.*}} OK
  // CHECK: hessian asymmetry < 1e-12: yes
  // CHECK: gradcheck hessian rows vs hvp: max abs err {{.*}} OK

  // the seeds: y = x ** 2 -> y'' = 2 everywhere
  for (double x = -2; x <= 2; x += 1.5) {
    double hv = 0;
    square_hvp(x, 1.0, &hv);
    printf("x^2: y''(%g) = %g\n", x, hv);
  }
  // CHECK: x^2: y''(-2) = 2
  // CHECK: x^2: y''(-0.5) = 2
  // CHECK: x^2: y''(1) = 2
  double d = 0, hv = 0;
  power_grad(3.0, &d);
  power_hvp(3.0, 1.0, &hv);
  printf("pow(x, 2) at 3: %g then %g\n", d, hv);
  // CHECK: pow(x, 2) at 3: 6 then 2

  // mixed partials of x² y + sin(x y) at (0.5, 2): H = [[2y - y² s, 2x + c - x y s],
  // [2x + c - x y s, -x² s]] with s = sin(x y), c = cos(x y)
  double hx = 0, hy = 0, x0 = 0.5, y0 = 2.0;
  mixed_hvp(x0, 1.0, &hx, y0, 0.0, &hy);
  double s = sin(x0 * y0), c = cos(x0 * y0);
  bad |= gc_compare1("mixed d2/dx2", hx, 2 * y0 - y0 * y0 * s, 1e-12);
  bad |= gc_compare1("mixed d2/dxdy", hy, 2 * x0 + c - x0 * y0 * s, 1e-12);
  // CHECK: gradcheck mixed d2/dx2: {{.*}} OK
  // CHECK: gradcheck mixed d2/dxdy: {{.*}} OK
  return bad;
}
