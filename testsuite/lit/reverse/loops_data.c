// Reverse mode through harder loop shapes and data layouts: do/while with continue,
// nested loops with a break out of the inner loop only, early return from nested
// loops, while loops with data-dependent trip counts, local 2-D arrays, arrays of
// structs, structs containing arrays, ADJ_NO_GRAD blocks and adj_stop_gradient inside
// loops. Each gradient is checked against finite differences (1e-6 relative to
// max(1, |fd|)), value and accumulation; the stopped ones also against exact values.
//
// RUN: %adjc %s -o %t.c
// RUN: %cc %t.c %adjlib -o %t.exe
// RUN: %t.exe | %FileCheck %s
// RUN: %clang %t.c %adjlib -o %t.clang.exe
// RUN: %t.clang.exe | %FileCheck %s
#include <adjoint.h>
#include <math.h>

#include "revcheck.h"

enum { N = 8 };

#define CHECKV(f) RC_WRAP_N(f, N)

ADJ_GRAD(w)
double do_continue(const double *w, int n) {
  double s = 0.5;
  int i = 0;
  do {
    double x = w[i];
    i++;
    if (x < -0.3) {
      s -= x;
      continue; // jumps to the condition, not the top
    }
    s = s * (1.0 + 0.2 * x) + x * x;
  } while (i < n && s < 5.0);
  return s;
}
CHECKV(do_continue)

ADJ_GRAD(w)
double inner_break(const double *w, int n) {
  double s = 0;
  for (int i = 0; i < n; i++) {
    double row = 0;
    for (int j = 0; j < n; j++) {
      row += w[j] * w[(i + j) % n];
      if (j >= i) // leaves the inner loop only
        break;
    }
    s += sin(row) * w[i];
  }
  return s;
}
CHECKV(inner_break)

ADJ_GRAD(w)
double nested_return(const double *w, int n) {
  double p = 1.0;
  for (int i = 0; i < n; i++) {
    for (int j = 0; j < 3; j++) {
      p *= 1.0 + 0.15 * w[(i + j) % n];
      if (p > 1.3 + w[i] * 0.01)
        return p * w[j]; // leaves both loops
    }
    p -= 0.05 * w[i];
  }
  return -p;
}
CHECKV(nested_return)

// trip counts that depend on the data: bisection-free fixed-point iteration and a
// walk that stops at a threshold
ADJ_GRAD(w)
double data_trips(const double *w, int n) {
  double c = 0.5 + 0.25 * w[0] * w[0];
  double x = 0.0;
  int it = 0;
  while (fabs(x - cos(c * x)) > 1e-13 && it < 200) { // x = cos(c x)
    x = cos(c * x);
    it++;
  }
  double s = 0;
  int k = 0;
  while (k < n && s < 2.0 + w[1]) {
    s += w[k] * w[k] + 0.4;
    k++;
  }
  return x + s * w[2];
}
CHECKV(data_trips)

ADJ_GRAD(w)
double local_2d(const double *w, int n) {
  double a[3][4];
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 4; j++)
      a[i][j] = w[(i * 4 + j) % n] + 0.1 * i;
  // in place: every row is a prefix product of itself
  for (int i = 0; i < 3; i++)
    for (int j = 1; j < 4; j++)
      a[i][j] *= a[i][j - 1];
  double b[4][3]; // transpose
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 4; j++)
      b[j][i] = a[i][j];
  double s = 0;
  for (int j = 0; j < 4; j++)
    for (int i = 0; i < 3; i++)
      s += b[j][i] * a[i][(j + 1) % 4];
  return s;
}
CHECKV(local_2d)

typedef struct {
  double pos, vel;
} body;

typedef struct {
  double coef[4];
  int len;
  double bias;
} poly;

ADJ_GRAD(w)
double array_of_structs(const double *w, int n) {
  body b[4];
  for (int i = 0; i < 4; i++) {
    b[i].pos = w[i];
    b[i].vel = w[(i + 4) % n];
  }
  for (int step = 0; step < 5; step++)
    for (int i = 0; i < 4; i++) {
      double f = -b[i].pos + 0.3 * (b[(i + 1) % 4].pos - b[i].pos);
      b[i].vel += 0.1 * f;
      b[i].pos += 0.1 * b[i].vel;
    }
  double e = 0;
  for (int i = 0; i < 4; i++)
    e += b[i].pos * b[i].pos + 0.5 * b[i].vel * b[i].vel;
  return e;
}
CHECKV(array_of_structs)

static double poly_eval(const poly *p, double x) {
  double r = 0;
  for (int i = p->len - 1; i >= 0; i--)
    r = r * x + p->coef[i];
  return r + p->bias;
}

ADJ_GRAD(w)
double struct_with_array(const double *w, int n) {
  poly p;
  p.len = 4;
  for (int i = 0; i < 4; i++)
    p.coef[i] = w[i];
  p.bias = w[4];
  poly q = p; // copies the array too
  q.coef[0] *= w[5];
  q.bias = -q.bias;
  return poly_eval(&p, w[6]) * poly_eval(&q, w[7]) + (double)n * 0.0;
}
CHECKV(struct_with_array)

// ADJ_NO_GRAD and adj_stop_gradient inside a loop: f = sum_i w_i * c_i with c_i
// computed from w but stopped, plus w_0 * r with r computed in a no-grad block
ADJ_GRAD(w)
double stopped_loop(const double *w, int n) {
  double s = 0, r = 0;
  for (int i = 0; i < n; i++) {
    double c = adj_stop_gradient(w[i] * w[i]);
    s += c * w[i];
    ADJ_NO_GRAD {
      r += sin(w[i]);
    }
  }
  return s + r * w[0];
}
double stopped_loop_grad(const double *w, double *d_w, int n);

int main(void) {
  uint64_t rng = 31;
  int bad = 0;
  for (int trial = 0; trial < 4; trial++) {
    double v[N];
    gc_fill(&rng, v, N, -1.0, 1.0);
    bad |= check_rev("do_continue", do_continue_w, do_continue_g, NULL, v, N, 1e-6);
    bad |= check_rev("inner_break", inner_break_w, inner_break_g, NULL, v, N, 1e-6);
    bad |= check_rev("nested_return", nested_return_w, nested_return_g, NULL, v, N, 1e-6);
    bad |= check_rev("data_trips", data_trips_w, data_trips_g, NULL, v, N, 1e-5);
    bad |= check_rev("local_2d", local_2d_w, local_2d_g, NULL, v, N, 1e-6);
    bad |= check_rev("array_of_structs", array_of_structs_w, array_of_structs_g, NULL, v, N, 1e-6);
    bad |= check_rev("struct_with_array", struct_with_array_w, struct_with_array_g, NULL, v, N, 1e-6);
  }
  // CHECK-COUNT-28: rev {{[a-z_0-9]+}}: OK
  // CHECK-NOT: FAIL

  // stopped_loop: d/dw_i = c_i = w_i² (+ r for i = 0), r = sum sin w_i
  double w[N], d[N] = {0};
  gc_fill(&rng, w, N, -1.0, 1.0);
  double val = stopped_loop_grad(w, d, N);
  double r = 0, err = fabs(val - stopped_loop(w, N));
  for (int i = 0; i < N; i++)
    r += sin(w[i]);
  for (int i = 0; i < N; i++)
    err = fmax(err, fabs(d[i] - (w[i] * w[i] + (i == 0 ? r : 0.0))));
  printf("stopped_loop error < 1e-14: %s\n", err < 1e-14 ? "yes" : "no");
  // CHECK: stopped_loop error < 1e-14: yes
  return bad;
}
