// In a helper (split into a forward and a reverse sweep), a pointer that may point
// into different arrays is refused, with the pointer's name: ping-pong buffers
// where one buffer is the caller's array and one the helper's own. The same code
// in the differentiated function itself is accepted (reverse/ping_pong.c), and so is
// this helper when it is inlined (the default; reverse/inline.c): --no-inline forces
// the split pair here. In that mode a call storing a value with a derivative into
// memory that carries none, and a helper returning a struct with a derivative, are
// refused at the call.
//
// RUN: %not %adjc %s -o %t.c --no-inline 2>&1 | %FileCheck %s --implicit-check-not=error:
#include <adjoint.h>

enum { N = 6 };

static void smooth(double *u, int n, int steps) {
  double tmp[N];
  // (the first assignments give the pointers their first values: nothing to record)
  double *cur = u, *next = tmp;
  // CHECK-DAG: helper_pointer_switch.c:{{[0-9]+}}:{{[0-9]+}}: error: pointer 'next' may point into different arrays; adjc cannot record it in a helper function
  for (int step = 0; step < steps; step++) {
    for (int i = 0; i < n; i++)
      next[i] = 0.5 * cur[i] + 0.25 * (cur[(i + 1) % n] + cur[(i + n - 1) % n]);
    double *t = cur;
    // CHECK-DAG: helper_pointer_switch.c:[[@LINE+1]]:{{[0-9]+}}: error: pointer 'cur' may point into different arrays; adjc cannot record it in a helper function
    cur = next;
    next = t;
  }
  if (cur != u)
    for (int i = 0; i < n; i++)
      u[i] = cur[i];
}

ADJ_GRAD(w)
double helper_ping_pong(const double *w, int n) {
  double u[N];
  for (int i = 0; i < n; i++)
    u[i] = w[i];
  smooth(u, n, 3);
  double s = 0;
  for (int i = 0; i < n; i++)
    s += u[i] * w[(i + 2) % n];
  return s;
}

static void store_into(double *dst, double v) { dst[0] = v; }

ADJ_GRAD(w)
double unlisted_via_helper(const double *w, double *scratch, int n) {
  // CHECK-DAG: helper_pointer_switch.c:[[@LINE+1]]:3: error: pointer 'scratch' passed to 'store_into' points into memory that carries no derivative
  store_into(scratch, w[0] * w[0]);
  return w[1] * (double)n + scratch[0]; // read back: scratch matters to the result
}

typedef struct {
  double a, b;
} pair;
static pair make_pair(double x) {
  pair r = {x, x * x};
  return r;
}

ADJ_GRAD(x)
double struct_result(double x) {
  // CHECK-DAG: helper_pointer_switch.c:[[@LINE+1]]:12: error: call to 'make_pair' returns a struct or pointer that carries a derivative; not supported
  pair r = make_pair(x);
  return r.a + r.b;
}
