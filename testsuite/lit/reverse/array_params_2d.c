// 2-D array parameters (pointers to arrays, `double m[][3]`): a helper taking two
// of them, called with local 2-D arrays, and a differentiated function whose listed
// parameter is one. Reverse and forward derivatives are checked against finite
// differences (1e-6 relative) and against each other (1e-10).
//
// RUN: %adjc %s -o %t.c
// RUN: %cc %t.c %adjlib -o %t.exe
// RUN: %t.exe | %FileCheck %s
// RUN: %clang %t.c %adjlib -o %t.clang.exe
// RUN: %t.clang.exe | %FileCheck %s
#include <adjoint.h>
#include <math.h>

#include "revcheck.h"

enum { N = 6, COLS = 3 };

#define CHECKV(f) RC_WRAP_JVP_N(f, N)

static double trace_prod(const double a[][COLS], const double b[][COLS], int rows) {
  double s = 0;
  for (int i = 0; i < rows; i++)
    for (int j = 0; j < COLS; j++)
      s += a[i][j] * b[(i + 1) % rows][j];
  return s;
}

ADJ_GRAD(w) ADJ_JVP(w)
double two_d_param(const double *w, int n) {
  double m[2][COLS], q[2][COLS];
  for (int i = 0; i < 2; i++)
    for (int j = 0; j < COLS; j++) {
      m[i][j] = w[(i * COLS + j) % n];
      q[i][j] = sin(m[i][j]) + 0.5 * i;
    }
  return trace_prod((const double(*)[COLS])m, (const double(*)[COLS])q, 2);
}
CHECKV(two_d_param)


ADJ_GRAD(m)
double sum_rows(const double m[][COLS], int rows) {
  double s = 0;
  for (int i = 0; i < rows; i++)
    for (int j = 0; j < COLS; j++)
      s += m[i][j] * m[i][j] * (i + 1) + sin(m[i][j]);
  return s;
}
double sum_rows_grad(const double m[][COLS], double d_m[][COLS], int rows);
static double sum_rows_w(const double *v, void *c) {
  (void)c;
  return sum_rows((const double(*)[COLS])v, N / COLS);
}
static double sum_rows_g(const double *v, double *g, void *c) {
  (void)c;
  return sum_rows_grad((const double(*)[COLS])v, (double(*)[COLS])g, N / COLS);
}

int main(void) {
  uint64_t rng = 4243;
  int bad = 0;
  for (int trial = 0; trial < 3; trial++) {
    double v[N];
    gc_fill(&rng, v, N, -1.0, 1.0);
    bad |= check_rev("two_d_param", two_d_param_w, two_d_param_g, NULL, v, N, 1e-6);
    bad |= check_fwd("two_d_param", two_d_param_w, two_d_param_g, two_d_param_j, NULL, v, N, &rng, 1e-6);
    bad |= check_rev("sum_rows", sum_rows_w, sum_rows_g, NULL, v, N, 1e-6);
  }
  // CHECK-COUNT-9: {{(rev|fwd)}} {{[a-z_]+}}: OK
  return bad;
}
