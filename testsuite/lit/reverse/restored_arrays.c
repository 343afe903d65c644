// Local arrays that the reverse sweep restores: a local array of f_grad written only
// by stores naming it and read by loads or helpers saves each element it overwrites,
// and the reverse sweep puts the element back, so loads from it (here and in helpers
// that read it through const pointers) are repeated instead of taped. Covered: an
// array rewritten every iteration and read by a helper (GMM's x - mu), one written
// once before a loop and read in it, += into an element, a store in a branch, an
// element read after a later store in the same iteration, and an array a helper
// writes (not restored: the values it loads stay taped). Gradients against central
// finite differences, HVP against differences of the gradient, Hessian symmetric.
//
// RUN: %adjc %s -o %t.c --no-line
// RUN: %FileCheck %s --check-prefix=CODE --match-full-lines < %t.c
// RUN: %cc %t.c %adjlib -o %t.exe
// RUN: %t.exe | %FileCheck %s
// RUN: %clang %t.c %adjlib -o %t.clang.exe
// RUN: %t.clang.exe | %FileCheck %s
#include <adjoint.h>
#include <math.h>

#include "revcheck.h"

enum { N = 6, CAP = 8 };

#define DECL(f)                                                                    \
  double f##_grad(const double *w, double *d_w, int n);                            \
  double f##_hvp(const double *w, const double *v_w, double *hv_w, int n);         \
  double f##_hessian(const double *w, double *h_w, int n);

static double weighted_sq(int n, const double *a, const double *c) {
  double s = 0;
  for (int i = 0; i < n; i++)
    s += c[i] * a[i] * a[i];
  return s;
}

// the element a store overwrites is saved, and put back in the reverse sweep
// CODE-LABEL: double centred_grad(const double *w, double *d_w, int n) {
// CODE: [[V:saved[0-9]*]] = xc[{{.*}}];
// CODE-NEXT: adj_tape_push(tape, &[[V]], sizeof [[V]]);
// CODE: adj_tape_pop(tape, &[[S:saved[0-9]*]], sizeof [[S]]);
// CODE-NEXT: xc[{{.*}}] = [[S]];
// CODE: return result;
ADJ_GRAD(w) ADJ_HVP(w[n]) ADJ_HESSIAN(w[n])
double centred(const double *w, int n) {
  double scale[CAP], xc[CAP];
  for (int i = 0; i < n; i++)
    scale[i] = exp(0.3 * w[i]); // written once, read in the loop below
  double s = 0;
  for (int k = 0; k < n; k++) {
    for (int i = 0; i < n; i++)
      xc[i] = w[i] - w[k] * 0.5; // rewritten every iteration
    xc[k] += sin(w[k]);          // += into an element
    if (w[k] > 0)
      xc[0] = xc[0] * w[k];      // store in a branch, reading the old element
    s += log(1.0 + weighted_sq(n, xc, scale)) + xc[k] * scale[k];
  }
  return s;
}
DECL(centred)

// a helper writes the array: not restored, its loads stay taped
static void fill(int n, const double *w, double k, double *out) {
  for (int i = 0; i < n; i++)
    out[i] = w[i] * k;
}

ADJ_GRAD(w) ADJ_HVP(w[n]) ADJ_HESSIAN(w[n])
double written_by_helper(const double *w, int n) {
  double buf[CAP];
  double s = 0;
  for (int k = 0; k < n; k++) {
    fill(n, w, w[k], buf);
    buf[k] = buf[k] * buf[k];
    s += buf[(k + 1) % n] * buf[k];
  }
  return s;
}
DECL(written_by_helper)

// a local struct copied whole every iteration is not unchanging memory: loads of its
// fields stay taped (not repeated against the struct's final value)
typedef struct {
  double a, b;
} pair;

ADJ_GRAD(w) ADJ_HVP(w[n]) ADJ_HESSIAN(w[n])
double struct_copies(const double *w, int n) {
  double s = 0;
  for (int i = 0; i < n; i++) {
    pair p = {w[i], w[i] * w[(i + 1) % n]};
    pair q = p; // assigned only whole
    s += q.a * q.b + sin(q.b);
  }
  return s;
}
DECL(struct_copies)

// an accumulator written in a double loop and read once per element afterwards is
// not restored (that would save n*n elements to avoid taping n reads), and the
// adjoint of `out[j] += ...` leaves d_out[j] alone instead of zeroing and re-adding it
// CODE-LABEL: double accumulator_grad(const double *w, double *d_w, int n) {
// CODE-NOT: saved
// CODE-NOT: d_out[j] = 0.0;
// CODE: return result;
ADJ_GRAD(w) ADJ_HVP(w[n]) ADJ_HESSIAN(w[n])
double accumulator(const double *w, int n) {
  double out[CAP] = {0};
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++)
      out[j] += w[i] * w[j];
  double s = 0;
  for (int j = 0; j < n; j++)
    s += out[j] * out[j];
  return s;
}
DECL(accumulator)

int main(void) {
  uint64_t rng = 11;
  int bad = 0;
  for (int trial = 0; trial < 3; trial++) {
    bad |= check_hvp_hessian("centred", centred, centred_grad, centred_hvp, centred_hessian, N, &rng);
    bad |= check_hvp_hessian("written_by_helper", written_by_helper, written_by_helper_grad,
                             written_by_helper_hvp, written_by_helper_hessian, N, &rng);
    bad |= check_hvp_hessian("struct_copies", struct_copies, struct_copies_grad,
                             struct_copies_hvp, struct_copies_hessian, N, &rng);
    bad |= check_hvp_hessian("accumulator", accumulator, accumulator_grad, accumulator_hvp,
                             accumulator_hessian, N, &rng);
  }
  // CHECK-COUNT-36: gradcheck {{[a-z_]+}}: max abs err {{.*}} OK
  // CHECK-NOT: FAIL
  return bad;
}
