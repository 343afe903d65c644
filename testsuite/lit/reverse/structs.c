// Reverse mode with structs: by value (adjoint by pointer), by pointer, arrays of
// structs, nested structs and arrays in structs, local structs and struct copies.
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
  double x, y;
} vec2;

struct particle {
  vec2 pos;
  double mass;
  int id;
  double hist[3];
};

ADJ_GRAD(a, b)
double dot2(vec2 a, vec2 b) { return a.x * b.x + a.y * b.y * b.y; }
double dot2_grad(vec2 a, vec2 *d_a, vec2 b, vec2 *d_b);
static double dot2_w(const double *v, void *c) {
  (void)c;
  vec2 a = {v[0], v[1]}, b = {v[2], v[3]};
  return dot2(a, b);
}
static double dot2_g(const double *v, double *g, void *c) {
  (void)c;
  vec2 a = {v[0], v[1]}, b = {v[2], v[3]}, da = {g[0], g[1]}, db = {g[2], g[3]};
  double r = dot2_grad(a, &da, b, &db);
  g[0] = da.x, g[1] = da.y, g[2] = db.x, g[3] = db.y;
  return r;
}

enum { NP = 3 };

ADJ_GRAD(p)
double energy(const struct particle *p, int n) {
  double e = 0;
  for (int i = 0; i < n; i++) {
    const struct particle *q = &p[i];
    e += 0.5 * q->mass * (q->pos.x * q->pos.x + q->pos.y * q->pos.y);
    for (int k = 0; k < 3; k++)
      e += p[i].hist[k] * p[i].hist[k] * (k + q->id);
  }
  return e;
}
double energy_grad(const struct particle *p, struct particle *d_p, int n);
static void unpack(const double *v, struct particle *p) {
  for (int i = 0; i < NP; i++) {
    p[i].pos.x = v[6 * i];
    p[i].pos.y = v[6 * i + 1];
    p[i].mass = v[6 * i + 2];
    p[i].id = i + 1;
    for (int k = 0; k < 3; k++)
      p[i].hist[k] = v[6 * i + 3 + k];
  }
}
static void pack(const struct particle *p, double *v) {
  for (int i = 0; i < NP; i++) {
    v[6 * i] = p[i].pos.x;
    v[6 * i + 1] = p[i].pos.y;
    v[6 * i + 2] = p[i].mass;
    for (int k = 0; k < 3; k++)
      v[6 * i + 3 + k] = p[i].hist[k];
  }
}
static double energy_w(const double *v, void *c) {
  (void)c;
  struct particle p[NP];
  unpack(v, p);
  return energy(p, NP);
}
static double energy_g(const double *v, double *g, void *c) {
  (void)c;
  struct particle p[NP], dp[NP];
  unpack(v, p);
  unpack(g, dp);
  double r = energy_grad(p, dp, NP);
  pack(dp, g);
  return r;
}

ADJ_GRAD(w)
double local_structs(const double *w, int n) {
  vec2 v = {w[0], w[1] * w[2]};
  vec2 u = v; // struct copy
  u.x *= w[3];
  vec2 pair[2];
  pair[0] = u;
  pair[1].x = v.y;
  pair[1].y = sin(u.x);
  return pair[0].x * pair[1].y + pair[1].x * (double)n + v.x;
}
double local_structs_grad(const double *w, double *d_w, int n);
static double local_structs_w(const double *v, void *c) { (void)c; return local_structs(v, 1); }
static double local_structs_g(const double *v, double *g, void *c) {
  (void)c;
  return local_structs_grad(v, g, 1);
}

int main(void) {
  uint64_t rng = 21;
  int bad = 0;
  for (int trial = 0; trial < 3; trial++) {
    double v[6 * NP];
    gc_fill(&rng, v, 6 * NP, -1.0, 1.0);
    bad |= check_rev("dot2", dot2_w, dot2_g, NULL, v, 4, 1e-6);
    bad |= check_rev("energy", energy_w, energy_g, NULL, v, 6 * NP, 1e-6);
    bad |= check_rev("local_structs", local_structs_w, local_structs_g, NULL, v, 4, 1e-6);
  }
  // CHECK-COUNT-9: rev {{[a-z_0-9]+}}: OK
  return bad;
}
