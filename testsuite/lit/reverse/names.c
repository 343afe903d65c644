// User names that collide with the names adjc generates (docs/naming.md): locals
// and parameters called t1, t2, d_x, t_x, tape, tape_store, result, retval, ctl,
// branch, n2, p, i2; shadowed names in nested blocks; a helper named like a
// generated one (sq_fwd); a local named tape_storage is in names_tape.c. Reverse and
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

enum { N = 5 };

#define CHECKV(f) RC_WRAP_JVP_N(f, N)

static double sq_fwd(double v) { return v * v * 0.5; } // a user function with a generated-looking name
static double sq(double v) { return v * v; }

ADJ_GRAD(w) ADJ_JVP(w)
double generated_names(const double *w, int n) {
  double t1 = w[0], t2 = w[1] * t1, d_x = sin(w[2]), t_x = w[3] * d_x;
  double tape = t1 + t2, tape_store = tape * d_x, result = 0, retval = 1.0;
  int ctl = 0, branch = 0, n2 = n;
  const double *p = w;
  for (int i2 = 0; i2 < n2; i2++) {
    if (p[i2] > 0) {
      branch++;
      retval *= 1.0 + 0.1 * p[i2];
    } else {
      ctl++;
      result += p[i2] * t_x;
    }
  }
  return result + retval * tape_store + sq(t2) + sq_fwd(t_x) + branch * t1 - ctl * tape;
}
CHECKV(generated_names)

ADJ_GRAD(w) ADJ_JVP(w)
double shadowing(const double *w, int n) {
  double s = w[0];
  {
    double s2 = s * 2.0;
    double x = s2 + w[1];
    {
      double x2 = x * x; // inner x2, outer x
      s += x2;
    }
    for (int i = 0; i < n; i++) {
      double x3 = w[i] * s; // a new x3 each iteration
      s = s * 0.5 + sin(x3);
    }
  }
  for (int i = 0; i < 2; i++) {
    double s3 = s + w[i];
    s = s3 * s3 * 0.1;
  }
  return s;
}
CHECKV(shadowing)

// the same names in a block scope: `double x` shadowing another `x`
ADJ_GRAD(w) ADJ_JVP(w)
double same_name(const double *w, int n) {
  double x = w[0] * w[1];
  double r = x;
  for (int i = 0; i < n; i++) {
    double x = w[i] + r; // shadows the outer x
    r += x * x * 0.1;
  }
  {
    double x = r * 2.0; // shadows again
    r += x;
  }
  return r + x;
}
CHECKV(same_name)

int main(void) {
  uint64_t rng = 321;
  int bad = 0;
  for (int trial = 0; trial < 4; trial++) {
    double v[N];
    gc_fill(&rng, v, N, -1.0, 1.0);
    bad |= check_rev("generated_names", generated_names_w, generated_names_g, NULL, v, N, 1e-6);
    bad |= check_fwd("generated_names", generated_names_w, generated_names_g, generated_names_j, NULL, v, N, &rng, 1e-6);
    bad |= check_rev("shadowing", shadowing_w, shadowing_g, NULL, v, N, 1e-6);
    bad |= check_fwd("shadowing", shadowing_w, shadowing_g, shadowing_j, NULL, v, N, &rng, 1e-6);
    bad |= check_rev("same_name", same_name_w, same_name_g, NULL, v, N, 1e-6);
    bad |= check_fwd("same_name", same_name_w, same_name_g, same_name_j, NULL, v, N, &rng, 1e-6);
  }
  // CHECK-COUNT-24: {{(rev|fwd)}} {{[a-z_]+}}: OK
  return bad;
}
