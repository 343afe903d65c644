// What the forward sweep does not tape, and that the gradients stay right without it:
//  - integer steps `i += c` are undone by arithmetic in the reverse sweep (loop
//    counters counting up and down, by 1 and by 3, unsigned counters wrapping, a
//    nested triangular loop, a counter reused by a second loop, a step inside a
//    branch, a counter also reset by a plain assignment, counters in a helper);
//  - an accumulator `s = s + t` whose old value no reverse statement reads is not
//    saved at each iteration;
//  - in `c[i] * w[i]` with c inactive only c[i] is taped;
//  - `&w[k]` does not make the pointer w itself address-taken;
//  - `v[i] * v[i]` loads (and tapes) v[i] once;
//  - none of this is wrong when the caller passes one array for two parameters.
// The tape traffic is checked on the generated code; every gradient against central
// finite differences (1e-6 relative to max(1, |fd|)), the value and accumulation.
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

enum { N = 9 };

#define CHECKV(f) RC_WRAP_N(f, N)

// i is saved once, where the second loop resets it, never per iteration; s only in
// the second loop, whose pullback reads it
// CODE-LABEL: double count_up_down_grad(const double *w, double *d_w, int n) {
// CODE-NOT: adj_tape_push(tape, &{{i|s}}, sizeof {{i|s}});
// CODE: i = i + 3;
// CODE: adj_tape_push(tape, &i, sizeof i);
// CODE-NEXT: i = n - 1;
// CODE-NOT: adj_tape_push(tape, &i, sizeof i);
// CODE: adj_tape_push(tape, &s, sizeof s);
// CODE-NOT: adj_tape_push(tape, &i, sizeof i);
// CODE: i = i + 1;
// CODE: i = i - 3;
// CODE: return result;
ADJ_GRAD(w)
double count_up_down(const double *w, int n) {
  double s = 0;
  int i;
  for (i = 0; i < n; i += 3)
    s = s + w[i] * w[i];
  for (i = n - 1; i >= 0; i--)
    s = s + sin(w[i]) * s;
  return s;
}
CHECKV(count_up_down)

// a packed lower triangle: the inner counter is stepped back, not taped; the running
// index is not needed at all (the reverse reads the taped idx % n)
// CODE-LABEL: double triangle_grad(const double *w, double *d_w, int n) {
// CODE-NOT: adj_tape_push(tape, &idx, sizeof idx);
// CODE: j = j + 1;
// CODE-NOT: adj_tape_push(tape, &idx, sizeof idx);
// CODE: j = j - 1;
// CODE-NOT: adj_tape_push(tape, &idx, sizeof idx);
// CODE: return result;
ADJ_GRAD(w)
double triangle(const double *w, int n) {
  double out[N] = {0};
  int idx = 0;
  for (int i = 0; i < n; i++)
    for (int j = i + 1; j < n; j++) {
      out[j] += w[idx % n] * w[i];
      idx++;
    }
  double s = 0;
  for (int i = 0; i < n; i++)
    s += out[i] * out[i];
  return s;
}
CHECKV(triangle)

// unsigned counters that wrap, a step taken in a branch, a counter reset by a store
ADJ_GRAD(w)
double odd_steps(const double *w, int n) {
  double s = 1.0;
  unsigned u = 4294967290u; // wraps to 0 after 6 steps
  int k = 0;
  for (int i = 0; i < n; i++) {
    s = s * (1.0 + 0.1 * w[(u + 6u) % (unsigned)n]);
    u = u + 1u;
    if (w[i] > 0)
      k = k + 2;
    else
      k = k - 1;
    if (k > 4)
      k = 0;
    s = s + w[(k + n) % n] * w[i];
  }
  return s;
}
CHECKV(odd_steps)

// a helper with a loop counter, called in a loop (split forward/reverse pair)
static double dot_from(const double *a, int from, int n) {
  double s = 0;
  for (int i = from; i < n; i++)
    s += a[i] * a[i - from];
  return s;
}

ADJ_GRAD(w)
double helper_counters(const double *w, int n) {
  double s = 0;
  for (int k = 0; k < n; k += 2)
    s += tanh(dot_from(w, k, n));
  return s;
}
CHECKV(helper_counters)

// &w[k] takes the address of an element, not of the pointer w: w is not saved (as an
// offset from its entry value) at every store and call
static double pair(const double *a) { return a[0] * a[1]; }

