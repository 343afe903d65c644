// Generated code for a loop carrying an accumulator (p = p * x, n times): the
// forward sweep pushes p before each overwrite and the trip count after the loop;
// the reverse sweep pops the trip count, then replays the iterations backwards,
// restoring p from the tape. Checked line by line on the --no-line output
// (--match-full-lines keeps these copied comments from matching themselves), then
// run: d/dx x^n = n x^(n-1).
//
// RUN: %adjc %s --no-line -o %t.c
// RUN: %FileCheck %s --match-full-lines < %t.c
// RUN: %cc %t.c %adjlib -o %t.exe
// RUN: %t.exe | %FileCheck %s --check-prefix=OUT
#include <adjoint.h>
#include <stdio.h>

ADJ_GRAD(x)
double power_loop(double x, int n) {
  double p = 1.0;
  for (int i = 0; i < n; i++)
    p = p * x;
  return p;
}

// CHECK-LABEL: double power_loop_grad(double x, double *d_x, int n) {
// CHECK-NEXT:   AdjTape tape_storage = ADJ_TAPE_INIT;
// CHECK-NEXT:   AdjTape *tape = &tape_storage;
// CHECK:   /* for (int i = 0; i < n; i++) */
// CHECK-NEXT:   i = 0;
// CHECK-NEXT:   [[N:n[0-9]+]] = 0;
// CHECK-NEXT:   while (i < n) {
// CHECK-NEXT:     adj_tape_push(tape, &p, sizeof p);
// CHECK-NEXT:     p = p * x;
// CHECK-NEXT:     i = i + 1;
// CHECK-NEXT:     [[N]] = [[N]] + 1;
// CHECK-NEXT:   }
// CHECK-NEXT:   adj_tape_push(tape, &[[N]], sizeof [[N]]);
// CHECK-NEXT:   /* return p; */
// CHECK-NEXT:   result = p;
// CHECK-NEXT:   adj_tape_mark_peak(tape);
// CHECK-NEXT:   /* adjoint of: return p; */
// CHECK-NEXT:   d_p += 1.0;
// CHECK-NEXT:   /* adjoint of: for (int i = 0; i < n; i++) */
// CHECK-NEXT:   adj_tape_pop(tape, &[[M:n[0-9]+]], sizeof [[M]]);
// CHECK-NEXT:   while ([[M]] > 0) {
// CHECK-NEXT:     adj_tape_pop(tape, &p, sizeof p);
// CHECK-NEXT:     [[T:t[0-9]+]] = d_p;
// CHECK-NEXT:     d_p = 0.0;
// CHECK-NEXT:     d_p += [[T]] * x;
// CHECK-NEXT:     *d_x += [[T]] * p;
// CHECK-NEXT:     [[M]] = [[M]] - 1;
// CHECK-NEXT:   }
// CHECK:   adj_tape_free(tape);
// CHECK-NEXT:   return result;
// CHECK-NEXT: }

double power_loop_grad(double x, double *d_x, int n);

int main(void) {
  for (int n = 0; n <= 4; n += 2) {
    double d = 0;
    double v = power_loop_grad(1.5, &d, n);
    printf("x^%d at 1.5: %.4f, derivative %.4f\n", n, v, d);
  }
  // OUT: x^0 at 1.5: 1.0000, derivative 0.0000
  // OUT: x^2 at 1.5: 2.2500, derivative 3.0000
  // OUT: x^4 at 1.5: 5.0625, derivative 13.5000
  return 0;
}
