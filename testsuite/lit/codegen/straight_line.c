// Generated code for straight-line scalar code, in Clad's style: the input function,
// then the C adjc generates for it (checked line by line on the --no-line output,
// with --match-full-lines so that these comments, which adjc copies into its
// output, never match themselves), then the numbers it computes.
//
// RUN: %adjc %s --no-line -o %t.c
// RUN: %FileCheck %s --match-full-lines < %t.c
// RUN: %cc %t.c %adjlib -o %t.exe
// RUN: %t.exe | %FileCheck %s --check-prefix=OUT
#include <adjoint.h>
#include <math.h>
#include <stdio.h>

ADJ_GRAD(x, y)
double f(double x, double y) { return x * y + sin(x); }

// CHECK-LABEL: double f_grad(double x, double *d_x, double y, double *d_y) {
// CHECK-NEXT:   double [[T1:t[0-9]+]] = 0;
// CHECK-NEXT:   double [[T2:t[0-9]+]] = 0;
// CHECK-NEXT:   double result = 0;
// CHECK-NEXT:   /* return x * y + sin(x); */
// CHECK-NEXT:   result = x * y + sin(x);
// CHECK-NEXT:   /* adjoint of: return x * y + sin(x); */
// CHECK-NEXT:   [[T2]] = 1.0;
// CHECK-NEXT:   *d_x += [[T2]] * cos(x);
// CHECK-NEXT:   [[T1]] = [[T2]];
// CHECK-NEXT:   *d_x += [[T1]] * y;
// CHECK-NEXT:   *d_y += [[T1]] * x;
// CHECK-NEXT:   return result;
// CHECK-NEXT: }

// Overwritten locals: no tape is needed for straight-line code, each statement's
// adjoint is emitted in reverse order.
ADJ_GRAD(x)
double chain(double x) {
  double a = x * x;
  double b = exp(a);
  return b / x;
}

// CHECK-LABEL: double chain_grad(double x, double *d_x) {
// CHECK-NOT: adj_tape_push
// CHECK:   /* double a = x * x; */
// CHECK-NEXT:   a = x * x;
// CHECK-NEXT:   /* double b = exp(a); */
// CHECK-NEXT:   b = exp(a);
// CHECK-NEXT:   /* return b / x; */
// CHECK-NEXT:   result = b / x;
// CHECK-NEXT:   /* adjoint of: return b / x; */
// CHECK-NEXT:   [[S:t[0-9]+]] = 1.0;
// CHECK-NEXT:   [[DB:t[0-9]+]] = [[S]] / x;
// CHECK-NEXT:   *d_x += -([[S]] * b / (x * x));
// The adjoint of b = exp(a) is folded into its use: d_a = d_b * b.
// CHECK-NEXT:   /* adjoint of: double a = x * x; */
// CHECK-NEXT:   [[DA:t[0-9]+]] = [[DB]] * b;
// CHECK-NEXT:   *d_x += [[DA]] * x;
// CHECK-NEXT:   *d_x += [[DA]] * x;
// CHECK-NEXT:   return result;
// CHECK-NEXT: }

double f_grad(double x, double *d_x, double y, double *d_y);
double chain_grad(double x, double *d_x);

int main(void) {
  double dx = 0, dy = 0;
  double v = f_grad(0.5, &dx, 2.0, &dy);
  // f = x y + sin x: f(0.5, 2) = 1.479426, df/dx = y + cos x = 2.877583, df/dy = x
  printf("f %.6f %.6f %.6f\n", v, dx, dy);
  // OUT: f 1.479426 2.877583 0.500000
  dx = 0;
  v = chain_grad(1.5, &dx);
  // chain = e^{x^2} / x: d/dx = e^{x^2} (2 - 1/x^2) = 9.487736 * 1.555556
  printf("chain %.6f %.6f\n", v, dx);
  // OUT: chain 6.325157 14.758700
  return 0;
}
