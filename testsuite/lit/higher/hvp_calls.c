// Second order through helper calls: ADJ_HVP and ADJ_HESSIAN of functions that call
// scalar helpers (the logistic loss's log(1 + e^z), a squared helper). Checked: the
// scalar seed (x^2)^2 -> 12 x^2 exactly, H v against finite differences of the
// gradient (1e-6), and the Hessian of the L2-regularized logistic loss against
// finite differences (1e-6), for symmetry (1e-14) and positive definiteness.
//
// RUN: %adjc %s -o %t.c
// RUN: %cc %t.c %adjlib -o %t.exe
// RUN: %t.exe | %FileCheck %s
// RUN: %clang %t.c %adjlib -o %t.clang.exe
// RUN: %t.clang.exe | %FileCheck %s
#include <adjoint.h>
#include <math.h>

#include "revcheck.h"

enum { NS = 12, NF = 3, M = NF + 1 };

static double sq(double z) { return z * z; }

ADJ_GRAD(x) ADJ_HVP(x)
double quartic(double x) { return sq(sq(x)); }
double quartic_hvp(double x, double v_x, double *hv_x);

static double log1pexp(double z) { return z > 0 ? z + log1p(exp(-z)) : log1p(exp(z)); }

ADJ_GRAD(theta) ADJ_HVP(theta[m]) ADJ_HESSIAN(theta[m])
double logreg(const double *theta, int m, const double *x, const int *y, int n, double lambda) {
  int nf = m - 1;
  double loss = 0;
  for (int i = 0; i < n; i++) {
    double z = theta[nf];
    for (int j = 0; j < nf; j++)
      z += theta[j] * x[i * nf + j];
    loss += y[i] ? log1pexp(-z) : log1pexp(z);
  }
  double reg = 0;
  for (int j = 0; j < nf; j++)
    reg += sq(theta[j]);
  return loss / n + 0.5 * lambda * reg;
}
double logreg_grad(const double *theta, double *d_theta, int m, const double *x, const int *y,
                   int n, double lambda);
double logreg_hvp(const double *theta, const double *v_theta, double *hv_theta, int m,
                  const double *x, const int *y, int n, double lambda);
double logreg_hessian(const double *theta, double *h_theta, int m, const double *x,
                      const int *y, int n, double lambda);

int main(void) {
  uint64_t rng = 71;
  int bad = 0;
  double hv = 0;
  quartic_hvp(1.5, 1.0, &hv);
  printf("quartic'' at 1.5: %g\n", hv);
  // CHECK: quartic'' at 1.5: 27

  double X[NS * NF];
  int Y[NS];
  gc_fill(&rng, X, NS * NF, -2.0, 2.0);
  for (int i = 0; i < NS; i++)
    Y[i] = X[i * NF] + 0.5 * X[i * NF + 1] > 0.3 ? 1 : 0;
  for (int trial = 0; trial < 3; trial++) {
    double th[M], v[M], hvv[M] = {0}, h[M * M], g1[M], g2[M], tp[M], fd[M * M], fdv[M];
    gc_fill(&rng, th, M, -1.0, 1.0);
    gc_fill(&rng, v, M, -1.0, 1.0);
    double val = logreg_hessian(th, h, M, X, Y, NS, 0.1);
    bad |= !(val == logreg(th, M, X, Y, NS, 0.1));
    val = logreg_hvp(th, v, hvv, M, X, Y, NS, 0.1);
    bad |= !(val == logreg(th, M, X, Y, NS, 0.1));
    for (int j = 0; j < M; j++) {
      double e = 1e-5;
      for (int i = 0; i < M; i++) {
        tp[i] = th[i] + (i == j ? e : 0);
        g1[i] = g2[i] = 0;
      }
      logreg_grad(tp, g1, M, X, Y, NS, 0.1);
      tp[j] = th[j] - e;
      logreg_grad(tp, g2, M, X, Y, NS, 0.1);
      for (int i = 0; i < M; i++)
        fd[i * M + j] = (g1[i] - g2[i]) / (2 * e);
    }
    for (int i = 0; i < M; i++) {
      fdv[i] = 0;
      for (int j = 0; j < M; j++)
        fdv[i] += fd[i * M + j] * v[j];
    }
    bad |= gc_compare("logreg hessian vs fd", h, fd, M * M, 1e-6);
    bad |= gc_compare("logreg hvp vs fd", hvv, fdv, M, 1e-6);
    double asym = 0, minpiv = 1e300, l[M * M] = {0};
    for (int i = 0; i < M; i++)
      for (int j = 0; j < M; j++)
        asym = fmax(asym, fabs(h[i * M + j] - h[j * M + i]));
    for (int j = 0; j < M; j++) { // Cholesky: positive pivots
      double d = h[j * M + j];
      for (int k = 0; k < j; k++)
        d -= l[j * M + k] * l[j * M + k];
      minpiv = fmin(minpiv, d);
      l[j * M + j] = sqrt(fmax(d, 1e-300));
      for (int i = j + 1; i < M; i++) {
        double s = h[i * M + j];
        for (int k = 0; k < j; k++)
          s -= l[i * M + k] * l[j * M + k];
        l[i * M + j] = s / l[j * M + j];
      }
    }
    printf("logreg hessian symmetric: %s, positive definite: %s\n", asym < 1e-14 ? "yes" : "no",
           minpiv > 0 ? "yes" : "no");
  }
  // CHECK-COUNT-3: logreg hessian symmetric: yes, positive definite: yes
  // CHECK-NOT: FAIL
  return bad;
}
