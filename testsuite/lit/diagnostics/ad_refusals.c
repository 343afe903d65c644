// What the AD stage refuses, each with a clang-style error, the source line, a
// caret and a hint; every error of the file is reported in one run, exit status 1.
//
// RUN: %not %adjc %s -o %t.c 2>&1 | %FileCheck %s
#include <adjoint.h>
#include <math.h>

double external_model(double x); // no body in this file, no derivative rule

ADJ_GRAD(x)
double calls_external(double x) {
  // CHECK: ad_refusals.c:[[@LINE+1]]:{{[0-9]+}}: error: cannot differentiate the call to 'external_model': it has no body and no derivative rule
  return external_model(x) * 2.0;
  // CHECK: note: define it in this file, give it a derivative with ADJ_CUSTOM_GRAD(pullback), or mark it ADJ_INACTIVE
}

ADJ_GRAD(w)
double writes_unlisted(const double *w, double *out, int n) {
  double s = 0;
  for (int i = 0; i < n; i++) {
    // CHECK: ad_refusals.c:[[@LINE+1]]:{{[0-9]+}}: error: value with a derivative is stored into 'out', which carries none
    out[i] = w[i] * w[i];
    s += out[i];
  }
  // CHECK: note: list the array in the request, or wrap the value in adj_stop_gradient()
  return s;
}

// CHECK: ad_refusals.c:[[@LINE+1]]:{{[0-9]+}}: error: 'z' is not a parameter of 'wrong_name'
ADJ_GRAD(z)
double wrong_name(double x) { return x; }

// CHECK: ad_refusals.c:[[@LINE+1]]:{{[0-9]+}}: error: cannot differentiate with respect to 'n': its type carries no floating-point value
ADJ_GRAD(n)
double integer_param(double x, int n) { return x * n; }

// CHECK: ad_refusals.c:[[@LINE+1]]:{{[0-9]+}}: error: ADJ_GRAD needs a function returning float or double; 'no_result' does not
ADJ_GRAD(x)
void no_result(double *x) { x[0] = x[0] * 2; }

// CHECK: ad_refusals.c:[[@LINE+1]]:{{[0-9]+}}: error: array parameter 'w' needs its length
ADJ_HVP(w)
double hvp_without_length(const double *w) { return w[0] * w[0]; }

// Second order through a function with a custom pullback: adjc would have to
// differentiate the user's pullback, which it does not.
void softplus_pb(double x, double *d_x, double d_ret);
ADJ_CUSTOM_GRAD(softplus_pb)
double softplus(double x);
ADJ_HVP(x)
// CHECK: ad_refusals.c:[[@LINE+1]]:{{[0-9]+}}: error: second-order derivatives through 'softplus' need the derivative of its custom pullback 'softplus_pb', which adjc does not differentiate
double through_custom(double x) { return softplus(2.0 * x); }
