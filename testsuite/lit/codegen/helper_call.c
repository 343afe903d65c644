// Generated code for a helper call in reverse mode, both ways adjc can do it.
//
// By default a small helper is inlined into its caller (INL): no split pair, nothing
// on the tape (every value is assigned once), and the comments say which helper a
// statement comes from.
//
// With --no-inline the helper gets a static split pair (sq_fwd runs it and records on
// the tape, sq_rev adds the adjoints given d_ret); a call whose argument is an
// expression gets a temporary adjoint (d_t) passed by pointer, then chained back into
// d_x.
//
// Both checked line by line on the --no-line output (--match-full-lines keeps these
// copied comments from matching themselves), then run: d/dx (x^2 + (2x)^2) = 10 x.
//
// RUN: %adjc %s --no-line -o %t.inl.c
// RUN: %FileCheck %s --check-prefix=INL --match-full-lines < %t.inl.c
// RUN: %cc %t.inl.c %adjlib -o %t.inl.exe
// RUN: %t.inl.exe | %FileCheck %s --check-prefix=OUT
// RUN: %adjc %s --no-line --no-inline -o %t.c
// RUN: %FileCheck %s --match-full-lines < %t.c
// RUN: %cc %t.c %adjlib -o %t.exe
// RUN: %t.exe | %FileCheck %s --check-prefix=OUT
#include <adjoint.h>
#include <stdio.h>

static double sq(double v) { return v * v; }

ADJ_GRAD(x)
double calls_sq(double x) { return sq(x) + sq(2.0 * x); }

// CHECK-LABEL: static double sq_fwd(double v, double *d_v, AdjTape *tape) {
// CHECK-NEXT:   (void)d_v;
// CHECK-NEXT:   (void)tape;
// CHECK-NEXT:   return v * v;
// CHECK-NEXT: }
// CHECK-LABEL: static void sq_rev(double v, double *d_v, AdjTape *tape, double d_ret) {
// CHECK:   /* adjoint of: return v * v; */
// CHECK-NEXT:   [[R:t[0-9]+]] = d_ret;
// CHECK-NEXT:   *d_v += [[R]] * v;
// CHECK-NEXT:   *d_v += [[R]] * v;
// CHECK-NEXT:   return;
// CHECK-NEXT: }
// CHECK-LABEL: double calls_sq_grad(double x, double *d_x) {
// CHECK:   /* return sq(x) + sq(2.0 * x); */
// CHECK-NEXT:   [[A:t[0-9]+]] = sq_fwd(x, d_x, tape);
// CHECK-NEXT:   [[X2:t[0-9]+]] = 2.0 * x;
// CHECK-NEXT:   [[P:p[0-9]*]] = &[[DT0:d_t[0-9]*]];
// CHECK-NEXT:   [[B:t[0-9]+]] = sq_fwd([[X2]], [[P]], tape);
// CHECK-NEXT:   result = [[A]] + [[B]];
// CHECK-NEXT:   adj_tape_mark_peak(tape);
// CHECK-NEXT:   /* adjoint of: return sq(x) + sq(2.0 * x); */
// The second call's adjoint runs first (reverse order), then the first call's.
// CHECK:   sq_rev([[X2]], {{p[0-9]*}}, tape, {{t[0-9]+}});
// CHECK-NEXT:   [[DT:t[0-9]+]] = [[DT0]];
// CHECK-NEXT:   [[DT0]] = 0.0;
// CHECK-NEXT:   *d_x += [[DT]] * 2.0;
// CHECK-NEXT:   sq_rev(x, d_x, tape, {{t[0-9]+}});
// CHECK-NEXT:   adj_tape_free(tape);
// CHECK-NEXT:   return result;
// CHECK-NEXT: }

// INL-LABEL: double calls_sq_grad(double x, double *d_x) {
// INL-NOT: {{tape|sq_fwd|sq_rev}}
// INL:   /* in sq: return v * v; */
// INL-NEXT:   [[A:t[0-9]+]] = x * x;
// INL-NEXT:   /* return sq(x) + sq(2.0 * x); */
// INL-NEXT:   [[B:t[0-9]+]] = 2.0 * x;
// INL-NEXT:   result = [[A]] + [[B]] * [[B]];
// INL-NEXT:   /* adjoint of: return sq(x) + sq(2.0 * x); */
// INL:   /* adjoint of: in sq: return v * v; */
// INL:   *d_x += {{t[0-9]+}} * 2.0;
// INL:   /* adjoint of: in sq: return v * v; */
// INL-NOT: {{tape|sq_fwd|sq_rev}}
// INL:   return result;
// INL-NEXT: }

double calls_sq_grad(double x, double *d_x);

int main(void) {
  double d = 0;
  double v = calls_sq_grad(0.75, &d);
  printf("value %.4f, derivative %.4f\n", v, d);
  // OUT: value 2.8125, derivative 7.5000
  return 0;
}
