// Self-test of the lit harness: %cc, %clang and %adjlib build a program against the
// runtime (in the asan variant: sanitized, linked with libadjoint_asan), and
// Inputs/gradcheck.h accepts a right gradient and rejects a wrong one.
//
// RUN: %cc %s %adjlib -o %t.gcc.exe
// RUN: %t.gcc.exe | %FileCheck %s
// RUN: %clang %s %adjlib -o %t.clang.exe
// RUN: %t.clang.exe | %FileCheck %s
// RUN: %expect_exit 1 %t.gcc.exe --wrong | %FileCheck %s --check-prefix=WRONG
#include <adjoint.h>
#include <string.h>

#include "gradcheck.h"

// f(x) = x0² sin(x1) + exp(x2) x0
static double f(const double *x, void *ctx) {
  (void)ctx;
  return x[0] * x[0] * sin(x[1]) + exp(x[2]) * x[0];
}

static void grad_f(const double *x, double *g) {
  g[0] = 2 * x[0] * sin(x[1]) + exp(x[2]);
  g[1] = x[0] * x[0] * cos(x[1]);
  g[2] = exp(x[2]) * x[0];
}

int main(int argc, char **argv) {
  uint64_t rng = 7;
  double x[3], g[3];
  gc_fill(&rng, x, 3, -2.0, 2.0);
  grad_f(x, g);
  if (argc > 1 && strcmp(argv[1], "--wrong") == 0) {
    g[2] += 1e-4;
    // WRONG: gradcheck f: max abs err 0.0001 (tol 1e-06) FAIL
    // WRONG-NEXT: worst at [2]: analytic
    return gradcheck("f", f, NULL, x, 3, g, 1e-6);
  }

  // The same seed gives the same numbers on every platform and compiler.
  uint64_t s = 1;
  unsigned long long r1 = gc_next(&s), r2 = gc_next(&s);
  printf("splitmix %016llx %016llx\n", r1, r2);
  // CHECK: splitmix 910a2dec89025cc1 beeb8da1658eec67

  int bad = gradcheck("f", f, NULL, x, 3, g, 1e-6);
  // CHECK: gradcheck f: max abs err {{[0-9.e-]+}} (tol 1e-06) OK

  // The runtime links: generated reverse-mode code saves values on a tape.
  AdjTape tape = ADJ_TAPE_INIT;
  for (int i = 0; i < 1000; i++)
    adj_tape_push(&tape, &x[i % 3], sizeof(double));
  double back = 0;
  for (int i = 999; i >= 0; i--)
    adj_tape_pop(&tape, &back, sizeof back);
  adj_tape_free(&tape);
  printf("tape %s\n", back == x[0] ? "ok" : "wrong");
  // CHECK: tape ok

  // <J v, w> == <v, Jᵀ w> for the linear map g ↦ 2g: both sides agree exactly.
  double v[3] = {1, 2, 3}, w[3] = {0.5, -1, 2}, jv[3], jtw[3];
  for (int i = 0; i < 3; i++) {
    jv[i] = 2 * v[i];
    jtw[i] = 2 * w[i];
  }
  bad |= gc_compare1("dot", gc_dot(jv, w, 3), gc_dot(v, jtw, 3), 1e-12);
  // CHECK: gradcheck dot: max abs err 0 (tol 1e-12) OK
  return bad;
}
