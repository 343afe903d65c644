// Reverse mode through every math.h function adjc knows, double and float variants,
// each checked against finite differences, plus the documented conventions at kinks
// (fabs'(0) = 0, fmin/fmax ties split, pow at base 0 and exponent 0, hypot at 0).
//
// RUN: %adjc %s -o %t.c
// RUN: %cc %t.c %adjlib -o %t.exe
// RUN: %t.exe | %FileCheck %s
// RUN: %clang %t.c %adjlib -o %t.clang.exe
// RUN: %t.clang.exe | %FileCheck %s
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
#define CHECKF(f)                                                                  \
  float f##_grad(float x, float *d_x, float y, float *d_y);                        \
  static double f##_w(const double *v, void *c) {                                  \
    (void)c;                                                                       \
    return f((float)v[0], (float)v[1]);                                            \
  }                                                                                \
  static double f##_g(const double *v, double *g, void *c) {                       \
    (void)c;                                                                       \
    float gx = (float)g[0], gy = (float)g[1];                                      \
    float r = f##_grad((float)v[0], &gx, (float)v[1], &gy);                        \
    g[0] = gx;                                                                     \
    g[1] = gy;                                                                     \
    return r;                                                                      \
  }

ADJ_GRAD(x, y)
double trig(double x, double y) { return sin(x) * cos(y) + tan(0.3 * x * y); }
CHECK2(trig)

ADJ_GRAD(x, y)
double inverse_trig(double x, double y) {
  return asin(0.4 * x) + acos(0.3 * y) * atan(x - y) + atan2(y, x + 3.0);
}
CHECK2(inverse_trig)

ADJ_GRAD(x, y)
double hyperbolic(double x, double y) { return sinh(0.5 * x) - cosh(0.5 * y) * tanh(x * y); }
CHECK2(hyperbolic)

ADJ_GRAD(x, y)
double exponentials(double x, double y) { return exp(0.5 * x) + exp2(y) * expm1(0.2 * x * y); }
CHECK2(exponentials)

ADJ_GRAD(x, y)
double logarithms(double x, double y) {
  double p = x * x + 0.5, q = y * y + 0.25;
  return log(p) * log2(q) + log10(p * q) - log1p(q);
}
CHECK2(logarithms)

ADJ_GRAD(x, y)
double roots(double x, double y) { return sqrt(x * x + 0.1) * cbrt(y + 5.0) + hypot(x, y + 3.0); }
CHECK2(roots)

ADJ_GRAD(x, y)
double powers(double x, double y) { return pow(x * x + 0.5, y) + pow(y, 3.0) + pow(2.0, x); }
CHECK2(powers)

ADJ_GRAD(x, y)
double kinks(double x, double y) { return fabs(x - 0.1) * y + fmin(x, y) - 2.0 * fmax(x * y, 0.25); }
CHECK2(kinks)

ADJ_GRAD(x, y)
double special(double x, double y) { return erf(x) * erfc(0.5 * y) + fma(x, y, x * x); }
CHECK2(special)

ADJ_GRAD(x, y)
double rounding(double x, double y) {
  // floor, ceil, round, trunc are piecewise constant: derivative 0 (away from jumps)
  return floor(x) * y + ceil(y) * x + round(x * y) + trunc(y) + fmod(x + 10.0, 0.7 + y * y);
}
CHECK2(rounding)

ADJ_GRAD(x, y)
float floats(float x, float y) {
  return sinf(x) * cosf(y) + expf(0.3f * x) * logf(y * y + 1.0f) + sqrtf(x * x + 1.0f) +
         powf(y * y + 0.5f, 0.5f * x) + tanhf(x * y) + fabsf(y) * atan2f(x, 2.0f) + hypotf(x, y);
}
CHECKF(floats)

int main(void) {
  uint64_t rng = 5;
  int bad = 0;
  for (int trial = 0; trial < 3; trial++) {
    double v[2];
    gc_fill(&rng, v, 2, -1.5, 1.5);
    bad |= check_rev("trig", trig_w, trig_g, NULL, v, 2, 1e-6);
    bad |= check_rev("inverse_trig", inverse_trig_w, inverse_trig_g, NULL, v, 2, 1e-6);
    bad |= check_rev("hyperbolic", hyperbolic_w, hyperbolic_g, NULL, v, 2, 1e-6);
    bad |= check_rev("exponentials", exponentials_w, exponentials_g, NULL, v, 2, 1e-6);
    bad |= check_rev("logarithms", logarithms_w, logarithms_g, NULL, v, 2, 1e-6);
    bad |= check_rev("roots", roots_w, roots_g, NULL, v, 2, 1e-6);
    bad |= check_rev("powers", powers_w, powers_g, NULL, v, 2, 1e-6);
    bad |= check_rev("kinks", kinks_w, kinks_g, NULL, v, 2, 1e-6);
    bad |= check_rev("special", special_w, special_g, NULL, v, 2, 1e-6);
    bad |= check_rev("rounding", rounding_w, rounding_g, NULL, v, 2, 1e-6);
    bad |= check_rev_h("floats", floats_w, floats_g, NULL, v, 2, 2e-3, 1e-3);
  }
  // CHECK-COUNT-33: rev {{[a-z_]+}}: OK

  // Conventions at kinks, as PyTorch: fabs'(0) = 0; a tie in fmin/fmax splits dy.
  double dx = 0, dy = 0;
  kinks_grad(0.1, &dx, 0.5, &dy);
  printf("kinks at |x-0.1| = 0: %.3f %.3f\n", dx, dy);
  // fabs term: 0 * y -> d/dx 0, d/dy 0; fmin(0.1, 0.5) -> d/dx 1;
  // fmax(0.05, 0.25) = 0.25 constant -> 0
  // CHECK: kinks at |x-0.1| = 0: 1.000 0.000
  dx = dy = 0;
  kinks_grad(0.5, &dx, 0.5, &dy);
  printf("kinks at the fmax tie: %.3f %.3f\n", dx, dy);
  // fabs: d/dx = y sign(0.4) = 0.5, d/dy = 0.4; fmin tie: 0.5 each;
  // fmax(x y = 0.25, 0.25) tie: -2 * 0.5 * (y, x) = (-0.5, -0.5)
  // CHECK: kinks at the fmax tie: 0.500 0.400
  dx = dy = 0;
  powers_grad(0.0, &dx, 0.0, &dy);
  printf("powers at 0: %.4f %.4f\n", dx, dy);
  // pow(0.5, y) -> d/dy ln(0.5) 0.5^0 = -0.6931; pow(y, 3) at y = 0 -> 0 (exponent != 0);
  // pow(2, x) -> d/dx ln 2 = 0.6931, d/dx of pow(x² + .5, 0) = 0
  // CHECK: powers at 0: 0.6931 -0.6931
  return bad;
}
