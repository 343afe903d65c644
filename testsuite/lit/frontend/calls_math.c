// Calls: libm functions declared in system headers become ops (the `f` variant
// keeps float), adj_stop_gradient becomes stopgrad, other functions are CALLs of
// a module Fn: lowered when it has a body (static helpers, transitively),
// otherwise a declaration. __builtin_* calls have no Fn.
//
// RUN: %adjc %s --print-after=lower --emit=ir >/dev/null 2>%t.ir || true
// RUN: %FileCheck %s < %t.ir
#include <adjoint.h>
#include <math.h>

double external(double x, ...);
static double leaf(double x);
static inline double helper(double x) { return leaf(x) * 2; }
static double leaf(double x) { return exp(x); }
static double unused(double x) { return x; }
static void log_value(double x) { (void)x; }

// Functions come in the order of their first declaration (leaf's prototype comes
// first); the helpers are lowered because f calls them, `unused` is not.
// CHECK-LABEL: declare double external(double x, ...)
// CHECK-LABEL: func double leaf(double x) {
// CHECK:         %[[E:[0-9]+]] = exp x
// CHECK-NEXT:    ret %[[E]]
// CHECK-LABEL: func double helper(double x) {
// CHECK:         %[[L:[0-9]+]] = call leaf(x)
// CHECK-NEXT:    %{{[0-9]+}} = mul %[[L]], 2.0
// CHECK-NOT:   unused
// CHECK-LABEL: func void log_value(double x) {
// CHECK-NEXT:  }

ADJ_GRAD(x)
double f(double x, float y) {
  double a = sin(x) + pow(x, 2) + fma(x, x, 1) + fabs(x) + atan2(x, 1);
  float b = sqrtf(y) * expf(y);
  double c = adj_stop_gradient(x * x);
  double d = helper(x) + external(x, 1, b);
  log_value(d);
  int bad = isnan(d);
  double lo = -INFINITY, nan = NAN;
  return a + b + c + d + bad + lo + nan;
}
// CHECK-LABEL: func double f(double x, float y)  ; grad(x) {
// CHECK:         %[[S:[0-9]+]] = sin x
// CHECK-NEXT:    %[[P:[0-9]+]] = pow x, 2.0
// CHECK-NEXT:    %[[A1:[0-9]+]] = add %[[S]], %[[P]]
// CHECK-NEXT:    %[[F:[0-9]+]] = fma x, x, 1.0
// CHECK:         fabs x
// CHECK:         %[[AT:[0-9]+]] = atan2 x, 1.0
// CHECK-NEXT:    a = add %{{[0-9]+}}, %[[AT]]
// CHECK-NEXT:    %[[SQ:[0-9]+]] = sqrt y
// CHECK-NEXT:    %[[EX:[0-9]+]] = exp y
// CHECK-NEXT:    b = mul %[[SQ]], %[[EX]]
// CHECK-NEXT:    %[[XX:[0-9]+]] = mul x, x
// CHECK-NEXT:    c = stopgrad %[[XX]]
// CHECK-NEXT:    %[[H:[0-9]+]] = call helper(x)
// CHECK-NEXT:    %[[BD:[0-9]+]] = cast (double) b
// CHECK-NEXT:    %[[X:[0-9]+]] = call external(x, 1, %[[BD]])
// CHECK-NEXT:    d = add %[[H]], %[[X]]
// CHECK-NEXT:    call log_value(d)
// CHECK-NEXT:    bad = call __builtin_isnan(d)
// CHECK-NEXT:    lo = mov -INFINITY
// CHECK-NEXT:    nan = mov NAN
