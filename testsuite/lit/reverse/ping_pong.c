// Pointers that change which array they point into: ping-pong buffers (two local
// arrays whose roles swap every step, as in stencil codes), a source pointer that
// starts at the parameter and then points into a local buffer, and a pointer moved
// back and forth inside one array (in a helper, adjc refuses pointers that switch
// arrays: diagnostics/helper_pointer_switch.c). Reverse and forward derivatives are
// checked against finite differences (1e-6 relative) and against each other (1e-10).
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

ADJ_GRAD(w) ADJ_JVP(w)
double ping_pong(const double *w, int n) {
  double a[N], b[N];
  for (int i = 0; i < n; i++)
    a[i] = w[i];
  double *cur = a, *next = b;
  for (int step = 0; step < 5; step++) {
    for (int i = 0; i < n; i++) {
      double l = cur[(i + n - 1) % n], r = cur[(i + 1) % n];
      next[i] = cur[i] + 0.2 * (l - 2.0 * cur[i] + r) + 0.05 * sin(cur[i]);
    }
    double *t = cur;
    cur = next;
    next = t;
  }
  double s = 0;
  for (int i = 0; i < n; i++)
    s += cur[i] * cur[i] * (i + 1);
  return s;
}
CHECKV(ping_pong)

ADJ_GRAD(w) ADJ_JVP(w)
double source_switch(const double *w, int n) {
  double buf[N];
  const double *src = w; // first the parameter, then the local buffer
  double s = 0;
  for (int pass = 0; pass < 3; pass++) {
    for (int i = 0; i < n; i++)
      buf[i] = src[(i + 1) % n] * src[i] * 0.8 + 0.1;
    src = buf;
    s += src[pass] * w[pass];
  }
  return s + src[0];
}
CHECKV(source_switch)

ADJ_GRAD(w) ADJ_JVP(w)
double back_and_forth(const double *w, int n) {
  const double *p = w;
  double s = 0;
  for (int i = 0; i < 2 * n; i++) {
    s = s * 0.9 + *p * (1.0 + 0.1 * s);
    if (i < n - 1)
      p++;
    else if (p > w)
      p--;
  }
  return s;
}
CHECKV(back_and_forth)

int main(void) {
  uint64_t rng = 777;
  int bad = 0;
  for (int trial = 0; trial < 3; trial++) {
    double v[N];
    gc_fill(&rng, v, N, -1.0, 1.0);
    bad |= check_rev("ping_pong", ping_pong_w, ping_pong_g, NULL, v, N, 1e-6);
    bad |= check_fwd("ping_pong", ping_pong_w, ping_pong_g, ping_pong_j, NULL, v, N, &rng, 1e-6);
    bad |= check_rev("source_switch", source_switch_w, source_switch_g, NULL, v, N, 1e-6);
    bad |= check_fwd("source_switch", source_switch_w, source_switch_g, source_switch_j, NULL, v, N, &rng, 1e-6);
    bad |= check_rev("back_and_forth", back_and_forth_w, back_and_forth_g, NULL, v, N, 1e-6);
    bad |= check_fwd("back_and_forth", back_and_forth_w, back_and_forth_g, back_and_forth_j, NULL, v, N, &rng, 1e-6);
  }
  // CHECK-COUNT-18: {{(rev|fwd)}} {{[a-z_]+}}: OK
  return bad;
}
