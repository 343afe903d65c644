// Conditions that do work: an assignment to an active variable inside a while
// condition, a helper call on active values inside if and while conditions, a for
// increment that updates an active accumulator (also on continue), a ?: inside a
// loop condition, and short-circuit && / || whose right side assigns. Reverse and
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

enum { N = 6 };

#define CHECKV(f) RC_WRAP_JVP_N(f, N)

static double energy(double a, double b) { return a * a + 0.5 * b * b; }

ADJ_GRAD(w) ADJ_JVP(w)
double assign_in_condition(const double *w, int n) {
  double s = 0.1;
  int i = 0;
  while ((s = s * 0.8 + w[i % n] * w[i % n] + 0.3) < 3.0 && i < 20)
    i++;
  return s * w[0];
}
CHECKV(assign_in_condition)

ADJ_GRAD(w) ADJ_JVP(w)
double call_in_condition(const double *w, int n) {
  double a = w[0], b = w[1], s = 0;
  int it = 0;
  while (energy(a, b) > 0.05 && it < 30) { // a decaying orbit: the trip count depends on w
    double na = 0.9 * a - 0.2 * b, nb = 0.2 * a + 0.85 * b;
    a = na;
    b = nb;
    it++;
  }
  if (energy(w[2], w[3]) > 0.5)
    s = a * w[4];
  else
    s = b * w[5];
  return s + a * b + (double)n * 0.0;
}
CHECKV(call_in_condition)

ADJ_GRAD(w) ADJ_JVP(w)
double active_increment(const double *w, int n) {
  double s = 0, p = 1.0;
  for (int i = 0; i < n; i++, p *= 1.0 + 0.1 * w[i - 1]) {
    if (w[i] < -0.6)
      continue; // the increment still runs
    s += p * w[i];
  }
  return s + p;
}
CHECKV(active_increment)

ADJ_GRAD(w) ADJ_JVP(w)
double cond_in_loop_test(const double *w, int n) {
  double s = 0;
  int i = 0;
  while (i < (w[0] > 0 ? n : n - 2)) {
    s = s * 0.7 + sin(w[i]);
    i++;
  }
  double t = 0;
  for (int k = 0; k < n; k++)
    if (w[k] > 0 && (t = t + w[k] * w[k]) > 0.5) // the assignment runs only when w[k] > 0
      t *= 0.9;
    else if (w[k] < 0 || (t = t - w[k]) > 10.0)
      t += 0.1 * w[k];
  return s + t;
}
CHECKV(cond_in_loop_test)

int main(void) {
  uint64_t rng = 2468;
  int bad = 0;
  for (int trial = 0; trial < 4; trial++) {
    double v[N];
    gc_fill(&rng, v, N, -1.0, 1.0);
    bad |= check_rev("assign_in_condition", assign_in_condition_w, assign_in_condition_g, NULL, v, N, 1e-6);
    bad |= check_fwd("assign_in_condition", assign_in_condition_w, assign_in_condition_g, assign_in_condition_j, NULL, v, N, &rng, 1e-6);
    bad |= check_rev("call_in_condition", call_in_condition_w, call_in_condition_g, NULL, v, N, 1e-6);
    bad |= check_fwd("call_in_condition", call_in_condition_w, call_in_condition_g, call_in_condition_j, NULL, v, N, &rng, 1e-6);
    bad |= check_rev("active_increment", active_increment_w, active_increment_g, NULL, v, N, 1e-6);
    bad |= check_fwd("active_increment", active_increment_w, active_increment_g, active_increment_j, NULL, v, N, &rng, 1e-6);
    bad |= check_rev("cond_in_loop_test", cond_in_loop_test_w, cond_in_loop_test_g, NULL, v, N, 1e-6);
    bad |= check_fwd("cond_in_loop_test", cond_in_loop_test_w, cond_in_loop_test_g, cond_in_loop_test_j, NULL, v, N, &rng, 1e-6);
  }
  // CHECK-COUNT-32: {{(rev|fwd)}} {{[a-z_]+}}: OK
  return bad;
}
