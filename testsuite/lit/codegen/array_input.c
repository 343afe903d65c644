// Generated code for an array input and an inactive array: d_w follows w in the
// signature, c gets no adjoint. Nothing in the loop is taped: the element of c the
// pullback reads is read again from c (memory the function never writes), the
// element of w is not needed (only d_w's pullback reads a value, and that is c[i]),
// and i is stepped back by arithmetic (i = i - 1 undoes i++). Only the trip count
// goes on the tape. Checked line by line on the --no-line output
// (--match-full-lines keeps these copied comments from matching themselves), then
// run: the gradient is c.
//
// RUN: %adjc %s --no-line -o %t.c
// RUN: %FileCheck %s --match-full-lines < %t.c
// RUN: %cc %t.c %adjlib -o %t.exe
// RUN: %t.exe | %FileCheck %s --check-prefix=OUT
#include <adjoint.h>
#include <stdio.h>

ADJ_GRAD(w)
double weighted(const double *w, const double *c, int n) {
  double s = 0;
  for (int i = 0; i < n; i++)
    s += c[i] * w[i];
  return s;
}

// CHECK-LABEL: double weighted_grad(const double *w, double *d_w, const double *c, int n) {
// CHECK:   while (i < n) {
// CHECK-NEXT:     s = s + c[i] * w[i];
// CHECK-NEXT:     i = i + 1;
// CHECK-NEXT:     [[N:n[0-9]+]] = [[N]] + 1;
// CHECK-NEXT:   }
// CHECK-NEXT:   adj_tape_push(tape, &[[N]], sizeof [[N]]);
// CHECK:   /* adjoint of: for (int i = 0; i < n; i++) */
// CHECK-NEXT:   adj_tape_pop(tape, &[[M:n[0-9]+]], sizeof [[M]]);
// CHECK-NEXT:   while ([[M]] > 0) {
// CHECK-NEXT:     i = i - 1;
// CHECK-NEXT:     d_w[i] += d_s * c[i];
// CHECK-NEXT:     [[M]] = [[M]] - 1;
// CHECK-NEXT:   }
// CHECK-NOT: d_c
// CHECK:   return result;
// CHECK-NEXT: }

double weighted_grad(const double *w, double *d_w, const double *c, int n);

int main(void) {
  double w[3] = {1, 2, 3}, c[3] = {0.5, -1, 4}, d[3] = {10, 20, 30};
  double v = weighted_grad(w, d, c, 3);
  printf("value %g, d_w (accumulated onto 10 20 30) = %g %g %g\n", v, d[0], d[1], d[2]);
  // OUT: value 10.5, d_w (accumulated onto 10 20 30) = 10.5 19 34
  return 0;
}
