// `-o -` writes the output to standard output (the usual convention; the codegen
// tests' form is `%adjc %s -o - --no-line`), and creates no file named "-".
//
// RUN: rm -rf %t.dir && mkdir -p %t.dir && cd %t.dir
// RUN: %adjc %s -o - --no-line | %FileCheck %s
// RUN: not test -e %t.dir/-
#include <adjoint.h>

ADJ_GRAD(x)
double f(double x) { return x * x; }

// CHECK: {{^}}double f_grad(double x, double *d_x) {
