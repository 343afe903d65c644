// A local named like the generated tape (`tape_storage`, beside `tape`) in a
// function that needs a tape: it must be renamed like any other clash
// (docs/naming.md), so the generated C compiles and the gradient is 2x.
//
// RUN: %adjc %s -o %t.c
// RUN: %cc %t.c %adjlib -o %t.exe
// RUN: %t.exe | %FileCheck %s
// RUN: %clang %t.c %adjlib -o %t.clang.exe
// RUN: %t.clang.exe | %FileCheck %s
#include <adjoint.h>
#include <stdio.h>

ADJ_GRAD(x)
double f(double x) {
  double tape = x, tape_storage = x * tape;
  for (int i = 0; i < 2; i++)
    tape_storage = tape_storage * 1.0; // overwritten in a loop: taped
  return tape_storage;
}
double f_grad(double x, double *d_x);

int main(void) {
  double d = 0;
  double v = f_grad(3.0, &d);
  printf("value %g, derivative %g\n", v, d);
  // CHECK: value 9, derivative 6
  return 0;
}