// CODE-LABEL: double addr_of_element_grad(const double *w, double *d_w, int n) {
// CODE-NOT: w_entry
// CODE: return result;
ADJ_GRAD(w)
double addr_of_element(const double *w, int n) {
  double buf[N];
  double s = 0;
  for (int k = 0; k + 1 < n; k++) {
    buf[k] = pair(&w[k]);
    s += buf[k] * w[k];
  }
  return s;
}
CHECKV(addr_of_element)

// v[i] * v[i] loads v[i] once (the array is written through a pointer, so its
// values are taped: one value per iteration, not two)
static void fill_sin(int n, const double *w, double *out) {
  for (int i = 0; i < n; i++)
    out[i] = sin(w[i]);
}

// CODE-LABEL: double sumsq_cse_grad(const double *w, double *d_w, int n) {
// CODE: adj_tape_push(tape, &[[T:t[0-9]+]], sizeof [[T]]);
// CODE-NEXT: [[T]] = buf[{{i[0-9]*}}];
// CODE-NEXT: {{t[0-9]+}} = [[T]] * [[T]];
// CODE: return result;
// (and the one temporary is what a call receives twice: rec_pair is recursive, so
// it is not inlined and keeps its pair)
static double rec_pair(double a, double b, int k) { return k == 0 ? a * b : a + rec_pair(b, a, k - 1); }

ADJ_GRAD(w)
double sumsq_cse(const double *w, int n) {
  double buf[N];
  fill_sin(n, w, buf);
  double s = 0;
  for (int i = 0; i < n; i++)
    s += buf[i] * buf[i] + rec_pair(w[i], w[i], i % 3);
  return s;
}
CHECKV(sumsq_cse)

// An input array passed twice (docs/guide.md, aliasing: the same d_ array for both):
// f writes one of its arrays, so the values it loads from the other are taped, not
// loaded again after the writes changed them.
ADJ_GRAD(a, b)
double in_place(const double *a, double *b, int n) {
  double s = 0;
  for (int i = 0; i + 1 < n; i++) {
    double v = a[i + 1] * a[i + 1];
    b[i] = v + 0.5 * b[i];
    s += sin(a[i]) * v;
  }
  return s + b[0] * b[n - 1];
}
double in_place_grad(const double *a, double *d_a, double *b, double *d_b, int n);
static double in_place_w(const double *v, void *c) {
  (void)c;
  double buf[N];
  for (int i = 0; i < N; i++)
    buf[i] = v[i];
  return in_place(buf, buf, N);
}
static void in_place_check(const double *v, int *bad) {
  double buf[N], g[N] = {0};
  for (int i = 0; i < N; i++)
    buf[i] = v[i];
  in_place_grad(buf, g, buf, g, N); /* one array, one d_ array (in/out: not accumulated) */
  *bad |= gradcheck("in_place", in_place_w, NULL, v, N, g, 1e-6);
}

int main(void) {
  uint64_t rng = 7;
  int bad = 0;
  for (int trial = 0; trial < 3; trial++) {
    double v[N];
    gc_fill(&rng, v, N, -1.0, 1.0);
    bad |= check_rev("count_up_down", count_up_down_w, count_up_down_g, NULL, v, N, 1e-6);
    bad |= check_rev("triangle", triangle_w, triangle_g, NULL, v, N, 1e-6);
    bad |= check_rev("odd_steps", odd_steps_w, odd_steps_g, NULL, v, N, 1e-6);
    bad |= check_rev("helper_counters", helper_counters_w, helper_counters_g, NULL, v, N, 1e-6);
    bad |= check_rev("addr_of_element", addr_of_element_w, addr_of_element_g, NULL, v, N, 1e-6);
    bad |= check_rev("sumsq_cse", sumsq_cse_w, sumsq_cse_g, NULL, v, N, 1e-6);
  }
  // CHECK-COUNT-18: rev {{[a-z_0-9]+}}: OK
  for (int trial = 0; trial < 3; trial++) {
    double v[N];
    gc_fill(&rng, v, N, -1.0, 1.0);
    in_place_check(v, &bad);
  }
  // CHECK-COUNT-3: gradcheck in_place: max abs err {{.*}} OK
  // CHECK-NOT: FAIL
  return bad;
}
