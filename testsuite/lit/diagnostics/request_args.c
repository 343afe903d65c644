// Malformed requests, all reported in one run with exit status 1: an empty list, a
// length that is not a parameter, a length that is not an integer, a Hessian with
// respect to two scalars, a request on a function returning int, an ADJ_JVP whose
// output array is not listed (nothing to differentiate). Each error is checked at its line (columns where
// they are stable).
//
// RUN: %not %adjc %s -o %t.c 2>&1 | %FileCheck %s --implicit-check-not=error:
// and no error beyond those (CHECK-DAG leaves the tail unchecked):
// RUN: %not %adjc %s -o %t.c 2>&1 | grep -c 'error:' | %FileCheck %s --check-prefix=COUNT
// COUNT: {{^}}6{{$}}
#include <adjoint.h>

// CHECK-DAG: request_args.c:[[@LINE+1]]:1: error: request on 'empty_list' lists no parameters
ADJ_GRAD()
double empty_list(double x) { return x; }

// CHECK-DAG: request_args.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}'m'{{.*}}
ADJ_HVP(w[m])
double length_not_a_parameter(const double *w, int n) { return w[0] * w[0] * n; }

// CHECK-DAG: request_args.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}'n'{{.*}}
ADJ_HESSIAN(w[n])
double length_not_an_integer(const double *w, double n) { return w[0] * w[0] * n; }

// CHECK-DAG: request_args.c:[[@LINE+1]]:13: error: ADJ_HESSIAN takes exactly one array parameter with its length
ADJ_GRAD(x) ADJ_HESSIAN(x, y)
double two_scalars(double x, double y) { return x * x * y; }

// CHECK-DAG: request_args.c:[[@LINE+1]]:1: error: ADJ_GRAD needs a function returning float or double; 'int_result' does not
ADJ_GRAD(x)
int int_result(double x) { return (int)x; }

// A void function whose written array is not listed has nothing to differentiate.
// CHECK-DAG: request_args.c:[[@LINE+1]]:1: error: 'unlisted_output' returns nothing and writes no listed array: its derivative would be empty
ADJ_JVP(x)
void unlisted_output(const double *x, double *y) {
  y[0] = x[0] * x[0];
}
