// More refusals of the AD stage, each in its own differentiated function, all
// reported in one run (exit status 1), with exact line and column: a call to a
// function with no body and no rule (also from inside a helper, and in forward
// mode), a pointer that may point into differentiated or non-differentiated
// memory, and an active value stored into an unlisted array through a helper's
// pointer parameter (the helper is inlined). --implicit-check-not makes sure nothing
// else is reported; diagnostics/helper_pointer_switch.c has the --no-inline ones.
//
// RUN: %not %adjc %s -o %t.c 2>&1 | %FileCheck %s --implicit-check-not=error:
// and no error beyond those (CHECK-DAG leaves the tail unchecked):
// RUN: %not %adjc %s -o %t.c 2>&1 | grep -c 'error:' | %FileCheck %s --check-prefix=COUNT
// COUNT: {{^}}4{{$}}
// With --no-inline the helpers are split pairs, and their calls are refused instead:
// RUN: %not %adjc %s -o %t.c --no-inline 2>&1 | %FileCheck %s --check-prefix=SPLIT
// SPLIT-DAG: ad_refusals_more.c:[[@LINE+35]]:3: error: pointer 'scratch' passed to 'store_into' points into memory that carries no derivative
// SPLIT-DAG: ad_refusals_more.c:[[@LINE+50]]:12: error: call to 'make_pair' returns a struct or pointer that carries a derivative; not supported
#include <adjoint.h>

double ext_model(double x); // declared only
double ext_tangent(double x);

static double via_helper(double x) {
  // CHECK-DAG: ad_refusals_more.c:[[@LINE+1]]:10: error: cannot differentiate the call to 'ext_model': it has no body and no derivative rule
  return ext_model(x * 2.0) + x;
}

ADJ_GRAD(x)
double calls_external_in_helper(double x) { return via_helper(x) * x; }

ADJ_JVP(x)
double calls_external_forward(double x) {
  // CHECK-DAG: ad_refusals_more.c:[[@LINE+1]]:14: error: cannot differentiate the call to 'ext_tangent' in forward mode: it has no body
  return x * ext_tangent(x);
}

ADJ_GRAD(w)
double mixed_pointer(const double *w, const double *c, int n) {
  // CHECK-DAG: ad_refusals_more.c:[[@LINE+1]]:33: error: pointer 'c' may point into memory that carries no derivative
  const double *p = n > 2 ? w : c;
  return p[0] * w[1];
}

// the helper is inlined into its caller: the store is refused where it is, naming
// the caller's array (with --no-inline the call is refused, SPLIT below)
// CHECK-DAG: ad_refusals_more.c:[[@LINE+1]]:49: error: value with a derivative is stored into 'scratch', which carries none
static void store_into(double *dst, double v) { dst[0] = v; }

ADJ_GRAD(w)
double unlisted_via_helper(const double *w, double *scratch, int n) {
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

// a struct-returning helper called with an active argument: inlined and
// differentiated (reverse/inline.c checks the numbers); refused with --no-inline
ADJ_GRAD(x)
double struct_result(double x) {
  pair r = make_pair(x);
  return r.a + r.b;
}

// The same calls with inactive arguments are fine: no derivative flows.
ADJ_GRAD(x)
double inactive_uses(double x, double *scratch) {
  pair r = make_pair(2.0);
  store_into(scratch, 3.0);
  return x * r.b + adj_stop_gradient(ext_model(1.0)) * x;
}

// CHECK-DAG: note: define it in this file, give it a derivative with ADJ_CUSTOM_GRAD(pullback), or mark it ADJ_INACTIVE
// CHECK-DAG: note: adjc needs every pointer it differentiates through to point into differentiated memory; list the array in the request
// CHECK-DAG: note: define it in this file, or mark it ADJ_INACTIVE
