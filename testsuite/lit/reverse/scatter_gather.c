// Indexed reads and writes that reuse elements: a scatter-add with repeated
// indices (a[idx[i]] += ..., so several adjoints meet in one element), a gather
// with repeated indices, a copy loop through post-incremented pointers
// (*dst++ = *src++), an index that advances inside the subscript (a[k++] = ...),
// and a histogram-like update of a local array from data-dependent bins. Reverse
// and forward derivatives are checked against finite differences (1e-6 relative)
// and against each other (1e-10).
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

#define CHECKV(f) RC_WRAP_JVP_N(f, N)

static const int IDX[N] = {2, 0, 2, 5, 0, 2};

ADJ_GRAD(w) ADJ_JVP(w)
double scatter(const double *w, int n) {
  double a[N] = {0};
  for (int i = 0; i < n; i++)
    a[IDX[i]] += w[i] * w[(i + 1) % n]; // a[2] gets three terms, a[0] two
  for (int i = 0; i < n; i++)
    a[IDX[i]] *= 1.0 + 0.1 * w[i]; // repeated in-place updates of one element
  double s = 0;
  for (int i = 0; i < n; i++)
    s += a[i] * a[i];
  return s;
}
CHECKV(scatter)

ADJ_GRAD(w) ADJ_JVP(w)
double gather(const double *w, int n) {
  double s = 0;
  for (int i = 0; i < n; i++)
    s += w[IDX[i]] * w[IDX[(i + 1) % n]] * (i + 1);
  return s;
}
CHECKV(gather)

ADJ_GRAD(w) ADJ_JVP(w)
double copies(const double *w, int n) {
  double a[N], b[2 * N];
  const double *src = w;
  double *dst = a;
  while (dst < a + n)
    *dst++ = *src++ * 2.0;
  int k = 0;
  for (int i = 0; i < n; i++) {
    b[k++] = a[i];
    b[k++] = a[i] * a[(i + 1) % n];
  }
  double s = 0;
  for (int i = 0; i < k; i++)
    s += sin(b[i]) * (i % 3 + 1);
  return s;
}
CHECKV(copies)

ADJ_GRAD(w) ADJ_JVP(w)
double histogram(const double *w, int n) {
  double bins[4] = {0};
  for (int i = 0; i < n; i++) {
    int b = (int)((w[i] + 1.0) * 2.0); // 0..3 for w in [-1, 1): constant for AD
    if (b > 3)
      b = 3;
    bins[b] += w[i] * w[i];
    bins[(b + 1) % 4] += 0.5 * w[i];
  }
  return bins[0] * bins[1] + bins[2] * bins[3] + bins[0] + bins[3];
}
CHECKV(histogram)

int main(void) {
  uint64_t rng = 1001;
  int bad = 0;
  for (int trial = 0; trial < 4; trial++) {
    double v[N];
    gc_fill(&rng, v, N, -1.0, 1.0);
    bad |= check_rev("scatter", scatter_w, scatter_g, NULL, v, N, 1e-6);
    bad |= check_fwd("scatter", scatter_w, scatter_g, scatter_j, NULL, v, N, &rng, 1e-6);
    bad |= check_rev("gather", gather_w, gather_g, NULL, v, N, 1e-6);
    bad |= check_fwd("gather", gather_w, gather_g, gather_j, NULL, v, N, &rng, 1e-6);
    bad |= check_rev("copies", copies_w, copies_g, NULL, v, N, 1e-6);
    bad |= check_fwd("copies", copies_w, copies_g, copies_j, NULL, v, N, &rng, 1e-6);
    bad |= check_rev("histogram", histogram_w, histogram_g, NULL, v, N, 1e-6);
    bad |= check_fwd("histogram", histogram_w, histogram_g, histogram_j, NULL, v, N, &rng, 1e-6);
  }
  // CHECK-COUNT-32: {{(rev|fwd)}} {{[a-z_]+}}: OK
  return bad;
}
