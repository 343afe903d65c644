// Reverse mode through calls with pointers: &local passed to a helper that writes
// through it (an output parameter, and an in/out one), helpers returning several
// results through pointers (scalars and a struct), mutual recursion, one
// helper called with several activity patterns (active/inactive in each position,
// array or scalar), and a helper calling a helper. Each gradient is checked against
// finite differences (1e-6 relative to max(1, |fd|)), value and accumulation; with
// small helpers inlined (the default) and with every call split (--no-inline).
//
// RUN: %adjc %s -o %t.c
// RUN: %cc %t.c %adjlib -o %t.exe
// RUN: %t.exe | %FileCheck %s
// RUN: %clang %t.c %adjlib -o %t.clang.exe
// RUN: %t.clang.exe | %FileCheck %s
// RUN: %adjc %s -o %t.split.c --no-inline
// RUN: %cc %t.split.c %adjlib -o %t.split.exe
// RUN: %t.split.exe | %FileCheck %s
#include <adjoint.h>
#include <math.h>

#include "revcheck.h"

enum { N = 5 };

#define CHECKV(f) RC_WRAP_N(f, N)

static void polar(double x, double y, double *r, double *th) {
  *r = sqrt(x * x + y * y);
  *th = atan2(y, x);
}

static void accumulate(double *acc, double v) { *acc += v * v; } // in/out through a pointer

// &local as output parameters, and as an in/out parameter in a loop
ADJ_GRAD(w)
double out_params(const double *w, int n) {
  double r, th;
  polar(w[0] + 2.0, w[1], &r, &th);
  double acc = w[2];
  for (int i = 0; i < n; i++)
    accumulate(&acc, w[i] * r);
  return r * cos(th) + acc * th;
}
CHECKV(out_params)

typedef struct {
  double lo, hi;
} range;

static void minmax3(double a, double b, double c, range *q) {
  q->lo = fmin(a, fmin(b, c));
  q->hi = fmax(a, fmax(b, c));
}

static int split(const double *v, int n, double *pos, double *neg) {
  int cnt = 0;
  *pos = 0;
  *neg = 0;
  for (int i = 0; i < n; i++) {
    if (v[i] > 0) {
      *pos += v[i];
      cnt++;
    } else {
      *neg -= v[i] * v[i];
    }
  }
  return cnt;
}

// results through pointers (a struct filled through a pointer), and an int result used as a constant
ADJ_GRAD(w)
double via_pointers(const double *w, int n) {
  double p, q;
  int cnt = split(w, n, &p, &q);
  range r;
  minmax3(w[0], w[1] * 2.0, w[2] - 0.5, &r);
  return p * q + cnt * (r.hi - r.lo) + r.lo * r.hi;
}
CHECKV(via_pointers)

// mutual recursion on an integer depth
static double odd_term(double x, int k);
static double even_term(double x, int k) {
  if (k <= 0)
    return 1.0;
  return 1.0 + x * odd_term(x * 0.9, k - 1);
}
static double odd_term(double x, int k) {
  if (k <= 0)
    return x;
  return sin(x) + 0.5 * even_term(x + 0.1, k - 1);
}

ADJ_GRAD(w)
double mutual(const double *w, int n) { return even_term(w[0], n) * odd_term(w[1], 3) + even_term(0.5, 2) * w[2]; }
CHECKV(mutual)

static double mix(double a, double b, const double *v, int n) {
  double s = a * b;
  for (int i = 0; i < n; i++)
    s += v[i] * (a - b * i);
  return s;
}

// one helper, several activity patterns: each argument active or not
ADJ_GRAD(w)
double patterns(const double *w, int n) {
  const double consts[3] = {0.5, -1.0, 2.0};
  double s = mix(w[0], w[1], w, n);        // all active
  s += mix(w[0], 2.0, consts, 3);          // a active only
  s += mix(1.5, w[1], consts, 3);          // b active only
  s += mix(0.5, 0.25, w + 2, 3);           // array only
  s += mix(3.0, 4.0, consts, 3);           // nothing active
  s += mix(w[3], w[3], w + 1, 2);          // the same value twice
  return s;
}
CHECKV(patterns)

static double norm2(const double *v, int n) {
  double s = 0;
  for (int i = 0; i < n; i++)
    s += v[i] * v[i];
  return s;
}
static void normalize(double *v, int n) {
  double r = sqrt(norm2(v, n) + 1e-3);
  for (int i = 0; i < n; i++)
    v[i] /= r;
}
static double cosine(const double *a, const double *b, int n) {
  double u[8], v[8];
  for (int i = 0; i < n; i++) {
    u[i] = a[i];
    v[i] = b[i];
  }
  normalize(u, n);
  normalize(v, n);
  double s = 0;
  for (int i = 0; i < n; i++)
    s += u[i] * v[i];
  return s;
}

// helpers calling helpers, writing through pointers into the caller's locals
ADJ_GRAD(w)
double nested_helpers(const double *w, int n) {
  double shifted[8];
  for (int i = 0; i < n; i++)
    shifted[i] = w[(i + 1) % n] + 0.3;
  return cosine(w, shifted, n) + norm2(shifted, 2);
}
CHECKV(nested_helpers)

// a helper that writes through a pointer into one field of a local struct
static void set_scaled(double *dst, double v, double k) { *dst = v * k; }

ADJ_GRAD(w)
double field_out(const double *w, int n) {
  range r;
  set_scaled(&r.lo, w[0], w[1]);
  set_scaled(&r.hi, w[2], 3.0);
  double arr[4];
  for (int i = 0; i < 4; i++)
    set_scaled(&arr[i], w[i], w[(i + 1) % n]);
  return r.lo * r.hi + arr[0] * arr[3] + arr[1] - arr[2];
}
CHECKV(field_out)

int main(void) {
  uint64_t rng = 45;
  int bad = 0;
  for (int trial = 0; trial < 4; trial++) {
    double v[N];
    gc_fill(&rng, v, N, -1.0, 1.0);
    bad |= check_rev("out_params", out_params_w, out_params_g, NULL, v, N, 1e-6);
    bad |= check_rev("via_pointers", via_pointers_w, via_pointers_g, NULL, v, N, 1e-6);
    bad |= check_rev("mutual", mutual_w, mutual_g, NULL, v, N, 1e-6);
    bad |= check_rev("patterns", patterns_w, patterns_g, NULL, v, N, 1e-6);
    bad |= check_rev("nested_helpers", nested_helpers_w, nested_helpers_g, NULL, v, N, 1e-6);
    bad |= check_rev("field_out", field_out_w, field_out_g, NULL, v, N, 1e-6);
  }
  // CHECK-COUNT-24: rev {{[a-z_]+}}: OK
  // CHECK-NOT: FAIL
  return bad;
}
