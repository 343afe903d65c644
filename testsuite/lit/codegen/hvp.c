// Generated code for ADJ_HVP (forward over reverse): adjc builds the gradient and
// then its tangent, cube_grad_jvp, whose tangent of d_x (t_d_x) is H v; cube_hvp
// seeds it with v_x and a zero adjoint, and hands hv_x in as t_d_x. Checked line by
// line on the --no-line output (--match-full-lines keeps these copied comments from
// matching themselves), then run: (x^3)'' = 6 x.
//
// RUN: %adjc %s --no-line -o %t.c
// RUN: %FileCheck %s --match-full-lines < %t.c
// RUN: %cc %t.c %adjlib -o %t.exe
// RUN: %t.exe | %FileCheck %s --check-prefix=OUT
#include <adjoint.h>
#include <stdio.h>

ADJ_HVP(x)
double cube(double x) { return x * x * x; }

// CHECK-LABEL: static double cube_grad_jvp(double x, double t_x, double *d_x, double *t_d_x, double *t_ret) {
// CHECK:   /* return x * x * x; */
// CHECK-NEXT:   [[X2:t[0-9]+]] = x * x;
// CHECK-NEXT:   [[TX2:t_t[0-9]*]] = t_x * x + t_x * x;
// CHECK-NEXT:   [[X3:t[0-9]+]] = [[X2]] * x;
// CHECK-NEXT:   result = [[X3]];
// CHECK-NEXT:   t_result = [[TX2]] * x + t_x * [[X2]];
// CHECK-NEXT:   /* adjoint of: return x * x * x; */
// CHECK-NEXT:   [[SEED:t[0-9]+]] = 1.0;
// CHECK:   *d_x += {{t[0-9]+}};
// CHECK-NEXT:   *t_d_x += {{t_t[0-9]*}};
// CHECK:   *t_ret = t_result;
// CHECK-NEXT:   return result;
// CHECK-NEXT: }
// CHECK-LABEL: double cube_hvp(double x, double v_x, double *hv_x) {
// CHECK-NEXT:   double d_x = 0;
// CHECK:   [[PD:p[0-9]*]] = &d_x;
// CHECK-NEXT:   [[PT:p[0-9]*]] = &t_ret;
// CHECK-NEXT:   result = cube_grad_jvp(x, v_x, [[PD]], hv_x, [[PT]]);
// CHECK-NEXT:   return result;
// CHECK-NEXT: }

double cube_hvp(double x, double v_x, double *hv_x);

int main(void) {
  for (double x = -1.0; x <= 2.0; x += 1.5) {
    double hv = 0.25; // H v accumulates
    double v = cube_hvp(x, 2.0, &hv);
    printf("x = %g: value %g, 0.25 + 6 x * 2 = %g\n", x, v, hv);
  }
  // OUT: x = -1: value -1, 0.25 + 6 x * 2 = -11.75
  // OUT: x = 0.5: value 0.125, 0.25 + 6 x * 2 = 6.25
  // OUT: x = 2: value 8, 0.25 + 6 x * 2 = 24.25
  return 0;
}
