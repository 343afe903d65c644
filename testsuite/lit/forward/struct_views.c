// A local "view" struct whose fields are pointers into the listed parameter vector
// (weights, biases), in both modes: ADJ_GRAD and ADJ_JVP must both accept it (the
// fields point into differentiated memory), and agree by the dot test (1e-10)
// and with finite differences (1e-6 relative).
//
// RUN: %adjc %s -o %t.c
// RUN: %cc %t.c %adjlib -o %t.exe
// RUN: %t.exe | %FileCheck %s
// RUN: %clang %t.c %adjlib -o %t.clang.exe
// RUN: %t.clang.exe | %FileCheck %s
#include <adjoint.h>
#include <math.h>

#include "revcheck.h"

enum { NI = 3, NH = 2, NP = NH * NI + NH + NH + 1 };

typedef struct {
  const double *w1, *b1, *w2, *b2;
} view;

ADJ_GRAD(p) ADJ_JVP(p)
double net(const double *p, const double *x) {
  view v;
  v.w1 = p;
  v.b1 = v.w1 + NH * NI;
  v.w2 = v.b1 + NH;
  v.b2 = v.w2 + NH;
  double out = v.b2[0];
  for (int h = 0; h < NH; h++) {
    double a = v.b1[h];
    for (int i = 0; i < NI; i++)
      a += v.w1[h * NI + i] * x[i];
    out += v.w2[h] * tanh(a);
  }
  return out * out;
}
double net_grad(const double *p, double *d_p, const double *x);
double net_jvp(const double *p, const double *t_p, const double *x, double *t_ret);

static const double X[NI] = {0.5, -1.0, 0.25};
static double net_w(const double *v, void *c) { (void)c; return net(v, X); }
static double net_g(const double *v, double *g, void *c) { (void)c; return net_grad(v, g, X); }
static double net_j(const double *x, const double *v, double *t, void *c) {
  (void)c;
  return net_jvp(x, v, X, t);
}

int main(void) {
  uint64_t rng = 90;
  int bad = 0;
  for (int trial = 0; trial < 3; trial++) {
    double p[NP];
    gc_fill(&rng, p, NP, -1.0, 1.0);
    bad |= check_rev("net", net_w, net_g, NULL, p, NP, 1e-6);
    bad |= check_fwd("net", net_w, net_g, net_j, NULL, p, NP, &rng, 1e-6);
  }
  // CHECK-COUNT-6: {{(rev|fwd)}} net: OK
  return bad;
}
