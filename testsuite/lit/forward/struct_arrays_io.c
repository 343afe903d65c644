// An array of structs in (const body *) and an array of structs out (body *), with
// an array field, a double field and an int field, through pointers to elements
// (&in[i], out + i, ->): ADJ_JVP (t_in, t_out) and ADJ_VJP (d_in accumulated, d_out
// in) agree by the dot test <J v, u> == <v, J^T u> (1e-12 relative) and with
// central finite differences (1e-6); outputs equal the primal's, int fields are
// copied and never touched in d_in.
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
  double pos[2];
  double m;
  int id;
} body;

enum { NB = 3 };

ADJ_VJP(in, out) ADJ_JVP(in, out)
void step(const body *in, body *out, int n) {
  for (int i = 0; i < n; i++) {
    const body *b = &in[i];
    body *o = out + i;
    o->pos[0] = b->pos[0] + 0.1 * b->m * b->pos[1];
    o->pos[1] = b->pos[1] - 0.1 * sin(b->pos[0]) * in[(i + 1) % n].m;
    o->m = b->m * 0.99 + 0.01 * b->pos[0] * b->pos[0];
    o->id = b->id;
  }
}
void step_vjp(const body *in, body *d_in, body *out, body *d_out, int n);
void step_jvp(const body *in, const body *t_in, body *out, body *t_out, int n);

static void fill(uint64_t *rng, body *b, int id) {
  for (int i = 0; i < NB; i++) {
    gc_fill(rng, b[i].pos, 2, -1.0, 1.0);
    b[i].m = gc_uniform(rng, 0.5, 1.5);
    b[i].id = id * (i + 1);
  }
}
static double dotb(const body *a, const body *b) {
  double s = 0;
  for (int i = 0; i < NB; i++)
    s += a[i].pos[0] * b[i].pos[0] + a[i].pos[1] * b[i].pos[1] + a[i].m * b[i].m;
  return s;
}

int main(void) {
  uint64_t rng = 5150;
  int bad = 0;
  for (int trial = 0; trial < 3; trial++) {
    body in[NB], v[NB], u[NB], out[NB], tout[NB], out2[NB], din[NB], dout[NB], ref[NB];
    body inp[NB], inm[NB], outp[NB], outm[NB];
    fill(&rng, in, 1);
    fill(&rng, v, 0);
    fill(&rng, u, 0);
    fill(&rng, din, 0);
    for (int i = 0; i < NB; i++) {
      din[i].pos[0] = din[i].pos[1] = din[i].m = 0;
      din[i].id = 42;
      dout[i] = u[i];
    }
    step_jvp(in, v, out, tout, NB);
    step_vjp(in, din, out2, dout, NB);
    step(in, ref, NB);
    double h = 1e-6;
    for (int i = 0; i < NB; i++) {
      inp[i] = inm[i] = in[i];
      for (int k = 0; k < 2; k++) {
        inp[i].pos[k] += h * v[i].pos[k];
        inm[i].pos[k] -= h * v[i].pos[k];
      }
      inp[i].m += h * v[i].m;
      inm[i].m -= h * v[i].m;
    }
    step(inp, outp, NB);
    step(inm, outm, NB);
    double fd = (dotb(outp, u) - dotb(outm, u)) / (2 * h);
    double jvu = dotb(tout, u), vjtu = dotb(v, din);
    int same = 1;
    for (int i = 0; i < NB; i++)
      same &= out[i].pos[0] == ref[i].pos[0] && out[i].pos[1] == ref[i].pos[1] &&
              out[i].m == ref[i].m && out[i].id == ref[i].id && out2[i].pos[0] == ref[i].pos[0] &&
              out2[i].m == ref[i].m && out2[i].id == ref[i].id && din[i].id == 42;
    int ok = fabs(jvu - vjtu) <= 1e-12 * fmax(1.0, fabs(vjtu)) &&
             fabs(jvu - fd) <= 1e-6 * fmax(1.0, fabs(fd)) && same;
    printf("step: %s\n", ok ? "OK" : "FAIL");
    if (!ok)
      printf("  <Jv,u> %.17g <v,J^T u> %.17g fd %.17g same %d\n", jvu, vjtu, fd, same);
    bad |= !ok;
  }
  // CHECK-COUNT-3: step: OK
  return bad;
}
