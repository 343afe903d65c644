// Structs holding pointers into the listed parameter, moved around: a struct copy
// (t = s), a member pointer incremented (t.p++, arr[i].p += 2), an array of such
// structs initialized from copies, a pointer to a member pointer, and helpers
// reading through a struct pointer. Reverse and forward derivatives are checked
// against finite differences (1e-6 relative) and against each other (1e-10).
//
// RUN: %adjc %s -o %t.c
// RUN: %cc %t.c %adjlib -o %t.exe
// RUN: %t.exe | %FileCheck %s
// RUN: %clang %t.c %adjlib -o %t.clang.exe
// RUN: %t.clang.exe | %FileCheck %s
#include <adjoint.h>
#include <math.h>

#include "revcheck.h"

enum { N = 6 };

typedef struct {
  const double *p;
  int len;
} span;

static double sum_span(const span *s) {
  double t = 0;
  for (int i = 0; i < s->len; i++)
    t += s->p[i] * s->p[i];
  return t;
}

ADJ_GRAD(w) ADJ_JVP(w)
double copies(const double *w, int n) {
  span s = {w, 2};
  span t = s; // a copy of a struct holding the pointer
  t.p++;      // the member pointer moves
  return t.p[0] * s.p[0] + sin(t.p[1]) + (double)n * 0.0;
}
double copies_grad(const double *w, double *d_w, int n);
double copies_jvp(const double *w, const double *t_w, int n, double *t_ret);

ADJ_GRAD(w) ADJ_JVP(w)
double moved(const double *w, int n) {
  span s = {w, 2};
  span t = s;
  t.p++;
  span arr[2] = {s, t};
  const double *const *pp = &arr[1].p; // a pointer to a member pointer
  double r = sum_span(&arr[0]) * sum_span(&arr[1]) + (*pp)[1] * w[n - 1];
  for (int i = 0; i < 2; i++) {
    arr[i].p += 2;
    r += arr[i].p[0] * (i + 1);
  }
  return r;
}
double moved_grad(const double *w, double *d_w, int n);
double moved_jvp(const double *w, const double *t_w, int n, double *t_ret);

static double copies_w(const double *v, void *c) { (void)c; return copies(v, N); }
static double copies_g(const double *v, double *g, void *c) { (void)c; return copies_grad(v, g, N); }
static double copies_j(const double *x, const double *v, double *t, void *c) {
  (void)c;
  return copies_jvp(x, v, N, t);
}
static double moved_w(const double *v, void *c) { (void)c; return moved(v, N); }
static double moved_g(const double *v, double *g, void *c) { (void)c; return moved_grad(v, g, N); }
static double moved_j(const double *x, const double *v, double *t, void *c) {
  (void)c;
  return moved_jvp(x, v, N, t);
}

int main(void) {
  uint64_t rng = 6060;
  int bad = 0;
  for (int trial = 0; trial < 3; trial++) {
    double v[N];
    gc_fill(&rng, v, N, -1.0, 1.0);
    bad |= check_rev("copies", copies_w, copies_g, NULL, v, N, 1e-6);
    bad |= check_fwd("copies", copies_w, copies_g, copies_j, NULL, v, N, &rng, 1e-6);
    bad |= check_rev("moved", moved_w, moved_g, NULL, v, N, 1e-6);
    bad |= check_fwd("moved", moved_w, moved_g, moved_j, NULL, v, N, &rng, 1e-6);
  }
  // CHECK-COUNT-12: {{(rev|fwd)}} {{[a-z_]+}}: OK
  return bad;
}
