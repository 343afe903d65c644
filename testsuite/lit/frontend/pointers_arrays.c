// Memory is reached through places: a base variable and projections (.* deref,
// [i] index, .f field). Reads are LOADs into temporaries, writes are STOREs,
// `&lvalue` is ADDR, and an array used as a pointer decays to `addr a[0]`.
//
// RUN: %adjc %s --print-after=lower --emit=ir >/dev/null 2>%t.ir || true
// RUN: %FileCheck %s < %t.ir
#include <adjoint.h>

double g_w[4];
double g_scale;

ADJ_GRAD(w)
double places(double *w, int n) {
  double a[3];
  double m[2][3];
  double *p = a;
  double *q = &w[n - 1];
  long d = q - w;
  a[0] = w[1] * 2;
  m[1][n] = *q;
  *p = w[n] + a[2];
  p[1] += 1;
  w[0]++;
  p = p + 2;
  p -= 1;
  return a[0] + m[1][2] + *(w + 1) + d + g_w[n] * g_scale;
}
// CHECK-LABEL: func double places(double *w, int n)  ; grad(w) {
// CHECK:         var double a[3]
// CHECK:         var double m[2][3]
// CHECK:         global double g_w[4]
// CHECK:         global double g_scale
// CHECK:         p = addr a[0]
// CHECK-NEXT:    %[[I:[0-9]+]] = sub n, 1
// CHECK-NEXT:    q = addr w[%[[I]]]
// CHECK-NEXT:    d = sub q, w
// CHECK-NEXT:    %[[W1:[0-9]+]] = load w[1]
// CHECK-NEXT:    %[[M:[0-9]+]] = mul %[[W1]], 2.0
// CHECK-NEXT:    store a[0], %[[M]]
// CHECK-NEXT:    %[[QV:[0-9]+]] = load q.*
// CHECK-NEXT:    store m[1][n], %[[QV]]
// CHECK-NEXT:    %[[WN:[0-9]+]] = load w[n]
// CHECK-NEXT:    %[[A2:[0-9]+]] = load a[2]
// CHECK-NEXT:    %[[S:[0-9]+]] = add %[[WN]], %[[A2]]
// CHECK-NEXT:    store p.*, %[[S]]
// CHECK-NEXT:    %[[P1:[0-9]+]] = load p[1]
// CHECK-NEXT:    %[[P2:[0-9]+]] = add %[[P1]], 1.0
// CHECK-NEXT:    store p[1], %[[P2]]
// CHECK-NEXT:    %[[W0:[0-9]+]] = load w[0]
// CHECK-NEXT:    %[[W0B:[0-9]+]] = add %[[W0]], 1.0
// CHECK-NEXT:    store w[0], %[[W0B]]
// CHECK-NEXT:    p = add p, 2
// CHECK-NEXT:    p = sub p, 1
// CHECK:         load m[1][2]
// CHECK:         %[[WP:[0-9]+]] = add w, 1
// CHECK-NEXT:    load %[[WP]].*
// CHECK:         load g_w[n]
// CHECK-NEXT:    mul %{{[0-9]+}}, g_scale

// Initializer lists store each element and zero the rest (long runs in a loop).
ADJ_GRAD(x)
double inits(double x) {
  double a[3] = {x, 2};
  double big[8] = {1};
  double m[2][2] = {{x}, [1] = {3, 4}};
  int k = {5};
  return a[0] + big[7] + m[1][1] + k;
}
// CHECK-LABEL: func double inits(
// CHECK:         store a[0], x
// CHECK-NEXT:    store a[1], 2.0
// CHECK-NEXT:    store a[2], 0.0
// CHECK-NEXT:    store big[0], 1.0
// CHECK-NEXT:    %[[I:[0-9]+]] = mov 1
// CHECK-NEXT:    loop L0 {
// CHECK-NEXT:    cond:
// CHECK-NEXT:      %[[C:[0-9]+]] = lt %[[I]], 8
// CHECK-NEXT:      while %[[C]]
// CHECK-NEXT:    body:
// CHECK-NEXT:      store big[%[[I]]], 0.0
// CHECK-NEXT:    step:
// CHECK-NEXT:      %[[I]] = add %[[I]], 1
// CHECK-NEXT:    }
// CHECK-NEXT:    store m[0][0], x
// CHECK-NEXT:    store m[0][1], 0.0
// CHECK-NEXT:    store m[1][0], 3.0
// CHECK-NEXT:    store m[1][1], 4.0
// CHECK-NEXT:    k = mov 5
