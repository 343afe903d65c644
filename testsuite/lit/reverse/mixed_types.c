// Active doubles mixed with integer and boolean values: comparisons used as numbers
// ((x > 0) * x), logical operators as values, !x, integer division and % next to
// active products, division of a double by an int, conversions to float and back,
// char and short counters, and an int array filled from truncated active values and
// used as indices. Reverse and forward derivatives are checked against finite
// differences (1e-6 relative; 2e-3 for the float round trip, step 1e-3) and against
// each other (1e-10; 1e-5 for the float code).
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
double bools(const double *w, int n) {
  double s = 0;
  for (int i = 0; i < n; i++) {
    double x = w[i];
    s += (x > 0) * x * x;            // relu-like
    s += (x > 0.2 && x < 0.8) * x;   // a window
    s += !(x < -0.5) * 0.5 * x;
    s += (x < 0 || i == 0) ? x * 3.0 : 0.0;
  }
  return s;
}
CHECKV(bools)

ADJ_GRAD(w) ADJ_JVP(w)
double int_arith(const double *w, int n) {
  double s = 0;
  for (int i = 0; i < n; i++)
    s += w[i] * (i / 2) + w[i] * w[i] / n + (i % 3 == 0 ? w[i] / (i + 1) : 0.0);
  short k = (short)n;
  char c = 3;
  while (c-- > 0)
    s += w[(int)c] * k;
  int idx[N];
  for (int i = 0; i < n; i++)
    idx[i] = ((int)(w[i] * 10.0 + 20.0)) % n; // from truncated values: constants for AD
  for (int i = 0; i < n; i++)
    s += w[idx[i]] * w[i];
  return s;
}
CHECKV(int_arith)

ADJ_GRAD(w) ADJ_JVP(w)
double float_round_trip(const double *w, int n) {
  double s = 0;
  for (int i = 0; i < n; i++) {
    float f = (float)(w[i] * 2.0);
    s += (double)(f * f) + (double)sinf(f) * w[(i + 1) % n];
  }
  return s;
}
CHECKV(float_round_trip)

int main(void) {
  uint64_t rng = 99;
  int bad = 0;
  for (int trial = 0; trial < 4; trial++) {
    double v[N];
    gc_fill(&rng, v, N, -1.0, 1.0);
    bad |= check_rev("bools", bools_w, bools_g, NULL, v, N, 1e-6);
    bad |= check_fwd("bools", bools_w, bools_g, bools_j, NULL, v, N, &rng, 1e-6);
    bad |= check_rev("int_arith", int_arith_w, int_arith_g, NULL, v, N, 1e-6);
    bad |= check_fwd("int_arith", int_arith_w, int_arith_g, int_arith_j, NULL, v, N, &rng, 1e-6);
    bad |= check_rev_h("float_round_trip", float_round_trip_w, float_round_trip_g, NULL, v, N, 2e-3, 1e-3);
    // float code: the JVP against the gradient only (dot test, 1e-5 relative)
    double t[N], g[N] = {0}, tr = 0;
    gc_fill(&rng, t, N, -1.0, 1.0);
    float_round_trip_j(v, t, &tr, NULL);
    float_round_trip_g(v, g, NULL);
    int ok = fabs(tr - gc_dot(g, t, N)) <= 1e-5 * fmax(1.0, fabs(tr));
    printf("fwd float_round_trip: %s\n", ok ? "OK" : "FAIL");
    bad |= !ok;
  }
  // CHECK-COUNT-24: {{(rev|fwd)}} {{[a-z_]+}}: OK
  return bad;
}
