// Reverse mode through switch (fallthrough, default in the middle, break inside a
// loop inside a switch, continue through a switch), ?: chains and ?: with side
// effects, and the comma operator. Every gradient is checked against finite
// differences (tolerance 1e-6 relative to max(1, |fd|)), the returned value against
// f bit for bit, and a second call against accumulation (Inputs/revcheck.h).
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

// Fallthrough from case to case; the selector is an integer computed from the data.
ADJ_GRAD(w)
double sw_fallthrough(const double *w, int n) {
  double s = 0;
  for (int i = 0; i < n; i++) {
    switch (i % 4) {
    case 0:
      s += w[i] * w[i];
      /* fallthrough */
    case 1:
      s = s * 0.5 + sin(w[i]);
      /* fallthrough */
    case 2:
      s += w[i];
      break;
    case 3:
      s *= 1.0 + 0.1 * w[i];
      break;
    }
  }
  return s;
}
CHECKV(sw_fallthrough)

// default in the middle, falling through into the next case; no match of 0..5 for 9.
ADJ_GRAD(w)
double sw_default_middle(const double *w, int n) {
  double s = 1.0;
  for (int i = 0; i < n; i++) {
    int k = (i * 7) % 5;
    switch (k) {
    case 1:
      s = s * w[i];
      break;
    default:
      s = s + w[i] * w[i];
      /* fallthrough */
    case 3:
      s = s - 0.25 * w[i];
      break;
    case 4:
      s = exp(0.2 * s);
    }
  }
  return s;
}
CHECKV(sw_default_middle)

// A loop inside a switch: break inside the loop leaves the loop only; the switch's
// own break comes after it. The switch is on a data-dependent branch decision.
ADJ_GRAD(w)
double sw_loop_break(const double *w, int n) {
  double s = 0;
  int mode = w[0] > 0 ? 1 : 2;
  switch (mode) {
  case 1:
    for (int i = 0; i < n; i++) {
      if (s > 1.2)
        break; // leaves the for loop, not the switch
      s += w[i] * w[i] + 0.3;
    }
    s *= w[1];
    break;
  case 2:
    for (int i = n - 1; i >= 0; i--) {
      s = s * 0.9 + cos(w[i]);
      if (i == 2)
        break;
    }
    s += w[0] * w[0];
    break;
  }
  return s + w[2];
}
CHECKV(sw_loop_break)

// A switch inside a loop: continue inside the switch continues the loop.
ADJ_GRAD(w)
double sw_continue(const double *w, int n) {
  double s = 0;
  for (int i = 0; i < n; i++) {
    switch (i & 1) {
    case 0:
      if (w[i] < 0)
        continue; // skips the update after the switch
      s += w[i];
      break;
    default:
      s -= w[i] * w[i];
    }
    s = s * 1.1 + 0.05 * w[(i + 1) % n];
  }
  return s;
}
CHECKV(sw_continue)

// A ?: chain (nested conditionals), an active value chosen by ?: and ?: as an lvalue
// choice via pointers.
ADJ_GRAD(w)
double cond_chain(const double *w, int n) {
  double s = 0;
  for (int i = 0; i < n; i++) {
    double x = w[i];
    s += x < -0.5 ? -x * x : x < 0.0 ? 2.0 * x : x < 0.5 ? sin(x) : exp(x);
  }
  double a = w[0], b = w[1];
  const double *big = a > b ? &w[0] : &w[1];
  return s + *big * (a > b ? b : a);
}
CHECKV(cond_chain)

// ?: with side effects in the chosen arm only: the unchosen arm's ++ must not run.
ADJ_GRAD(w)
double cond_side_effects(const double *w, int n) {
  double acc = 0, cnt = 0;
  int k = 0;
  for (int i = 0; i < n; i++) {
    double t = w[i] > 0 ? (acc += w[i] * w[i], k++, acc) : (cnt -= w[i], cnt * 2.0);
    acc = acc + 0.1 * t;
  }
  return acc * (k + 1) + cnt * cnt;
}
CHECKV(cond_side_effects)

// The comma operator: in for headers, in expressions (the value is the last operand,
// the others run for effect), in a while condition.
ADJ_GRAD(w)
double comma(const double *w, int n) {
  double s = 0, p = 1;
  int i, j;
  for (i = 0, j = n - 1; i < j; i++, j--)
    s += w[i] * w[j], p *= 1.0 + 0.2 * w[i];
  double t = (s = s * p, p = p + s, p * s);
  int k = 0;
  while (t += w[k] * 0.5, ++k < 3)
    ;
  return t + s;
}
CHECKV(comma)

// A switch on an enum with a case that returns directly (early return from a switch).
enum shape { FLAT, QUAD, CUBIC };

static double shaped(double x, enum shape sh) {
  switch (sh) {
  case FLAT:
    return x;
  case QUAD:
    return x * x;
  default:
    break;
  }
  return x * x * x;
}

ADJ_GRAD(w)
double sw_return(const double *w, int n) {
  double s = 0;
  for (int i = 0; i < n; i++)
    s += shaped(w[i], (enum shape)(i % 3)) * (i + 1);
  switch (n) {
  case 6:
    return s * w[0];
  default:
    return s;
  }
}
CHECKV(sw_return)

int main(void) {
  uint64_t rng = 2024;
  int bad = 0;
  for (int trial = 0; trial < 4; trial++) {
    double v[N];
    gc_fill(&rng, v, N, -1.0, 1.0);
    bad |= check_rev("sw_fallthrough", sw_fallthrough_w, sw_fallthrough_g, NULL, v, N, 1e-6);
    bad |= check_rev("sw_default_middle", sw_default_middle_w, sw_default_middle_g, NULL, v, N, 1e-6);
    bad |= check_rev("sw_loop_break", sw_loop_break_w, sw_loop_break_g, NULL, v, N, 1e-6);
    bad |= check_rev("sw_continue", sw_continue_w, sw_continue_g, NULL, v, N, 1e-6);
    bad |= check_rev("cond_chain", cond_chain_w, cond_chain_g, NULL, v, N, 1e-6);
    bad |= check_rev("cond_side_effects", cond_side_effects_w, cond_side_effects_g, NULL, v, N, 1e-6);
    bad |= check_rev("comma", comma_w, comma_g, NULL, v, N, 1e-6);
    bad |= check_rev("sw_return", sw_return_w, sw_return_g, NULL, v, N, 1e-6);
  }
  // CHECK-COUNT-32: rev {{[a-z_]+}}: OK
  // CHECK-NOT: FAIL
  return bad;
}
