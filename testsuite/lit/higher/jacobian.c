// ADJ_JACOBIAN(x[n], y[m]): the dense m x n Jacobian, row-major, built from one
// forward sweep per column when n <= m and one reverse sweep per row otherwise
// (decided at run time from the lengths). Checked against central finite
// differences for both shapes, and the outputs y are written as f writes them.
//
// RUN: %adjc %s -o %t.c
// RUN: %cc %t.c %adjlib -o %t.exe
// RUN: %t.exe | %FileCheck %s
// RUN: %clang %t.c %adjlib -o %t.clang.exe
// RUN: %t.clang.exe | %FileCheck %s
// RUN: %FileCheck %s --check-prefix=GEN < %t.c
#include <adjoint.h>
#include <math.h>

#include "gradcheck.h"

ADJ_JACOBIAN(x[n], y[m])
void model(const double *x, int n, double *y, int m) {
  for (int i = 0; i < m; i++) {
    double a = 0.1 * i;
    for (int j = 0; j < n; j++)
      a += sin(x[j] * (i + 1)) * x[(j + i) % n];
    y[i] = tanh(a) + (i < n ? x[i] * x[i] : 0.0);
  }
}
void model_jacobian(const double *x, int n, double *y, double *j_y, int m);
// GEN: {{^}}/* Jacobian of model's output y (m) with respect to x (n), written row-major into j_y (m x n): one forward sweep per column when n <= m, else one reverse sweep per row */

static int dims[2];
static double out_i(const double *x, void *ctx) {
  double y[16];
  model(x, dims[0], y, dims[1]);
  return y[*(int *)ctx];
}

static int check(int n, int m, uint64_t *rng) {
  double x[16], y[16], y0[16], jac[256], fd[16];
  dims[0] = n;
  dims[1] = m;
  gc_fill(rng, x, n, -1.0, 1.0);
  model_jacobian(x, n, y, jac, m);
  model(x, n, y0, m);
  int bad = 0;
  for (int i = 0; i < m; i++) {
    bad |= !(y[i] == y0[i]);
    gc_fd_grad(out_i, &i, x, n, fd);
    for (int j = 0; j < n; j++)
      if (fabs(jac[i * n + j] - fd[j]) > 1e-6) {
        printf("J[%d][%d] = %g, finite differences %g\n", i, j, jac[i * n + j], fd[j]);
        bad = 1;
      }
  }
  printf("jacobian %dx%d (%s): %s\n", m, n, n <= m ? "forward" : "reverse", bad ? "FAIL" : "OK");
  return bad;
}

int main(void) {
  uint64_t rng = 2024;
  int bad = 0;
  bad |= check(3, 5, &rng);
  bad |= check(6, 2, &rng);
  bad |= check(4, 4, &rng);
  // CHECK: jacobian 5x3 (forward): OK
  // CHECK: jacobian 2x6 (reverse): OK
  // CHECK: jacobian 4x4 (forward): OK
  return bad;
}
