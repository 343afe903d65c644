// float code end to end: float parameters, float arrays, float locals and loops,
// float structs, float helpers, mixed float/double arithmetic, and the float variants
// of math.h (sinf, powf, ...), in reverse mode (ADJ_GRAD) and forward mode (ADJ_JVP).
// Finite differences use a relative step of 1e-3 (rounding in float), tolerance 2e-3
// relative to max(1, |fd|); the JVP is compared with the float gradient to 1e-5.
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

enum { N = 5 };

#define CHECKFV(f)                                                                 \
  float f##_grad(const float *w, float *d_w, int n);                               \
  static double f##_w(const double *v, void *c) {                                  \
    (void)c;                                                                       \
    float w[N];                                                                    \
    for (int i = 0; i < N; i++)                                                    \
      w[i] = (float)v[i];                                                          \
    return f(w, N);                                                                \
  }                                                                                \
  static double f##_g(const double *v, double *g, void *c) {                       \
    (void)c;                                                                       \
    float w[N], d[N];                                                              \
    for (int i = 0; i < N; i++) {                                                  \
      w[i] = (float)v[i];                                                          \
      d[i] = (float)g[i];                                                          \
    }                                                                              \
    float r = f##_grad(w, d, N);                                                   \
    for (int i = 0; i < N; i++)                                                    \
      g[i] = d[i];                                                                 \
    return r;                                                                      \
  }

ADJ_GRAD(w)
float f_math(const float *w, int n) {
  float x = w[0], y = w[1], z = w[2];
  return sinf(x) * cosf(y) + tanf(0.3f * z) + expf(0.5f * x) * logf(y * y + 1.0f) +
         powf(z * z + 0.5f, 0.5f * x) + sqrtf(x * x + 1.0f) + atanf(y) - asinf(0.4f * z) +
         acosf(0.3f * x) + sinhf(0.5f * y) + coshf(0.2f * z) + tanhf(x * y) +
         log1pf(z * z) + log2f(x * x + 2.0f) + log10f(y * y + 3.0f) + exp2f(0.5f * z) +
         expm1f(0.1f * x) + cbrtf(y + 4.0f) + hypotf(x, z) + atan2f(y, 2.0f + x) +
         erff(z) + erfcf(0.5f * x) + fabsf(y - 0.05f) + fminf(x, z) + fmaxf(y, 0.1f) +
         (float)n * 0.0f;
}
CHECKFV(f_math)

typedef struct {
  float a, b;
} fpair;

static float fsq(float x) { return x * x; }

ADJ_GRAD(w)
float f_loops(const float *w, int n) {
  float acc[8];
  float s = 0.0f;
  for (int i = 0; i < n; i++) {
    acc[i] = fsq(w[i]) + (i > 0 ? acc[i - 1] * 0.5f : 0.0f);
    s += acc[i];
  }
  fpair p = {w[0], w[1]};
  p.a *= p.b + 1.5f;
  p.b += fsq(p.a);
  int k = 0;
  while (s < 3.0f && k < 10) { // data-dependent trip count
    s = s * 1.5f + 0.25f;
    k++;
  }
  return s + p.a * p.b;
}
CHECKFV(f_loops)

// float and double mixed: double intermediate, float result; float literal math
ADJ_GRAD(w)
float f_mixed(const float *w, int n) {
  double d = 0;
  for (int i = 0; i < n; i++)
    d += (double)w[i] * sin((double)w[(i + 1) % n]);
  float f = (float)d;
  f = f * w[0] + (float)(d * d);
  return f + (w[1] > 0 ? w[1] : -w[1] * 0.5f);
}
CHECKFV(f_mixed)

// float forward mode: float tangents in and out
ADJ_GRAD(w) ADJ_JVP(w)
float f_fwd(const float *w, int n) {
  float s = 0.0f;
  for (int i = 0; i < n; i++)
    s += sinf(w[i]) * powf(1.5f, w[(i + 2) % n]) + w[i] * w[i];
  return s / (1.0f + fabsf(w[0]));
}
CHECKFV(f_fwd)
// GEN-LABEL: {{^}}float f_fwd_jvp(const float *w, const float *t_w, int n, float *t_ret) {
float f_fwd_jvp(const float *w, const float *t_w, int n, float *t_ret);

int main(void) {
  uint64_t rng = 99;
  int bad = 0;
  for (int trial = 0; trial < 3; trial++) {
    double v[N];
    gc_fill(&rng, v, N, -1.0, 1.0);
    bad |= check_rev_h("f_math", f_math_w, f_math_g, NULL, v, N, 2e-3, 1e-3);
    bad |= check_rev_h("f_loops", f_loops_w, f_loops_g, NULL, v, N, 2e-3, 1e-3);
    bad |= check_rev_h("f_mixed", f_mixed_w, f_mixed_g, NULL, v, N, 2e-3, 1e-3);
    bad |= check_rev_h("f_fwd", f_fwd_w, f_fwd_g, NULL, v, N, 2e-3, 1e-3);
    // forward mode: <J v, 1> == <v, grad> in float (1e-5 relative)
    float w[N], t[N], g[N] = {0}, tr = 0;
    double dir[N];
    gc_fill(&rng, dir, N, -1.0, 1.0);
    for (int i = 0; i < N; i++) {
      w[i] = (float)v[i];
      t[i] = (float)dir[i];
    }
    float val = f_fwd_jvp(w, t, N, &tr);
    f_fwd_grad(w, g, N);
    double dot = 0;
    for (int i = 0; i < N; i++)
      dot += (double)g[i] * t[i];
    int ok = val == f_fwd(w, N) && fabs(tr - dot) <= 1e-5 * fmax(1.0, fabs(dot));
    printf("fwd f_fwd: %s\n", ok ? "OK" : "FAIL");
    bad |= !ok;
  }
  // CHECK-COUNT-15: {{(rev|fwd)}} {{[a-z_]+}}: OK
  // CHECK-NOT: FAIL
  return bad;
}
