// ADJ_HVP and ADJ_HESSIAN across constructs, with no helper calls (those are in
// hvp_calls.c): branches, a switch, a loop with a data-dependent break, local arrays
// overwritten in place, a struct, a while loop, math functions. H v is checked
// against central finite differences of the gradient along v (1e-6 absolute), the
// Hessian against H v row by row (1e-12) and for symmetry (1e-12).
//
// RUN: %adjc %s -o %t.c
// RUN: %cc %t.c %adjlib -o %t.exe
// RUN: %t.exe | %FileCheck %s
// RUN: %clang %t.c %adjlib -o %t.clang.exe
// RUN: %t.clang.exe | %FileCheck %s
#include <adjoint.h>
#include <math.h>

#include "revcheck.h"

enum { N = 5 };

#define DECL(f)                                                                    \
  double f##_grad(const double *w, double *d_w, int n);                           \
  double f##_hvp(const double *w, const double *v_w, double *hv_w, int n);        \
  double f##_hessian(const double *w, double *h_w, int n);

ADJ_GRAD(w) ADJ_HVP(w[n]) ADJ_HESSIAN(w[n])
double h_branches(const double *w, int n) {
  double s = 0;
  for (int i = 0; i < n; i++) {
    double x = w[i];
    if (x > 0.2)
      s += x * x * x;
    else if (x > -0.4)
      s += sin(x) * w[(i + 1) % n];
    else
      s -= exp(x) * x;
    switch (i % 3) {
    case 0:
      s *= 1.0 + 0.1 * x;
      break;
    case 1:
      s += x * w[0];
      /* fallthrough */
    default:
      s += 0.5 * x * x;
    }
  }
  return s;
}
DECL(h_branches)

ADJ_GRAD(w) ADJ_HVP(w[n]) ADJ_HESSIAN(w[n])
double h_arrays(const double *w, int n) {
  double a[8], m[2][4];
  for (int i = 0; i < n; i++)
    a[i] = w[i];
  for (int pass = 0; pass < 2; pass++)
    for (int i = 0; i < n; i++)
      a[i] = a[i] * a[(i + 1) % n] + 0.3 * a[i]; // in place
  for (int i = 0; i < 2; i++)
    for (int j = 0; j < 4; j++)
      m[i][j] = a[(i + j) % n] * w[j];
  double s = 0;
  int k = 0;
  while (k < n && s < 3.0) {
    s += m[k % 2][k % 4] * m[(k + 1) % 2][(k + 1) % 4];
    k++;
  }
  return s + tanh(a[0]);
}
DECL(h_arrays)

typedef struct {
  double x, y, z[2];
} state;

ADJ_GRAD(w) ADJ_HVP(w[n]) ADJ_HESSIAN(w[n])
double h_struct_math(const double *w, int n) {
  state st = {w[0], w[1], {w[2], w[3]}};
  for (int i = 0; i < n; i++) {
    st.x += 0.1 * st.y * w[i];
    st.y -= 0.1 * sin(st.x);
    st.z[i % 2] *= 1.0 + 0.05 * st.x;
    if (st.x * st.y > 2.0)
      break;
  }
  return pow(st.x * st.x + 1.0, 0.75) + log(st.y * st.y + 2.0) + atan2(st.z[0], 2.0 + st.z[1]) +
         hypot(st.x, w[4]) + sqrt(st.z[1] * st.z[1] + 0.5) * cbrt(w[4] + 3.0);
}
DECL(h_struct_math)

int main(void) {
  uint64_t rng = 1234;
  int bad = 0;
  for (int trial = 0; trial < 3; trial++) {
    bad |= check_hvp_hessian("h_branches", h_branches, h_branches_grad, h_branches_hvp, h_branches_hessian, N, &rng);
    bad |= check_hvp_hessian("h_arrays", h_arrays, h_arrays_grad, h_arrays_hvp, h_arrays_hessian, N, &rng);
    bad |= check_hvp_hessian("h_struct_math", h_struct_math, h_struct_math_grad, h_struct_math_hvp, h_struct_math_hessian, N, &rng);
  }
  // CHECK-COUNT-27: gradcheck {{[a-z_]+}}: max abs err {{.*}} OK
  // CHECK-NOT: FAIL
  return bad;
}
