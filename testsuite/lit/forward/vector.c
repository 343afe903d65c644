// Vector-valued functions: ADJ_JVP pushes a tangent through (written into t_y),
// ADJ_VJP pulls a cotangent back (d_y in, d_x accumulated), and the two agree by the
// dot-product test <J v, w> == <v, J^T w> for random v, w. Also grad_outputs from
// the seeds: y = [x1^2, x2^3] with cotangent [1, 2] at x = [1, 1] gives [2, 6].
//
// RUN: %adjc %s -o %t.c
// RUN: %cc %t.c %adjlib -o %t.exe
// RUN: %t.exe | %FileCheck %s
// RUN: %clang %t.c %adjlib -o %t.clang.exe
// RUN: %t.clang.exe | %FileCheck %s
#include <adjoint.h>
#include <math.h>

#include "revcheck.h"

enum { N = 5, M = 4 };

ADJ_JVP(x, y) ADJ_VJP(x, y)
void model(const double *x, double *y, int n, int m) {
  for (int i = 0; i < m; i++) {
    double a = 0;
    for (int j = 0; j < n; j++)
      a += sin(x[j] * (i + 1)) * x[(j + i) % n];
    y[i] = tanh(a) + x[i] * x[i];
  }
}
void model_jvp(const double *x, const double *t_x, double *y, double *t_y, int n, int m);
void model_vjp(const double *x, double *d_x, double *y, double *d_y, int n, int m);

// grad_outputs: the weighted sum of the outputs' gradients
ADJ_VJP(x, y)
void two_outputs(const double *x, double *y) {
  y[0] = x[0] * x[0];
  y[1] = x[1] * x[1] * x[1];
}
void two_outputs_vjp(const double *x, double *d_x, double *y, double *d_y);

// A scalar function: its VJP takes the cotangent of the result as d_ret.
ADJ_VJP(x)
double scalar(const double *x, int n) {
  double s = 0;
  for (int i = 0; i < n; i++)
    s += x[i] * x[i] * x[i];
  return s;
}
double scalar_vjp(const double *x, double *d_x, int n, double d_ret);

int main(void) {
  uint64_t rng = 8;
  int bad = 0;
  for (int trial = 0; trial < 5; trial++) {
    double x[N], v[N], w[M], y[M], ty[M], y2[M], dx[N] = {0}, dy[M];
    gc_fill(&rng, x, N, -1.0, 1.0);
    gc_fill(&rng, v, N, -1.0, 1.0);
    gc_fill(&rng, w, M, -1.0, 1.0);
    model_jvp(x, v, y, ty, N, M);
    for (int i = 0; i < M; i++)
      dy[i] = w[i];
    model_vjp(x, dx, y2, dy, N, M);
    double lhs = gc_dot(ty, w, M), rhs = gc_dot(v, dx, N);
    bad |= gc_compare1("dot <Jv,w> vs <v,J^T w>", lhs, rhs, 1e-12 * fmax(1.0, fabs(rhs)));
    // outputs written by both, equal to the primal's
    double y3[M];
    model(x, y3, N, M);
    for (int i = 0; i < M; i++)
      bad |= !(y[i] == y3[i] && y2[i] == y3[i]);
  }
  // CHECK-COUNT-5: gradcheck dot <Jv,w> vs <v,J^T w>: max abs err {{.*}} OK

  double x[2] = {1, 1}, dx[2] = {0, 0}, y[2], dy[2] = {1, 2};
  two_outputs_vjp(x, dx, y, dy);
  printf("grad_outputs [1, 2]: x.grad = [%g, %g], y = [%g, %g]\n", dx[0], dx[1], y[0], y[1]);
  // CHECK: grad_outputs [1, 2]: x.grad = [2, 6], y = [1, 1]

  double xs[3] = {1, 2, 3}, dxs[3] = {0, 0, 0};
  double s = scalar_vjp(xs, dxs, 3, 0.5);
  printf("scalar vjp: %g [%g, %g, %g]\n", s, dxs[0], dxs[1], dxs[2]);
  // CHECK: scalar vjp: 36 [1.5, 6, 13.5]
  return bad;
}
