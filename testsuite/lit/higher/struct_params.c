// A struct passed by value (an array field, an int field, a double field) as the
// listed parameter of ADJ_GRAD (d_p: a struct pointer, accumulated), ADJ_JVP (t_p:
// a struct value) and ADJ_HVP (v_p a value, hv_p a pointer, accumulated). Checked
// over the 4 floating fields: the gradient against finite differences (1e-6
// relative), value and accumulation; the JVP against the gradient (1e-10) and
// finite differences; H v against finite differences of the gradient (1e-6). The
// int field of d_p and hv_p is never touched.
//
// RUN: %adjc %s -o %t.c
// RUN: %cc %t.c %adjlib -o %t.exe
// RUN: %t.exe | %FileCheck %s
// RUN: %clang %t.c %adjlib -o %t.clang.exe
// RUN: %t.clang.exe | %FileCheck %s
#include <adjoint.h>
#include <math.h>

#include "revcheck.h"

typedef struct {
  double c[3];
  int k;
  double s;
} params;

ADJ_GRAD(p) ADJ_JVP(p) ADJ_HVP(p)
double model(params p, double x) {
  double r = p.s;
  for (int i = 0; i < 3; i++)
    r = r * x + p.c[i] * p.k + sin(p.c[i] * p.s);
  return r * r;
}
double model_grad(params p, params *d_p, double x);
double model_jvp(params p, params t_p, double x, double *t_ret);
double model_hvp(params p, params v_p, params *hv_p, double x);

static params pack(const double *v, int k) {
  params p = {{v[0], v[1], v[2]}, k, v[3]};
  return p;
}
static void unpack(const params *p, double *v) {
  v[0] = p->c[0];
  v[1] = p->c[1];
  v[2] = p->c[2];
  v[3] = p->s;
}
static double X = 0.7;
static double model_w(const double *v, void *c) { (void)c; return model(pack(v, 2), X); }
static int untouched = 1;
static double model_g(const double *v, double *g, void *c) {
  (void)c;
  params d = pack(g, 77);
  double r = model_grad(pack(v, 2), &d, X);
  untouched &= d.k == 77;
  unpack(&d, g);
  return r;
}
static double model_j(const double *x, const double *v, double *t, void *c) {
  (void)c;
  return model_jvp(pack(x, 2), pack(v, 0), X, t);
}

int main(void) {
  uint64_t rng = 31415;
  int bad = 0;
  for (int trial = 0; trial < 3; trial++) {
    double v[4], dir[4], hv[4] = {0}, g1[4] = {0}, g2[4] = {0}, vp[4], fd[4];
    gc_fill(&rng, v, 4, -1.0, 1.0);
    bad |= check_rev("model", model_w, model_g, NULL, v, 4, 1e-6);
    bad |= check_fwd("model", model_w, model_g, model_j, NULL, v, 4, &rng, 1e-6);
    gc_fill(&rng, dir, 4, -1.0, 1.0);
    params out = pack(hv, 55);
    double val = model_hvp(pack(v, 2), pack(dir, 0), &out, X);
    bad |= !(val == model(pack(v, 2), X));
    untouched &= out.k == 55;
    unpack(&out, hv);
    for (int i = 0; i < 4; i++)
      vp[i] = v[i] + 1e-6 * dir[i];
    model_g(vp, g1, NULL);
    for (int i = 0; i < 4; i++)
      vp[i] = v[i] - 1e-6 * dir[i];
    model_g(vp, g2, NULL);
    for (int i = 0; i < 4; i++)
      fd[i] = (g1[i] - g2[i]) / 2e-6;
    bad |= gc_compare("model hvp", hv, fd, 4, 1e-6);
  }
  printf("int fields untouched: %s\n", untouched ? "yes" : "no");
  // CHECK-COUNT-3: gradcheck model hvp: {{.*}} OK
  // CHECK: int fields untouched: yes
  // CHECK-NOT: FAIL
  return bad || !untouched;
}
