// Constructs adjc cannot lower are reported clang-style (message, source line,
// caret, note with a hint); every error of the file is reported in one run and
// adjc exits with status 1.
//
// RUN: %not %adjc %s --emit=ir 2>&1 | %FileCheck %s --implicit-check-not=error:
#include <adjoint.h>
#include <setjmp.h>
#include <stdio.h>

union bits { double d; long l; };
struct flags { int on : 1; double x; };
jmp_buf env;

__attribute__((annotate("adjoint.gard:x")))
// CHECK: diagnostics.c:[[@LINE+1]]:8: error: unknown adjoint annotation 'gard' on 'typo'
double typo(double x) { return x; }
// CHECK: note: known kinds: grad, vjp, jvp, hvp, hessian, jacobian, custom_grad, inactive

ADJ_GRAD(x)
double everything(double x, int n, double (*fp)(double)) {
  // CHECK: diagnostics.c:[[@LINE-1]]:{{[0-9]+}}: error: function pointers are not supported in differentiated code
  // CHECK: diagnostics.c:[[@LINE+1]]:3: error: static local variables are not supported in differentiated code
  static double cache;
  // CHECK-NEXT: {{^}}  static double cache;
  // CHECK-NEXT: {{^}}  ^
  // CHECK-NEXT: note: move it to file scope
  // CHECK: diagnostics.c:[[@LINE+1]]:15: error: long double is not supported
  long double ld = x;
  // CHECK: diagnostics.c:[[@LINE+1]]:14: error: unions are not supported in differentiated code
  union bits u;
  // CHECK: diagnostics.c:[[@LINE+1]]:10: error: variable-length arrays are not supported in differentiated code
  double vla[n];
  // CHECK: diagnostics.c:[[@LINE+1]]:19: error: volatile floating-point data is not supported in differentiated code
  volatile double v = x;
  // CHECK: diagnostics.c:[[@LINE+1]]:10: error: string literals are not supported in differentiated code
  printf("%g\n", x);
  // CHECK: note: move printing out of the differentiated function
  // CHECK: diagnostics.c:[[@LINE+1]]:14: error: goto is not supported by adjc
  if (x > 0) goto done;
  // CHECK: note: restructure the loop with break, continue or a flag variable
  // CHECK: diagnostics.c:[[@LINE+1]]:3: error: inline assembly is not supported by adjc
  __asm__("nop");
  // CHECK: diagnostics.c:[[@LINE+1]]:15: error: GNU statement expressions are not supported by adjc
  double se = ({ x * 2; });
  // CHECK: diagnostics.c:[[@LINE+1]]:7: error: calls through function pointers are not supported
  x = fp(x);
  // CHECK: note: call the function directly, or mark it with ADJ_CUSTOM_GRAD
  // CHECK: diagnostics.c:[[@LINE+1]]:16: error: case ranges are not supported by adjc
  switch (n) { case 1 ... 3: x += 1; break; }
  // CHECK: diagnostics.c:[[@LINE+1]]:3: error: setjmp and longjmp are not supported in differentiated code
  setjmp(env);
  struct flags fl;
  void *target = &&done;
  // CHECK: diagnostics.c:[[@LINE-1]]:{{[0-9]+}}: error: label addresses (computed goto) are not supported by adjc
  // CHECK: diagnostics.c:[[@LINE+1]]:3: error: computed goto is not supported by adjc
  goto *target;
  // CHECK: diagnostics.c:[[@LINE+1]]:1: error: labels are not supported by adjc
done:
  // Unions and bit-fields are reported where a member is used.
  // CHECK: diagnostics.c:[[@LINE+2]]:21: error: unions are not supported in differentiated code
  // CHECK: diagnostics.c:[[@LINE+1]]:46: error: bit-fields are not supported in differentiated code
  return x + ld + u.d + vla[0] + v + se + fl.on;
}
