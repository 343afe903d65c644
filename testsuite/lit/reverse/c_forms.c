// Less common C forms in differentiated code (2-D array parameters are in
// array_params_2d.c): &arr[i].field passed to a helper, assignment through a ?: of addresses, a double
// loop counter driven by data, integer compound assignment from an active value
// (truncation: no derivative), designated and partial initializers, a helper
// defined after its use, sizeof and enum arithmetic, a const global array of
// structs. Reverse and forward derivatives are checked against finite differences
// (1e-6 relative) and against each other (1e-10).
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

typedef struct {
  double x, y;
} pt;

static void scale_into(double *dst, double s) { *dst *= s; }

ADJ_GRAD(w) ADJ_JVP(w)
double field_address(const double *w, int n) {
  pt arr[3];
  for (int i = 0; i < 3; i++) {
    arr[i].x = w[i];
    arr[i].y = w[i + 3];
  }
  for (int i = 0; i < 3; i++) {
    scale_into(&arr[i].x, w[(i + 1) % n]);
    scale_into(&arr[i].y, 2.0);
  }
  return arr[0].x * arr[1].y + arr[2].x - arr[0].y * arr[2].y;
}
CHECKV(field_address)

ADJ_GRAD(w) ADJ_JVP(w)
double cond_address(const double *w, int n) {
  double a = w[0], b = w[1];
  for (int i = 0; i < n; i++) {
    *(w[i] > 0 ? &a : &b) += w[i] * w[(i + 2) % n]; // assignment through ?:
  }
  double *big = a > b ? &a : &b;
  *big *= 1.5;
  return a * b + a;
}
CHECKV(cond_address)

ADJ_GRAD(w) ADJ_JVP(w)
double double_counter(const double *w, int n) {
  double s = 0, h = 0.25 + 0.05 * w[0] * w[0];
  for (double t = 0.0; t < 1.0; t += h) // the trip count depends on w[0]
    s += sin(t * w[1]) * h;
  int k = 0;
  k += (int)(w[2] * 4.0 + 8.0); // truncated: no derivative
  k -= 3;
  return s + k * w[3] + (double)n * 0.0;
}
CHECKV(double_counter)

static double late(double x, double y); // defined below its use

static const pt TABLE[3] = {{1.0, 0.5}, {-0.5, 2.0}, {0.25, -1.0}};

ADJ_GRAD(w) ADJ_JVP(w)
double initializers(const double *w, int n) {
  pt p = {.y = w[0], .x = w[1] * w[2]};
  double a[4] = {w[3], w[4]}; // a[2], a[3] are 0
  double s = 0;
  for (int i = 0; i < (int)(sizeof a / sizeof a[0]); i++)
    s += a[i] * TABLE[i % 3].x + TABLE[i % 3].y * p.x;
  return s + late(p.x, p.y) + (COLS - 2) * w[5] + (double)n * 0.0;
}
CHECKV(initializers)

static double late(double x, double y) { return x * exp(0.3 * y); }

int main(void) {
  uint64_t rng = 4242;
  int bad = 0;
  for (int trial = 0; trial < 4; trial++) {
    double v[N];
    gc_fill(&rng, v, N, -1.0, 1.0);
    bad |= check_rev("field_address", field_address_w, field_address_g, NULL, v, N, 1e-6);
    bad |= check_fwd("field_address", field_address_w, field_address_g, field_address_j, NULL, v, N, &rng, 1e-6);
    bad |= check_rev("cond_address", cond_address_w, cond_address_g, NULL, v, N, 1e-6);
    bad |= check_fwd("cond_address", cond_address_w, cond_address_g, cond_address_j, NULL, v, N, &rng, 1e-6);
    bad |= check_rev("double_counter", double_counter_w, double_counter_g, NULL, v, N, 1e-6);
    bad |= check_fwd("double_counter", double_counter_w, double_counter_g, double_counter_j, NULL, v, N, &rng, 1e-6);
    bad |= check_rev("initializers", initializers_w, initializers_g, NULL, v, N, 1e-6);
    bad |= check_fwd("initializers", initializers_w, initializers_g, initializers_j, NULL, v, N, &rng, 1e-6);
  }
  // CHECK-COUNT-32: {{(rev|fwd)}} {{[a-z_]+}}: OK
  return bad;
}
