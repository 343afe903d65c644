// C types map to IR types by their canonical form: integers keep their C spelling
// (enums are "enum tag"), typedefs resolve, an anonymous struct takes its typedef
// name, array parameters are pointers, const stays on the level it qualifies.
// Static inline helpers from user headers are lowered; dependencies for -MD list
// user headers only.
//
// RUN: %adjc %s --print-after=lower --emit=ir -- -I %S/Inputs >/dev/null 2>%t.ir || true
// RUN: %FileCheck %s < %t.ir
// RUN: %adjc %s -o %t.c -MD -MF %t.d -- -I %S/Inputs
// RUN: %FileCheck %s --check-prefix=DEPS < %t.d
// DEPS: fe_helpers.h
// DEPS-NOT: math.h
// DEPS-NOT: stdint.h
#include <adjoint.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include "fe_helpers.h"

typedef double real;
typedef struct { real re, im; } cplx;
enum dir { UP, DOWN };

ADJ_GRAD(x)
double types(const real x[3], double *const out, cplx c, enum dir d, bool flag, unsigned long n,
             uint8_t small, int64_t big, char ch, short s, float f) {
  out[0] = 0;
  return fe_twice(x[1]) + c.re + d + flag + n + small + big + ch + s + f;
}
// The header's helper comes first: functions are in the order they are declared.
// CHECK-LABEL: func double fe_twice(double x) {
// CHECK-NEXT:    temp double %1
// CHECK-NEXT:    %1 = mul 2.0, x
// CHECK-NEXT:    ret %1
// CHECK-LABEL: func double types(const double *x, double *const out, cplx c, enum dir d, _Bool flag, unsigned long n, unsigned char small, long big, char ch, short s, float f)  ; grad(x) {
// CHECK:         store out[0], 0.0
// CHECK:         call fe_twice(
// CHECK:         load c.re
// CHECK:         cast (unsigned int) d
// CHECK:         cast (int) flag
// CHECK:         cast (double) n
// CHECK:         cast (int) small
// CHECK:         cast (double) big
// CHECK:         cast (int) ch
// CHECK:         cast (int) s
// CHECK:         cast (double) f
