// Code written through macros: locations are where the macro is used, float
// literals from macro bodies are printed from their value, and a for loop whose
// header comes from a macro is taken apart when every slot is filled (or only the
// init is); otherwise it is reported.
//
// RUN: %adjc %s --print-after=lower --emit=ir >/dev/null 2>%t.ir || true
// RUN: %FileCheck %s < %t.ir
// RUN: %not %adjc %s --emit=ir -- -DPARTIAL 2>&1 | %FileCheck %s --check-prefix=PARTIAL
#include <adjoint.h>

#define SQ(a) ((a) * (a))
#define HALF 0.50
#define FOR(i, n) for (int i = 0; i < (n); i++)

ADJ_GRAD(x)
double f(double x, int n) {
  double y = SQ(x + HALF);
  FOR(i, n) y += x;
  return y;
}
// CHECK-LABEL: func double f(double x, int n)  ; grad(x) {
// CHECK:         %[[A:[0-9]+]] = add x, 0.5 ; 17:14
// CHECK-NEXT:    %[[B:[0-9]+]] = add x, 0.5 ; 17:14
// CHECK-NEXT:    y = mul %[[A]], %[[B]]
// CHECK-NEXT:    i = mov 0 ; 18:3
// CHECK-NEXT:    loop L0 {
// CHECK-NEXT:    cond:
// CHECK-NEXT:      %[[C:[0-9]+]] = lt i, n
// CHECK-NEXT:      while %[[C]]
// CHECK-NEXT:    body:
// CHECK-NEXT:      y = add y, x
// CHECK-NEXT:    step:
// CHECK-NEXT:      i = add i, 1

#ifdef PARTIAL
#define UNTIL(i, n) for (int i = 0; i < (n); )
ADJ_GRAD(x)
double g(double x, int n) {
  // PARTIAL: macros.c:[[@LINE+1]]:3: error: cannot tell the parts of this for loop header apart (it comes from a macro)
  UNTIL(i, n) { x *= 2; i++; }
  // PARTIAL: note: write the loop header without macros, or fill every slot
  return x;
}
#endif
