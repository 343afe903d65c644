// Reverse mode through lvalues and integer code: compound assignment on array
// elements and struct fields (a[i] += .., p->x *= ..), pre/post ++ and -- on doubles
// and on pointers, integer arrays used as indices, (int) truncation, %, shifts,
// global constants and global const arrays (inactive), parameters reassigned in the
// body (a scalar, and a pointer walked with w++). Each gradient is checked against
// finite differences (1e-6 relative to max(1, |fd|)), value and accumulation.
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

#define CHECKV(f) RC_WRAP_N(f, N)

static const double SCALE = 1.75;
static const double COEF[4] = {0.5, -1.25, 2.0, 0.75};
static const int PERM[N] = {3, 0, 5, 1, 4, 2};
static double g_bias = 0.125; // a mutable global that is only read: a constant for AD

// a[i] += / -= / *= / /= on a local array, with the right side reading other elements
ADJ_GRAD(w)
double compound_elems(const double *w, int n) {
  double a[N];
  for (int i = 0; i < n; i++)
    a[i] = w[i];
  for (int i = 0; i < n; i++) {
    a[i] += a[(i + 1) % n] * 0.5;
    a[(i + 2) % n] *= 1.0 + 0.1 * a[i];
    a[i] -= w[i] * w[i];
    a[(i + 3) % n] /= 2.0 + a[i] * a[i];
  }
  double s = 0;
  for (int i = 0; i < n; i++)
    s += a[i] * (i + 1);
  return s;
}
CHECKV(compound_elems)

typedef struct {
  double x, y;
  double hist[3];
} cell;

static void update(cell *p, double f) {
  p->x *= f;
  p->y += p->x * f;
  p->hist[1] -= p->y;
  p->hist[2] /= 1.0 + f * f;
}

// compound assignment on struct fields through a pointer (p->x *= ..), and on an
// array inside a struct
ADJ_GRAD(w)
double compound_fields(const double *w, int n) {
  cell c = {w[0], w[1], {w[2], w[3], w[4]}};
  cell *p = &c;
  p->x *= w[5];
  p->y += p->x;
  c.hist[0] *= c.y;
  update(p, w[1]);
  update(&c, 0.5);
  return c.x + c.y + c.hist[0] + c.hist[1] * c.hist[2] + (double)n * 0.0;
}
CHECKV(compound_fields)

// pre/post ++ and -- on doubles, with the value of the expression used
ADJ_GRAD(w)
double incdec_doubles(const double *w, int n) {
  double a = w[0], b = w[1], s = 0;
  for (int i = 0; i < n; i++) {
    s += (a++) * w[i]; // old value
    s += (--b) * a;     // new value
    double c = w[i];
    double old = c--;   // old value, c decremented
    s += old * ++c;      // c back to w[i]
  }
  return s + a * b;
}
CHECKV(incdec_doubles)

// pre/post ++ and -- on pointers, reading through them
ADJ_GRAD(w)
double incdec_pointers(const double *w, int n) {
  const double *p = w, *q = w + n - 1;
  double s = 0;
  while (p < q) {
    s += *p++ * *q--;
    s += sin(*p);
  }
  const double *r = w + 2;
  double left = *--r; // w[1]
  s += left * *++r;    // w[2]
  return s;
}
CHECKV(incdec_pointers)

// integer code: int arrays used as indices, (int) truncation, %, shifts, masks
ADJ_GRAD(w)
double int_mixed(const double *w, int n) {
  int idx[N];
  for (int i = 0; i < n; i++)
    idx[i] = (i * 5 + 1) % n;
  double s = 0;
  for (int i = 0; i < n; i++) {
    int j = idx[PERM[i]];
    int t = (int)(w[i] * 3.0 + 10.0); // truncation: piecewise constant, no derivative
    int sh = (1 << (i % 3)) >> 1;     // 0, 1, 2
    s += w[j] * (double)(t % 4) + w[i] * sh;
    s += w[(j + sh) & 3] * 0.25;
  }
  unsigned u = (unsigned)n << 2;
  return s + (double)(u >> 3);
}
CHECKV(int_mixed)

// global constants and global const arrays (inactive); a mutable global read only
ADJ_GRAD(w)
double globals(const double *w, int n) {
  double s = 0;
  for (int i = 0; i < n; i++)
    s += COEF[i % 4] * w[i] * w[i] + SCALE * w[PERM[i]];
  return s * SCALE + g_bias * w[0];
}
CHECKV(globals)

// a scalar parameter reassigned several times, and a pointer parameter walked with w++
static double walker(const double *w, int n, double x) {
  double s = 0;
  x = x * x;
  while (n-- > 0) {
    s += *w * x;
    x = x * 0.5 + *w;
    w++;
  }
  return s + x;
}

ADJ_GRAD(w)
double reassigned_params(const double *w, int n) {
  double s = walker(w, n, w[0]);
  w++; // the parameter itself moves; d_w must follow
  n--;
  s += walker(w, n, 0.3);
  w += 2;
  return s + w[0] * w[1];
}
CHECKV(reassigned_params)

// ++/-- on an element of an array and a struct field through a pointer
ADJ_GRAD(w)
double incdec_lvalues(const double *w, int n) {
  double a[N];
  cell c = {w[0], w[1], {0, 0, 0}};
  cell *p = &c;
  for (int i = 0; i < n; i++)
    a[i] = w[i];
  double s = 0;
  for (int i = 0; i < n; i++) {
    s += a[i]++ * w[i];
    s += --a[(i + 1) % n] * p->x;
    p->y++;
    ++p->x;
  }
  return s + a[0] * a[n - 1] + p->y * p->x;
}
CHECKV(incdec_lvalues)

int main(void) {
  uint64_t rng = 77;
  int bad = 0;
  for (int trial = 0; trial < 3; trial++) {
    double v[N];
    gc_fill(&rng, v, N, -1.0, 1.0);
    bad |= check_rev("compound_elems", compound_elems_w, compound_elems_g, NULL, v, N, 1e-6);
    bad |= check_rev("compound_fields", compound_fields_w, compound_fields_g, NULL, v, N, 1e-6);
    bad |= check_rev("incdec_doubles", incdec_doubles_w, incdec_doubles_g, NULL, v, N, 1e-6);
    bad |= check_rev("incdec_pointers", incdec_pointers_w, incdec_pointers_g, NULL, v, N, 1e-6);
    bad |= check_rev("int_mixed", int_mixed_w, int_mixed_g, NULL, v, N, 1e-6);
    bad |= check_rev("globals", globals_w, globals_g, NULL, v, N, 1e-6);
    bad |= check_rev("reassigned_params", reassigned_params_w, reassigned_params_g, NULL, v, N, 1e-6);
    bad |= check_rev("incdec_lvalues", incdec_lvalues_w, incdec_lvalues_g, NULL, v, N, 1e-6);
  }
  // CHECK-COUNT-24: rev {{[a-z_]+}}: OK
  // CHECK-NOT: FAIL
  return bad;
}
