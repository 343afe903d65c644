// Constructs adjc refuses in differentiated code, each in its own differentiated
// function (or in a helper that one calls), on the full compile path (-o): goto
// and labels (in a helper: the error points into the helper), calls through
// function pointers, setjmp and longjmp, inline assembly, volatile floating-point
// data and unions. Every error of the file is reported in one run, with the exact
// line and column, and adjc exits with status 1. The same constructs in a function
// nothing differentiates are accepted (--implicit-check-not: no other error).
//
// RUN: %not %adjc %s -o %t.c 2>&1 | %FileCheck %s --implicit-check-not=error:
// and no error beyond those (CHECK-DAG leaves the tail unchecked):
// RUN: %not %adjc %s -o %t.c 2>&1 | grep -c 'error:' | %FileCheck %s --check-prefix=COUNT
// COUNT: {{^}}11{{$}}
#include <adjoint.h>
#include <setjmp.h>

static jmp_buf env;
union bits { double d; long l; };

static double helper_goto(double x) {
  if (x > 0)
    // CHECK-DAG: unsupported_constructs.c:[[@LINE+1]]:5: error: goto is not supported by adjc
    goto out;
  x = -x;
// CHECK-DAG: unsupported_constructs.c:[[@LINE+1]]:1: error: labels are not supported by adjc
out:
  return x * x;
}

ADJ_GRAD(x)
double uses_goto_helper(double x) { return helper_goto(x) + x; }

// CHECK-DAG: unsupported_constructs.c:[[@LINE+3]]:39: error: function pointers are not supported in differentiated code
// CHECK-DAG: unsupported_constructs.c:[[@LINE+2]]:61: error: calls through function pointers are not supported
ADJ_GRAD(x)
double via_pointer(double x, double (*fp)(double)) { return fp(x) * x; }

ADJ_GRAD(x)
double with_setjmp(double x) {
  // CHECK-DAG: unsupported_constructs.c:[[@LINE+1]]:7: error: setjmp and longjmp are not supported in differentiated code
  if (setjmp(env))
    return 0;
  return x * x;
}

ADJ_GRAD(x)
double with_longjmp(double x) {
  if (x > 100)
    // CHECK-DAG: unsupported_constructs.c:[[@LINE+1]]:5: error: setjmp and longjmp are not supported in differentiated code
    longjmp(env, 1);
  return x * x;
}

ADJ_GRAD(x)
double with_asm(double x) {
  // CHECK-DAG: unsupported_constructs.c:[[@LINE+1]]:3: error: inline assembly is not supported by adjc
  __asm__ volatile("" ::: "memory");
  return x * x;
}

ADJ_GRAD(x)
double with_volatile(double x) {
  // CHECK-DAG: unsupported_constructs.c:[[@LINE+1]]:19: error: volatile floating-point data is not supported in differentiated code
  volatile double v = x;
  return v * 2;
}

ADJ_JVP(x)
double with_union(double x) {
  // CHECK-DAG: unsupported_constructs.c:[[@LINE+1]]:14: error: unions are not supported in differentiated code
  union bits q;
  // Each use of the union is reported too.
  // CHECK-DAG: unsupported_constructs.c:[[@LINE+2]]:5: error: unions are not supported in differentiated code
  // CHECK-DAG: unsupported_constructs.c:[[@LINE+2]]:12: error: unions are not supported in differentiated code
  q.d = x;
  return q.d * 2;
}

// Nothing differentiates this one: goto, labels, volatile, unions, setjmp are fine.
double plain(double x) {
  volatile double v = x;
  union bits b;
  b.d = v;
  if (setjmp(env))
    return 0;
  if (b.d > 0)
    goto done;
  v = -v;
done:
  return v;
}

// The notes name a way out.
// CHECK-DAG: note: restructure the loop with break, continue or a flag variable
// CHECK-DAG: note: call the function directly, or mark it with ADJ_CUSTOM_GRAD
// CHECK-DAG: note: move the assembly into a function marked ADJ_INACTIVE or ADJ_CUSTOM_GRAD
// CHECK-DAG: note: drop the volatile qualifier, or keep this data out of differentiated code
// CHECK-DAG: note: use a struct, or keep the union out of differentiated code
