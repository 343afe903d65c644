// Generated code for forward mode (ADJ_JVP): every temporary t gets a tangent t_t
// computed right after it, the tangents of the listed parameters come in as values
// (t_x, t_y) and the result's tangent goes out through *t_ret; tangents used once
// are folded into their use. Checked line by line
// on the --no-line output (--match-full-lines keeps these copied comments from
// matching themselves), then run along both axes and a diagonal.
//
// RUN: %adjc %s --no-line -o %t.c
// RUN: %FileCheck %s --match-full-lines < %t.c
// RUN: %cc %t.c %adjlib -o %t.exe
// RUN: %t.exe | %FileCheck %s --check-prefix=OUT
#include <adjoint.h>
#include <math.h>
#include <stdio.h>

ADJ_JVP(x, y)
double fwd(double x, double y) { return x * y + exp(x); }

// CHECK-LABEL: double fwd_jvp(double x, double t_x, double y, double t_y, double *t_ret) {
// CHECK:   /* return x * y + exp(x); */
// CHECK-NEXT:   [[P:t[0-9]+]] = x * y;
// CHECK-NEXT:   [[TP:t_t[0-9]*]] = t_x * y + t_y * x;
// CHECK-NEXT:   [[E:t[0-9]+]] = exp(x);
// CHECK-NEXT:   [[S:t[0-9]+]] = [[P]] + [[E]];
// The tangent of exp(x) and of the sum are folded into the result's tangent.
// CHECK-NEXT:   *t_ret = [[TP]] + t_x * [[E]];
// CHECK-NEXT:   return [[S]];
// CHECK-NEXT: }
// No tape in forward mode.
// CHECK-NOT: adj_tape

double fwd_jvp(double x, double t_x, double y, double t_y, double *t_ret);

int main(void) {
  double t = 0;
  double v = fwd_jvp(0.0, 1.0, 2.0, 0.0, &t);
  printf("value %.4f, d/dx %.4f\n", v, t); // y + e^x
  // OUT: value 1.0000, d/dx 3.0000
  fwd_jvp(0.0, 0.0, 2.0, 1.0, &t);
  printf("d/dy %.4f\n", t); // x
  // OUT: d/dy 0.0000
  fwd_jvp(1.0, 1.0, 2.0, 1.0, &t);
  printf("along (1, 1) at (1, 2): %.6f\n", t); // y + e + x = 3 + e
  // OUT: along (1, 1) at (1, 2): 5.718282
  return 0;
}
