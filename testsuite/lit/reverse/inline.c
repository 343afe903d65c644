// Helpers inlined into the differentiated function (adjc's default): by-value and
// pointer parameters, a parameter the helper reassigns, the same array passed twice,
// a helper returning a struct, nested helpers, a helper with an early return and a
// loop called in a loop, a helper with ping-pong pointers into the caller's array and
// its own (refused as a split pair, accepted inlined), and a recursive helper (not
// inlined: it keeps its pair). Every gradient against central finite differences
// (1e-6 relative to max(1, |fd|)), value and accumulation; HVP and Hessian of one
// of them against differences of the gradient.
//
// RUN: %adjc %s -o %t.c
// RUN: %cc %t.c %adjlib -o %t.exe
// RUN: %t.exe | %FileCheck %s
// RUN: %clang %t.c %adjlib -o %t.clang.exe
// RUN: %t.clang.exe | %FileCheck %s
// As split pairs (--no-inline) the ping-pong helper is refused, naming both pointers,
// and so is the struct-returning helper:
// RUN: %not %adjc %s -o %t.split.c --no-inline 2>&1 | %FileCheck %s --check-prefix=SPLIT --implicit-check-not=error:
#include <adjoint.h>
#include <math.h>

#include "revcheck.h"

enum { N = 6 };

#define CHECKV(f) RC_WRAP_N(f, N)

static double sq(double v) { return v * v; }
static double shrink(double v, int k) {
  while (k-- > 0) // reassigns its parameters
    v = 0.5 * v + sin(v);
  return v;
}
static double dot(const double *a, const double *b, int n) {
  double s = 0;
  for (int i = 0; i < n; i++)
    s += a[i] * b[i];
  return s;
}
static double first_positive(const double *a, int n) {
  for (int i = 0; i < n; i++)
    if (a[i] > 0)
      return sq(a[i]) + a[(i + 1) % n]; // early return, nested helper
  return a[0];
}

ADJ_GRAD(w)
double helpers(const double *w, int n) {
  double s = 0;
  for (int k = 0; k < n; k++)
    s += shrink(w[k], k % 3) * sq(w[(k + 1) % n]);
  return s + dot(w, w, n) + dot(w, &w[1], n - 1) * first_positive(w, n);
}
CHECKV(helpers)

typedef struct {
  double a, b;
} pair;
static pair make_pair(double x) {
  pair r = {x, x * x};
  return r;
}

ADJ_GRAD(w)
double struct_result(const double *w, int n) {
  double s = 0;
  for (int i = 0; i < n; i++) {
    // SPLIT-DAG: inline.c:[[@LINE+1]]:14: error: call to 'make_pair' returns a struct or pointer that carries a derivative; not supported
    pair p = make_pair(w[i]);
    s += p.a * p.b + sin(p.b);
  }
  return s;
}
CHECKV(struct_result)

// ping-pong buffers: one is the caller's array, one the helper's own
static void smooth(double *u, int n, int steps) {
  double tmp[N];
  double *cur = u, *next = tmp;
  // (reported where each pointer is recorded: at the swap, and where the helper ends)
  // SPLIT-DAG: inline.c:{{[0-9]+}}:{{[0-9]+}}: error: pointer 'next' may point into different arrays; adjc cannot record it in a helper function
  // SPLIT-DAG: inline.c:{{[0-9]+}}:{{[0-9]+}}: error: pointer 'next' may point into different arrays; adjc cannot record it in a helper function
  // SPLIT-DAG: inline.c:{{[0-9]+}}:{{[0-9]+}}: error: pointer 'cur' may point into different arrays; adjc cannot record it in a helper function
  for (int step = 0; step < steps; step++) {
    for (int i = 0; i < n; i++)
      next[i] = 0.5 * cur[i] + 0.25 * (cur[(i + 1) % n] * cur[(i + n - 1) % n]);
    double *t = cur;
    // SPLIT-DAG: inline.c:{{[0-9]+}}:{{[0-9]+}}: error: pointer 'cur' may point into different arrays; adjc cannot record it in a helper function
    cur = next;
    next = t;
  }
  if (cur != u)
    for (int i = 0; i < n; i++)
      u[i] = cur[i];
}

ADJ_GRAD(w)
double ping_pong(const double *w, int n) {
  double u[N];
  for (int i = 0; i < n; i++)
    u[i] = w[i];
  smooth(u, n, 3);
  double s = 0;
  for (int i = 0; i < n; i++)
    s += u[i] * w[(i + 2) % n];
  return s;
}
CHECKV(ping_pong)

static double power_rec(double x, int k) { return k == 0 ? 1.0 : x * power_rec(x, k - 1); }

ADJ_GRAD(w) ADJ_HVP(w[n]) ADJ_HESSIAN(w[n])
double recursive(const double *w, int n) {
  double s = 0;
  for (int i = 0; i < n; i++)
    s += power_rec(w[i], i % 4) * sq(w[(i + 1) % n]);
  return s;
}
CHECKV(recursive)
double recursive_hvp(const double *w, const double *v_w, double *hv_w, int n);
double recursive_hessian(const double *w, double *h_w, int n);

int main(void) {
  uint64_t rng = 5;
  int bad = 0;
  for (int trial = 0; trial < 3; trial++) {
    double v[N];
    gc_fill(&rng, v, N, -1.0, 1.0);
    bad |= check_rev("helpers", helpers_w, helpers_g, NULL, v, N, 1e-6);
    bad |= check_rev("struct_result", struct_result_w, struct_result_g, NULL, v, N, 1e-6);
    bad |= check_rev("ping_pong", ping_pong_w, ping_pong_g, NULL, v, N, 1e-6);
    bad |= check_rev("recursive", recursive_w, recursive_g, NULL, v, N, 1e-6);
    bad |= check_hvp_hessian("recursive", recursive, recursive_grad, recursive_hvp,
                             recursive_hessian, N, &rng);
  }
  // CHECK-COUNT-12: rev {{[a-z_]+}}: OK
  // CHECK-COUNT-3: gradcheck recursive: max abs err {{.*}} OK
  // CHECK-NOT: FAIL
  return bad;
}
