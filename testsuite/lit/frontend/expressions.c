// Expressions become three-address code: the last instruction writes the
// assigned variable, literals keep their spelling, implicit conversions are casts.
//
// RUN: %adjc %s --print-after=lower --emit=ir >/dev/null 2>%t.ir || true
// RUN: %FileCheck %s < %t.ir
#include <adjoint.h>

enum { K = 3 };

ADJ_GRAD(a)
double arith(double a, double b, double c) {
  double y = a * b + c;
  y = a;
  y = -0.5 * a / 1e-3 - 2;
  return y;
}
// CHECK-LABEL: func double arith(double a, double b, double c)  ; grad(a) {
// CHECK-NEXT:    var double y
// CHECK:         %[[T:[0-9]+]] = mul a, b
// CHECK-NEXT:    y = add %[[T]], c
// CHECK-NEXT:    y = mov a
// CHECK-NEXT:    %[[U:[0-9]+]] = mul -0.5, a
// CHECK-NEXT:    %[[V:[0-9]+]] = div %[[U]], 1e-3
// CHECK-NEXT:    y = sub %[[V]], 2.0
// CHECK-NEXT:    ret y

ADJ_GRAD(x)
double conversions(double x, int i, float f) {
  i += 0.5;
  int j = x;
  float g = f * 2;
  return x + i + j + g + 1.5f;
}
// CHECK-LABEL: func double conversions(
// CHECK:         %[[C:[0-9]+]] = cast (double) i
// CHECK-NEXT:    %[[D:[0-9]+]] = add %[[C]], 0.5
// CHECK-NEXT:    i = cast (int) %[[D]]
// CHECK-NEXT:    j = cast (int) x
// CHECK-NEXT:    g = mul f, 2.0f
// CHECK:         add %{{[0-9]+}}, 1.5f

ADJ_GRAD(x)
double increments(double x, int n, double *p) {
  int i = n++;
  ++n;
  x++;
  p++;
  --p;
  i--;
  return x + i + n + *p;
}
// CHECK-LABEL: func double increments(
// CHECK:         %[[OLD:[0-9]+]] = mov n
// CHECK-NEXT:    n = add n, 1
// CHECK-NEXT:    i = mov %[[OLD]]
// CHECK-NEXT:    n = add n, 1
// CHECK-NEXT:    x = add x, 1.0
// CHECK-NEXT:    p = add p, 1
// CHECK-NEXT:    p = sub p, 1
// CHECK-NEXT:    i = sub i, 1

ADJ_GRAD(x)
double constants(double x, int n) {
  int m = K * 2 + sizeof(double) + 'a';
  unsigned u = 0x10u;
  n = n << 2 | 1;
  n = (n, m % 3) & ~n;
  return x * K + m + u + n;
}
// CHECK-LABEL: func double constants(
// CHECK:         m = mov 111
// CHECK-NEXT:    u = mov 0x10u
// CHECK-NEXT:    %[[S:[0-9]+]] = shl n, 2
// CHECK-NEXT:    n = bor %[[S]], 1
// CHECK-NEXT:    %[[R:[0-9]+]] = rem m, 3
// CHECK-NEXT:    %[[B:[0-9]+]] = bnot n
// CHECK-NEXT:    n = band %[[R]], %[[B]]
// CHECK:         mul x, 3.0

ADJ_GRAD(x)
double logic(double x, int n) {
  int both = x > 0 && n;
  int any = x < 0 || !n;
  return both + any ? x : -x;
}
// CHECK-LABEL: func double logic(
// CHECK:         %[[A:[0-9]+]] = gt x, 0.0
// CHECK-NEXT:    if %[[A]] {
// CHECK-NEXT:      %[[R:[0-9]+]] = ne n, 0
// CHECK-NEXT:    } else {
// CHECK-NEXT:      %[[R]] = mov 0
// CHECK-NEXT:    }
// CHECK-NEXT:    both = mov %[[R]]
// CHECK:         %[[O:[0-9]+]] = lt x, 0.0
// CHECK-NEXT:    if %[[O]] {
// CHECK-NEXT:      %[[Q:[0-9]+]] = mov 1
// CHECK-NEXT:    } else {
// CHECK-NEXT:      %[[NOT:[0-9]+]] = lnot n
// CHECK-NEXT:      %[[Q]] = ne %[[NOT]], 0
// CHECK-NEXT:    }
// CHECK-NEXT:    any = mov %[[Q]]
// CHECK:         if %{{[0-9]+}} {
// CHECK-NEXT:      %[[SEL:[0-9]+]] = mov x
// CHECK-NEXT:    } else {
// CHECK-NEXT:      %[[SEL]] = neg x
// CHECK-NEXT:    }
// CHECK-NEXT:    ret %[[SEL]]
