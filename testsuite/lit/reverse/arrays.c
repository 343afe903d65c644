// Reverse mode with pointers and arrays: inputs, outputs, in/out arrays (read then
// written), local arrays (1-D and 2-D), in-place updates, pointer arithmetic and
// pointer walking.
//
// RUN: %adjc %s -o %t.c
// RUN: %cc %t.c %adjlib -o %t.exe
// RUN: %t.exe | %FileCheck %s
// RUN: %clang %t.c %adjlib -o %t.clang.exe
// RUN: %t.clang.exe | %FileCheck %s
#include <adjoint.h>
#include <math.h>

#include "revcheck.h"

enum { N = 6 };

#define CHECKV(f) RC_WRAP_N(f, N)

ADJ_GRAD(w)
double local_array(const double *w, int n) {
  double acc[16];
  for (int i = 0; i < n; i++)
    acc[i] = w[i] * w[i] + (i > 0 ? acc[i - 1] : 0.0);
  double s = 0;
  for (int i = 0; i < n; i++)
    s += sqrt(acc[i] + 1.0);
  return s;
}
CHECKV(local_array)

ADJ_GRAD(w)
double in_place(const double *w, int n) {
  double a[16];
  for (int i = 0; i < n; i++)
    a[i] = w[i];
  for (int pass = 0; pass < 3; pass++)
    for (int i = 0; i < n; i++)
      a[i] = a[i] * a[(i + 1) % n] + 0.1; // overwritten in place, read by neighbours
  double s = 0;
  for (int i = 0; i < n; i++)
    s += a[i];
  return s;
}
CHECKV(in_place)

ADJ_GRAD(w)
double matrix(const double *w, int n) {
  double m[3][3];
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++)
      m[i][j] = w[(i + j) % n] * (i + 1) - w[(i * j) % n];
  // determinant by cofactors
  return m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
         m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
         m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
}
CHECKV(matrix)

ADJ_GRAD(w)
double walk(const double *w, int n) {
  const double *p = w + 1;
  double s = 0;
  while (p < w + n) {
    s += *p * p[-1];
    p++;
  }
  const double *q = &w[2];
  return s + q[1] * *q;
}
CHECKV(walk)

// An output array: `out` is written, and its adjoint d_out is in/out (on entry the
// cotangent of the outputs, on exit that of out's entry values, here 0).
ADJ_GRAD(w, out)
double softmax_logsum(const double *w, double *out, int n) {
  double m = w[0];
  for (int i = 1; i < n; i++)
    m = fmax(m, w[i]);
  double z = 0;
  for (int i = 0; i < n; i++) {
    out[i] = exp(w[i] - m);
    z += out[i];
  }
  for (int i = 0; i < n; i++)
    out[i] /= z;
  return m + log(z);
}
double softmax_logsum_grad(const double *w, double *d_w, double *out, double *d_out, int n);
static double softmax_logsum_w(const double *v, void *c) {
  (void)c;
  double out[N];
  return softmax_logsum(v, out, N);
}
static double softmax_logsum_g(const double *v, double *g, void *c) {
  (void)c;
  double out[N], d_out[N] = {0};
  return softmax_logsum_grad(v, g, out, d_out, N);
}

// In/out: x is read then written; ADJ_VJP takes the outputs' cotangent in d_x and
// leaves the cotangent of x's entry values there.
ADJ_VJP(x)
void square_inplace(double *x, int n) {
  for (int i = 0; i < n; i++)
    x[i] = x[i] * x[i] + sin(x[i]);
}
void square_inplace_vjp(double *x, double *d_x, int n);

int main(void) {
  uint64_t rng = 9;
  int bad = 0;
  for (int trial = 0; trial < 3; trial++) {
    double v[N];
    gc_fill(&rng, v, N, -1.0, 1.0);
    bad |= check_rev("local_array", local_array_w, local_array_g, NULL, v, N, 1e-6);
    bad |= check_rev("in_place", in_place_w, in_place_g, NULL, v, N, 1e-6);
    bad |= check_rev("matrix", matrix_w, matrix_g, NULL, v, N, 1e-6);
    bad |= check_rev("walk", walk_w, walk_g, NULL, v, N, 1e-6);
    bad |= check_rev("softmax_logsum", softmax_logsum_w, softmax_logsum_g, NULL, v, N, 1e-6);
  }
  // CHECK-COUNT-15: rev {{[a-z_]+}}: OK

  // softmax_logsum leaves the softmax in out, and d_out at 0 (entry values unused)
  double w[N] = {0.1, -0.4, 0.3, 0.9, -1.0, 0.2}, dw[N] = {0}, out[N], d_out[N] = {0};
  softmax_logsum_grad(w, dw, out, d_out, N);
  double total = 0, dsum = 0, maxerr = 0;
  for (int i = 0; i < N; i++) {
    total += out[i];
    dsum += fabs(d_out[i]);
    maxerr = fmax(maxerr, fabs(dw[i] - out[i])); // d logsumexp / dw = softmax
  }
  printf("softmax sums to %.12f, |d_out| %.1f, |grad - softmax| < 1e-12: %s\n", total, dsum,
         maxerr < 1e-12 ? "yes" : "no");
  // CHECK: softmax sums to 1.000000000000, |d_out| 0.0, |grad - softmax| < 1e-12: yes

  // square_inplace: y_i = x_i² + sin x_i, so d_x on exit = (2 x_i + cos x_i) * cotangent
  double x[N], d_x[N], x0[N];
  gc_fill(&rng, x, N, -1.0, 1.0);
  for (int i = 0; i < N; i++) {
    x0[i] = x[i];
    d_x[i] = 0.5 + i;
  }
  square_inplace_vjp(x, d_x, N);
  double err = 0;
  for (int i = 0; i < N; i++) {
    err = fmax(err, fabs(x[i] - (x0[i] * x0[i] + sin(x0[i]))));
    err = fmax(err, fabs(d_x[i] - (2 * x0[i] + cos(x0[i])) * (0.5 + i)));
  }
  printf("square_inplace vjp error < 1e-12: %s\n", err < 1e-12 ? "yes" : "no");
  // CHECK: square_inplace vjp error < 1e-12: yes
  return bad;
}
