// Reverse mode through loops: for, while, do-while, nested loops, break, continue,
// return inside a loop, loop-carried products, a data-dependent trip count. Inputs
// are arrays (pointer parameters); the gradient goes to d_w.
//
// RUN: %adjc %s -o %t.c
// RUN: %cc %t.c %adjlib -o %t.exe
// RUN: %t.exe | %FileCheck %s
// RUN: %clang %t.c %adjlib -o %t.clang.exe
// RUN: %t.clang.exe | %FileCheck %s
#include <adjoint.h>
#include <math.h>

#include "revcheck.h"

enum { N = 7 };

#define CHECKV(f) RC_WRAP_N(f, N)

ADJ_GRAD(w)
double sum_squares(const double *w, int n) {
  double s = 0;
  for (int i = 0; i < n; i++)
    s += w[i] * w[i];
  return s;
}
CHECKV(sum_squares)

ADJ_GRAD(w)
double product(const double *w, int n) {
  double p = 1;
  int i = 0;
  while (i < n) {
    p = p * (1.0 + 0.1 * w[i]); // p is overwritten each iteration: taped
    i++;
  }
  return p;
}
CHECKV(product)

ADJ_GRAD(w)
double do_while(const double *w, int n) {
  double s = 0;
  int i = n - 1;
  do {
    s = sin(s + w[i]);
    i--;
  } while (i >= 0);
  return s;
}
CHECKV(do_while)

ADJ_GRAD(w)
double nested(const double *w, int n) {
  double s = 0;
  for (int i = 0; i < n; i++)
    for (int j = 0; j <= i; j++)
      s += w[i] * w[j] * (i - j + 1);
  return s;
}
CHECKV(nested)

ADJ_GRAD(w)
double with_break(const double *w, int n) {
  double s = 0;
  for (int i = 0; i < n; i++) {
    if (s > 2.5)
      break;
    s += w[i] * w[i] + 0.5;
  }
  return s * w[0];
}
CHECKV(with_break)

ADJ_GRAD(w)
double with_continue(const double *w, int n) {
  double s = 0;
  for (int i = 0; i < n; i++) {
    if (i % 2 == 1)
      continue;
    s = s * w[i] + exp(w[i]);
  }
  return s;
}
CHECKV(with_continue)

ADJ_GRAD(w)
double return_in_loop(const double *w, int n) {
  double s = 1;
  for (int i = 0; i < n; i++) {
    s *= 1.5 + w[i];
    if (s > 4.0)
      return s * w[i];
  }
  return -s;
}
CHECKV(return_in_loop)

ADJ_GRAD(w)
double newton_sqrt(const double *w, int n) {
  // iterate until converged: the trip count depends on the data
  double a = w[0] * w[0] + 1.0, x = a;
  int it = 0;
  while (fabs(x * x - a) > 1e-14 * a && it < 100) {
    x = 0.5 * (x + a / x);
    it++;
  }
  return x + (double)n * 0.0;
}
CHECKV(newton_sqrt)

ADJ_GRAD(w)
double horner(const double *w, int n) {
  // p(t) = sum w[i] t^i at t = w[0]: both coefficients and the point are active
  double t = w[0], p = 0;
  for (int i = n - 1; i >= 0; i--)
    p = p * t + w[i];
  return p;
}
CHECKV(horner)

ADJ_GRAD(w)
double infinite_loop_break(const double *w, int n) {
  double s = 0;
  int i = 0;
  for (;;) {
    s += w[i] * (i + 1);
    if (++i == n)
      break;
  }
  return s * s;
}
CHECKV(infinite_loop_break)

int main(void) {
  uint64_t rng = 3;
  int bad = 0;
  for (int trial = 0; trial < 3; trial++) {
    double v[N];
    gc_fill(&rng, v, N, -1.0, 1.0);
    bad |= check_rev("sum_squares", sum_squares_w, sum_squares_g, NULL, v, N, 1e-6);
    bad |= check_rev("product", product_w, product_g, NULL, v, N, 1e-6);
    bad |= check_rev("do_while", do_while_w, do_while_g, NULL, v, N, 1e-6);
    bad |= check_rev("nested", nested_w, nested_g, NULL, v, N, 1e-6);
    bad |= check_rev("with_break", with_break_w, with_break_g, NULL, v, N, 1e-6);
    bad |= check_rev("with_continue", with_continue_w, with_continue_g, NULL, v, N, 1e-6);
    bad |= check_rev("return_in_loop", return_in_loop_w, return_in_loop_g, NULL, v, N, 1e-6);
    bad |= check_rev("newton_sqrt", newton_sqrt_w, newton_sqrt_g, NULL, v, N, 1e-6);
    bad |= check_rev("horner", horner_w, horner_g, NULL, v, N, 1e-6);
    bad |= check_rev("infinite_loop_break", infinite_loop_break_w, infinite_loop_break_g, NULL, v, N, 1e-6);
  }
  // CHECK-COUNT-30: rev {{[a-z_]+}}: OK
  return bad;
}
