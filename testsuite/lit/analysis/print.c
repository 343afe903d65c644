// The analyses behind reverse mode, printed with --print-analysis: activity
// (varied from the listed inputs, useful toward the result, active = both), what
// the tape records (read by the reverse sweep and overwritten: saved), and where
// pointers point.
//
// RUN: %adjc %s --print-analysis -o %t.c 2>&1 | %FileCheck %s
#include <adjoint.h>
#include <math.h>

ADJ_GRAD(w)
double f(const double *w, const double *c, double *log, int n) {
  double s = 0;          // varied, useful: accumulates the result
  double unused = 0;     // varied, not useful: never reaches the result
  double k = c[0] * 2.0; // useful, not varied: a constant for AD
  const double *p = w + 1;
  for (int i = 0; i < n; i++) {
    s += sin(w[i]) * k;
    unused += w[i];
  }
  log[0] = unused; // an unlisted output that the result does not read: no error
  return s + p[0];
}
// CHECK: ; activity of f (varied, useful, active; pointers: regions reached)
// CHECK-NEXT: ;   w -> {w} active
// CHECK-NEXT: ;   c -> {c}{{$}}
// CHECK-NEXT: ;   log -> {log}{{$}}
// CHECK-NEXT: ;   s: varied useful active
// CHECK-NEXT: ;   unused: varied{{$}}
// CHECK-NEXT: ;   k: useful{{$}}
// CHECK:      ;   p -> {w} active
// CHECK: ; to-be-recorded in f (read by the reverse sweep; saved at each overwrite)
// CHECK-DAG: ;   k: assigned once, not saved
// CHECK-DAG: ;   i: saved
