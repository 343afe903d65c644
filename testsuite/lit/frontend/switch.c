// switch lowers to a loop that runs once: the scrutinee goes into a temporary,
// each label ORs its match into `fall`, each group of statements runs under
// `if (fall)` (so fallthrough works), default matches when no case value does,
// and break leaves the once-loop while continue still targets the real loop.
//
// RUN: %adjc %s --print-after=lower --emit=ir >/dev/null 2>%t.ir || true
// RUN: %FileCheck %s < %t.ir
#include <adjoint.h>

enum mode { LINEAR, SQUARE = 4 };

ADJ_GRAD(x)
double sw(double x, enum mode m) {
  double y = 0;
  switch (m) {
  case LINEAR:
    y = x;
  case SQUARE:
  case 7:
    y += x * x;
    break;
  default:
    y = 1;
  }
  return y;
}
// CHECK-LABEL: func double sw(double x, enum mode m)  ; grad(x) {
// CHECK:         y = mov 0.0
// CHECK-NEXT:    loop L0 {
// CHECK-NEXT:    cond:
// CHECK-NEXT:      while _
// CHECK-NEXT:    body:
// CHECK-NEXT:      %[[S:[0-9]+]] = cast (unsigned int) m
// CHECK-NEXT:      %[[D:[0-9]+]] = mov 1
// CHECK-NEXT:      %[[N0:[0-9]+]] = ne %[[S]], LINEAR
// CHECK-NEXT:      %[[D]] = band %[[D]], %[[N0]]
// CHECK-NEXT:      %[[N1:[0-9]+]] = ne %[[S]], SQUARE
// CHECK-NEXT:      %[[D]] = band %[[D]], %[[N1]]
// CHECK-NEXT:      %[[N2:[0-9]+]] = ne %[[S]], 7
// CHECK-NEXT:      %[[D]] = band %[[D]], %[[N2]]
// CHECK-NEXT:      %[[F:[0-9]+]] = mov 0
// CHECK-NEXT:      %[[E0:[0-9]+]] = eq %[[S]], LINEAR
// CHECK-NEXT:      %[[F]] = bor %[[F]], %[[E0]]
// CHECK-NEXT:      if %[[F]] {
// CHECK-NEXT:        y = mov x
// CHECK-NEXT:      }
// CHECK-NEXT:      %[[E1:[0-9]+]] = eq %[[S]], SQUARE
// CHECK-NEXT:      %[[F]] = bor %[[F]], %[[E1]]
// CHECK-NEXT:      %[[E2:[0-9]+]] = eq %[[S]], 7
// CHECK-NEXT:      %[[F]] = bor %[[F]], %[[E2]]
// CHECK-NEXT:      if %[[F]] {
// CHECK-NEXT:        %[[SQ:[0-9]+]] = mul x, x
// CHECK-NEXT:        y = add y, %[[SQ]]
// CHECK-NEXT:        break L0
// CHECK-NEXT:      }
// CHECK-NEXT:      %[[F]] = bor %[[F]], %[[D]]
// CHECK-NEXT:      if %[[F]] {
// CHECK-NEXT:        y = mov 1.0
// CHECK-NEXT:      }
// CHECK-NEXT:      break L0
// CHECK-NEXT:    }
// CHECK-NEXT:    ret y

// Without default there is no default flag; continue inside targets the for loop.
ADJ_GRAD(w)
double in_loop(const double *w, int n) {
  double s = 0;
  for (int i = 0; i < n; i++) {
    switch (i % 3) {
    case 0: continue;
    case 1: s += w[i]; break;
    }
    s *= 2;
  }
  return s;
}
// CHECK-LABEL: func double in_loop(
// CHECK:         loop L0 {
// CHECK:         body:
// CHECK-NEXT:      loop L1 {
// CHECK-NEXT:      cond:
// CHECK-NEXT:        while _
// CHECK-NEXT:      body:
// CHECK-NEXT:        %[[S:[0-9]+]] = rem i, 3
// CHECK-NEXT:        %[[F:[0-9]+]] = mov 0
// CHECK-NEXT:        %[[E0:[0-9]+]] = eq %[[S]], 0
// CHECK-NEXT:        %[[F]] = bor %[[F]], %[[E0]]
// CHECK-NEXT:        if %[[F]] {
// CHECK-NEXT:          continue L0
// CHECK-NEXT:        }
// CHECK:             if %[[F]] {
// CHECK-NEXT:          %[[W:[0-9]+]] = load w[i]
// CHECK-NEXT:          s = add s, %[[W]]
// CHECK-NEXT:          break L1
// CHECK-NEXT:        }
// CHECK-NEXT:        break L1
// CHECK-NEXT:      }
// CHECK-NEXT:      s = mul s, 2.0
