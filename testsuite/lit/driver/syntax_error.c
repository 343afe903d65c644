// A file with a syntax error is refused: a clang-style diagnostic with the source
// line and a caret, exit status 1, and no output file.
//
// RUN: rm -f %t.c
// RUN: %expect_exit 1 %adjc %s -o %t.c 2>&1 | %FileCheck %s
// RUN: not test -e %t.c
#include <adjoint.h>

ADJ_GRAD(x)
double square(double x) {
  double y = x * x
  // CHECK: syntax_error.c:[[@LINE-1]]:{{[0-9]+}}: error: expected ';'
  // CHECK-NEXT: {{^}}  double y = x * x{{$}}
  // CHECK-NEXT: {{^ +\^}}
  return y;
}
