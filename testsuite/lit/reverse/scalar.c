// Reverse mode on scalar code: arithmetic, compound assignment, unary minus, casts,
// integer code mixed in, branches, ?:, a reassigned parameter. Every gradient is
// checked against finite differences, the returned value against f, and a second
// call against accumulation (Inputs/revcheck.h).
//
// RUN: %adjc %s -o %t.c
// RUN: %cc %t.c %adjlib -o %t.exe
// RUN: %t.exe | %FileCheck %s
// RUN: %clang %t.c %adjlib -o %t.clang.exe
// RUN: %t.clang.exe | %FileCheck %s
// RUN: %FileCheck %s --check-prefix=GEN < %t.c
#include <adjoint.h>
#include <math.h>

#include "revcheck.h"

#define CHECK2(f)                                                                  \
  double f##_grad(double x, double *d_x, double y, double *d_y);                   \
  static double f##_w(const double *v, void *c) { (void)c; return f(v[0], v[1]); } \
  static double f##_g(const double *v, double *g, void *c) {                       \
    (void)c;                                                                       \
    return f##_grad(v[0], &g[0], v[1], &g[1]);                                     \
  }

ADJ_GRAD(x, y)
double mul_add(double x, double y) { return x * y + x - y / 3.0; }
CHECK2(mul_add)
// GEN-LABEL: {{^ *}}double mul_add_grad(double x, double *d_x, double y, double *d_y) {
// GEN: {{^ *}}/* adjoint of: return x * y + x - y / 3.0; */

ADJ_GRAD(x, y)
double quotient(double x, double y) { return (x - y) / (x * x + 1.0); }
CHECK2(quotient)

ADJ_GRAD(x, y)
double compound(double x, double y) {
  double s = x;
  s *= y;
  s += x * x;
  s -= 0.5 * y;
  s /= (1.0 + y * y);
  return -s;
}
CHECK2(compound)

ADJ_GRAD(x, y)
double reassigned(double x, double y) {
  x = x * y; // the gradient is with respect to x's value on entry
  x = x + sin(x);
  return x * x;
}
CHECK2(reassigned)

ADJ_GRAD(x, y)
double with_ints(double x, double y) {
  int k = 3;
  int m = k * 2 + 1;
  double r = 0;
  r = x * m + y / k; // integers are constants for AD
  k += (int)x;       // a cast to int carries no derivative
  return r + k;
}
CHECK2(with_ints)

ADJ_GRAD(x, y)
double float_cast(double x, double y) {
  float f = (float)x;
  double back = (double)(f * 2.0f);
  return back * y;
}
double float_cast_grad(double x, double *d_x, double y, double *d_y);

ADJ_GRAD(x, y)
double branches(double x, double y) {
  double r;
  if (x > y)
    r = x * x;
  else if (x > 0)
    r = y * x;
  else
    r = -y;
  return x > 0.5 ? r * y : r + y;
}
CHECK2(branches)

ADJ_GRAD(x, y)
double early_return(double x, double y) {
  if (x < -1.0)
    return y;
  double t = x * y;
  if (t > 2.0)
    return t * t;
  return t + x;
}
CHECK2(early_return)

ADJ_GRAD(x, y)
double logic(double x, double y) {
  double r = x;
  if (x > 0 && y > 0)
    r = x * y;
  if (x < 0 || y < -0.5)
    r += y;
  return !(x > 1.0) ? r : r * 2;
}
CHECK2(logic)

ADJ_GRAD(x, y)
double incdec(double x, double y) {
  double a = x;
  a++;
  ++a;
  double b = a--;
  return a * b * y;
}
CHECK2(incdec)

ADJ_GRAD(x, y)
double stopped(double x, double y) {
  double c = adj_stop_gradient(x * y); // a constant for AD
  double r = 0;
  ADJ_NO_GRAD { r = x * x; } // no derivative flows from this block
  return c * x + r * y;
}
double stopped_grad(double x, double *d_x, double y, double *d_y);

int main(void) {
  uint64_t rng = 11;
  int bad = 0;
  for (int trial = 0; trial < 4; trial++) {
    double v[2];
    gc_fill(&rng, v, 2, -2.0, 2.0);
    bad |= check_rev("mul_add", mul_add_w, mul_add_g, NULL, v, 2, 1e-6);
    bad |= check_rev("quotient", quotient_w, quotient_g, NULL, v, 2, 1e-6);
    bad |= check_rev("compound", compound_w, compound_g, NULL, v, 2, 1e-6);
    bad |= check_rev("reassigned", reassigned_w, reassigned_g, NULL, v, 2, 1e-5);
    bad |= check_rev("with_ints", with_ints_w, with_ints_g, NULL, v, 2, 1e-6);
    bad |= check_rev("branches", branches_w, branches_g, NULL, v, 2, 1e-6);
    bad |= check_rev("early_return", early_return_w, early_return_g, NULL, v, 2, 1e-6);
    bad |= check_rev("logic", logic_w, logic_g, NULL, v, 2, 1e-6);
    bad |= check_rev("incdec", incdec_w, incdec_g, NULL, v, 2, 1e-6);
  }
  // CHECK-COUNT-36: rev {{[a-z_]+}}: OK

  // float_cast: d/dx = 2 y exactly (through float), d/dy = (double)(float)x * 2
  double dx = 0, dy = 0;
  float_cast_grad(0.3, &dx, 1.5, &dy);
  printf("float_cast %.6f %.6f\n", dx, dy);
  // CHECK: float_cast 3.000000 0.600000

  // stopped: f = c x + r y with c = x y and r = x² held constant: d/dx = c, d/dy = r
  dx = dy = 0;
  stopped_grad(2.0, &dx, 3.0, &dy);
  printf("stopped %.1f %.1f\n", dx, dy);
  // CHECK: stopped 6.0 4.0
  return bad;
}
