// Pointers into the listed parameter stored in aggregates: a local array of row
// pointers, a struct holding a pointer passed by value to a helper, the same
// struct passed by address as a const void * context, and pointers swapped between
// two locals each iteration. Reads through them must carry the
// derivative into d_w (adjc accepts them without a diagnostic): gradients are
// checked against finite differences (1e-6 relative), value and accumulation.
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

ADJ_GRAD(w)
double row_pointers(const double *w, int n) {
  const double *rows[3] = {w, w + 2, w + 4};
  double s = 0;
  for (int r = 0; r < 3; r++)
    for (int j = 0; j < 2; j++)
      s += rows[r][j] * sin(rows[(r + 1) % 3][1 - j]) * (r + 1);
  return s + (double)n * 0.0;
}
CHECKV(row_pointers)

typedef struct {
  const double *data;
  int n;
} span;

static double span_energy(span s) {
  double t = 0;
  for (int i = 1; i < s.n; i++)
    t += (s.data[i] - s.data[i - 1]) * (s.data[i] - s.data[i - 1]);
  return t;
}

ADJ_GRAD(w)
double span_by_value(const double *w, int n) {
  span a = {w, n}, b = {w + 1, n - 1};
  return span_energy(a) * span_energy(b);
}
CHECKV(span_by_value)

ADJ_GRAD(w)
double swapped_pointers(const double *w, int n) {
  const double *a = w, *b = w + 3;
  double s = 0;
  for (int i = 0; i < n; i++) {
    s += a[i % 3] * b[(i + 1) % 3] + 0.5 * a[0] * a[0];
    const double *t = a;
    a = b;
    b = t;
  }
  return s;
}
CHECKV(swapped_pointers)

// the callback pattern: a struct holding the pointer, passed as const void *ctx
typedef struct {
  const double *w;
  double scale;
} ctx_t;

static double from_ctx(const void *ctx, int i) {
  const ctx_t *c = (const ctx_t *)ctx;
  return c->w[i] * c->w[i] * c->scale;
}

ADJ_GRAD(w)
double ctx_callback(const double *w, int n) {
  ctx_t c = {w, 1.5};
  double s = 0;
  for (int i = 0; i < n; i++)
    s += from_ctx(&c, i) * w[(i + 1) % n];
  return s;
}
CHECKV(ctx_callback)

int main(void) {
  uint64_t rng = 1717;
  int bad = 0;
  for (int trial = 0; trial < 3; trial++) {
    double v[N];
    gc_fill(&rng, v, N, -1.0, 1.0);
    bad |= check_rev("row_pointers", row_pointers_w, row_pointers_g, NULL, v, N, 1e-6);
    bad |= check_rev("span_by_value", span_by_value_w, span_by_value_g, NULL, v, N, 1e-6);
    bad |= check_rev("swapped_pointers", swapped_pointers_w, swapped_pointers_g, NULL, v, N, 1e-6);
    bad |= check_rev("ctx_callback", ctx_callback_w, ctx_callback_g, NULL, v, N, 1e-6);
  }
  // CHECK-COUNT-12: rev {{[a-z_]+}}: OK
  return bad;
}
