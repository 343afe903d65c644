// Loop edge cases in both modes: loops that run zero times (n = 0 and a false
// first test), one time, a return on the very first iteration, unsigned and
// downward counters, a step of 3, a loop with both break and continue, a switch
// with break and continue inside a while loop, and a loop whose body only runs
// under a data-dependent condition. Checked at n = 0, 1 and 7: gradients against
// finite differences (1e-6 relative), value and accumulation; forward mode against
// the gradient (1e-10) and finite differences.
//
// RUN: %adjc %s -o %t.c
// RUN: %cc %t.c %adjlib -o %t.exe
// RUN: %t.exe | %FileCheck %s
// RUN: %clang %t.c %adjlib -o %t.clang.exe
// RUN: %t.clang.exe | %FileCheck %s
#include <adjoint.h>
#include <math.h>

#include "revcheck.h"

enum { NMAX = 7 };

#define CHECKV(f)                                                                  \
  double f##_grad(const double *w, double *d_w, int n);                            \
  double f##_jvp(const double *w, const double *t_w, int n, double *t_ret);        \
  static double f##_w(const double *v, void *c) { return f(v, *(int *)c); }        \
  static double f##_g(const double *v, double *g, void *c) {                       \
    return f##_grad(v, g, *(int *)c);                                              \
  }                                                                                \
  static double f##_j(const double *x, const double *v, double *t, void *c) {      \
    return f##_jvp(x, v, *(int *)c, t);                                            \
  }

ADJ_GRAD(w) ADJ_JVP(w)
double counters(const double *w, int n) {
  double s = 0.5 * w[0];
  for (unsigned u = 0; u < (unsigned)n; u++)
    s += w[u] * w[u] * 0.5;
  for (int i = n - 1; i >= 0; i -= 3) // downward, step 3
    s = s * (1.0 + 0.1 * w[i]);
  for (int i = 0; i < n && s < 100.0; i++) // two conditions
    s += sin(w[i] * s);
  return s;
}
CHECKV(counters)

ADJ_GRAD(w) ADJ_JVP(w)
double first_iteration(const double *w, int n) {
  double s = w[0];
  for (int i = 0; i < n; i++) {
    s *= 1.0 + w[i] * w[i];
    if (i == 0)
      return s * 2.0; // always on the first iteration when n > 0
  }
  return s - 1.0;
}
CHECKV(first_iteration)

ADJ_GRAD(w) ADJ_JVP(w)
double break_continue(const double *w, int n) {
  double s = 0;
  int i = 0;
  while (1) {
    if (i >= n)
      break;
    double x = w[i++];
    if (x < -0.5)
      continue;
    if (s > 3.0)
      break;
    s += exp(x) * (i + 1) * 0.3;
  }
  return s * w[0] + s;
}
CHECKV(break_continue)

ADJ_GRAD(w) ADJ_JVP(w)
double switch_in_while(const double *w, int n) {
  double s = 1.0;
  int i = 0;
  while (i < n) {
    int k = i++;
    switch (k % 3) {
    case 0:
      s *= 1.0 + 0.2 * w[k];
      continue; // the while loop
    case 1:
      if (w[k] > 0.3)
        break; // the switch
      s += w[k] * w[k];
      break;
    default:
      s -= 0.1 * w[k] * s;
    }
    s += 0.01 * k * w[k];
  }
  return s;
}
CHECKV(switch_in_while)

int main(void) {
  uint64_t rng = 8080;
  int bad = 0;
  int sizes[3] = {0, 1, NMAX};
  for (int trial = 0; trial < 2; trial++)
    for (int k = 0; k < 3; k++) {
      int n = sizes[k];
      double v[NMAX];
      gc_fill(&rng, v, NMAX, -1.0, 1.0);
      int m = n > 0 ? n : 1; // w[0] is read even when n = 0
      bad |= check_rev("counters", counters_w, counters_g, &n, v, m, 1e-6);
      bad |= check_fwd("counters", counters_w, counters_g, counters_j, &n, v, m, &rng, 1e-6);
      bad |= check_rev("first_iteration", first_iteration_w, first_iteration_g, &n, v, m, 1e-6);
      bad |= check_fwd("first_iteration", first_iteration_w, first_iteration_g, first_iteration_j, &n, v, m, &rng, 1e-6);
      bad |= check_rev("break_continue", break_continue_w, break_continue_g, &n, v, m, 1e-6);
      bad |= check_fwd("break_continue", break_continue_w, break_continue_g, break_continue_j, &n, v, m, &rng, 1e-6);
      bad |= check_rev("switch_in_while", switch_in_while_w, switch_in_while_g, &n, v, m, 1e-6);
      bad |= check_fwd("switch_in_while", switch_in_while_w, switch_in_while_g, switch_in_while_j, &n, v, m, &rng, 1e-6);
    }
  // CHECK-COUNT-48: {{(rev|fwd)}} {{[a-z_]+}}: OK
  return bad;
}
