// libclang's errors are printed in clang's format (every one of them, with the
// source line and a caret) and the file is refused; a missing input file is a
// clear error. Both exit with status 1.
//
// RUN: %not %adjc %s --emit=ir 2>&1 | %FileCheck %s
// RUN: %not %adjc %t.does-not-exist.c 2>&1 | %FileCheck %s --check-prefix=MISSING
// MISSING: adjc: error: cannot open '{{.*}}does-not-exist.c': No such file or directory
#include <adjoint.h>

ADJ_GRAD(x)
double f(double x) {
  // CHECK: parse_errors.c:[[@LINE+3]]:14: error: expected expression
  // CHECK-NEXT: {{^}}  return x * ;{{$}}
  // CHECK-NEXT: {{^}}             ^{{$}}
  return x * ;
}

double g(void) {
  // CHECK: parse_errors.c:[[@LINE+1]]:10: error: use of undeclared identifier 'M_UNDEFINED'
  return M_UNDEFINED;
}
