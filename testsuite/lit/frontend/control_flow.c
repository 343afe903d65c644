// if/else, loops, break/continue, return and ADJ_NO_GRAD. A loop prints its four
// parts (cond block and operand, body, step); for's init goes before the loop.
//
// RUN: %adjc %s --print-after=lower --emit=ir >/dev/null 2>%t.ir || true
// RUN: %FileCheck %s < %t.ir
#include <adjoint.h>
#include <assert.h>

#define FOREVER for (;;)

ADJ_GRAD(x)
double branches(double x, int n, double *p) {
  assert(n >= 0 && "assertions are left out");
  if (x) x = 2 * x;
  if (n > 1) {
    x = x + 1;
  } else if (p) {
    x = -x;
  } else {
    return 0;
  }
  ADJ_NO_GRAD { n = n * 2; x = x * 3; }
  return x;
}
// CHECK-NOT:   __assert
// CHECK-LABEL: func double branches(
// CHECK-NOT:     call
// CHECK:         %[[C:[0-9]+]] = ne x, 0.0
// CHECK-NEXT:    if %[[C]] {
// CHECK-NEXT:      x = mul 2.0, x
// CHECK-NEXT:    }
// CHECK-NEXT:    %[[D:[0-9]+]] = gt n, 1
// CHECK-NEXT:    if %[[D]] {
// CHECK-NEXT:      x = add x, 1.0
// CHECK-NEXT:    } else {
// CHECK-NEXT:      %[[E:[0-9]+]] = ne p, 0
// CHECK-NEXT:      if %[[E]] {
// CHECK-NEXT:        x = neg x
// CHECK-NEXT:      } else {
// CHECK-NEXT:        ret 0.0
// CHECK-NEXT:      }
// CHECK-NEXT:    }
// CHECK-NEXT:    n = mul n, 2 nograd
// CHECK-NEXT:    x = mul x, 3.0 nograd
// CHECK-NEXT:    ret x

ADJ_GRAD(w)
double loops(const double *w, int n) {
  double s = 0;
  for (int i = 0; i < n; i++) {
    if (i == 2) continue;
    if (i > 5) break;
    s += w[i];
  }
  int j = 0;
  while (j < n) j += 2;
  do { s *= 0.5; } while (s > 1);
  for (;;) break;
  for (j = 0; ; ) { if (j) break; j = 1; }
  FOREVER { break; }
  return s;
}
// CHECK-LABEL: func double loops(
// CHECK:         s = mov 0.0
// CHECK-NEXT:    i = mov 0
// CHECK-NEXT:    loop L0 {
// CHECK-NEXT:    cond:
// CHECK-NEXT:      %[[C0:[0-9]+]] = lt i, n
// CHECK-NEXT:      while %[[C0]]
// CHECK-NEXT:    body:
// CHECK-NEXT:      %[[A:[0-9]+]] = eq i, 2
// CHECK-NEXT:      if %[[A]] {
// CHECK-NEXT:        continue L0
// CHECK-NEXT:      }
// CHECK-NEXT:      %[[B:[0-9]+]] = gt i, 5
// CHECK-NEXT:      if %[[B]] {
// CHECK-NEXT:        break L0
// CHECK-NEXT:      }
// CHECK-NEXT:      %[[W:[0-9]+]] = load w[i]
// CHECK-NEXT:      s = add s, %[[W]]
// CHECK-NEXT:    step:
// CHECK-NEXT:      i = add i, 1
// CHECK-NEXT:    }
// CHECK-NEXT:    j = mov 0
// CHECK-NEXT:    loop L1 {
// CHECK-NEXT:    cond:
// CHECK-NEXT:      %[[C1:[0-9]+]] = lt j, n
// CHECK-NEXT:      while %[[C1]]
// CHECK-NEXT:    body:
// CHECK-NEXT:      j = add j, 2
// CHECK-NEXT:    }
// CHECK-NEXT:    loop L2 test-after {
// CHECK-NEXT:    cond:
// CHECK-NEXT:      %[[C2:[0-9]+]] = gt s, 1.0
// CHECK-NEXT:      while %[[C2]]
// CHECK-NEXT:    body:
// CHECK-NEXT:      s = mul s, 0.5
// CHECK-NEXT:    }
// CHECK-NEXT:    loop L3 {
// CHECK-NEXT:    cond:
// CHECK-NEXT:      while _
// CHECK-NEXT:    body:
// CHECK-NEXT:      break L3
// CHECK-NEXT:    }
// CHECK-NEXT:    j = mov 0
// CHECK-NEXT:    loop L4 {
// CHECK-NEXT:    cond:
// CHECK-NEXT:      while _
// CHECK-NEXT:    body:
// CHECK-NEXT:      if j {
// CHECK-NEXT:        break L4
// CHECK-NEXT:      }
// CHECK-NEXT:      j = mov 1
// CHECK-NEXT:    }
// CHECK-NEXT:    loop L5 {
// CHECK-NEXT:    cond:
// CHECK-NEXT:      while _
// CHECK-NEXT:    body:
// CHECK-NEXT:      break L5
// CHECK-NEXT:    }
// CHECK-NEXT:    ret s

// Nested loops: break and continue name their own loop.
ADJ_GRAD(w)
double nested(const double *w, int n) {
  double s = 0;
  for (int i = 0; i < n; i++)
    for (int k = i; k < n; k++) {
      if (k == 3) continue;
      s += w[k];
    }
  return s;
}
// CHECK-LABEL: func double nested(
// CHECK:         loop L0 {
// CHECK:         loop L1 {
// CHECK:             continue L1
// CHECK:         step:
// CHECK-NEXT:        k = add k, 1
// CHECK:       step:
// CHECK-NEXT:      i = add i, 1
