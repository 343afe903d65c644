// More constructs adjc reports: variadic definitions and what libclang leaves
// unexposed (va_arg, `a ?: b`), anonymous struct types, _Generic, case labels
// inside nested statements, a for header from a macro with empty slots. Errors
// in one function do not hide those of the next.
//
// RUN: %not %adjc %s --emit=ir 2>&1 | %FileCheck %s --implicit-check-not=error:
#include <adjoint.h>
#include <stdarg.h>

ADJ_GRAD(x)
// CHECK: diagnostics_more.c:[[@LINE+1]]:8: error: variadic functions are not supported in differentiated code
double sum_all(double x, int n, ...) {
  // CHECK: note: pass an array and a count instead
  va_list ap;
  va_start(ap, n);
  // CHECK: diagnostics_more.c:[[@LINE+1]]:14: error: this expression is not supported in differentiated code
  double v = va_arg(ap, double);
  va_end(ap);
  return x + v;
}

#define UNTIL(i, n) for (int i = 0; i < (n);)

ADJ_GRAD(x)
double odd(double x, int n) {
  // CHECK: diagnostics_more.c:[[@LINE+1]]:14: error: this expression is not supported in differentiated code
  double a = n ?: 2;
  // CHECK: diagnostics_more.c:[[@LINE+1]]:14: error: _Generic is not supported in differentiated code
  double g = _Generic(x, double: x, default: 0);
  // CHECK: diagnostics_more.c:[[@LINE+1]]:21: error: anonymous struct types are not supported
  struct { int k; } anon = {1};
  switch (n) {
  case 0:
    if (x > 0) {
    // CHECK: diagnostics_more.c:[[@LINE+1]]:5: error: case labels inside nested statements are not supported by adjc
    case 1:
      x = 2;
    }
  }
  // CHECK: diagnostics_more.c:[[@LINE+1]]:3: error: cannot tell the parts of this for loop header apart (it comes from a macro)
  UNTIL(i, n) { i++; }
  return a + g + anon.k + x;
}
