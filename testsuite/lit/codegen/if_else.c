// Generated code for if/else: the forward sweep evaluates the condition into a
// temporary, runs the chosen branch and pushes the decision; the reverse sweep pops
// it into `branch` and runs the adjoint of the same branch. Checked line by line on
// the --no-line output (--match-full-lines keeps these copied comments from matching
// themselves), then run on both sides of the branch.
//
// RUN: %adjc %s --no-line -o %t.c
// RUN: %FileCheck %s --match-full-lines < %t.c
// RUN: %cc %t.c %adjlib -o %t.exe
// RUN: %t.exe | %FileCheck %s --check-prefix=OUT
#include <adjoint.h>
#include <stdio.h>

ADJ_GRAD(x, y)
double piecewise(double x, double y) {
  double r;
  if (x > y)
    r = x * y;
  else
    r = y - x;
  return r;
}

// CHECK-LABEL: double piecewise_grad(double x, double *d_x, double y, double *d_y) {
// CHECK:   /* if (x > y) */
// CHECK-NEXT:   [[C:t[0-9]+]] = x > y;
// CHECK-NEXT:   if ([[C]]) {
// CHECK-NEXT:     r = x * y;
// CHECK-NEXT:   } else {
// CHECK-NEXT:     r = y - x;
// CHECK-NEXT:   }
// CHECK-NEXT:   adj_tape_push(tape, &[[C]], sizeof [[C]]);
// CHECK-NEXT:   /* return r; */
// CHECK-NEXT:   result = r;
// CHECK-NEXT:   adj_tape_mark_peak(tape);
// CHECK-NEXT:   /* adjoint of: return r; */
// CHECK-NEXT:   d_r += 1.0;
// CHECK-NEXT:   /* adjoint of: if (x > y) */
// CHECK-NEXT:   adj_tape_pop(tape, &branch, sizeof branch);
// CHECK-NEXT:   if (branch) {
// CHECK-NEXT:     [[A:t[0-9]+]] = d_r;
// CHECK-NEXT:     d_r = 0.0;
// CHECK-NEXT:     *d_x += [[A]] * y;
// CHECK-NEXT:     *d_y += [[A]] * x;
// CHECK-NEXT:   } else {
// CHECK-NEXT:     [[B:t[0-9]+]] = d_r;
// CHECK-NEXT:     d_r = 0.0;
// CHECK-NEXT:     *d_y += [[B]];
// CHECK-NEXT:     *d_x += -[[B]];
// CHECK-NEXT:   }
// CHECK-NEXT:   adj_tape_free(tape);
// CHECK-NEXT:   return result;
// CHECK-NEXT: }

double piecewise_grad(double x, double *d_x, double y, double *d_y);

int main(void) {
  double dx = 0, dy = 0;
  double v = piecewise_grad(3.0, &dx, 2.0, &dy);
  printf("x > y: %g, d = (%g, %g)\n", v, dx, dy);
  // OUT: x > y: 6, d = (2, 3)
  dx = dy = 0;
  v = piecewise_grad(1.0, &dx, 2.0, &dy);
  printf("x <= y: %g, d = (%g, %g)\n", v, dx, dy);
  // OUT: x <= y: 1, d = (-1, 1)
  return 0;
}
