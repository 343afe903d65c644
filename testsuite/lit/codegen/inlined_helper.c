// Generated code for a small helper in reverse mode: adjc inlines it into the caller
// (no split pair, nothing on the tape: every value is assigned once), and the
// comments say which helper each statement comes from. With --no-inline the same
// source gets a pair (codegen/helper_call.c). Checked line by line on the --no-line
// output, then run: d/dx (x^2 + (2x)^2) = 10 x.
//
// RUN: %adjc %s --no-line -o %t.c
// RUN: %FileCheck %s --match-full-lines < %t.c
// RUN: %cc %t.c %adjlib -o %t.exe
// RUN: %t.exe | %FileCheck %s --check-prefix=OUT
#include <adjoint.h>
#include <stdio.h>

static double sq(double v) { return v * v; }

ADJ_GRAD(x)
double calls_sq(double x) { return sq(x) + sq(2.0 * x); }

// CHECK-NOT: sq_{{fwd|rev}}
// CHECK-LABEL: double calls_sq_grad(double x, double *d_x) {
// CHECK-NOT: tape
// CHECK:   /* in sq: return v * v; */
// CHECK-NEXT:   [[A:t[0-9]+]] = x * x;
// CHECK-NEXT:   /* return sq(x) + sq(2.0 * x); */
// CHECK-NEXT:   [[B:t[0-9]+]] = 2.0 * x;
// CHECK-NEXT:   result = [[A]] + [[B]] * [[B]];
// CHECK-NEXT:   /* adjoint of: return sq(x) + sq(2.0 * x); */
// CHECK:   /* adjoint of: in sq: return v * v; */
// CHECK:   *d_x += {{t[0-9]+}} * 2.0;
// CHECK:   /* adjoint of: in sq: return v * v; */
// CHECK-NOT: tape
// CHECK:   return result;
// CHECK-NEXT: }

double calls_sq_grad(double x, double *d_x);

int main(void) {
  double d = 0;
  double v = calls_sq_grad(0.75, &d);
  printf("value %.4f, derivative %.4f\n", v, d);
  // OUT: value 2.8125, derivative 7.5000
  return 0;
}
